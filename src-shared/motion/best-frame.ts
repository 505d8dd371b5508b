/**
 * "Best frame": the driving frame whose pose best matches the source, used as the relative-motion
 * reference so that Sec. 3.4's assumption (S and D1 in similar poses) holds. Poses are compared on
 * the model's own keypoints after removing translation and size, so it works for any category.
 */
import { hullArea } from './convex-hull.js';
import { points, type Keypoints } from './keypoints.js';

/** Keypoints centred on their mean and divided by sqrt(hull area). */
export function normalisedPose(kp: Keypoints): Array<[number, number]> {
  const pts = points(kp);
  const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const size = Math.sqrt(hullArea(pts)) || 1;
  return pts.map(([x, y]) => [(x - cx) / size, (y - cy) / size]);
}

export function poseDistance(a: Keypoints, b: Keypoints): number {
  const pa = normalisedPose(a);
  const pb = normalisedPose(b);
  return pa.reduce((sum, p, k) => sum + (p[0] - pb[k]![0]) ** 2 + (p[1] - pb[k]![1]) ** 2, 0);
}

/** Index of the driving frame closest in pose to the source; the first on ties. */
export function bestFrameIndex(kpSource: Keypoints, drivingFrames: readonly Keypoints[]): number {
  if (drivingFrames.length === 0) throw new RangeError('no driving frames');
  let best = 0;
  let bestDistance = Infinity;
  drivingFrames.forEach((kp, i) => {
    const d = poseDistance(kpSource, kp);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}
