/** Pure timeline maths: trim handles and the playhead, in seconds, snapped to the clip's frames. */

export interface Trim {
  trimIn: number;
  trimOut: number;
}

/** The time of the frame that contains `time` (frame starts at index / fps). */
export function snapToFrame(time: number, fps: number): number {
  if (!(fps > 0)) return Math.max(0, time);
  return Math.max(0, Math.floor(time * fps + 1e-6)) / fps;
}

/** Move the in point, keeping at least one frame before the out point. */
export function setTrimIn(trim: Trim, time: number, fps: number): Trim {
  const frame = fps > 0 ? 1 / fps : 0;
  return { ...trim, trimIn: Math.min(snapToFrame(time, fps), Math.max(0, trim.trimOut - frame)) };
}

/** Move the out point, keeping at least one frame after the in point and not past the end. */
export function setTrimOut(trim: Trim, time: number, fps: number, duration: number): Trim {
  const frame = fps > 0 ? 1 / fps : 0;
  return { ...trim, trimOut: Math.min(duration, Math.max(trim.trimIn + frame, time)) };
}

/** The out point as a job takes it: null when the trim runs to the clip's end. */
export function jobTrimOut(trim: Trim, duration: number): number | null {
  return trim.trimOut < duration ? trim.trimOut : null;
}

export function clampPlayhead(time: number, trim: Trim): number {
  return Math.min(Math.max(time, trim.trimIn), trim.trimOut);
}

export function framesInRange(trim: Trim, fps: number): number {
  return Math.max(0, Math.round((trim.trimOut - trim.trimIn) * fps));
}

export function formatTimecode(seconds: number, fps: number): string {
  const whole = Math.floor(seconds);
  const frame = Math.floor((seconds - whole) * fps + 1e-6);
  const mm = String(Math.floor(whole / 60)).padStart(2, '0');
  const ss = String(whole % 60).padStart(2, '0');
  return `${mm}:${ss}:${String(frame).padStart(2, '0')}`;
}

/** Seconds left at `fps` frames a second for the frames not yet done. */
export function etaSeconds(done: number, total: number, fps: number): number | null {
  return fps > 0 && total > done ? Math.ceil((total - done) / fps) : null;
}
