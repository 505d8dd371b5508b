import { describe, expect, it } from 'vitest';
import {
  activationQuantization,
  framesAgreement,
  imageAgreement,
  INT8_RANGE_MARGIN,
  int8WeightsFile,
  type Int8Plan,
  quantizeBias,
  quantizeWeights,
  unionRange,
  widenRange,
} from './quantize.js';

describe('activation quantization', () => {
  it('covers the range and represents 0 exactly', () => {
    for (const range of [
      { min: -1.3, max: 2.7 },
      { min: 0.2, max: 5 },
      { min: -4, max: -0.5 },
    ]) {
      const { scale, zero } = activationQuantization(range, 1);
      expect(Number.isInteger(zero) && zero >= 0 && zero <= 255).toBe(true);
      // The ends of the range (stretched to 0) fall within half a step of uint8's ends.
      expect(Math.min(0, range.min) / scale + zero).toBeCloseTo(0, 0);
      expect(Math.max(0, range.max) / scale + zero).toBeLessThanOrEqual(255.5);
      expect(Math.max(0, range.max) / scale + zero).toBeGreaterThan(254.4);
    }
  });
  it('keeps a margin past the calibrated range by default', () => {
    const seen = activationQuantization({ min: -1, max: 2 }, 1);
    const kept = activationQuantization({ min: -1, max: 2 });
    expect(kept.scale).toBeCloseTo(INT8_RANGE_MARGIN * seen.scale, 7);
    expect(kept.zero).toBe(seen.zero);
  });
  it('handles a constant zero tensor and refuses a range never seen', () => {
    expect(activationQuantization({ min: 0, max: 0 })).toEqual({ scale: 1, zero: 0 });
    expect(() => activationQuantization(widenRange(undefined, new Float32Array(0)))).toThrow(/not finite/);
  });
  it('joins the ranges of several calibrations', () => {
    expect(unionRange(undefined, { min: 1, max: 2 })).toEqual({ min: 1, max: 2 });
    expect(unionRange({ min: -1, max: 1 }, { min: 0, max: 3 })).toEqual({ min: -1, max: 3 });
  });
  it('widens a range over several frames', () => {
    const r = widenRange(widenRange(undefined, Float32Array.of(1, -2, 3)), Float32Array.of(0, 7));
    expect(r).toEqual({ min: -2, max: 7 });
  });
});

describe('weight quantization', () => {
  it('is per output channel and within half a step of every weight', () => {
    // Two channels of 4 weights, at very different magnitudes.
    const w = Float32Array.of(0.5, -1, 0.25, 0.1, 0.001, 0.002, -0.004, 0);
    const { values, scales } = quantizeWeights(w, 2);
    expect(Array.from(values.slice(0, 4))).toEqual([64, -127, 32, 13]);
    expect(values[6]).toBe(-127);
    expect(scales[0]).toBeCloseTo(1 / 127, 7);
    expect(scales[1]).toBeCloseTo(0.004 / 127, 9);
    w.forEach((x, i) =>
      expect(Math.abs(values[i]! * scales[Math.floor(i / 4)]! - x)).toBeLessThanOrEqual(
        scales[Math.floor(i / 4)]! / 2 + 1e-9,
      ),
    );
  });
  it('gives an all-zero channel scale 1, and refuses weights that do not split', () => {
    expect(Array.from(quantizeWeights(new Float32Array(3), 1).scales)).toEqual([1]);
    expect(() => quantizeWeights(new Float32Array(5), 2)).toThrow(/do not split/);
  });
  it('puts biases at input scale × weight scale', () => {
    const { values, scales } = quantizeBias(Float32Array.of(0.5, -0.25), 0.01, Float32Array.of(0.1, 0.5));
    expect(scales[0]).toBeCloseTo(0.001, 9);
    expect(Array.from(values)).toEqual([500, -50]);
    expect(() => quantizeBias(Float32Array.of(1), 1, Float32Array.of(1, 1))).toThrow(/1 biases for 2/);
  });
});

/** A plan for one 2-channel convolution with a bias, as models/fomm/int8.py lays it out. */
function plan(): Int8Plan {
  const slot = (
    name: string,
    kind: Int8Plan['slots'][number]['kind'],
    dims: number[],
    of: string | number,
    offset: number,
    length: number,
  ) => ({ name, kind, dims, of, offset, length });
  return {
    format: 'marionette-int8/1',
    graph: 'generator.int8.onnx',
    weights: 'generator.int8.weights',
    calibration_graph: 'generator.calibrate.onnx',
    tensors: ['x', 'y'],
    convs: [{ input: 'x', output: 'y', channels: 2, bias: true }],
    slots: [
      slot('int8/x/scale', 'scale', [], 'x', 0, 4),
      slot('int8/x/zero', 'zero', [], 'x', 16, 1),
      slot('int8/y/scale', 'scale', [], 'y', 32, 4),
      slot('int8/y/zero', 'zero', [], 'y', 48, 1),
      slot('int8/conv0/weight', 'weight', [2, 1, 1, 2], 0, 64, 4),
      slot('int8/conv0/weight_scale', 'weight_scale', [2], 0, 80, 8),
      slot('int8/conv0/bias', 'bias', [2], 0, 96, 8),
      slot('int8/conv0/bias_scale', 'bias_scale', [2], 0, 112, 8),
    ],
  };
}

describe('the int8 weights file', () => {
  const calibration = {
    ranges: new Map([
      ['x', { min: 0, max: 2.55 }],
      ['y', { min: -1, max: 1 }],
    ]),
    weights: [Float32Array.of(1.27, -0.634, 0.254, 0.126)],
    biases: [Float32Array.of(0.1, -0.2)],
    margin: 1,
  };
  it('holds every slot at its offset', () => {
    const file = int8WeightsFile(plan(), calibration);
    const view = new DataView(file.buffer);
    expect(file.byteLength).toBe(120);
    expect(view.getFloat32(0, true)).toBeCloseTo(0.01, 7);
    expect(file[16]).toBe(0);
    expect(file[48]).toBe(127); // -1..1: the middle (1 / (2/255) = 127.49… rounds down)
    expect(Array.from(new Int8Array(file.buffer, 64, 4))).toEqual([127, -63, 127, 63]);
    expect(view.getFloat32(80, true)).toBeCloseTo(0.01, 7);
    expect(view.getFloat32(84, true)).toBeCloseTo(0.002, 7);
    // bias / (0.01 × 0.01) and / (0.01 × 0.002)
    expect([view.getInt32(96, true), view.getInt32(100, true)]).toEqual([1000, -10000]);
  });
  it('says what is missing', () => {
    expect(() => int8WeightsFile(plan(), { ...calibration, ranges: new Map() })).toThrow(
      /no calibrated range for x/,
    );
    expect(() => int8WeightsFile(plan(), { ...calibration, biases: [null] })).toThrow(/no bias/);
    const bad = plan();
    bad.slots[4]!.length = 3;
    expect(() => int8WeightsFile(bad, calibration)).toThrow(/4 bytes, the graph expects 3/);
  });
});

describe('image agreement', () => {
  it('gives PSNR in dB and the mean absolute difference', () => {
    const a = new Float32Array(100).fill(0.5);
    const b = a.map((v, i) => (i % 2 ? v + 0.1 : v - 0.1));
    const { psnrDb, meanAbs } = imageAgreement(a, b);
    expect(psnrDb).toBeCloseTo(20, 4);
    expect(meanAbs).toBeCloseTo(0.1, 6);
    expect(imageAgreement(a, a).psnrDb).toBe(Infinity);
    expect(() => imageAgreement(a, new Float32Array(3))).toThrow(/different sizes/);
  });
});

describe('agreement over several frames', () => {
  it('pools the squared error before taking the PSNR, and caps identical frames at 99 dB', () => {
    const base = new Float32Array(100).fill(0.5);
    const far = base.map((v) => v + 0.1); // mean square 0.01
    const near = base.map((v) => v + 0.01); // mean square 0.0001
    const { psnrDb, meanAbs255 } = framesAgreement([base, base], [far, near]);
    expect(psnrDb).toBeCloseTo(10 * Math.log10(1 / 0.00505), 2);
    expect(meanAbs255).toBeCloseTo((255 * 0.11) / 2, 2);
    expect(framesAgreement([base], [base]).psnrDb).toBe(99);
    expect(() => framesAgreement([base], [])).toThrow(/differ in number/);
  });
});
