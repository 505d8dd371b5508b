/**
 * The generator's dense backward flow: (H, W, 2) sampling positions in [-1, 1], x first, on the
 * pixel grid the model uses (align-corners: -1 and 1 are the centres of the edge pixels).
 */

/** Displacement of the flow from the identity grid, (H, W, 2), in [-1, 1] units. */
export function flowDisplacement(
  deformation: Float32Array,
  width: number,
  height: number,
  offset = 0,
): Float32Array {
  const out = new Float32Array(width * height * 2);
  for (let y = 0; y < height; y++) {
    const gy = height > 1 ? (2 * y) / (height - 1) - 1 : 0;
    for (let x = 0; x < width; x++) {
      const gx = width > 1 ? (2 * x) / (width - 1) - 1 : 0;
      const i = 2 * (y * width + x);
      out[i] = deformation[offset + i]! - gx;
      out[i + 1] = deformation[offset + i + 1]! - gy;
    }
  }
  return out;
}
