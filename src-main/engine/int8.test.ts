/** CPU fast mode on the tiny fixture model: calibration on a job's frames, kept, refused, failing. */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Stage } from '../../src-shared/protocol/engine.js';
import { FIXTURES, job, readFloat32, tempDir, TINY_MODEL } from '../test-support/fixtures.js';
import { animate, calibrationPoses } from './animate.js';
import { ModelSet } from './model-set.js';

function modelCopy(): string {
  const dir = path.join(tempDir(), 'tiny');
  cpSync(TINY_MODEL, dir, { recursive: true });
  return dir;
}

async function fastRender(modelDir: string, int8 = true, int8MinPsnrDb?: number) {
  const out = tempDir();
  const frames: Uint8Array[] = [];
  const stages = new Set<Stage>();
  const result = await animate(
    job({ modelDir, outputPath: path.join(out, 'out.mp4') }, { int8, batchSize: 4 }),
    {
      signal: new AbortController().signal,
      loadModel: (dir, provider, options) => ModelSet.load(dir, provider, 1, { ...options, int8MinPsnrDb }),
      onFrame: (i, rgb) => (frames[i] = rgb),
      onProgress: (stage) => stages.add(stage),
    },
  );
  return { result, frames, stages };
}

function meanAbs(frames: Uint8Array[], reference: Float32Array, size = 64): number {
  const plane = size * size;
  let sum = 0;
  frames.forEach((rgb, n) => {
    for (let i = 0; i < plane; i++)
      for (let c = 0; c < 3; c++)
        sum += Math.abs(rgb[i * 3 + c]! / 255 - reference[n * 3 * plane + c * plane + i]!);
  });
  return sum / (frames.length * 3 * plane);
}

const reportOf = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'generator.int8.calibration.json'), 'utf8')) as {
    psnr_db: number;
    calibration_frames: number;
    ranges: Record<string, [number, number]>;
    seconds: number;
  };
const LABEL = /^cpu, int8 \(int8 \d+\.\d dB against float32 on this job\)$/;

describe('CPU fast mode (int8)', () => {
  it('calibrates on the first fast job, keeps the calibration, and stays close to float32', async () => {
    const dir = modelCopy();
    const first = await fastRender(dir);
    const kept = reportOf(dir);
    expect(kept.calibration_frames).toBe(4);
    expect(kept.psnr_db).toBeGreaterThanOrEqual(32);
    expect(first.result.executionProvider).toMatch(LABEL);
    // The frames are the int8 generator's: close to PyTorch's float32 reference, not equal.
    const reference = readFloat32(path.join(FIXTURES, 'reference-relative.f32'));
    expect(first.frames).toHaveLength(16);
    expect(meanAbs(first.frames, reference)).toBeLessThan(4 / 255);
    const float32 = await fastRender(dir, false);
    expect(float32.result.executionProvider).toBe('cpu');
    expect(meanAbs(first.frames, reference)).toBeGreaterThan(meanAbs(float32.frames, reference));

    // A later fast job loads the kept int8 generator, checks it and does not calibrate again.
    const second = await fastRender(dir);
    expect(second.result.executionProvider).toMatch(LABEL);
    expect(reportOf(dir)).toEqual(kept);
    expect(second.frames).toEqual(first.frames);
  });

  it('calibrates again, keeping the old ranges, when the kept calibration does not hold for a job', async () => {
    const dir = modelCopy();
    await fastRender(dir);
    const kept = reportOf(dir);
    // Squeeze every kept range to almost nothing (and its int8 values with it): the check fails.
    const squeezed = {
      ...kept,
      ranges: Object.fromEntries(Object.keys(kept.ranges).map((t) => [t, [0, 1e-6]])),
    };
    writeFileSync(path.join(dir, 'generator.int8.calibration.json'), JSON.stringify(squeezed));
    await fastRender(dir, true, 200); // refused: recalibrates (from the squeezed ranges) and renders float32
    const refused = await fastRender(dir, true, 200);
    expect(refused.result.executionProvider).toMatch(
      /^cpu \(int8 refused: \d+\.\d dB against float32 on this job, below 200 dB; float32 used\)$/,
    );
    const float32 = await fastRender(dir, false);
    expect(refused.frames).toEqual(float32.frames);
    const again = reportOf(dir);
    expect(again.calibration_frames).toBe(12); // 4, then 4 more by each refused job
    for (const [t, [min, max]] of Object.entries(again.ranges)) {
      expect(min).toBeLessThanOrEqual(Math.min(0, kept.ranges[t]![0]));
      expect(max).toBeGreaterThanOrEqual(kept.ranges[t]![1]);
    }
  });

  it('calibrates again and passes, judged against the float32 frames it checked the kept one with', async () => {
    const dir = modelCopy();
    await fastRender(dir);
    const kept = reportOf(dir);
    // The kept int8 values are torn down to nothing (their ranges stay): the check fails, the job
    // calibrates again, and its check reuses float32's predictions on the check poses.
    const plan = JSON.parse(readFileSync(path.join(dir, 'generator.int8.json'), 'utf8')) as {
      weights: string;
    };
    const weightsFile = path.join(dir, plan.weights);
    writeFileSync(weightsFile, Buffer.alloc(readFileSync(weightsFile).length));
    const again = await fastRender(dir);
    expect(again.result.executionProvider).toMatch(LABEL);
    const report = reportOf(dir);
    expect(report.calibration_frames).toBe(8);
    // The same poses and ranges as the first calibration: the same int8 numbers and check.
    expect(report.ranges).toEqual(kept.ranges);
    expect(report.psnr_db).toBeCloseTo(kept.psnr_db, 3);
  });

  it('renders in float32 and says why when the model folder cannot take the calibration', async () => {
    const dir = modelCopy();
    // A folder where the int8 weights would go: the rename fails, and the folder stays.
    mkdirSync(path.join(dir, 'generator.int8.weights'));
    const { result, frames } = await fastRender(dir);
    expect(result.executionProvider).toMatch(
      /^cpu \(int8: cannot write generator\.int8\.weights in the model folder/,
    );
    expect(frames).toHaveLength(16);
    expect(existsSync(path.join(dir, 'generator.int8.weights'))).toBe(true);
    expect(existsSync(path.join(dir, 'generator.int8.calibration.json'))).toBe(false);
  });

  it('says so for a model without an int8 generator, and calibrates again after a torn file', async () => {
    const plain = modelCopy();
    const manifest = JSON.parse(readFileSync(path.join(plain, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    delete manifest.int8;
    writeFileSync(path.join(plain, 'manifest.json'), JSON.stringify(manifest));
    expect((await fastRender(plain)).result.executionProvider).toBe(
      'cpu (int8: this model has no int8 generator)',
    );

    const torn = modelCopy();
    await fastRender(torn);
    writeFileSync(path.join(torn, 'generator.int8.weights'), 'short');
    const again = await fastRender(torn);
    expect(again.result.executionProvider).toMatch(LABEL);
    expect(reportOf(torn).calibration_frames).toBe(4); // a fresh calibration, not a continued one

    // The right size but not an int8 generator ONNX Runtime can load (the graph file damaged):
    // the model still loads, and the job calibrates again.
    const damaged = modelCopy();
    await fastRender(damaged);
    writeFileSync(path.join(damaged, 'generator.int8.onnx'), 'not a graph');
    const after = await fastRender(damaged);
    expect(after.result.executionProvider).toBe(
      'cpu (int8: cannot load generator.int8.onnx (Protobuf parsing failed.))',
    );
    expect(after.frames).toHaveLength(16);
  });
});

describe('calibration poses', () => {
  const track = Array.from({ length: 60 }, (_, i) => ({ value: Float32Array.of(i), jacobian: null }));
  it('spreads over the clip, checking on poses it does not calibrate on', () => {
    const poses = calibrationPoses(track as never);
    const frames = poses.map((p) => (p as { value: Float32Array }).value[0]);
    expect(frames).toEqual([0, 20, 40, 50, 10, 30]);
  });
  it('repeats poses of a short clip', () => {
    expect(calibrationPoses(track.slice(0, 1) as never)).toHaveLength(6);
  });
});
