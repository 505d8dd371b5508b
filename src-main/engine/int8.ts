/**
 * CPU fast mode: the generator in int8. A model exported or imported with an int8 plan
 * (models/fomm/int8.py) carries the graph's structure only; its numbers depend on the frames, so
 * the first fast job calibrates it on its own photo and poses and keeps the ranges and the int8
 * values in the model folder. Every fast job then checks int8 against float32 on two of its own
 * poses; when a photo or clip falls outside what was calibrated, the job calibrates again (the kept
 * ranges only grow), and where int8 still loses too much (PSNR below INT8_MIN_PSNR_DB) that job
 * renders in float32 and says so.
 */
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { describeIssues } from '../../src-shared/job.js';
import {
  convBiasOutput,
  convWeightOutput,
  framesAgreement,
  INT8_MIN_PSNR_DB,
  INT8_RANGE_MARGIN,
  int8WeightsFile,
  Int8PlanSchema,
  widenRange,
  type Agreement,
  type Int8Plan,
  type Range,
} from '../../src-shared/int8/quantize.js';

export class Int8Error extends Error {
  override name = 'Int8Error';
}

const CalibrationReportSchema = z.object({
  format: z.literal('marionette-int8-calibration/2'),
  /** Every tensor's range over every calibration so far (before the margin). */
  ranges: z.record(z.string(), z.tuple([z.number(), z.number()])),
  margin: z.number().positive(),
  /** The last calibration's check. */
  psnr_db: z.number(),
  mean_abs_255: z.number(),
  /** Frames calibrated on, over every calibration. */
  calibration_frames: z.number().int().positive(),
  seconds: z.number(),
  /** Bytes of the int8 weights file it wrote (a torn or foreign file means calibrating again). */
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
    const size = (await stat(path.join(dir, plan.weights))).size;
    return size === report.weights_bytes && size === weightsBytes(plan) ? report : null;
  } catch {
    return null;
  }
}

/** What the label says of a job's int8 check. */
export function describeAgreement(agreement: Agreement, minPsnrDb = INT8_MIN_PSNR_DB): string {
  const quality = `${agreement.psnrDb.toFixed(1)} dB against float32 on this job`;
  return agreement.psnrDb >= minPsnrDb
    ? `int8 ${quality}`
    : `int8 refused: ${quality}, below ${minPsnrDb} dB; float32 used`;
}

/** Predictions of `session` on `feeds` (one frame each). */
export async function predictions(
  session: ort.InferenceSession,
  feeds: readonly Record<string, ort.Tensor>[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const feed of feeds) {
    if (signal?.aborted) throw new Int8Error('calibration was cancelled');
    out.push((await session.run(feed, ['prediction'])).prediction!.data as Float32Array);
  }
  return out;
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

/** A graph of the plan as a session; a file ONNX Runtime refuses is an Int8Error (float32 goes on). */
async function openSession(
  dir: string,
  file: string,
  options: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path.join(dir, file), options);
  } catch (err) {
    const line = (err as Error).message.split('\n')[0] ?? '';
    throw new Int8Error(`cannot load ${file} (${line.replace(/^.*failed:\s*/, '')})`);
  }
}

export interface CalibrationInput {
  /** Generator feeds (one frame each): the first ones calibrate, the last `check` ones judge. */
  feeds: Record<string, ort.Tensor>[];
  check: number;
  /** The calibration kept so far: its ranges are kept too (they only grow). */
  previous: CalibrationReport | null;
  /** float32's predictions on the check feeds when the caller has them already (not computed again). */
  reference?: Float32Array[];
  options: ort.InferenceSession.SessionOptions;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/**
 * Calibrates, writes the int8 values and the report, and returns the int8 session with how it
 * compares with float32 on the check frames (the caller decides whether that is good enough).
 */
export async function calibrateInt8(
  dir: string,
  plan: Int8Plan,
  { feeds, check, previous, reference: known, options, signal, onProgress }: CalibrationInput,
): Promise<{ session: ort.InferenceSession; report: CalibrationReport; agreement: Agreement }> {
  const calibrating = feeds.length - check;
  if (calibrating < 1 || check < 1) throw new Int8Error('calibration needs frames to calibrate and to check');
  if (known && known.length !== check) throw new Int8Error('calibration: one reference per check frame');
  const started = performance.now();
  const ranges = new Map<string, Range>(
    Object.entries(previous?.ranges ?? {}).map(([name, [min, max]]) => [name, { min, max }]),
  );
  const weights: Float32Array[] = [];
  const biases: (Float32Array | null)[] = [];
  const reference: Float32Array[] = known ? [...known] : [];
  const running = known ? feeds.slice(0, calibrating) : feeds;
  const total = running.length + check;
  const session = await openSession(dir, plan.calibration_graph, options);
  try {
    for (const [k, feed] of running.entries()) {
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
      onProgress?.(k + 1, total);
    }
  } finally {
    await session.release();
  }
  let file: Uint8Array;
  try {
    file = int8WeightsFile(plan, { ranges, weights, biases, margin: INT8_RANGE_MARGIN });
  } catch (err) {
    throw new Int8Error(`cannot quantize: ${(err as Error).message}`);
  }
  await writeAtomically(path.join(dir, plan.weights), file);
  const int8 = await openSession(dir, plan.graph, options);
  let agreement: Agreement;
  try {
    agreement = framesAgreement(reference, await predictions(int8, feeds.slice(calibrating), signal));
    onProgress?.(total, total);
    const report: CalibrationReport = {
      format: 'marionette-int8-calibration/2',
      ranges: Object.fromEntries([...ranges].map(([name, r]) => [name, [r.min, r.max]])),
      margin: INT8_RANGE_MARGIN,
      psnr_db: agreement.psnrDb,
      mean_abs_255: agreement.meanAbs255,
      calibration_frames: (previous?.calibration_frames ?? 0) + calibrating,
      seconds: Math.round(performance.now() - started) / 1000,
      weights_bytes: file.byteLength,
    };
    await writeAtomically(path.join(dir, reportFile(plan)), `${JSON.stringify(report, null, 2)}\n`);
    return { session: int8, report, agreement };
  } catch (err) {
    await int8.release();
    throw err;
  }
}
