import { describe, expect, it } from 'vitest';
import {
  clampPlayhead,
  etaSeconds,
  formatTimecode,
  frameCount,
  frameIndex,
  framesInRange,
  parseTimecode,
  seekFrame,
  shuttle,
  stepFrames,
  jobTrimOut,
  setTrimIn,
  setTrimOut,
  snapToFrame,
} from './timeline.js';

describe('timeline', () => {
  it('snaps to the frame that contains a time', () => {
    expect(snapToFrame(1.03, 25)).toBe(1);
    expect(snapToFrame(1.04, 25)).toBeCloseTo(1.04, 9);
    expect(snapToFrame(-3, 25)).toBe(0);
  });
  it('keeps in before out by at least one frame, and out within the clip', () => {
    const trim = { trimIn: 0, trimOut: 2 };
    expect(setTrimIn(trim, 5, 10)).toEqual({ trimIn: 1.9, trimOut: 2 });
    expect(setTrimOut({ trimIn: 1, trimOut: 2 }, 0.5, 10, 3).trimOut).toBeCloseTo(1.1, 9);
    expect(setTrimOut(trim, 99, 10, 3).trimOut).toBe(3);
  });
  it('gives a job no out point when the trim runs to the end', () => {
    expect(jobTrimOut({ trimIn: 1, trimOut: 3 }, 4)).toBe(3);
    expect(jobTrimOut({ trimIn: 1, trimOut: 4 }, 4)).toBeNull();
  });

  it('clamps the playhead to the trimmed range and counts its frames', () => {
    expect(clampPlayhead(5, { trimIn: 1, trimOut: 2 })).toBe(2);
    expect(framesInRange({ trimIn: 1, trimOut: 2.5 }, 30000 / 1001)).toBe(45);
  });
  it('formats timecodes as HH:MM:SS.FF at the exact rate, and ETAs', () => {
    expect(formatTimecode(61.5, 25)).toBe('00:01:01.12');
    expect(formatTimecode(7 + 8 / 25, 25)).toBe('00:00:07.08');
    expect(formatTimecode(3725, 25)).toBe('01:02:05.00');
    // 29.97: frame 30 is still in second 1 of wall time (no drift), frame 29 is 00:00:00.29.
    const ntsc = 30000 / 1001;
    expect(formatTimecode(29 / ntsc, ntsc)).toBe('00:00:00.29');
    expect(formatTimecode(30 / ntsc, ntsc)).toBe('00:00:01.00');
    expect(formatTimecode(1798 / ntsc, ntsc)).toBe('00:00:59.29');
    expect(etaSeconds(30, 120, 3)).toBe(30);
    expect(etaSeconds(5, 5, 3)).toBeNull();
  });
  it('reads back what it writes, frame numbers and seconds', () => {
    const ntsc = 30000 / 1001;
    for (const fps of [25, ntsc, 10])
      for (const n of [0, 1, 29, 30, 31, 599, 1799]) {
        const text = formatTimecode(n / fps, fps);
        expect(frameIndex(parseTimecode(text, fps)!, fps), `${text} @ ${fps}`).toBe(n);
      }
    expect(parseTimecode('#37', 25)).toBeCloseTo(1.48, 9);
    expect(parseTimecode('1.5s', 25)).toBe(1.5);
    expect(parseTimecode('01:02.03', 25)).toBeCloseTo(62.12, 9);
    for (const bad of ['', 'abc', '00:61:00.00', '00:00:01.25', '1:2:3:4'])
      expect(parseTimecode(bad, 25), bad).toBeNull();
  });
  it('moves a free playhead by exact frames over the whole clip', () => {
    expect(stepFrames(0, 1, 25, 2)).toBeCloseTo(0.04, 9);
    expect(stepFrames(1, -25, 25, 2)).toBe(0);
    expect(stepFrames(1.96, 5, 25, 2)).toBeCloseTo(1.96, 9); // the last frame is 49
    expect(seekFrame(5, 25, 2)).toBeCloseTo(1.96, 9);
    expect(seekFrame(1.4999, 10, 2)).toBeCloseTo(1.4, 9);
    expect(frameCount(1)).toBe('1 frame');
    expect(frameCount(45)).toBe('45 frames');
  });
  it('shuttles with J/K/L like an editor', () => {
    expect(shuttle(0, 'l')).toBe(1);
    expect(shuttle(1, 'l')).toBe(2);
    expect(shuttle(8, 'l')).toBe(8);
    expect(shuttle(4, 'j')).toBe(-1);
    expect(shuttle(-1, 'j')).toBe(-2);
    expect(shuttle(-2, 'k')).toBe(0);
  });
});
