/**
 * How keypoints are drawn, decided once for the studio's canvas and the exported overlay video:
 * one colour per keypoint, and where a keypoint's [-1, 1] coordinate lands in pixels. The model's
 * grid puts pixel centre 0 at -1 and pixel centre S-1 at +1 (align_corners, as its coordinate grid
 * and grid_sample are built), so a keypoint at -1 is the centre of the first pixel, not its edge.
 */

/** Distinct hues for up to 10 keypoints, then repeating (RGB). */
export const KEYPOINT_RGB: ReadonlyArray<readonly [number, number, number]> = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 190],
];

export function keypointRgb(k: number): readonly [number, number, number] {
  return KEYPOINT_RGB[k % KEYPOINT_RGB.length]!;
}

export function keypointCss(k: number): string {
  const [r, g, b] = keypointRgb(k);
  return `rgb(${r}, ${g}, ${b})`;
}

/** A coordinate in [-1, 1] as a pixel index of a `size`-pixel model image (fractional). */
export function keypointPixel(coord: number, size: number): number {
  return ((coord + 1) / 2) * (size - 1);
}

/**
 * The same point on a picture of the model image drawn `drawn` pixels wide, in continuous
 * coordinates (a pixel's centre is at index + 0.5).
 */
export function keypointOnPicture(coord: number, size: number, drawn: number): number {
  return ((keypointPixel(coord, size) + 0.5) * drawn) / size;
}
