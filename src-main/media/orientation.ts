/**
 * Photos as they are meant to be seen. A phone stores a portrait photo sideways with an EXIF
 * orientation tag; ffmpeg (5.x) ignores the tag, so every decode of an image puts the matching
 * transpose/flip first. The tag is read with exifr (a maintained EXIF library), once per file
 * version. Videos need nothing here: ffmpeg applies their display rotation when decoding, and the
 * probe reports their displayed size (probe.ts).
 */
import { stat } from 'node:fs/promises';
import exifr from 'exifr';

/** The ffmpeg filter that shows an image stored with EXIF `orientation` upright ('' for none). */
export function orientationFilter(orientation: number): string {
  switch (orientation) {
    case 2:
      return 'hflip';
    case 3:
      return 'hflip,vflip';
    case 4:
      return 'vflip';
    case 5:
      return 'transpose=0';
    case 6:
      return 'transpose=1';
    case 7:
      return 'transpose=3';
    case 8:
      return 'transpose=2';
    default:
      return '';
  }
}

/** Orientations 5-8 turn the picture a quarter: width and height swap. */
export function swapsSides(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

const cache = new Map<string, { key: string; orientation: number }>();

/** The EXIF orientation of an image file (1 when it has none, or is not an image with EXIF). */
export async function imageOrientation(file: string): Promise<number> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return 1;
  const key = `${info.mtimeMs}|${info.size}`;
  const hit = cache.get(file);
  if (hit?.key === key) return hit.orientation;
  const found = await exifr.orientation(file).catch(() => undefined);
  const orientation = typeof found === 'number' && found >= 1 && found <= 8 ? found : 1;
  if (cache.size > 256) cache.clear();
  cache.set(file, { key, orientation });
  return orientation;
}
