import { beforeEach, describe, expect, it } from 'vitest';
import { useTimeline } from './timeline';

const t = () => useTimeline.getState();

describe('timeline store', () => {
  beforeEach(() => t().reset(2, 10));

  it('starts a clip with the whole range trimmed in and the playhead at the start', () => {
    expect(t()).toMatchObject({ duration: 2, fps: 10, trimIn: 0, trimOut: 2, playhead: 0, playing: false });
  });

  it('sets in and out at the playhead, snapped to frames, and keeps the playhead inside', () => {
    t().seek(0.55);
    t().markIn();
    expect(t().trimIn).toBe(0.5);
    t().seek(1.5);
    t().markOut();
    expect([t().trimIn, t().trimOut, t().playhead]).toEqual([0.5, 1.5, 1.5]);
    t().markIn(1.9); // past the out point: at most one frame before it
    expect(t().trimIn).toBe(1.4);
    t().seek(0);
    expect(t().playhead).toBe(1.4);
  });

  it('plays frame by frame and wraps to the in point at the out point', () => {
    t().markIn(0.5);
    t().markOut(0.7);
    t().step(1);
    expect(t().playhead).toBeCloseTo(0.6);
    t().step(1);
    expect(t().playhead).toBeCloseTo(0.7);
    t().step(1);
    expect(t().playhead).toBe(0.5);
    t().step(-3);
    expect(t().playhead).toBe(0.5);
  });
});
