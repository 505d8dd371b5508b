import { beforeEach, describe, expect, it } from 'vitest';
import { useTimeline } from './timeline';

const t = () => useTimeline.getState();

describe('timeline store', () => {
  beforeEach(() => t().reset(2, 10));

  it('starts a clip with the whole range trimmed in and the playhead at the start', () => {
    expect(t()).toMatchObject({ duration: 2, fps: 10, trimIn: 0, trimOut: 2, playhead: 0, playing: false });
  });

  it('sets in and out at the playhead (the out point includes its frame); the playhead stays free', () => {
    t().seek(0.55);
    t().markIn();
    expect(t().trimIn).toBe(0.5);
    t().seek(1.5);
    t().markOut();
    expect([t().trimIn, t().trimOut]).toEqual([0.5, 1.6]);
    t().seek(1.9); // past the out point: the playhead goes there, the trim stays
    expect(t().playhead).toBeCloseTo(1.9);
    expect(t().trimOut).toBe(1.6);
    t().seek(0);
    expect(t().playhead).toBe(0);
  });

  it('steps exactly one frame, one second, and to the in and out points', () => {
    t().step(1);
    expect(t().playhead).toBeCloseTo(0.1);
    t().step(-1);
    expect(t().playhead).toBe(0);
    t().stepSeconds(1);
    expect(t().playhead).toBeCloseTo(1);
    t().step(100);
    expect(t().playhead).toBeCloseTo(1.9); // the last frame
    t().markIn(0.5);
    t().markOut(0.8);
    t().goToIn();
    expect(t().playhead).toBe(0.5);
    t().goToOut();
    expect(t().playhead).toBeCloseTo(0.7); // the last frame inside the trim
  });

  it('shuttles with J/K/L', () => {
    t().shuttle('l');
    expect([t().playing, t().rate]).toEqual([true, 1]);
    t().shuttle('l');
    expect(t().rate).toBe(2);
    t().shuttle('j');
    expect(t().rate).toBe(-1);
    t().shuttle('k');
    expect(t().playing).toBe(false);
  });
});
