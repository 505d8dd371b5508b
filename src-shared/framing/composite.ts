/**
 * Pure paste-back: put the animated square back into the full photo. Pixels outside the crop box
 * are the photo's, byte for byte; inside, a feathered mask blends the (upscaled) animation in, and
 * the animation's colour is pulled towards the photo's where the two meet so no seam shows.
 */
import type { CropBox } from '../job.js';

export interface FrameSize {
  width: number;
  height: number;
  /** Output pixels per photo pixel (≤ 1). */
  scale: number;
}

/** The photo's size capped to `maxSide` on its longer side, rounded down to even sides for H.264. */
export function pasteBackSize(photoWidth: number, photoHeight: number, maxSide: number): FrameSize {
  const scale = Math.min(1, maxSide / Math.max(photoWidth, photoHeight));
  const even = (v: number) => Math.max(2, Math.floor((v * scale) / 2) * 2);
  return { width: even(photoWidth), height: even(photoHeight), scale };
}

/** The crop box in output pixels, kept inside the output frame. */
export function scaledBox(crop: CropBox, size: FrameSize): CropBox {
  const side = Math.max(1, Math.min(Math.round(crop.size * size.scale), size.width, size.height));
  return {
    x: Math.min(Math.round(crop.x * size.scale), size.width - side),
    y: Math.min(Math.round(crop.y * size.scale), size.height - side),
    size: side,
  };
}

/** 0 on the square's border, rising smoothly to 1 at `feather` pixels in. */
export function featherMask(side: number, feather: number): Float32Array {
  const mask = new Float32Array(side * side);
  const f = Math.max(1, feather);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const d = Math.min(x, y, side - 1 - x, side - 1 - y);
      const t = Math.min(1, d / f);
      mask[y * side + x] = t * t * (3 - 2 * t);
    }
  }
  return mask;
}

/** Bilinear sample of channel `ch` of an interleaved (h, w, channels) map at (x, y), clamped to its edges. */
export function bilinear(
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

/** Bilinear RGB24 resize (pixel centres aligned), used to upscale the model's square. */
export function resizeRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (src.length !== sw * sh * 3) throw new RangeError('source buffer does not match its size');
  const out = new Uint8Array(dw * dh * 3);
  for (let y = 0; y < dh; y++) {
    const fy = (y + 0.5) * (sh / dh) - 0.5;
    for (let x = 0; x < dw; x++) {
      const fx = (x + 0.5) * (sw / dw) - 0.5;
      const o = (y * dw + x) * 3;
      for (let ch = 0; ch < 3; ch++) out[o + ch] = Math.round(bilinear(src, sw, sh, 3, ch, fx, fy));
    }
  }
  return out;
}

/**
 * Mean colour difference photo − patch over the feather band (0 < mask < 1), where the two are
 * blended and a mismatch would show as a seam.
 */
export function bandColourOffset(
  photo: Uint8Array,
  photoWidth: number,
  box: CropBox,
  patch: Uint8Array,
  mask: Float32Array,
): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < box.size; y++) {
    for (let x = 0; x < box.size; x++) {
      const m = mask[y * box.size + x]!;
      if (m <= 0 || m >= 1) continue;
      const p = ((box.y + y) * photoWidth + box.x + x) * 3;
      const q = (y * box.size + x) * 3;
      for (let ch = 0; ch < 3; ch++) sum[ch]! += photo[p + ch]! - patch[q + ch]!;
      n += 1;
    }
  }
  return n ? [sum[0]! / n, sum[1]! / n, sum[2]! / n] : [0, 0, 0];
}

/** A new frame: `photo` with `patch` (box.size² RGB) blended in at `box` through `mask`. */
export function pasteBack(
  photo: Uint8Array,
  photoWidth: number,
  photoHeight: number,
  patch: Uint8Array,
  box: CropBox,
  mask: Float32Array,
  colourMatch = true,
): Uint8Array {
  if (photo.length !== photoWidth * photoHeight * 3)
    throw new RangeError('photo buffer does not match its size');
  if (patch.length !== box.size * box.size * 3 || mask.length !== box.size * box.size)
    throw new RangeError('patch or mask does not match the box');
  if (box.x + box.size > photoWidth || box.y + box.size > photoHeight)
    throw new RangeError('the box does not fit in the photo');
  const out = new Uint8Array(photo);
  const offset = colourMatch ? bandColourOffset(photo, photoWidth, box, patch, mask) : [0, 0, 0];
  for (let y = 0; y < box.size; y++) {
    for (let x = 0; x < box.size; x++) {
      const m = mask[y * box.size + x]!;
      if (m <= 0) continue;
      const p = ((box.y + y) * photoWidth + box.x + x) * 3;
      const q = (y * box.size + x) * 3;
      // The colour pull fades out towards the interior, where the animation is shown as is.
      const pull = 1 - m;
      for (let ch = 0; ch < 3; ch++) {
        const animated = patch[q + ch]! + offset[ch]! * pull;
        out[p + ch] = Math.round(Math.min(255, Math.max(0, m * animated + (1 - m) * photo[p + ch]!)));
      }
    }
  }
  return out;
}
