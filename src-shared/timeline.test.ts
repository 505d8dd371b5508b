import { describe, expect, it } from 'vitest';
import {
  clampPlayhead,
  etaSeconds,
  formatTimecode,
  framesInRange,
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
  it('formats timecodes and ETAs', () => {
    expect(formatTimecode(61.5, 25)).toBe('01:01:12');
    expect(etaSeconds(30, 120, 3)).toBe(30);
    expect(etaSeconds(5, 5, 3)).toBeNull();
  });
});
