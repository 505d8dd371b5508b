import { describe, expect, it } from 'vitest';
import { flowDisplacement } from './flow.js';

/** The identity flow on a w×h grid, shifted by (dx, dy) in [-1, 1] units. */
function flow(w: number, h: number, dx = 0, dy = 0): Float32Array {
  const out = new Float32Array(w * h * 2);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      out[2 * (y * w + x)] = (2 * x) / (w - 1) - 1 + dx;
      out[2 * (y * w + x) + 1] = (2 * y) / (h - 1) - 1 + dy;
    }
  return out;
}

describe('flow', () => {
  it('measures the displacement from the identity grid', () => {
    expect(Array.from(flowDisplacement(flow(5, 3), 5, 3)).every((v) => Math.abs(v) < 1e-6)).toBe(true);
    const shifted = flowDisplacement(flow(5, 3, 0.2, -0.1), 5, 3);
    expect(shifted[0]).toBeCloseTo(0.2, 6);
    expect(shifted[1]).toBeCloseTo(-0.1, 6);
  });

  it('reads the frame at its offset in a batch', () => {
    const batch = new Float32Array([...flow(4, 4), ...flow(4, 4, 0.5, 0)]);
    expect(flowDisplacement(batch, 4, 4, 4 * 4 * 2)[0]).toBeCloseTo(0.5, 6);
  });
});
