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

/**
 * How far the photo may be pulled at full resolution, in [-1, 1] units of the box (2 = its side).
 * Large motion at 128² is coarse: a flow that moves a pixel far drags the photo's own content
 * along (a jaw stretched to a balloon, an ear pulled in twice). So each displacement is capped at
 * `maxShift`, and near the box's edges, within `edgeBand` (a fraction of the side), the cap falls
 * smoothly to `edgeShift`, so that the patch meets the photo around it without a seam.
 */
export interface FlowLimits {
  maxShift: number;
  edgeBand: number;
  edgeShift: number;
}

/** 12.5 % of the side anywhere, 1 % at the very edge, eased over the outer 12 % of the side. */
export const PASTE_FLOW_LIMITS: FlowLimits = { maxShift: 0.25, edgeBand: 0.12, edgeShift: 0.02 };

/** No limit: the flow exactly as the generator made it. */
export const UNLIMITED_FLOW: FlowLimits = { maxShift: Infinity, edgeBand: 0, edgeShift: Infinity };

/** The largest displacement allowed at fractional distance `d` (0 at the edge, 0.5 at the centre). */
export function flowCap(d: number, limits: FlowLimits): number {
  if (limits.edgeBand <= 0 || d >= limits.edgeBand) return limits.maxShift;
  const t = Math.max(0, d) / limits.edgeBand;
  const ease = t * t * (3 - 2 * t);
  return limits.edgeShift + (limits.maxShift - limits.edgeShift) * ease;
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
  limits: FlowLimits = PASTE_FLOW_LIMITS,
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
  const cols = axisTaps(side, mw, ac);
  const rows = axisTaps(side, mh, ac);
  // One row of the maps (flow x, flow y, occlusion), already interpolated vertically.
  const line = new Float32Array(mw * 3);
  const out = new Uint8Array(side * side * 3);
  const maxX = photoWidth - 1;
  const maxY = photoHeight - 1;
  for (let y = 0; y < side; y++) {
    const r0 = rows.i0[y]!;
    const r1 = rows.i1[y]!;
    const wy = rows.w[y]!;
    for (let j = 0; j < mw; j++) {
      const a = flowBase + 2 * (r0 * mw + j);
      const b = flowBase + 2 * (r1 * mw + j);
      line[3 * j] = motion.deformation[a]! + (motion.deformation[b]! - motion.deformation[a]!) * wy;
      line[3 * j + 1] =
        motion.deformation[a + 1]! + (motion.deformation[b + 1]! - motion.deformation[a + 1]!) * wy;
      const oa = motion.occlusion[occBase + r0 * mw + j]!;
      line[3 * j + 2] = oa + (motion.occlusion[occBase + r1 * mw + j]! - oa) * wy;
    }
    for (let x = 0; x < side; x++) {
      const c0 = 3 * cols.i0[x]!;
      const c1 = 3 * cols.i1[x]!;
      const wx = cols.w[x]!;
      const occ = line[c0 + 2]! + (line[c1 + 2]! - line[c0 + 2]!) * wx;
      const visible = occ < 0 ? 0 : occ > 1 ? 1 : occ;
      const o = (y * side + x) * 3;
      if (visible === 0) {
        out[o] = upscaled[o]!;
        out[o + 1] = upscaled[o + 1]!;
        out[o + 2] = upscaled[o + 2]!;
        continue;
      }
      let u = line[c0]! + (line[c1]! - line[c0]!) * wx;
      let v = line[c0 + 1]! + (line[c1 + 1]! - line[c0 + 1]!) * wx;
      // The displacement from this pixel's own position, capped (more tightly near the edges).
      const ux = toUnit(x, side, ac);
      const uy = toUnit(y, side, ac);
      const du = u - ux;
      const dv = v - uy;
      const shift = Math.hypot(du, dv);
      const cap = flowCap(Math.min(x, y, side - 1 - x, side - 1 - y) / side, limits);
      if (shift > cap) {
        u = ux + (du * cap) / shift;
        v = uy + (dv * cap) / shift;
      }
      const px = Math.min(Math.max(box.x + fromUnit(u, side, ac), 0), maxX);
      const py = Math.min(Math.max(box.y + fromUnit(v, side, ac), 0), maxY);
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const fx = px - x0;
      const fy = py - y0;
      const p00 = (y0 * photoWidth + x0) * 3;
      const p01 = x0 < maxX ? p00 + 3 : p00;
      const p10 = y0 < maxY ? p00 + photoWidth * 3 : p00;
      const p11 = x0 < maxX ? p10 + 3 : p10;
      for (let ch = 0; ch < 3; ch++) {
        const top = photo[p00 + ch]! + (photo[p01 + ch]! - photo[p00 + ch]!) * fx;
        const bottom = photo[p10 + ch]! + (photo[p11 + ch]! - photo[p10 + ch]!) * fx;
        const warped = top + (bottom - top) * fy;
        out[o + ch] = Math.round(visible * warped + (1 - visible) * upscaled[o + ch]!);
      }
    }
  }
  return out;
}

/** For each of `n` output pixels, the two map cells (of `m`) it lies between and the weight of the second. */
function axisTaps(n: number, m: number, ac: boolean) {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const at = Math.min(Math.max(fromUnit(toUnit(i, n, ac), m, ac), 0), m - 1);
    i0[i] = Math.floor(at);
    i1[i] = Math.min(i0[i]! + 1, m - 1);
    w[i] = at - i0[i]!;
  }
  return { i0, i1, w };
}
