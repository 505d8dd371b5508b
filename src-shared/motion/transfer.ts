/**
 * Motion transfer at test time (paper Sec. 3.4), applied to keypoints before the generator.
 *
 * Relative mode moves the source keypoints by the driving motion since a reference frame D1:
 *   value    = (kpDriving - kpDrivingInitial) * scale + kpSource
 *   jacobian = (J_driving · J_drivingInitial^-1) · J_source
 * Absolute mode hands the driving keypoints to the generator unchanged (the result inherits the
 * driving subject's proportions). With adaptScale the displacement is scaled by the ratio of the
 * keypoints' convex-hull sizes, so a small face is not moved by a large face's motion.
 */
import { hullArea } from './convex-hull.js';
import { points, type Keypoints } from './keypoints.js';
import { inverse, mat2At, multiply } from './matrix2.js';

export type TransferMode = 'relative' | 'absolute';

export interface TransferOptions {
  mode: TransferMode;
  adaptScale: boolean;
  /** Transfer Jacobians relatively too (the published demo does); off keeps J_driving. */
  relativeJacobian: boolean;
}

/** sqrt(area(hull(source))) / sqrt(area(hull(drivingInitial))); 1 when either hull is degenerate. */
export function movementScale(kpSource: Keypoints, kpDrivingInitial: Keypoints): number {
  const sourceArea = hullArea(points(kpSource));
  const drivingArea = hullArea(points(kpDrivingInitial));
  if (!(sourceArea > 0) || !(drivingArea > 0)) return 1;
  return Math.sqrt(sourceArea) / Math.sqrt(drivingArea);
}

export function transferMotion(
  kpSource: Keypoints,
  kpDriving: Keypoints,
  kpDrivingInitial: Keypoints,
  options: TransferOptions,
  scale = options.adaptScale ? movementScale(kpSource, kpDrivingInitial) : 1,
): Keypoints {
  const numKp = kpSource.numKp;
  if (kpDriving.numKp !== numKp || kpDrivingInitial.numKp !== numKp) {
    throw new RangeError('source and driving keypoints differ in count');
  }
  if (options.mode === 'absolute') {
    return { numKp, value: kpDriving.value.slice(), jacobian: kpDriving.jacobian.slice() };
  }
  const value = new Float32Array(2 * numKp);
  for (let i = 0; i < 2 * numKp; i++) {
    value[i] = (kpDriving.value[i]! - kpDrivingInitial.value[i]!) * scale + kpSource.value[i]!;
  }
  let jacobian: Float32Array;
  if (options.relativeJacobian) {
    jacobian = new Float32Array(4 * numKp);
    for (let k = 0; k < numKp; k++) {
      const change = multiply(mat2At(kpDriving.jacobian, k), inverse(mat2At(kpDrivingInitial.jacobian, k)));
      jacobian.set(multiply(change, mat2At(kpSource.jacobian, k)), 4 * k);
    }
  } else {
    jacobian = kpDriving.jacobian.slice();
  }
  return { numKp, value, jacobian };
}
