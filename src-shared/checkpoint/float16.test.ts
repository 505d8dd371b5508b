import { describe, expect, it } from 'vitest';
import { float16Bits, float16Value, toFloat16 } from './float16';

describe('float16', () => {
  it('encodes the values whose patterns are known', () => {
    const cases: Array<[number, number]> = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // the largest float16
      [65520, 0x7c00], // halfway to the next: rounds to even, which is inf
      [1e6, 0x7c00],
      [-Infinity, 0xfc00],
      [2 ** -14, 0x0400], // the smallest normal
      [2 ** -24, 0x0001], // the smallest subnormal
      [2 ** -25, 0x0000], // half of it: a tie, to even (zero)
      [1.5 * 2 ** -25, 0x0001],
      [0.1, 0x2e66],
      [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10: to even
      [1 + 3 * 2 ** -11, 0x3c02], // tie between 1+2^-10 and 1+2^-9: to even
    ];
    for (const [value, bits] of cases) expect(float16Bits(value), String(value)).toBe(bits);
    expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float16Bits(NaN) & 0x3ff).not.toBe(0);
  });

  it('rounds every value to the nearest float16', () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 20000; i++) {
      const value = (random() - 0.5) * 2 ** (Math.floor(random() * 40) - 24);
      const bits = float16Bits(value);
      const got = float16Value(bits);
      // No float16 lies closer: the neighbours on either side are at least as far.
      const below = float16Value(bits - 1);
      const above = float16Value(bits + 1);
      const far = Math.abs(got - Math.fround(value));
      if ((bits & 0x7fff) !== 0) expect(far).toBeLessThanOrEqual(Math.abs(below - Math.fround(value)));
      expect(far).toBeLessThanOrEqual(Math.abs(above - Math.fround(value)));
    }
  });

  it('converts a tensor', () => {
    expect(Array.from(toFloat16(Float32Array.from([1, -2, 0.5])))).toEqual([0x3c00, 0xc000, 0x3800]);
  });
});
