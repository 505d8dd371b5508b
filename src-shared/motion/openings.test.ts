import { describe, expect, it } from 'vitest';
import { makeKeypoints, type Keypoints } from './keypoints.js';
import { expressionGainProblem, scaleOpenings } from './openings.js';
import { transferMotion, transferOptions } from './transfer.js';

// Four keypoints: 0 and 1 the upper and lower lip, 2 and 3 elsewhere on the head.
const face = (lipGap: number, dx = 0, dy = 0): Keypoints =>
  makeKeypoints(4, [dx, 0.3 + dy, dx, 0.3 + lipGap + dy, -0.4 + dx, -0.2 + dy, 0.4 + dx, -0.2 + dy]);
const lipGap = (kp: Keypoints) => kp.value[3]! - kp.value[1]!;
const relative = { mode: 'relative' as const, adaptScale: false, relativeJacobian: true };
const MOUTH = [[0, 1]] as const;

describe('expression gain on the openings', () => {
  it('multiplies the change of each pair’s separation and leaves their common motion alone', () => {
    const source = face(0.02);
    // The driver opens its mouth by 0.06 and moves its head by (0.1, -0.05).
    const moved = transferMotion(source, face(0.08, 0.1, -0.05), face(0.02), relative);
    expect(lipGap(moved)).toBeCloseTo(0.08, 6);
    const wider = scaleOpenings(source, moved, MOUTH, 1.5);
    expect(lipGap(wider)).toBeCloseTo(0.02 + 1.5 * 0.06, 6);
    // The lips' midpoint and every other keypoint move as before; Jacobians are kept.
    const mid = (kp: Keypoints) => [(kp.value[0]! + kp.value[2]!) / 2, (kp.value[1]! + kp.value[3]!) / 2];
    mid(wider).forEach((v, i) => expect(v).toBeCloseTo(mid(moved)[i]!, 6));
    expect(Array.from(wider.value.slice(4))).toEqual(Array.from(moved.value.slice(4)));
    expect(wider.jacobian).toBe(moved.jacobian);
    // Gain 0 keeps the photo's own opening; gain 1 is plain relative motion, unchanged.
    expect(lipGap(scaleOpenings(source, moved, MOUTH, 0))).toBeCloseTo(0.02, 6);
    expect(scaleOpenings(source, moved, MOUTH, 1)).toBe(moved);
    expect(scaleOpenings(source, moved, [], 1.5)).toBe(moved);
  });

  it('never pushes the lips through each other', () => {
    // The photo's mouth is open (0.05); the driver's closes from 0.06 to 0.01: relative motion
    // leaves 0.0 between the lips; gain 2 would put the lower lip 0.05 above the upper one.
    const source = face(0.05);
    const moved = transferMotion(source, face(0.01), face(0.06), relative);
    expect(lipGap(moved)).toBeCloseTo(0, 6);
    expect(lipGap(scaleOpenings(source, moved, MOUTH, 2))).toBeCloseTo(0, 6);
    // Closing less far than that is widened in full.
    const partly = transferMotion(source, face(0.045), face(0.06), relative);
    expect(lipGap(scaleOpenings(source, partly, MOUTH, 2))).toBeCloseTo(0.05 - 2 * 0.015, 6);
  });

  it('comes from the model’s manifest through the transfer options, in relative mode only', () => {
    const source = face(0.02);
    const options = transferOptions(
      { ...relative, expressionGain: 1.5 },
      { openings: [{ keypoints: [0, 1] }] },
    );
    expect(lipGap(transferMotion(source, face(0.08), face(0.02), options))).toBeCloseTo(0.11, 6);
    const without = transferOptions({ ...relative, expressionGain: 1.5 }, {});
    expect(lipGap(transferMotion(source, face(0.08), face(0.02), without))).toBeCloseTo(0.08, 6);
    const absolute = transferOptions(
      { ...relative, mode: 'absolute', expressionGain: 1.5 },
      { openings: [{ keypoints: [0, 1] }] },
    );
    expect(lipGap(transferMotion(source, face(0.08), face(0.02), absolute))).toBeCloseTo(0.08, 6);
  });

  it('says why a gain cannot apply', () => {
    expect(expressionGainProblem(1, undefined)).toBeNull();
    expect(expressionGainProblem(1.3, [{}])).toBeNull();
    expect(expressionGainProblem(0.5, [])).toMatch(/does not name keypoints on the lips and lids/);
    expect(expressionGainProblem(1.5, undefined)).toMatch(/expression setting cannot apply/);
  });
});
