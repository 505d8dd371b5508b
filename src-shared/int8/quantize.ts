/**
 * int8 quantization of the generator: the numbers behind `generator.int8.onnx` (its structure comes
 * from models/fomm/int8.py). Activations are uint8 with a zero point (their range, seen on real
 * frames, stretched to include 0), weights int8 symmetric with one scale per output channel, biases
 * int32 at (input scale × weight scale), as ONNX Runtime's QLinearConv wants them.
 */
import { z } from 'zod';
import { ModelFileNameSchema } from '../model-manifest.js';

export const INT8_PLAN_FORMAT = 'marionette-int8/1';

const SlotSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['scale', 'zero', 'weight', 'weight_scale', 'bias', 'bias_scale']),
  dims: z.array(z.number().int().nonnegative()),
  /** The tensor (scale, zero) or the convolution's index (the others) the value belongs to. */
  of: z.union([z.string(), z.number().int().nonnegative()]),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});

export const Int8PlanSchema = z.object({
  format: z.literal(INT8_PLAN_FORMAT),
  graph: ModelFileNameSchema,
  weights: ModelFileNameSchema,
  calibration_graph: ModelFileNameSchema,
  /** Every tensor whose range is calibrated (the quantized convolutions' inputs and outputs). */
  tensors: z.array(z.string().min(1)).min(1),
  convs: z
    .array(
      z.object({
        input: z.string(),
        output: z.string(),
        channels: z.number().int().positive(),
        bias: z.boolean(),
      }),
    )
    .min(1),
  slots: z.array(SlotSchema),
});
export type Int8Plan = z.infer<typeof Int8PlanSchema>;
export type Int8Slot = Int8Plan['slots'][number];

/** Names the calibration graph gives a convolution's float weight and bias. */
export const convWeightOutput = (index: number): string => `int8/conv${index}/weight/float`;
export const convBiasOutput = (index: number): string => `int8/conv${index}/bias/float`;

export interface Range {
  min: number;
  max: number;
}

/** Both ranges in one: the smallest range that holds them. */
export function unionRange(a: Range | undefined, b: Range): Range {
  return a ? { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) } : b;
}

/** Widens `range` (or starts one) with every value of `values`. */
export function widenRange(range: Range | undefined, values: Float32Array): Range {
  let { min, max } = range ?? { min: Infinity, max: -Infinity };
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * How far past the calibrated range activations are still represented. Ranges seen on one photo
 * and clip do not hold for the next: with the range as seen, later jobs on other photos fell to
 * 25–34 dB PSNR against float32 (face-128, 4 photo × clip pairs); at 2× 34–50 dB, at 3× 42–49 dB,
 * for 6 dB less on the calibration job itself (58 → 48 dB). Measured with README's int8 commands.
 */
export const INT8_RANGE_MARGIN = 3;

/**
 * uint8 activation scale and zero point for a calibrated range, widened by `margin` (0 is always
 * exactly representable).
 */
export function activationQuantization(
  { min, max }: Range,
  margin = INT8_RANGE_MARGIN,
): { scale: number; zero: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error('a calibrated range is not finite');
  const lo = Math.min(0, min) * margin;
  const hi = Math.max(0, max) * margin;
  if (hi === lo) return { scale: 1, zero: 0 };
  const scale = Math.fround((hi - lo) / 255);
  const zero = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zero };
}

/** int8 weights, symmetric, one scale per output channel (the first dimension). */
export function quantizeWeights(
  weights: Float32Array,
  channels: number,
): { values: Int8Array; scales: Float32Array } {
  if (channels <= 0 || weights.length % channels !== 0)
    throw new Error(`${weights.length} weights do not split into ${channels} channels`);
  const per = weights.length / channels;
  const values = new Int8Array(weights.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let peak = 0;
    for (let i = c * per; i < (c + 1) * per; i++) peak = Math.max(peak, Math.abs(weights[i]!));
    const scale = peak > 0 ? Math.fround(peak / 127) : 1;
    scales[c] = scale;
    for (let i = c * per; i < (c + 1) * per; i++)
      values[i] = Math.max(-127, Math.min(127, Math.round(weights[i]! / scale)));
  }
  return { values, scales };
}

/** int32 biases at input scale × each channel's weight scale. */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { values: Int32Array; scales: Float32Array } {
  if (bias.length !== weightScales.length)
    throw new Error(`${bias.length} biases for ${weightScales.length} channels`);
  const scales = Float32Array.from(weightScales, (w) => Math.fround(inputScale * w));
  const limit = 2 ** 31 - 1;
  const values = Int32Array.from(bias, (b, c) =>
    Math.max(-limit, Math.min(limit, Math.round(b / scales[c]!))),
  );
  return { values, scales };
}

export interface Calibration {
  /** Range of every tensor of the plan. */
  ranges: ReadonlyMap<string, Range>;
  /** Each quantized convolution's float weights and bias (null: it has none), in plan order. */
  weights: readonly Float32Array[];
  biases: readonly (Float32Array | null)[];
  /** Default INT8_RANGE_MARGIN. */
  margin?: number;
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The contents of the int8 weights file: every slot of the plan at its offset. */
export function int8WeightsFile(plan: Int8Plan, calibration: Calibration): Uint8Array {
  const activations = new Map<string, { scale: number; zero: number }>();
  const activation = (name: string) => {
    let q = activations.get(name);
    if (!q) {
      const range = calibration.ranges.get(name);
      if (!range) throw new Error(`no calibrated range for ${name}`);
      q = activationQuantization(range, calibration.margin);
      activations.set(name, q);
    }
    return q;
  };
  const convs = plan.convs.map((conv, i) => {
    const w = calibration.weights[i];
    if (!w) throw new Error(`no weights for convolution ${i}`);
    const weight = quantizeWeights(w, conv.channels);
    const b = calibration.biases[i];
    if (conv.bias && !b) throw new Error(`no bias for convolution ${i}`);
    const bias = conv.bias && b ? quantizeBias(b, activation(conv.input).scale, weight.scales) : null;
    return { weight, bias };
  });
  const end = plan.slots.reduce((n, s) => Math.max(n, s.offset + s.length), 0);
  const file = new Uint8Array(end);
  for (const slot of plan.slots) {
    let data: Uint8Array;
    if (slot.kind === 'scale' || slot.kind === 'zero') {
      const q = activation(String(slot.of));
      data = slot.kind === 'scale' ? bytesOf(Float32Array.of(q.scale)) : Uint8Array.of(q.zero);
    } else {
      const conv = convs[Number(slot.of)];
      if (!conv) throw new Error(`slot ${slot.name}: no convolution ${slot.of}`);
      const part =
        slot.kind === 'weight'
          ? conv.weight.values
          : slot.kind === 'weight_scale'
            ? conv.weight.scales
            : slot.kind === 'bias'
              ? conv.bias?.values
              : conv.bias?.scales;
      if (!part) throw new Error(`slot ${slot.name}: convolution ${slot.of} has no bias`);
      data = bytesOf(part);
    }
    if (data.byteLength !== slot.length)
      throw new Error(`slot ${slot.name}: ${data.byteLength} bytes, the graph expects ${slot.length}`);
    file.set(data, slot.offset);
  }
  return file;
}

/**
 * Peak signal-to-noise ratio of two images in [0, 1], in dB, their mean absolute difference and
 * their mean squared difference.
 */
export function imageAgreement(
  a: Float32Array,
  b: Float32Array,
): { psnrDb: number; meanAbs: number; meanSquare: number } {
  if (a.length !== b.length || a.length === 0) throw new Error('images of different sizes');
  let squares = 0;
  let abs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    squares += d * d;
    abs += Math.abs(d);
  }
  const mse = squares / a.length;
  return { psnrDb: mse > 0 ? 10 * Math.log10(1 / mse) : Infinity, meanAbs: abs / a.length, meanSquare: mse };
}

/** How int8 compares with float32 on some frames. */
export interface Agreement {
  psnrDb: number;
  meanAbs255: number;
}

/**
 * PSNR of the squared error pooled over frame pairs (capped at 99 dB for identical frames), and
 * the mean absolute difference in 1/255, rounded as the label and the report show them.
 */
export function framesAgreement(
  reference: readonly Float32Array[],
  other: readonly Float32Array[],
): Agreement {
  if (reference.length === 0 || reference.length !== other.length)
    throw new Error('frames to compare differ in number');
  let squares = 0;
  let abs = 0;
  reference.forEach((r, j) => {
    const a = imageAgreement(r, other[j]!);
    squares += a.meanSquare;
    abs += a.meanAbs;
  });
  const psnr = squares > 0 ? Math.min(99, 10 * Math.log10(reference.length / squares)) : 99;
  return {
    psnrDb: Math.round(psnr * 100) / 100,
    meanAbs255: Math.round((255 * abs * 1000) / reference.length) / 1000,
  };
}

/** The quality an int8 generator must keep against float32 to be used (the bar). */
export const INT8_MIN_PSNR_DB = 32;
