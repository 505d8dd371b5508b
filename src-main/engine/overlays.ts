/** Pure pixel helpers for the extra outputs: keypoint overlays and side-by-side strips (RGB24). */
import { flowDisplacement } from '../../src-shared/motion/flow.js';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';
import { keypointPixel, keypointRgb } from '../../src-shared/motion/palette.js';

function paint(
  rgb: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  c: readonly number[],
): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= width || yi >= height) return;
  const o = (yi * width + xi) * 3;
  rgb[o] = c[0]!;
  rgb[o + 1] = c[1]!;
  rgb[o + 2] = c[2]!;
}

/**
 * A copy of `rgb` with each keypoint as a dot and its Jacobian as the image of a small circle
 * (an ellipse): the local affine motion the paper attaches to the keypoint.
 */
export function drawKeypoints(rgb: Uint8Array, width: number, height: number, kp: Keypoints): Uint8Array {
  const out = rgb.slice();
  const radius = Math.max(2, Math.round(Math.min(width, height) / 64));
  const ellipse = Math.max(4, Math.round(Math.min(width, height) / 20));
  for (let k = 0; k < kp.numKp; k++) {
    const colour = keypointRgb(k);
    const cx = keypointPixel(kp.value[2 * k]!, width);
    const cy = keypointPixel(kp.value[2 * k + 1]!, height);
    for (let dy = -radius; dy <= radius; dy++)
      for (let dx = -radius; dx <= radius; dx++)
        if (dx * dx + dy * dy <= radius * radius) paint(out, width, height, cx + dx, cy + dy, colour);
    const [a, b, c, d] = [
      kp.jacobian[4 * k]!,
      kp.jacobian[4 * k + 1]!,
      kp.jacobian[4 * k + 2]!,
      kp.jacobian[4 * k + 3]!,
    ];
    const steps = 8 * ellipse;
    for (let s = 0; s < steps; s++) {
      const t = (2 * Math.PI * s) / steps;
      const ux = Math.cos(t) * ellipse;
      const uy = Math.sin(t) * ellipse;
      paint(out, width, height, cx + a * ux + b * uy, cy + c * ux + d * uy, colour);
    }
  }
  return out;
}

/** Frames of equal height side by side, left to right. */
export function sideBySide(frames: readonly Uint8Array[], width: number, height: number): Uint8Array {
  const total = frames.length * width;
  const out = new Uint8Array(total * height * 3);
  for (let y = 0; y < height; y++) {
    frames.forEach((frame, i) => {
      out.set(frame.subarray(y * width * 3, (y + 1) * width * 3), (y * total + i * width) * 3);
    });
  }
  return out;
}

/**
 * A dense backward flow (H, W, 2) in [-1, 1] coordinates as colour: the displacement from the
 * identity grid, x in red and y in green around mid-gray, so "no motion" is flat gray.
 */
export function flowToRgb(
  deformation: Float32Array,
  width: number,
  height: number,
  offset = 0,
  gain = 4,
): Uint8Array {
  const shift = flowDisplacement(deformation, width, height, offset);
  const out = new Uint8Array(width * height * 3);
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(128 + v * 127 * gain)));
  for (let i = 0; i < width * height; i++) {
    out[3 * i] = clamp(shift[2 * i]!);
    out[3 * i + 1] = clamp(shift[2 * i + 1]!);
    out[3 * i + 2] = 128;
  }
  return out;
}
