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

async function fastRender(modelDir: string, int8 = true) {
  const out = tempDir();
  const frames: Uint8Array[] = [];
  const stages = new Set<Stage>();
  const result = await animate(
    job({ modelDir, outputPath: path.join(out, 'out.mp4') }, { int8, batchSize: 4 }),
    {
      signal: new AbortController().signal,
      loadModel: (dir, provider, options) => ModelSet.load(dir, provider, 1, options),
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

const report = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'generator.int8.calibration.json'), 'utf8')) as {
    accepted: boolean;
    psnr_db: number;
    calibration_frames: number;
    check_frames: number;
  };

describe('CPU fast mode (int8)', () => {
  it('calibrates on the first fast job, keeps the calibration, and stays close to float32', async () => {
    const dir = modelCopy();
    const first = await fastRender(dir);
    expect(first.stages.has('calibrate')).toBe(true);
    const kept = report(dir);
    expect(kept).toMatchObject({ accepted: true, calibration_frames: 4, check_frames: 2 });
    expect(kept.psnr_db).toBeGreaterThanOrEqual(32);
    expect(first.result.executionProvider).toMatch(/^cpu, int8 \(int8 \d+\.\d dB against float32\)$/);
    // The frames are the int8 generator's: close to PyTorch's float32 reference, not equal.
    const reference = readFloat32(path.join(FIXTURES, 'reference-relative.f32'));
    expect(first.frames).toHaveLength(16);
    expect(meanAbs(first.frames, reference)).toBeLessThan(4 / 255);
    const float32 = await fastRender(dir, false);
    expect(float32.result.executionProvider).toBe('cpu');
    expect(meanAbs(first.frames, reference)).toBeGreaterThan(meanAbs(float32.frames, reference));

    // A later fast job loads the int8 generator straight away.
    const second = await fastRender(dir);
    expect(second.stages.has('calibrate')).toBe(false);
    expect(second.result.executionProvider).toBe(first.result.executionProvider);
    expect(second.frames).toEqual(first.frames);
  });

  it('keeps float32, and says why, when the kept calibration was refused', async () => {
    const dir = modelCopy();
    writeFileSync(
      path.join(dir, 'generator.int8.calibration.json'),
      JSON.stringify({
        format: 'marionette-int8-calibration/1',
        accepted: false,
        psnr_db: 27.5,
        mean_abs_255: 6,
        calibration_frames: 4,
        check_frames: 2,
        seconds: 1,
        weights_bytes: 10,
      }),
    );
    const { result, stages } = await fastRender(dir);
    expect(stages.has('calibrate')).toBe(false);
    expect(result.executionProvider).toBe(
      'cpu (int8 refused: 27.5 dB against float32, below 32 dB; float32 kept)',
    );
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

  it('says so for a model without an int8 generator, and for a torn calibration recalibrates', async () => {
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
    expect(again.stages.has('calibrate')).toBe(true);
    expect(again.result.executionProvider).toMatch(/^cpu, int8/);
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
