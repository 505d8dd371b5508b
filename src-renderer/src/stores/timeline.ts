/** Trim handles, a free playhead and the shuttle; the maths lives in src-shared/timeline.ts. */
import { create } from 'zustand';
import { seekFrame, setTrimIn, setTrimOut, shuttle, stepFrames } from '../../../src-shared/timeline';

export interface TimelineState {
  duration: number;
  fps: number;
  trimIn: number;
  trimOut: number;
  /** Anywhere on the clip, inside the trim or not. */
  playhead: number;
  playing: boolean;
  /** Playback rate: 1 is real time, negative plays backwards (J/K/L). */
  rate: number;
  /** The clip plays in the studio's video element, which then drives the playhead. */
  videoClock: boolean;
  setVideoClock(on: boolean): void;
  /** Playback's own move: `frames` on, stopping at the clip's ends. */
  tick(frames: number): void;
  /** Playback's own move: the playhead follows the playing video. */
  follow(time: number): void;
  reset(duration: number, fps: number): void;
  markIn(time?: number): void;
  markOut(time?: number): void;
  seek(time: number): void;
  /** Exactly `frames` frames (negative: back). */
  step(frames: number): void;
  stepSeconds(seconds: number): void;
  goToIn(): void;
  goToOut(): void;
  setPlaying(playing: boolean): void;
  shuttle(key: 'j' | 'k' | 'l'): void;
}

export const useTimeline = create<TimelineState>((set, get) => ({
  duration: 0,
  fps: 25,
  trimIn: 0,
  trimOut: 0,
  playhead: 0,
  playing: false,
  rate: 1,
  videoClock: false,
  setVideoClock(on) {
    set({ videoClock: on });
  },
  tick(frames) {
    const s = get();
    const next = stepFrames(s.playhead, frames, s.fps, s.duration);
    set({ playhead: next, playing: next !== s.playhead });
  },
  follow(time) {
    const s = get();
    set({ playhead: seekFrame(time, s.fps, s.duration) });
  },
  reset(duration, fps) {
    set({ duration, fps, trimIn: 0, trimOut: duration, playhead: 0, playing: false, rate: 1 });
  },
  markIn(time) {
    const s = get();
    set(setTrimIn(s, time ?? s.playhead, s.fps));
  },
  markOut(time) {
    const s = get();
    // The out point sits at the end of the frame under the playhead: that frame is included.
    const at = time ?? s.playhead + (s.fps > 0 ? 1 / s.fps : 0);
    set(setTrimOut(s, at, s.fps, s.duration));
  },
  seek(time) {
    const s = get();
    set({ playhead: seekFrame(time, s.fps, s.duration) });
  },
  step(frames) {
    const s = get();
    set({ playhead: stepFrames(s.playhead, frames, s.fps, s.duration), playing: false });
  },
  stepSeconds(seconds) {
    const s = get();
    get().step(Math.round(seconds * s.fps));
  },
  goToIn() {
    set({ playhead: get().trimIn, playing: false });
  },
  goToOut() {
    const s = get();
    set({ playhead: stepFrames(s.trimOut, -1, s.fps, s.duration), playing: false });
  },
  setPlaying(playing) {
    set({ playing, rate: playing ? Math.abs(get().rate) || 1 : get().rate });
  },
  shuttle(key) {
    const rate = shuttle(get().playing ? get().rate : 0, key);
    set({ rate: rate === 0 ? 1 : rate, playing: rate !== 0 });
  },
}));
