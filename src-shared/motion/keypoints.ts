/**
 * Keypoints as the model outputs them for one frame: K locations in [-1, 1] (x first) and K 2x2
 * Jacobians, stored flat so a frame's keypoints are two small typed arrays.
 */
export interface Keypoints {
  readonly numKp: number;
  /** (x, y) per keypoint: length 2K. */
  readonly value: Float32Array;
  /** Row-major [a b; c d] per keypoint: length 4K. */
  readonly jacobian: Float32Array;
}

export function makeKeypoints(
  numKp: number,
  value: ArrayLike<number>,
  jacobian?: ArrayLike<number>,
): Keypoints {
  if (value.length !== 2 * numKp)
    throw new RangeError(`expected ${2 * numKp} coordinates, got ${value.length}`);
  const jac = new Float32Array(4 * numKp);
  if (jacobian) {
    if (jacobian.length !== 4 * numKp)
      throw new RangeError(`expected ${4 * numKp} Jacobian entries, got ${jacobian.length}`);
    jac.set(jacobian);
  } else {
    for (let k = 0; k < numKp; k++) jac.set([1, 0, 0, 1], 4 * k);
  }
  return { numKp, value: Float32Array.from(value), jacobian: jac };
}

/** Split a batch output (N, K, 2) / (N, K, 2, 2) into per-frame keypoints. */
export function splitBatch(numKp: number, values: Float32Array, jacobians: Float32Array): Keypoints[] {
  const count = values.length / (2 * numKp);
  if (!Number.isInteger(count) || jacobians.length !== count * 4 * numKp) {
    throw new RangeError('keypoint batch has inconsistent sizes');
  }
  return Array.from({ length: count }, (_, i) => ({
    numKp,
    value: values.slice(i * 2 * numKp, (i + 1) * 2 * numKp),
    jacobian: jacobians.slice(i * 4 * numKp, (i + 1) * 4 * numKp),
  }));
}

/** Concatenate per-frame keypoints into batch tensors' data. */
export function joinBatch(frames: readonly Keypoints[]): { value: Float32Array; jacobian: Float32Array } {
  const numKp = frames[0]?.numKp ?? 0;
  const value = new Float32Array(frames.length * 2 * numKp);
  const jacobian = new Float32Array(frames.length * 4 * numKp);
  frames.forEach((kp, i) => {
    value.set(kp.value, i * 2 * numKp);
    jacobian.set(kp.jacobian, i * 4 * numKp);
  });
  return { value, jacobian };
}

export function points(kp: Keypoints): Array<[number, number]> {
  return Array.from({ length: kp.numKp }, (_, k) => [kp.value[2 * k] ?? 0, kp.value[2 * k + 1] ?? 0]);
}

/** Keypoints as plain JSON arrays: the one shape the preview, keypoints.json and `keypoints` write. */
export function keypointsJson(kp: Keypoints): { value: number[]; jacobian: number[] } {
  return { value: Array.from(kp.value), jacobian: Array.from(kp.jacobian) };
}
