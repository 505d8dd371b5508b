/**
 * `gpu-bench`: the engine's inference stages alone (keypoint detector, source encoder, generator)
 * on one execution provider, with no media tools: frames are random, so it runs on a bare machine
 * that has only Node and onnxruntime-node (scripts/gpu-check). Prints a table and one JSON line.
 *
 *   node dist/gpu-bench.mjs --model DIR [--provider webgpu] [--frames 120] [--batches 1,4,8] [--gpu-float32]
 *
 * On a GPU it runs the model's float16 graphs where it has them, unless --gpu-float32; the
 * provider line says which ("webgpu: NVIDIA, float16").
 */
import { parseArgs } from 'node:util';
import { ModelSet, type LoadOptions } from '../engine/model-set.js';
import { executionProvider } from './options.js';
import { markdownTable } from './table.js';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';

export interface StageReport {
  provider: string;
  resolution: readonly number[];
  loadMs: number;
  sourceMs: number;
  batches: { batch: number; frames: number; keypointsMs: number; generatorMs: number; fps: number }[];
}

function randomImages(count: number, pixels: number, seed: number): Float32Array {
  const out = new Float32Array(count * 3 * pixels);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    // xorshift: cheap, repeatable noise (the cost does not depend on the pixels)
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = (state >>> 0) / 4294967296;
  }
  return out;
}

export async function stageBench(
  modelDir: string,
  provider: Parameters<typeof ModelSet.load>[1],
  frames: number,
  batches: number[],
  options: LoadOptions = {},
): Promise<StageReport> {
  let mark = performance.now();
  const models = await ModelSet.load(modelDir, provider, undefined, options);
  const loadMs = performance.now() - mark;
  try {
    const { width, height } = models.size;
    const pixels = width * height;
    mark = performance.now();
    const source = await models.encodeSource(randomImages(1, pixels, 7));
    const sourceMs = performance.now() - mark;
    const rows: StageReport['batches'] = [];
    for (const batch of batches) {
      const images = randomImages(batch, pixels, batch);
      // Warm-up: the first run of a shape compiles kernels on a GPU.
      const warm = await models.keypoints(images, batch);
      await models.generate(source, warm);
      let keypointsMs = 0;
      let generatorMs = 0;
      let done = 0;
      while (done < frames) {
        mark = performance.now();
        const kp: Keypoints[] = await models.keypoints(images, batch);
        keypointsMs += performance.now() - mark;
        mark = performance.now();
        await models.generate(source, kp);
        generatorMs += performance.now() - mark;
        done += batch;
      }
      rows.push({
        batch,
        frames: done,
        keypointsMs: keypointsMs / done,
        generatorMs: generatorMs / done,
        fps: (1000 * done) / (keypointsMs + generatorMs),
      });
    }
    return {
      provider: models.executionProvider,
      resolution: [height, width],
      loadMs,
      sourceMs,
      batches: rows,
    };
  } finally {
    await models.release();
  }
}

export function stageTable(report: StageReport): string {
  return [
    `provider: ${report.provider}; ${report.resolution.join('x')}; model load ${report.loadMs.toFixed(0)} ms; source encoding ${report.sourceMs.toFixed(1)} ms`,
    markdownTable(
      ['batch', 'frames', 'keypoints ms/f', 'generator ms/f', 'inference fps'],
      report.batches.map((r) => [
        String(r.batch),
        String(r.frames),
        r.keypointsMs.toFixed(2),
        r.generatorMs.toFixed(2),
        r.fps.toFixed(1),
      ]),
    ),
  ].join('\n');
}

export async function stageBenchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      provider: { type: 'string' },
      frames: { type: 'string' },
      batches: { type: 'string' },
      'gpu-float32': { type: 'boolean' },
    },
  });
  if (!values.model) throw new Error('--model DIR is required');
  const provider = executionProvider(values.provider) ?? 'webgpu';
  const batches = (values.batches ?? '1,4,8').split(',').map(Number);
  if (batches.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('--batches: whole numbers ≥ 1');
  const report = await stageBench(values.model, provider, Number(values.frames ?? 120), batches, {
    gpuFloat16: !values['gpu-float32'],
  });
  console.log(stageTable(report));
  console.log(JSON.stringify(report));
}
