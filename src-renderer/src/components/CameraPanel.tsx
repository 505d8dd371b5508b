import { useEffect, useRef, useState } from 'react';
import { liveStats, pasteBackKeepsUp, suggestNeutral } from '../../../src-shared/live';
import { api } from '../api-client';
import { base64ToBytes, bytesToBase64, centredSquare, rgbaToRgb, rgbToRgba } from '../camera/pixels';
import { useCamera } from '../stores/camera';
import { useModels } from '../stores/models';
import { useProject } from '../stores/project';
import { useSettings } from '../stores/settings';

/**
 * Drive with the camera: a live preview of the photo animated by the camera, at the model's
 * resolution, with its fps and camera-to-screen latency. One frame is in flight at a time; while
 * the engine works, camera frames are dropped, never queued. Record a take: the camera and the
 * microphone become a driving clip in the studio's takes folder, opened like any clip.
 */
export function CameraPanel({ onTake }: { onTake(path: string): void }) {
  const camera = useCamera();
  const model = useModels((s) => s.models.find((m) => m.id === s.selectedId) ?? null);
  const source = useProject((s) => s.source);
  const sourceCrop = useProject((s) => s.sourceCrop);
  const settings = useSettings((s) => s.settings);
  const video = useRef<HTMLVideoElement>(null);
  const result = useRef<HTMLCanvasElement>(null);
  const [liveError, setLiveError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const [height, width] = model?.resolution ?? [0, 0];

  useEffect(() => {
    if (video.current && video.current.srcObject !== camera.stream) video.current.srcObject = camera.stream;
  }, [camera.stream]);

  useEffect(() => {
    if (!camera.recordingSince) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [camera.recordingSince]);

  // The frame loop: grab the newest camera frame whenever the last one has come back.
  useEffect(() => {
    const stream = camera.stream;
    if (!stream || !model || !source || !width || !height) return;
    let stopped = false;
    let inFlight = false;
    let frame = 0;
    const shown: Array<{ capturedAt: number; shownAt: number; engineMs: number }> = [];
    const distances: number[] = [];
    let pastedFrames = 0;
    const grab = document.createElement('canvas');
    grab.width = width;
    grab.height = height;
    const grabContext = grab.getContext('2d', { willReadFrequently: true })!;
    const tick = () => {
      if (stopped) return;
      frame = requestAnimationFrame(tick);
      const v = video.current;
      if (inFlight || !v || v.readyState < 2 || !v.videoWidth) return;
      inFlight = true;
      const capturedAt = performance.now();
      const square = centredSquare(v.videoWidth, v.videoHeight);
      grabContext.drawImage(v, square.x, square.y, square.size, square.size, 0, 0, width, height);
      const rgb = rgbaToRgb(grabContext.getImageData(0, 0, width, height).data);
      const setNeutral = useCamera.getState().neutralRequested;
      if (setNeutral) useCamera.setState({ neutralRequested: false });
      api
        .invoke('liveFrame', {
          modelId: model.id,
          sourcePath: source.path,
          sourceCrop,
          session: useCamera.getState().session,
          width,
          height,
          rgb: bytesToBase64(rgb),
          setNeutral,
          pasteBack: useCamera.getState().pasteBack,
          settings: {
            mode: settings.mode,
            adaptScale: settings.adaptScale,
            relativeJacobian: settings.relativeJacobian,
          },
        })
        .then(
          (answer) => {
            if (stopped) return;
            const canvas = result.current;
            canvas
              ?.getContext('2d')
              ?.putImageData(
                new ImageData(rgbToRgba(base64ToBytes(answer.rgb)), answer.width, answer.height),
                0,
                0,
              );
            const shownAt = performance.now();
            shown.push({ capturedAt, shownAt, engineMs: answer.engineMs });
            while (shown.length > 120) shown.shift();
            distances.push(answer.poseDistance);
            while (distances.length > 150) distances.shift();
            const stats = liveStats(shown, shownAt);
            pastedFrames = answer.pastedBack ? pastedFrames + 1 : 0;
            if (answer.pastedBack && !pasteBackKeepsUp(pastedFrames, stats))
              useCamera.setState({
                pasteBack: false,
                pasteBackNote: `Paste-back is off: the preview managed ${stats.fps.toFixed(1)} fps with it. Tick it to try again.`,
              });
            useCamera.setState({
              stats,
              neutralSet: answer.neutralSet,
              suggestNeutral: suggestNeutral(distances, answer),
            });
            setLiveError(null);
          },
          (err: Error) => setLiveError(err.message),
        )
        .finally(() => (inFlight = false));
    };
    frame = requestAnimationFrame(tick);
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
    };
  }, [
    camera.stream,
    model,
    source,
    sourceCrop,
    width,
    height,
    settings.mode,
    settings.adaptScale,
    settings.relativeJacobian,
  ]);

  if (!camera.open)
    return (
      <button type="button" onClick={() => void (camera.setOpen(true), camera.start())}>
        Use camera…
      </button>
    );
  const recording = camera.recordingSince !== null;
  const seconds = recording ? Math.max(0, (now - camera.recordingSince!) / 1000) : 0;
  return (
    <div className="camera" role="group" aria-label="Camera">
      <div className="camera-bar">
        <label>
          Camera
          <select
            value={camera.deviceId ?? ''}
            onChange={(e) => void camera.start(e.target.value)}
            disabled={camera.starting || recording}
          >
            {camera.devices.length === 0 && <option value="">(none yet)</option>}
            {camera.devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => camera.setOpen(false)} disabled={recording}>
          Close camera
        </button>
      </div>
      {camera.error && (
        <p role="alert" className="field-error">
          {camera.error}
        </p>
      )}
      <div className="camera-views">
        <video ref={video} autoPlay muted playsInline aria-label="Camera view" />
        <canvas ref={result} width={width || 1} height={height || 1} role="img" aria-label="Live result" />
      </div>
      {!source && <p className="meta">Load a photo in Source image: the camera animates it.</p>}
      {liveError && <p className="field-error">{liveError}</p>}
      <p className="meta" data-testid="live-stats">
        {camera.stream
          ? `${camera.stats.fps.toFixed(1)} fps · ${Math.round(camera.stats.latencyMs)} ms camera → screen (engine ${Math.round(camera.stats.engineMs)} ms) · ${width}×${height}${camera.pasteBack ? ' pasted back' : ''} · neutral: ${camera.neutralSet ? 'set' : 'first frame'}`
          : camera.starting
            ? 'Starting the camera…'
            : 'Camera off'}
      </p>
      <label
        className="check"
        title="The animated square composited into the whole photo, as the render does"
      >
        <input
          type="checkbox"
          checked={camera.pasteBack}
          onChange={(e) => camera.setPasteBack(e.target.checked)}
        />
        Paste back into the photo (when it keeps up)
      </label>
      {camera.pasteBackNote && <p className="meta">{camera.pasteBackNote}</p>}
      {camera.suggestNeutral && (
        <p className="suggestion" role="status">
          Your pose is as close to the photo&apos;s as it gets: a good moment to Set neutral.
        </p>
      )}
      <div className="camera-bar">
        <button
          type="button"
          onClick={camera.requestNeutral}
          disabled={!camera.stream}
          title="Take the camera's current pose as the start of relative motion (the pose the photo is in)"
        >
          Set neutral
        </button>
        {recording ? (
          <button
            type="button"
            className="recording"
            onClick={() =>
              void camera.stopRecording(api).then((path) => {
                if (path) onTake(path);
              })
            }
          >
            Stop recording ({seconds.toFixed(1)} s)
          </button>
        ) : (
          <button
            type="button"
            onClick={camera.startRecording}
            disabled={!camera.stream || camera.savingTake}
            title="Record the camera and the microphone as a driving clip (kept in the studio's takes folder)"
          >
            {camera.savingTake ? 'Keeping the take…' : 'Record take'}
          </button>
        )}
      </div>
    </div>
  );
}
