import { describe, expect, it } from 'vitest';
import { hullArea } from './convex-hull.js';
import { makeKeypoints } from './keypoints.js';
import { inverse, multiply } from './matrix2.js';
import { movementScale, transferMotion } from './transfer.js';
import { bestFrameIndex } from './best-frame.js';
import { oneEuro, smoothKeypointTrack, defaultSmoothing } from './smoothing.js';

const square = (half: number, cx = 0, cy = 0) =>
  makeKeypoints(4, [cx - half, cy - half, cx + half, cy - half, cx + half, cy + half, cx - half, cy + half]);

describe('2x2 matrices', () => {
  it('inverts in closed form', () => {
    const m = [2, 1, 1, 3] as const;
    const inv = inverse(m);
    expect(inv).toEqual([0.6, -0.2, -0.2, 0.4].map((v) => expect.closeTo(v, 12)));
    multiply(m, inv).forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0, 1][i]!, 12));
  });
  it('refuses a singular matrix', () => {
    expect(() => inverse([1, 2, 2, 4])).toThrow(/singular/);
  });
});

describe('convex hull area', () => {
  it('ignores interior points', () => {
    expect(
      hullArea([
        [0, 0],
        [2, 0],
        [2, 2],
        [0, 2],
        [1, 1],
        [0.5, 1.5],
      ]),
    ).toBeCloseTo(4, 12);
  });
  it('is zero for collinear points', () => {
    expect(
      hullArea([
        [0, 0],
        [1, 1],
        [2, 2],
      ]),
    ).toBe(0);
  });
});

describe('relative motion transfer', () => {
  it('adds the driving displacement to the source keypoints (hand-computed)', () => {
    const kpSource = makeKeypoints(1, [0.1, 0.2]);
    const kpInitial = makeKeypoints(1, [0.0, 0.0]);
    const kpDriving = makeKeypoints(1, [0.3, -0.1]);
    const out = transferMotion(kpSource, kpDriving, kpInitial, {
      mode: 'relative',
      adaptScale: false,
      relativeJacobian: true,
    });
    expect(Array.from(out.value)).toEqual([expect.closeTo(0.4, 6), expect.closeTo(0.1, 6)]);
    expect(Array.from(out.jacobian)).toEqual([1, 0, 0, 1]);
  });

  it('scales the displacement by the ratio of hull sizes', () => {
    const kpSource = square(0.2);
    const kpInitial = square(0.4);
    expect(movementScale(kpSource, kpInitial)).toBeCloseTo(0.5, 6);
    const kpDriving = square(0.4, 0.2, 0); // everything moved right by 0.2
    const out = transferMotion(kpSource, kpDriving, kpInitial, {
      mode: 'relative',
      adaptScale: true,
      relativeJacobian: true,
    });
    expect(out.value[0]).toBeCloseTo(-0.2 + 0.1, 6);
    expect(out.value[1]).toBeCloseTo(-0.2, 6);
  });

  it('composes Jacobians as (J_d · J_d0^-1) · J_s', () => {
    const jS = [1, 0.5, 0, 1];
    const jD0 = [2, 0, 0, 2];
    const jD = [0, -1, 1, 0];
    const out = transferMotion(
      makeKeypoints(1, [0, 0], jS),
      makeKeypoints(1, [0, 0], jD),
      makeKeypoints(1, [0, 0], jD0),
      {
        mode: 'relative',
        adaptScale: false,
        relativeJacobian: true,
      },
    );
    // J_d · J_d0^-1 = [0 -0.5; 0.5 0]; times J_s = [0 -0.5; 0.5 0.25]
    expect(Array.from(out.jacobian)).toEqual([0, -0.5, 0.5, 0.25]);
  });

  it('absolute mode passes the driving keypoints through', () => {
    const kpDriving = makeKeypoints(1, [0.3, -0.1], [1, 2, 3, 4]);
    const out = transferMotion(makeKeypoints(1, [0.5, 0.5]), kpDriving, makeKeypoints(1, [0, 0]), {
      mode: 'absolute',
      adaptScale: true,
      relativeJacobian: true,
    });
    expect(Array.from(out.value)).toEqual(Array.from(kpDriving.value));
    expect(Array.from(out.jacobian)).toEqual([1, 2, 3, 4]);
  });

  it('is the identity on the source when driving equals its reference frame', () => {
    const kpSource = square(0.3, 0.1, -0.1);
    const kpD = square(0.5);
    const out = transferMotion(kpSource, kpD, kpD, {
      mode: 'relative',
      adaptScale: true,
      relativeJacobian: true,
    });
    Array.from(out.value).forEach((v, i) => expect(v).toBeCloseTo(kpSource.value[i]!, 6));
  });
});

describe('best frame', () => {
  it('finds the frame with the same pose regardless of position and size', () => {
    const source = square(0.2);
    const wide = makeKeypoints(4, [-0.6, -0.1, 0.6, -0.1, 0.6, 0.1, -0.6, 0.1]);
    const sameShapeElsewhere = square(0.5, 0.3, 0.3);
    expect(bestFrameIndex(source, [wide, sameShapeElsewhere, wide])).toBe(1);
  });
});

describe('One Euro smoothing', () => {
  it('keeps a constant signal constant and damps jitter', () => {
    expect(oneEuro([2, 2, 2, 2], 25, defaultSmoothing)).toEqual([2, 2, 2, 2]);
    const jitter = Array.from({ length: 50 }, (_, i) => (i % 2 ? 0.01 : -0.01));
    const out = oneEuro(jitter, 25, defaultSmoothing);
    const rawVar = jitter.slice(10).reduce((s, v) => s + v * v, 0);
    const outVar = out.slice(10).reduce((s, v) => s + v * v, 0);
    expect(outVar).toBeLessThan(rawVar * 0.25);
  });
  it('smooths every keypoint channel and keeps the track length', () => {
    const track = Array.from({ length: 5 }, (_, t) => square(0.2 + (t % 2) * 0.01));
    const out = smoothKeypointTrack(track, 25, defaultSmoothing);
    expect(out).toHaveLength(5);
    expect(out[0]!.value).toEqual(track[0]!.value);
  });
});
