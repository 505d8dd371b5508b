/** 2x2 matrices as [a, b, c, d] (row-major), the layout of the model's Jacobians. */
export type Mat2 = readonly [number, number, number, number];

export function mat2At(flat: ArrayLike<number>, k: number): Mat2 {
  const o = 4 * k;
  return [flat[o] ?? NaN, flat[o + 1] ?? NaN, flat[o + 2] ?? NaN, flat[o + 3] ?? NaN];
}

export function multiply(m: Mat2, n: Mat2): Mat2 {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
  ];
}

export function determinant(m: Mat2): number {
  return m[0] * m[3] - m[1] * m[2];
}

/** Closed-form inverse; throws on a singular matrix rather than returning Infinity. */
export function inverse(m: Mat2): Mat2 {
  const det = determinant(m);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('singular 2x2 matrix');
  return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
}
