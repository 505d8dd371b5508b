/** Pixel <-> tensor conversions between ffmpeg's RGB24 frames and the models' float NCHW in [0, 1]. */

/** Write one HWC RGB24 frame into `dst` as CHW floats at element offset `offset`. */
export function rgbToChw(
  rgb: Uint8Array,
  width: number,
  height: number,
  dst: Float32Array,
  offset = 0,
): void {
  const plane = width * height;
  if (rgb.length !== plane * 3) throw new RangeError(`frame has ${rgb.length} bytes, expected ${plane * 3}`);
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    dst[offset + i] = rgb[p]! / 255;
    dst[offset + plane + i] = rgb[p + 1]! / 255;
    dst[offset + 2 * plane + i] = rgb[p + 2]! / 255;
  }
}

/** One CHW float image (at element offset) back to HWC RGB24, rounded and clamped. */
export function chwToRgb(src: Float32Array, width: number, height: number, offset = 0): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(plane * 3);
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[p] = toByte(src[offset + i]!);
    out[p + 1] = toByte(src[offset + plane + i]!);
    out[p + 2] = toByte(src[offset + 2 * plane + i]!);
  }
  return out;
}

/** A single-channel map in [0, 1] (e.g. the occlusion map) as 8-bit gray. */
export function mapToGray(src: Float32Array, length: number, offset = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = toByte(src[offset + i]!);
  return out;
}

function toByte(v: number): number {
  const scaled = Math.round(v * 255);
  return scaled < 0 ? 0 : scaled > 255 ? 255 : scaled;
}

/** Repeat one item's data `count` times (the cached source for a batch of driving frames). */
export function tile(data: Float32Array, count: number): Float32Array {
  if (count === 1) return data;
  const out = new Float32Array(data.length * count);
  for (let i = 0; i < count; i++) out.set(data, i * data.length);
  return out;
}
