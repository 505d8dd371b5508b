import { useEffect, useRef, useState } from 'react';
import { useTimeline } from '../stores/timeline';

/**
 * The driving clip itself, in a video element streamed by id with byte ranges: the frame under
 * the playhead shows as soon as the element has seeked (no model in the way), and Play runs in
 * real time with the clip's sound, the video driving the playhead. A clip the browser cannot
 * decode (e.g. an AVI) falls back to frames from the engine, stepped on a timer.
 */
export function ClipPlayer({ src }: { src: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [broken, setBroken] = useState(false);
  const playing = useTimeline((s) => s.playing);
  const rate = useTimeline((s) => s.rate);
  const playhead = useTimeline((s) => s.playhead);
  const fps = useTimeline((s) => s.fps);

  useEffect(() => {
    setBroken(false);
    useTimeline.getState().setVideoClock(true);
    return () => useTimeline.getState().setVideoClock(false);
  }, [src]);

  // Playing forward: the video is the clock.
  useEffect(() => {
    const v = video.current;
    if (!v || broken) return;
    if (!playing || rate < 0) {
      v.pause();
      useTimeline.getState().setVideoClock(!broken && rate >= 0);
      return;
    }
    useTimeline.getState().setVideoClock(true);
    v.playbackRate = rate;
    v.muted = rate !== 1;
    let handle = 0;
    const follow = () => {
      useTimeline.getState().follow(v.currentTime);
      handle = requestAnimationFrame(follow);
    };
    v.play().then(
      () => (handle = requestAnimationFrame(follow)),
      () => useTimeline.getState().setVideoClock(false),
    );
    return () => {
      cancelAnimationFrame(handle);
      v.pause();
    };
  }, [playing, rate, broken]);

  // Paused (or scrubbing): the playhead is the clock; land in the middle of its frame.
  useEffect(() => {
    const v = video.current;
    if (!v || broken || (playing && rate > 0) || !(fps > 0)) return;
    const target = playhead + 0.5 / fps;
    if (Math.abs(v.currentTime - target) > 0.4 / fps) v.currentTime = target;
  }, [playhead, playing, rate, fps, broken]);

  if (broken)
    return (
      <p className="meta" data-testid="clip-player-fallback">
        This clip&apos;s format does not play in the studio: frames come from the engine.
      </p>
    );
  return (
    <video
      ref={video}
      className="clip-player"
      aria-label="Driving clip player"
      src={src}
      preload="auto"
      playsInline
      onEnded={() => useTimeline.getState().setPlaying(false)}
      onError={() => {
        setBroken(true);
        useTimeline.getState().setVideoClock(false);
      }}
    />
  );
}
