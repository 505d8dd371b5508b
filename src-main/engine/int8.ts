/**
 * CPU fast mode: the generator in int8. A model exported or imported with an int8 plan
 * (models/fomm/int8.py) carries the graph's structure only; its numbers depend on the frames, so the
 * first fast job calibrates it on that job's own photo and driving poses, checks it against float32
 * on poses it did not calibrate on, and keeps the result in the model folder for later jobs. A
 * model whose int8 generator loses too much (PSNR below INT8_MIN_PSNR_DB) keeps float32, and says so.
 */
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { describeIssues } from '../../src-shared/job.js';
import {
  convBiasOutput,
  convWeightOutput,
  imageAgreement,
  INT8_MIN_PSNR_DB,
  int8WeightsFile,
  Int8PlanSchema,
  widenRange,
  type Int8Plan,
  type Range,
} from '../../src-shared/int8/quantize.js';

export class Int8Error extends Error {
  override name = 'Int8Error';
}

const CalibrationReportSchema = z.object({
  format: z.literal('marionette-int8-calibration/1'),
  accepted: z.boolean(),
  psnr_db: z.number(),
  mean_abs_255: z.number(),
  calibration_frames: z.number().int().positive(),
  check_frames: z.number().int().positive(),
  seconds: z.number(),
  /** Bytes of the int8 weights file it wrote (a torn or foreign file is recalibrated). */
  weights_bytes: z.number().int().nonnegative(),
});
export type CalibrationReport = z.infer<typeof CalibrationReportSchema>;

export async function readInt8Plan(dir: string, file: string): Promise<Int8Plan> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
  } catch (err) {
    throw new Int8Error(`${file}: cannot read (${(err as Error).message})`);
  }
  const parsed = Int8PlanSchema.safeParse(json);
  if (!parsed.success) throw new Int8Error(`${file}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

const reportFile = (plan: Int8Plan) => `${plan.graph.replace(/\.onnx$/, '')}.calibration.json`;
const weightsBytes = (plan: Int8Plan) => plan.slots.reduce((n, s) => Math.max(n, s.offset + s.length), 0);

/** The calibration kept in the model folder, or null when there is none (or it is incomplete). */
export async function readCalibration(dir: string, plan: Int8Plan): Promise<CalibrationReport | null> {
  try {
    const report = CalibrationReportSchema.parse(
      JSON.parse(await readFile(path.join(dir, reportFile(plan)), 'utf8')),
    );
    if (!report.accepted) return report;
    const size = (await stat(path.join(dir, plan.weights))).size;
    return size === report.weights_bytes && size === weightsBytes(plan) ? report : null;
  } catch {
    return null;
  }
}

/** What the label says of a calibration. */
export function describeCalibration(report: CalibrationReport): string {
  const quality = `${report.psnr_db.toFixed(1)} dB against float32`;
  return report.accepted
    ? `int8 ${quality}`
    : `int8 refused: ${quality}, below ${INT8_MIN_PSNR_DB} dB; float32 kept`;
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await writeFile(partial, data);
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw new Int8Error(
      `cannot write ${path.basename(file)} in the model folder (${(err as Error).message})`,
    );
  }
}

export interface CalibrationInput {
  /** Generator feeds (one frame each): the first ones calibrate, the last `check` ones judge. */
  feeds: Record<string, ort.Tensor>[];
  check: number;
  options: ort.InferenceSession.SessionOptions;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/**
 * Calibrates, writes the int8 values and the report, and returns the int8 session when the check
 * passed (null when it did not: the report says why).
 */
export async function calibrateInt8(
  dir: string,
  plan: Int8Plan,
  { feeds, check, options, signal, onProgress }: CalibrationInput,
): Promise<{ session: ort.InferenceSession | null; report: CalibrationReport }> {
  const calibrating = feeds.length - check;
  if (calibrating < 1 || check < 1) throw new Int8Error('calibration needs frames to calibrate and to check');
  const started = performance.now();
  const ranges = new Map<string, Range>();
  const weights: Float32Array[] = [];
  const biases: (Float32Array | null)[] = [];
  const reference: Float32Array[] = [];
  const session = await ort.InferenceSession.create(path.join(dir, plan.calibration_graph), options);
  try {
    for (const [k, feed] of feeds.entries()) {
      if (signal?.aborted) throw new Int8Error('calibration was cancelled');
      const fetches = new Set(['prediction', ...(k < calibrating ? plan.tensors : [])]);
      if (k === 0)
        plan.convs.forEach((conv, i) => {
          fetches.add(convWeightOutput(i));
          if (conv.bias) fetches.add(convBiasOutput(i));
        });
      const out = await session.run(feed, [...fetches]);
      const values = (name: string) => {
        const tensor = out[name];
        if (!tensor || tensor.type !== 'float32')
          throw new Int8Error(`calibration graph: no float output ${name}`);
        return tensor.data as Float32Array;
      };
      if (k < calibrating) for (const t of plan.tensors) ranges.set(t, widenRange(ranges.get(t), values(t)));
      else reference.push(values('prediction'));
      if (k === 0)
        plan.convs.forEach((conv, i) => {
          weights.push(values(convWeightOutput(i)));
          biases.push(conv.bias ? values(convBiasOutput(i)) : null);
        });
      onProgress?.(k + 1, feeds.length + check);
    }
  } finally {
    await session.release();
  }
  let file: Uint8Array;
  try {
    file = int8WeightsFile(plan, { ranges, weights, biases });
  } catch (err) {
    throw new Int8Error(`cannot quantize: ${(err as Error).message}`);
  }
  await writeAtomically(path.join(dir, plan.weights), file);
  const int8 = await ort.InferenceSession.create(path.join(dir, plan.graph), options);
  let squares = 0;
  let abs = 0;
  try {
    for (const [j, feed] of feeds.slice(calibrating).entries()) {
      if (signal?.aborted) throw new Int8Error('calibration was cancelled');
      const out = await int8.run(feed, ['prediction']);
      const agreement = imageAgreement(reference[j]!, out.prediction!.data as Float32Array);
      squares += 10 ** (-agreement.psnrDb / 10);
      abs += agreement.meanAbs;
      onProgress?.(feeds.length + j + 1, feeds.length + check);
    }
  } catch (err) {
    await int8.release();
    throw err;
  }
  const psnr = squares > 0 ? Math.min(99, 10 * Math.log10(check / squares)) : 99;
  const report: CalibrationReport = {
    format: 'marionette-int8-calibration/1',
    accepted: psnr >= INT8_MIN_PSNR_DB,
    psnr_db: Math.round(psnr * 100) / 100,
    mean_abs_255: Math.round((255 * abs * 1000) / check) / 1000,
    calibration_frames: calibrating,
    check_frames: check,
    seconds: Math.round(performance.now() - started) / 1000,
    weights_bytes: file.byteLength,
  };
  await writeAtomically(path.join(dir, reportFile(plan)), `${JSON.stringify(report, null, 2)}\n`);
  if (report.accepted) return { session: int8, report };
  await int8.release();
  return { session: null, report };
}
