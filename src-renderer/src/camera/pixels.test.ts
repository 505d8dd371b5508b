import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, centredSquare, rgbaToRgb, rgbToRgba } from './pixels';

describe('camera pixels', () => {
  it('takes the centred square of a landscape or portrait frame', () => {
    expect(centredSquare(640, 480)).toEqual({ x: 80, y: 0, size: 480 });
    expect(centredSquare(480, 641)).toEqual({ x: 0, y: 80, size: 480 });
  });

  it('converts RGBA to RGB and back, and survives base64 for a whole frame', () => {
    const rgba = Uint8ClampedArray.from({ length: 128 * 128 * 4 }, (_, i) =>
      i % 4 === 3 ? 255 : (i * 31) % 256,
    );
    const rgb = rgbaToRgb(rgba);
    expect(rgb.length).toBe(128 * 128 * 3);
    expect(Array.from(rgbToRgba(rgb))).toEqual(Array.from(rgba));
    expect(Array.from(base64ToBytes(bytesToBase64(rgb)))).toEqual(Array.from(rgb));
    expect(bytesToBase64(Uint8Array.from([0, 1, 2]))).toBe(Buffer.from([0, 1, 2]).toString('base64'));
  });
});
