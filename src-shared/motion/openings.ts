/**
 * The expression setting: how far the mouth and the eyes open, relative to the driver.
 *
 * Models trained with landmark anchors (models/fomm/data.py OPENINGS) name keypoint pairs that sit
 * on the upper and lower inner lip and on each eye's upper and lower lid; their manifest lists
 * them as `openings`. Relative motion moves each keypoint by the driver's displacement; this
 * multiplies the change of each pair's separation by `gain` and leaves the pair's common motion
 * (the head's) alone: gain 1 is plain relative motion, 1.5 opens the mouth half as far again as
 * the driver's, 0 keeps the photo's own opening. A gain above 1 never pushes a pair through
 * itself: the lower point may meet the upper one, where the driver's own motion would not cross
 * them, and no further.
 */
import type { Keypoints } from './keypoints.js';

/** (upper, lower) keypoint indices. */
export type OpeningPair = readonly [number, number];

export const EXPRESSION_GAIN_MIN = 0;
export const EXPRESSION_GAIN_MAX = 2;

/**
 * `moved` (relative motion's keypoints for one frame) with each pair's separation change since
 * the source multiplied by `gain`. Jacobians are kept. Returns `moved` itself when there is
 * nothing to change.
 */
export function scaleOpenings(
  source: Keypoints,
  moved: Keypoints,
  pairs: readonly OpeningPair[],
  gain: number,
): Keypoints {
  if (gain === 1 || pairs.length === 0) return moved;
  const value = moved.value.slice();
  const at = (v: Float32Array, k: number): [number, number] => [v[2 * k]!, v[2 * k + 1]!];
  for (const [upper, lower] of pairs) {
    const [s0x, s0y] = sub(at(source.value, lower), at(source.value, upper));
    const [ux, uy] = sub(at(moved.value, lower), at(moved.value, upper));
    let ex = (gain - 1) * (ux - s0x);
    let ey = (gain - 1) * (uy - s0y);
    const length = Math.hypot(s0x, s0y);
    if (length > 1e-6) {
      // Along the photo's upper -> lower direction, the widened separation stays at or above
      // min(the unwidened one, 0).
      const [nx, ny] = [s0x / length, s0y / length];
      const along = nx * ux + ny * uy;
      const extraAlong = nx * ex + ny * ey;
      const floor = Math.min(along, 0);
      if (along + extraAlong < floor) {
        const t = (floor - along) / extraAlong;
        ex *= t;
        ey *= t;
      }
    }
    value[2 * upper] = value[2 * upper]! - ex / 2;
    value[2 * upper + 1] = value[2 * upper + 1]! - ey / 2;
    value[2 * lower] = value[2 * lower]! + ex / 2;
    value[2 * lower + 1] = value[2 * lower + 1]! + ey / 2;
  }
  return { numKp: moved.numKp, value, jacobian: moved.jacobian };
}

function sub(a: [number, number], b: [number, number]): [number, number] {
  return [a[0] - b[0], a[1] - b[1]];
}

/**
 * Why `gain` cannot apply to a model with these openings (null: it can, or it is 1). Like adapt
 * scale, it is left unused by absolute motion.
 */
export function expressionGainProblem(gain: number, openings: readonly unknown[] | undefined): string | null {
  if (gain === 1 || openings?.length) return null;
  return 'this model does not name keypoints on the lips and lids (no "openings" in its manifest), so the expression setting cannot apply; models trained with landmark anchors, such as the bundled face-128, have them';
}
