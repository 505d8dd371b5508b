/**
 * Full-resolution detail for paste-back. Where the source is visible (occlusion ≈ 1) the generator
 * shows the source warped by its backward flow, but at the model's resolution; the photo warped by
 * the same flow, upsampled, shows that motion with the photo's own detail. Where the source is
 * occluded the generator paints new content, so its (upscaled) result stays there.
 */
import type { CropBox } from '../job.js';

/** One frame's dense-motion outputs, as the generator returns them for a batch. */
export interface FrameMotion {
  /** (N, H, W, 2) sampling positions in [-1, 1], x first. */
  deformation: Float32Array;
  /** (N, 1, H, W) in [0, 1]. */
  occlusion: Float32Array;
  width: number;
  height: number;
  /** Index of the frame in the batch. */
  frame: number;
  /** The model's grid convention (manifest `align_corners`). */
  alignCorners: boolean;
}

/** Position in [-1, 1] of pixel `i` of `n`, and back, in the model's grid convention. */
const toUnit = (i: number, n: number, ac: boolean) =>
  ac ? (2 * i) / Math.max(1, n - 1) - 1 : (2 * i + 1) / n - 1;
const fromUnit = (u: number, n: number, ac: boolean) =>
  ac ? ((u + 1) / 2) * (n - 1) : ((u + 1) * n - 1) / 2;

/** Bilinear sample of channel `ch` of an interleaved (h, w, channels) map at (x, y), clamped. */
function sample(
  map: ArrayLike<number>,
  w: number,
  h: number,
  channels: number,
  ch: number,
  x: number,
  y: number,
  base = 0,
): number {
  const fx = Math.min(Math.max(x, 0), w - 1);
  const fy = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const wx = fx - x0;
  const wy = fy - y0;
  const at = (xx: number, yy: number) => map[base + (yy * w + xx) * channels + ch]!;
  const top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * wx;
  const bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * wx;
  return top + (bottom - top) * wy;
}

/**
 * The box.size² patch to paste: the photo warped at full resolution where the source is visible,
 * blended by the occlusion map into `upscaled` (the model's result at box.size²) where it is not.
 * The warp samples the whole photo, so content pulled in from outside the crop is real.
 */
export function detailPatch(
  photo: Uint8Array,
  photoWidth: number,
  photoHeight: number,
  box: CropBox,
  upscaled: Uint8Array,
  motion: FrameMotion,
): Uint8Array {
  const { width: mw, height: mh, alignCorners: ac } = motion;
  const side = box.size;
  if (upscaled.length !== side * side * 3) throw new RangeError('patch does not match the box');
  if (motion.deformation.length < (motion.frame + 1) * mw * mh * 2)
    throw new RangeError('deformation does not hold this frame');
  if (motion.occlusion.length < (motion.frame + 1) * mw * mh)
    throw new RangeError('occlusion map does not hold this frame');
  const flowBase = motion.frame * mw * mh * 2;
  const occBase = motion.frame * mw * mh;
  const out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const my = fromUnit(toUnit(y, side, ac), mh, ac);
    for (let x = 0; x < side; x++) {
      const mx = fromUnit(toUnit(x, side, ac), mw, ac);
      const visible = Math.min(1, Math.max(0, sample(motion.occlusion, mw, mh, 1, 0, mx, my, occBase)));
      const o = (y * side + x) * 3;
      if (visible <= 0) {
        out.set(upscaled.subarray(o, o + 3), o);
        continue;
      }
      const px = box.x + fromUnit(sample(motion.deformation, mw, mh, 2, 0, mx, my, flowBase), side, ac);
      const py = box.y + fromUnit(sample(motion.deformation, mw, mh, 2, 1, mx, my, flowBase), side, ac);
      for (let ch = 0; ch < 3; ch++) {
        const warped = sample(photo, photoWidth, photoHeight, 3, ch, px, py);
        out[o + ch] = Math.round(visible * warped + (1 - visible) * upscaled[o + ch]!);
      }
    }
  }
  return out;
}
