import { describe, expect, it } from 'vitest';
import { keypointCss, keypointOnPicture, keypointPixel, keypointRgb } from './palette.js';

describe('keypoint drawing', () => {
  it('puts -1 and +1 on the centres of the first and last model pixels', () => {
    expect(keypointPixel(-1, 64)).toBe(0);
    expect(keypointPixel(1, 64)).toBe(63);
    // Drawn 4x larger: the centres of the first and last 4-pixel cells.
    expect(keypointOnPicture(-1, 64, 256)).toBe(2);
    expect(keypointOnPicture(1, 64, 256)).toBe(254);
    expect(keypointOnPicture(0, 64, 256)).toBe(128);
  });
  it('gives the canvas and the overlay video the same colour for each keypoint', () => {
    expect(keypointCss(3)).toBe(`rgb(${keypointRgb(3).join(', ')})`);
    expect(keypointRgb(12)).toEqual(keypointRgb(2));
  });
});
