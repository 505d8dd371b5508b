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

/** The index of the frame shown at `time` (frame n covers [n/fps, (n+1)/fps)). */
export function frameIndex(time: number, fps: number): number {
  return fps > 0 ? Math.max(0, Math.floor(time * fps + 1e-6)) : 0;
}

/** The last frame's index of a clip `duration` seconds long. */
export function lastFrame(duration: number, fps: number): number {
  return Math.max(0, Math.ceil(duration * fps - 1e-6) - 1);
}

/**
 * Where a free playhead may go: any frame of the clip, inside the trim or not (editors let you
 * look past the out point). Returns the start time of the frame.
 */
export function seekFrame(time: number, fps: number, duration: number): number {
  if (!(fps > 0)) return Math.min(Math.max(0, time), duration);
  return Math.min(frameIndex(time, fps), lastFrame(duration, fps)) / fps;
}

/** `n` frames from the frame at `time` (negative: back), kept on the clip. */
export function stepFrames(time: number, n: number, fps: number, duration: number): number {
  if (!(fps > 0)) return seekFrame(time + n * 0.04, 0, duration);
  const target = Math.min(Math.max(0, frameIndex(time, fps) + n), lastFrame(duration, fps));
  return target / fps;
}

export function framesInRange(trim: Trim, fps: number): number {
  return Math.max(0, Math.round((trim.trimOut - trim.trimIn) * fps));
}

/** "1 frame", "45 frames". */
export function frameCount(n: number): string {
  return `${n} frame${n === 1 ? '' : 's'}`;
}

/**
 * HH:MM:SS.FF at the clip's exact (possibly fractional) rate: the wall-clock second the frame is
 * in, and the frame's number within that second. 29.97 fps keeps real time (no drift), 25 fps
 * frame 37 is 00:00:01.12.
 */
export function formatTimecode(seconds: number, fps: number): string {
  const n = frameIndex(seconds, fps);
  const wall = fps > 0 ? n / fps : seconds;
  const whole = Math.floor(wall + 1e-9);
  const firstOfSecond = fps > 0 ? Math.ceil(whole * fps - 1e-6) : 0;
  const ff = String(Math.max(0, n - firstOfSecond)).padStart(2, '0');
  const hh = String(Math.floor(whole / 3600)).padStart(2, '0');
  const mm = String(Math.floor((whole % 3600) / 60)).padStart(2, '0');
  const ss = String(whole % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${ff}`;
}

/**
 * A typed position: HH:MM:SS.FF, MM:SS.FF or SS.FF (a timecode, as formatTimecode writes),
 * "#123" or "f123" (a frame number), or "1.5s" (seconds). The frame's start time, or null.
 */
export function parseTimecode(text: string, fps: number): number | null {
  const t = text.trim();
  const frame = /^(?:#|f)(\d+)$/i.exec(t);
  if (frame) return fps > 0 ? Number(frame[1]) / fps : null;
  const secs = /^(\d+(?:\.\d+)?)\s*s$/i.exec(t);
  if (secs) return Number(secs[1]);
  const tc = /^(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2})(?:\.(\d{1,3}))?$/.exec(t);
  if (!tc) return null;
  const [hh, mm, ss, ff] = [tc[1], tc[2], tc[3], tc[4]].map((v) => Number(v ?? 0));
  if (mm! >= 60 || ss! >= 60 || !(fps > 0) || ff! >= Math.ceil(fps)) return null;
  const whole = hh! * 3600 + mm! * 60 + ss!;
  return (Math.ceil(whole * fps - 1e-6) + ff!) / fps;
}

/** J/K/L shuttle: each L doubles the forward rate (1, 2, 4, 8), each J the backward one, K stops. */
export function shuttle(rate: number, key: 'j' | 'k' | 'l'): number {
  if (key === 'k') return 0;
  const sign = key === 'l' ? 1 : -1;
  if (Math.sign(rate) !== sign) return sign;
  return sign * Math.min(8, Math.abs(rate) * 2);
}

/** Seconds left at `fps` frames a second for the frames not yet done. */
export function etaSeconds(done: number, total: number, fps: number): number | null {
  return fps > 0 && total > done ? Math.ceil((total - done) / fps) : null;
}
