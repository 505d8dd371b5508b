/**
 * Pure framing geometry: from detected face landmarks (or nothing) to the square the model sees.
 *
 * The proportions reproduce how our training clips (VoxCeleb2 / LivePortrait crops) are framed,
 * measured with the same detector on the shared source photos: the 68 landmarks span ~54% of the
 * square's side and their centre sits ~7% of the side above the square's centre. A model sees the
 * best-matching input when the user's photo is framed the same way.
 */
import type { CropBox, CropTrack } from '../job.js';

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

/**
 * A square that follows the subject through a clip: one size for the whole clip (the largest
 * per-sample crop, so the subject's scale stays what the model sees), centres filled in across
 * samples without a face and smoothed so the crop glides instead of jittering. Null when no sample
 * has a face.
 */
export function followTrack(
  samples: readonly { t: number; crop: CropBox | null }[],
  width: number,
  height: number,
): CropTrack | null {
  const found = samples.filter((s): s is { t: number; crop: CropBox } => s.crop !== null);
  if (found.length === 0) return null;
  const size = Math.max(...found.map((s) => s.crop.size));
  const centre = (c: CropBox): Point => ({ x: c.x + c.size / 2, y: c.y + c.size / 2 });
  // Misses take the centre interpolated between the nearest samples that have a face.
  const centres = samples.map((s) => {
    if (s.crop) return centre(s.crop);
    const before = [...found].reverse().find((f) => f.t < s.t);
    const after = found.find((f) => f.t > s.t);
    if (!before || !after) return centre((before ?? after)!.crop);
    const a = centre(before.crop);
    const b = centre(after.crop);
    const w = (s.t - before.t) / (after.t - before.t);
    return { x: a.x + (b.x - a.x) * w, y: a.y + (b.y - a.y) * w };
  });
  const smooth = smoothPath(centres);
  return {
    size: fitSquare(0, 0, size, width, height).size,
    keys: samples.map((s, i) => {
      const c = fitSquare(smooth[i]!.x, smooth[i]!.y, size, width, height);
      return { t: s.t, x: c.x, y: c.y };
    }),
  };
}

/**
 * Two passes of a [1, 2, 1] / 4 filter: removes detector jitter, keeps slow moves. The ends are
 * extended linearly, so a steady pan is left exactly as it is.
 */
function smoothPath(points: readonly Point[]): Point[] {
  let path = points.slice();
  if (path.length < 2) return path;
  for (let pass = 0; pass < 2; pass++) {
    const last = path.length - 1;
    path = path.map((p, i) => {
      const a = i > 0 ? path[i - 1]! : mirror(p, path[1]!);
      const b = i < last ? path[i + 1]! : mirror(p, path[last - 1]!);
      return { x: (a.x + 2 * p.x + b.x) / 4, y: (a.y + 2 * p.y + b.y) / 4 };
    });
  }
  return path;
}

/** `q` reflected through `p`. */
const mirror = (p: Point, q: Point): Point => ({ x: 2 * p.x - q.x, y: 2 * p.y - q.y });

/** The track's square at clip time `t` (seconds). */
export function trackAt(track: CropTrack, t: number): CropBox {
  const keys = track.keys;
  const next = keys.findIndex((k) => k.t > t);
  if (next === 0) return { x: keys[0]!.x, y: keys[0]!.y, size: track.size };
  if (next === -1) return { x: keys[keys.length - 1]!.x, y: keys[keys.length - 1]!.y, size: track.size };
  const a = keys[next - 1]!;
  const b = keys[next]!;
  const w = (t - a.t) / (b.t - a.t);
  return { x: Math.round(a.x + (b.x - a.x) * w), y: Math.round(a.y + (b.y - a.y) * w), size: track.size };
}

/** The track mapped from a resized copy of the clip back to its own pixels. */
export function scaleTrack(track: CropTrack, factor: number, width: number, height: number): CropTrack {
  const size = fitSquare(0, 0, track.size * factor, width, height).size;
  return {
    size,
    keys: track.keys.map((k) => {
      const c = fitSquare(
        (k.x + track.size / 2) * factor,
        (k.y + track.size / 2) * factor,
        size,
        width,
        height,
      );
      return { t: k.t, x: c.x, y: c.y };
    }),
  };
}

export type Corner = 'nw' | 'ne' | 'sw' | 'se';

/**
 * The square resized by dragging one corner by (dx, dy) pixels while the opposite corner stays
 * put, as crop tools do; kept square (the larger of the two moves wins), at least 16 px, and
 * inside the image.
 */
export function resizeFromCorner(
  crop: CropBox,
  corner: Corner,
  dx: number,
  dy: number,
  width: number,
  height: number,
): CropBox {
  const east = corner === 'ne' || corner === 'se';
  const south = corner === 'sw' || corner === 'se';
  const fixedX = east ? crop.x : crop.x + crop.size;
  const fixedY = south ? crop.y : crop.y + crop.size;
  const grow = Math.max((east ? 1 : -1) * dx, (south ? 1 : -1) * dy);
  const room = Math.min(east ? width - fixedX : fixedX, south ? height - fixedY : fixedY);
  const size = Math.round(Math.min(Math.max(16, crop.size + grow), Math.max(16, room)));
  return {
    x: Math.max(0, east ? fixedX : fixedX - size),
    y: Math.max(0, south ? fixedY : fixedY - size),
    size: Math.min(size, width, height),
  };
}
