import { describe, expect, it } from 'vitest';
import {
  bandColourOffset,
  featherMask,
  pasteBack,
  pasteBackSize,
  resizeRgb,
  scaledBox,
} from './composite.js';
import {
  centredCrop,
  cropContains,
  faceCrop,
  fitSquare,
  followTrack,
  resizeFromCorner,
  scaleTrack,
  stableCrop,
  trackAt,
} from './crop.js';
import { CropTrackSchema } from '../job.js';

describe('crop geometry', () => {
  it('centres the largest square when nothing is known', () => {
    expect(centredCrop(640, 480)).toEqual({ x: 80, y: 0, size: 480 });
    expect(centredCrop(300, 301)).toEqual({ x: 0, y: 0, size: 300 });
  });

  it('moves a square inside the image before shrinking it', () => {
    expect(fitSquare(10, 10, 100, 640, 480)).toEqual({ x: 0, y: 0, size: 100 });
    expect(fitSquare(630, 470, 100, 640, 480)).toEqual({ x: 540, y: 380, size: 100 });
    expect(fitSquare(320, 240, 1000, 640, 480)).toEqual({ x: 80, y: 0, size: 480 });
  });

  it('frames a face like the training crops: landmarks ~54% of the side, centre below them', () => {
    const landmarks = [
      { x: 400, y: 300 },
      { x: 508, y: 300 },
      { x: 454, y: 408 },
    ];
    const crop = faceCrop(landmarks, 1000, 1000);
    expect(crop.size).toBe(200);
    for (const p of landmarks) expect(cropContains(crop, p)).toBe(true);
    expect(crop.x + crop.size / 2).toBeCloseTo(454, 0);
    expect(crop.y + crop.size / 2).toBeGreaterThan(354);
  });

  it('takes the union of per-frame crops for a stable clip crop and ignores misses', () => {
    const crop = stableCrop([{ x: 100, y: 100, size: 100 }, null, { x: 150, y: 120, size: 100 }], 640, 480);
    expect(crop).toEqual({ x: 100, y: 85, size: 150 });
    expect(stableCrop([null, null], 640, 480)).toBeNull();
  });
});

describe('crop that follows the subject', () => {
  const at = (t: number, x: number | null, size = 100) => ({
    t,
    crop: x === null ? null : { x, y: 50, size },
  });

  it('keeps one size, the largest, and fills misses between the frames that have a face', () => {
    const track = followTrack([at(0, 100), at(1, null), at(2, 300, 120)], 640, 480)!;
    expect(track.size).toBe(120);
    expect(track.keys.map((k) => k.t)).toEqual([0, 1, 2]);
    // Centres 150 and 360 (before smoothing); the miss sits between them, the path stays ordered.
    const xs = track.keys.map((k) => k.x + track.size / 2);
    expect(xs[0]! < xs[1]! && xs[1]! < xs[2]!).toBe(true);
    expect(followTrack([at(0, null)], 640, 480)).toBeNull();
  });

  it('smooths detector jitter but keeps a steady move', () => {
    const jitter = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => at(i, 200 + (i % 2 ? 10 : -10)));
    const smooth = followTrack(jitter, 640, 480)!.keys.map((k) => k.x);
    const inner = smooth.slice(2, -2);
    expect(Math.max(...inner) - Math.min(...inner)).toBeLessThanOrEqual(3); // raw: 20 px
    const ramp = followTrack(
      [0, 1, 2, 3, 4, 5].map((i) => at(i, 100 + 20 * i)),
      640,
      480,
    )!.keys.map((k) => k.x);
    expect(ramp).toEqual([100, 120, 140, 160, 180, 200]); // a steady pan is left as it is
  });

  it('stays inside the frame, interpolates between keys and holds outside them', () => {
    const track = followTrack([at(0, 0), at(1, 560)], 640, 480)!;
    for (const k of track.keys) expect(k.x + track.size).toBeLessThanOrEqual(640);
    const simple = {
      size: 100,
      keys: [
        { t: 1, x: 0, y: 0 },
        { t: 3, x: 100, y: 40 },
      ],
    };
    expect(trackAt(simple, 2)).toEqual({ x: 50, y: 20, size: 100 });
    expect(trackAt(simple, 0)).toEqual({ x: 0, y: 0, size: 100 });
    expect(trackAt(simple, 9)).toEqual({ x: 100, y: 40, size: 100 });
    expect(scaleTrack(simple, 2, 1000, 1000)).toEqual({
      size: 200,
      keys: [
        { t: 1, x: 0, y: 0 },
        { t: 3, x: 200, y: 80 },
      ],
    });
  });

  it('rejects a track whose key times do not increase', () => {
    const keys = [
      { t: 1, x: 0, y: 0 },
      { t: 1, x: 5, y: 0 },
    ];
    expect(CropTrackSchema.safeParse({ size: 10, keys }).success).toBe(false);
    expect(CropTrackSchema.safeParse({ size: 10, keys: keys.slice(0, 1) }).success).toBe(true);
  });
});

describe('paste-back', () => {
  it('caps the output size and keeps even sides', () => {
    expect(pasteBackSize(931, 929, 1920)).toEqual({ width: 930, height: 928, scale: 1 });
    const capped = pasteBackSize(4000, 3000, 1000);
    expect([capped.width, capped.height]).toEqual([1000, 750]);
    expect(scaledBox({ x: 400, y: 400, size: 2000 }, capped)).toEqual({ x: 100, y: 100, size: 500 });
  });

  it('builds a mask that is 0 on the border and 1 inside', () => {
    const mask = featherMask(20, 4);
    expect(mask[0]).toBe(0);
    expect(mask[10 * 20 + 10]).toBe(1);
    expect(mask[2 * 20 + 10]).toBeGreaterThan(0);
    expect(mask[2 * 20 + 10]).toBeLessThan(1);
  });

  it('resizes a flat image to the same flat colour and keeps corners', () => {
    const src = new Uint8Array(4 * 4 * 3).fill(77);
    expect(new Set(resizeRgb(src, 4, 4, 9, 7))).toEqual(new Set([77]));
    const grad = Uint8Array.from({ length: 2 * 1 * 3 }, (_, i) => (i < 3 ? 0 : 200));
    const up = resizeRgb(grad, 2, 1, 8, 1);
    expect(up[0]).toBe(0);
    expect(up[7 * 3]).toBe(200);
  });

  it('leaves every pixel outside the box unchanged and blends inside it', () => {
    const w = 40;
    const h = 30;
    const photo = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7) % 251);
    const box = { x: 10, y: 5, size: 16 };
    const patch = new Uint8Array(box.size * box.size * 3).fill(255);
    const out = pasteBack(photo, w, h, patch, box, featherMask(box.size, 4));
    expect(out.length).toBe(photo.length);
    let changedInside = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x >= box.x && x < box.x + box.size && y >= box.y && y < box.y + box.size;
        for (let c = 0; c < 3; c++) {
          const i = (y * w + x) * 3 + c;
          if (!inside) expect(out[i]).toBe(photo[i]);
          else if (out[i] !== photo[i]) changedInside += 1;
        }
      }
    }
    expect(changedInside).toBeGreaterThan(box.size * box.size);
    // Centre pixel is the animation's.
    const centre = ((box.y + 8) * w + box.x + 8) * 3;
    expect(out[centre]).toBe(255);
  });

  it('measures the colour mismatch where photo and animation meet', () => {
    const box = { x: 0, y: 0, size: 10 };
    const photo = new Uint8Array(10 * 10 * 3).fill(120);
    const patch = new Uint8Array(10 * 10 * 3).fill(100);
    expect(bandColourOffset(photo, 10, box, patch, featherMask(10, 3))).toEqual([20, 20, 20]);
  });

  it('rejects a box that does not fit', () => {
    expect(() =>
      pasteBack(
        new Uint8Array(10 * 10 * 3),
        10,
        10,
        new Uint8Array(8 * 8 * 3),
        { x: 5, y: 5, size: 8 },
        featherMask(8, 2),
      ),
    ).toThrow(/does not fit/);
  });
});

describe('resizing a crop by a corner', () => {
  it('keeps the opposite corner, stays square, at least 16 px and inside the image', () => {
    const crop = { x: 100, y: 100, size: 200 };
    expect(resizeFromCorner(crop, 'se', 50, 10, 1000, 800)).toEqual({ x: 100, y: 100, size: 250 });
    expect(resizeFromCorner(crop, 'nw', -40, -60, 1000, 800)).toEqual({ x: 40, y: 40, size: 260 });
    expect(resizeFromCorner(crop, 'ne', 30, 0, 1000, 800)).toEqual({ x: 100, y: 70, size: 230 });
    expect(resizeFromCorner(crop, 'sw', 0, 500, 1000, 800)).toEqual({ x: 0, y: 100, size: 300 });
    expect(resizeFromCorner(crop, 'se', -1000, -1000, 1000, 800)).toEqual({ x: 100, y: 100, size: 16 });
    expect(resizeFromCorner(crop, 'se', 5000, 5000, 1000, 800)).toEqual({ x: 100, y: 100, size: 700 });
  });
});
