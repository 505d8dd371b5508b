/**
 * Pure framing geometry: from detected face landmarks (or nothing) to the square the model sees.
 *
 * The proportions reproduce how our training clips (VoxCeleb2 / LivePortrait crops) are framed,
 * measured with the same detector on the shared source photos: the 68 landmarks span ~54% of the
 * square's side and their centre sits ~7% of the side above the square's centre. A model sees the
 * best-matching input when the user's photo is framed the same way.
 */
import type { CropBox } from '../job.js';

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceFramingOptions {
  /** Landmark extent as a fraction of the crop side. */
  extent: number;
  /** How far the crop centre sits below the landmarks' centre, as a fraction of the crop side. */
  drop: number;
}

export const FACE_FRAMING: FaceFramingOptions = { extent: 0.54, drop: 0.07 };

export function boundsOf(points: readonly Point[]): Rect {
  if (points.length === 0) throw new RangeError('no points');
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function unionOf(rects: readonly Rect[]): Rect {
  if (rects.length === 0) throw new RangeError('no rectangles');
  const x0 = Math.min(...rects.map((r) => r.x));
  const y0 = Math.min(...rects.map((r) => r.y));
  const x1 = Math.max(...rects.map((r) => r.x + r.width));
  const y1 = Math.max(...rects.map((r) => r.y + r.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The centred largest square: what the model sees when nothing better is known. */
export function centredCrop(width: number, height: number): CropBox {
  const size = Math.min(width, height);
  return { x: Math.floor((width - size) / 2), y: Math.floor((height - size) / 2), size };
}

/**
 * A whole-pixel square of side `side` centred on (cx, cy), moved (not shrunk) to lie inside the
 * image; shrunk only when the image itself is smaller than the square.
 */
export function fitSquare(cx: number, cy: number, side: number, width: number, height: number): CropBox {
  const size = Math.max(1, Math.min(Math.round(side), width, height));
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return {
    x: clamp(Math.round(cx - size / 2), width - size),
    y: clamp(Math.round(cy - size / 2), height - size),
    size,
  };
}

/** The square a face model expects around one face's landmarks. */
export function faceCrop(
  landmarks: readonly Point[],
  width: number,
  height: number,
  options: FaceFramingOptions = FACE_FRAMING,
): CropBox {
  const b = boundsOf(landmarks);
  const side = Math.max(b.width, b.height) / options.extent;
  return fitSquare(b.x + b.width / 2, b.y + b.height / 2 + options.drop * side, side, width, height);
}

/**
 * One stable crop for a whole clip, as the paper's preprocessing does: the union of the per-frame
 * crops, made square around the union's centre. Frames without a face are ignored; none -> null.
 */
export function stableCrop(
  perFrame: readonly (CropBox | null)[],
  width: number,
  height: number,
): CropBox | null {
  const found = perFrame.filter((c): c is CropBox => c !== null);
  if (found.length === 0) return null;
  const u = unionOf(found.map((c) => ({ x: c.x, y: c.y, width: c.size, height: c.size })));
  return fitSquare(u.x + u.width / 2, u.y + u.height / 2, Math.max(u.width, u.height), width, height);
}

export function cropContains(crop: CropBox, p: Point): boolean {
  return p.x >= crop.x && p.y >= crop.y && p.x <= crop.x + crop.size && p.y <= crop.y + crop.size;
}

export function cropFits(crop: CropBox, width: number, height: number): boolean {
  return crop.x + crop.size <= width && crop.y + crop.size <= height;
}

/** Map a crop found on a resized copy of an image back to the original's pixels. */
export function scaleCrop(crop: CropBox, factor: number, width: number, height: number): CropBox {
  return fitSquare(
    (crop.x + crop.size / 2) * factor,
    (crop.y + crop.size / 2) * factor,
    crop.size * factor,
    width,
    height,
  );
}

/** The crop moved by (dx, dy) pixels, kept inside the image. */
export function moveCrop(crop: CropBox, dx: number, dy: number, width: number, height: number): CropBox {
  return fitSquare(crop.x + crop.size / 2 + dx, crop.y + crop.size / 2 + dy, crop.size, width, height);
}

/** The crop resized about its centre, kept inside the image. */
export function resizeCrop(crop: CropBox, size: number, width: number, height: number): CropBox {
  return fitSquare(crop.x + crop.size / 2, crop.y + crop.size / 2, Math.max(16, size), width, height);
}
