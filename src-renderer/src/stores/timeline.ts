/** Trim handles and playhead; the maths lives in src-shared/timeline.ts. */
import { create } from 'zustand';
import { clampPlayhead, setTrimIn, setTrimOut, snapToFrame } from '../../../src-shared/timeline';

export interface TimelineState {
  duration: number;
  fps: number;
  trimIn: number;
  trimOut: number;
  playhead: number;
  playing: boolean;
  reset(duration: number, fps: number): void;
  markIn(time?: number): void;
  markOut(time?: number): void;
  seek(time: number): void;
  step(frames: number): void;
  setPlaying(playing: boolean): void;
}

export const useTimeline = create<TimelineState>((set, get) => ({
  duration: 0,
  fps: 25,
  trimIn: 0,
  trimOut: 0,
  playhead: 0,
  playing: false,
  reset(duration, fps) {
    set({ duration, fps, trimIn: 0, trimOut: duration, playhead: 0, playing: false });
  },
  markIn(time) {
    const s = get();
    const trim = setTrimIn(s, time ?? s.playhead, s.fps);
    set({ ...trim, playhead: clampPlayhead(s.playhead, trim) });
  },
  markOut(time) {
    const s = get();
    const trim = setTrimOut(s, time ?? s.playhead, s.fps, s.duration);
    set({ ...trim, playhead: clampPlayhead(s.playhead, trim) });
  },
  seek(time) {
    const s = get();
    set({ playhead: clampPlayhead(snapToFrame(time, s.fps), s) });
  },
  step(frames) {
    const s = get();
    const next = s.playhead + frames / s.fps;
    if (next > s.trimOut) set({ playhead: s.trimIn });
    else set({ playhead: clampPlayhead(snapToFrame(next, s.fps), s) });
  },
  setPlaying(playing) {
    set({ playing });
  },
}));
