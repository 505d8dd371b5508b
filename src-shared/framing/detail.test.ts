import { describe, expect, it } from 'vitest';
import { detailPatch, flowCap, PASTE_FLOW_LIMITS, UNLIMITED_FLOW, type FrameMotion } from './detail.js';

const W = 12;
const H = 10;
const photo = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 37) % 256);
const box = { x: 3, y: 2, size: 6 };
const upscaled = new Uint8Array(box.size * box.size * 3).fill(9);

/** Identity flow and a flat occlusion on an n×n grid, x shifted by `dx` in [-1, 1] units. */
function motion(n: number, occlusion: number, alignCorners: boolean, dx = 0): FrameMotion {
  const unit = (i: number) => (alignCorners ? (2 * i) / (n - 1) - 1 : (2 * i + 1) / n - 1);
  const deformation = new Float32Array(n * n * 2);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      deformation[2 * (y * n + x)] = unit(x) + dx;
      deformation[2 * (y * n + x) + 1] = unit(y);
    }
  return {
    deformation,
    occlusion: new Float32Array(n * n).fill(occlusion),
    width: n,
    height: n,
    frame: 0,
    alignCorners,
  };
}

function photoBox(dx = 0): Uint8Array {
  const out = new Uint8Array(box.size * box.size * 3);
  for (let y = 0; y < box.size; y++)
    for (let x = 0; x < box.size; x++)
      for (let c = 0; c < 3; c++)
        out[(y * box.size + x) * 3 + c] = photo[((box.y + y) * W + box.x + x + dx) * 3 + c]!;
  return out;
}

describe('detailPatch', () => {
  it('shows the photo itself under an identity flow', () => {
    // Coarser than the box (3×3 for 6×6), as the dense-motion map is: exact with align_corners.
    expect(detailPatch(photo, W, H, box, upscaled, motion(3, 1, true))).toEqual(photoBox());
    // Without align_corners, upsampling clamps at the border (as torch's does): same size only.
    expect(detailPatch(photo, W, H, box, upscaled, motion(box.size, 1, false))).toEqual(photoBox());
  });

  it('follows the flow, beyond the box edge into the rest of the photo', () => {
    // One box pixel to the right: 2 / (size - 1) in align-corners units.
    const shifted = detailPatch(
      photo,
      W,
      H,
      box,
      upscaled,
      motion(3, 1, true, 2 / (box.size - 1)),
      UNLIMITED_FLOW,
    );
    expect(shifted).toEqual(photoBox(1));
  });

  it('keeps the model result where the source is occluded and blends in between', () => {
    expect(detailPatch(photo, W, H, box, upscaled, motion(3, 0, true))).toEqual(upscaled);
    const half = detailPatch(photo, W, H, box, upscaled, motion(3, 0.5, true));
    const own = photoBox();
    // Half and half, to rounding (the maps are float32, so ties may round either way).
    half.forEach((v, i) => expect(Math.abs(v - (0.5 * own[i]! + 0.5 * 9))).toBeLessThanOrEqual(0.5));
  });

  it('reads its own frame of a batch', () => {
    const a = motion(3, 0, true);
    const b = motion(3, 1, true);
    const batch: FrameMotion = {
      ...a,
      deformation: new Float32Array([...a.deformation, ...b.deformation]),
      occlusion: new Float32Array([...a.occlusion, ...b.occlusion]),
      frame: 1,
    };
    expect(detailPatch(photo, W, H, box, upscaled, batch)).toEqual(photoBox());
    expect(() => detailPatch(photo, W, H, box, upscaled, { ...a, frame: 1 })).toThrow(/this frame/);
    expect(() => detailPatch(photo, W, H, box, new Uint8Array(3), a)).toThrow(/does not match/);
  });

  it('caps large motion, most at the edges, so it cannot drag the photo far (no ballooned jaw, no second ear)', () => {
    // A horizontal ramp photo: a pixel's value says which column it came from.
    const w = 256;
    const h = 200;
    const ramp = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) ramp.fill(x, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const big = { x: 50, y: 50, size: 100 };
    const fill = new Uint8Array(big.size * big.size * 3);
    // Every pixel pulled 0.8 units (40 % of the box) to the right: far more than a face moves.
    const pulled = detailPatch(ramp, w, h, big, fill, motion(25, 1, true, 0.8));
    const column = (x: number, y = 50) => pulled[(y * big.size + x) * 3]!;
    const free = detailPatch(ramp, w, h, big, fill, motion(25, 1, true, 0.8), UNLIMITED_FLOW);
    expect(free[(50 * big.size + 50) * 3]).toBe(140); // unlimited: 40 px away
    // Capped: at most 12.5 % of the side inside, 1 % at the edge, rising smoothly between.
    // 0.25 units of a 100-px box (align_corners: 49.5 px a unit) = 12.4 px.
    expect(column(50)).toBeLessThanOrEqual(50 + 50 + 12.4 + 0.5);
    expect(column(50)).toBeGreaterThanOrEqual(50 + 50 + 12.4 - 1.5);
    expect(column(0) - 50).toBeLessThanOrEqual(1);
    expect(column(99, 50) - (50 + 99)).toBeLessThanOrEqual(1);
    for (let x = 1; x < big.size; x++) expect(Math.abs(column(x) - column(x - 1))).toBeLessThanOrEqual(3);
    // Small motion (within the cap) is untouched.
    const small = detailPatch(ramp, w, h, big, fill, motion(25, 1, true, 0.1));
    expect(small[(50 * big.size + 50) * 3]).toBe(
      detailPatch(ramp, w, h, big, fill, motion(25, 1, true, 0.1), UNLIMITED_FLOW)[(50 * big.size + 50) * 3],
    );
  });

  it('eases the cap from the edge to the inside', () => {
    expect(flowCap(0, PASTE_FLOW_LIMITS)).toBeCloseTo(PASTE_FLOW_LIMITS.edgeShift);
    expect(flowCap(PASTE_FLOW_LIMITS.edgeBand, PASTE_FLOW_LIMITS)).toBe(PASTE_FLOW_LIMITS.maxShift);
    expect(flowCap(0.5, PASTE_FLOW_LIMITS)).toBe(PASTE_FLOW_LIMITS.maxShift);
    expect(flowCap(PASTE_FLOW_LIMITS.edgeBand / 2, PASTE_FLOW_LIMITS)).toBeCloseTo(
      (PASTE_FLOW_LIMITS.edgeShift + PASTE_FLOW_LIMITS.maxShift) / 2,
    );
  });
});
