/**
 * The GPU path for real, on whatever Vulkan the machine has (in CI: Mesa's software lavapipe from
 * bookworm-backports, installed by scripts/setup.sh): the same graphs, the same frames.
 */
import { execFileSync } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRIVING, job, SOURCE, tempDir, TINY_MODEL } from '../test-support/fixtures.js';
import { decodeFrames, decodeSingleFrame } from '../media/frame-source.js';
import { animate } from './animate.js';
import { ModelSet } from './model-set.js';
import { findGpu, providerLabel } from './providers.js';
import { rgbToChw } from './tensors.js';

const gpu = findGpu();
const signal = new AbortController().signal;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

async function frames(count: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for await (const rgb of decodeFrames(
    { input: DRIVING, width: 64, height: 64, crop: null },
    'driving',
    signal,
  )) {
    const chw = new Float32Array(3 * 64 * 64);
    rgbToChw(rgb, 64, 64, chw);
    out.push(chw);
    if (out.length === count) break;
  }
  return out;
}

describe.skipIf(!gpu)(
  `WebGPU (${gpu?.name ?? 'no Vulkan adapter on this machine: install mesa-vulkan-drivers'})`,
  () => {
    it('runs every graph of the model and matches the CPU within 1e-4', async () => {
      // `webgpu` brings the encoder's output back to compare it; `resident` keeps it on the GPU
      // and feeds it to the generator from there, as renders do.
      const [cpu, webgpu, resident] = await Promise.all([
        ModelSet.load(TINY_MODEL, 'cpu'),
        ModelSet.load(TINY_MODEL, 'webgpu', undefined, { keepFeaturesOnDevice: false, gpuFloat16: false }),
        ModelSet.load(TINY_MODEL, 'webgpu', undefined, { gpuFloat16: false }),
      ]);
      expect(webgpu.executionProvider).toBe(providerLabel('webgpu', gpu, []));
      expect([cpu.featuresOnDevice, webgpu.featuresOnDevice, resident.featuresOnDevice]).toEqual([
        false,
        false,
        true,
      ]);
      const source = new Float32Array(3 * 64 * 64);
      rgbToChw(
        await decodeSingleFrame({ input: SOURCE, width: 64, height: 64, crop: null }, 's', signal),
        64,
        64,
        source,
      );
      const [a, b, c] = await Promise.all([
        cpu.encodeSource(source),
        webgpu.encodeSource(source),
        resident.encodeSource(source),
      ]);
      expect(c.features.location).toBe('gpu-buffer');
      expect(maxDiff(a.kp.value, b.kp.value)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(a.kp.jacobian, b.kp.jacobian)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(ModelSet.featureValues(a), ModelSet.featureValues(b))).toBeLessThanOrEqual(1e-4);
      expect(() => ModelSet.featureValues(c)).toThrow(/stay on the GPU/);
      const driving = await frames(3);
      const packed = Float32Array.from(driving.flatMap((f) => [...f]));
      const [kpA, kpB] = await Promise.all([cpu.keypoints(packed, 3), webgpu.keypoints(packed, 3)]);
      for (let i = 0; i < 3; i++) expect(maxDiff(kpA[i]!.value, kpB[i]!.value)).toBeLessThanOrEqual(1e-4);
      const want = await cpu.generate(a, kpA);
      for (const got of [await webgpu.generate(b, kpA), await resident.generate(c, kpA)])
        for (const key of ['prediction', 'occlusionMap', 'deformation'] as const)
          expect(maxDiff(want[key], got[key]), key).toBeLessThanOrEqual(1e-4);
      resident.releaseSource(c);
      await Promise.all([cpu.release(), webgpu.release(), resident.release()]);
    }, 120_000);

    const render = async (provider: 'cpu' | 'webgpu', gpuFloat16 = false) => {
      const out: Uint8Array[] = [];
      const result = await animate(
        job(
          { outputPath: path.join(tempDir(), 'out.mp4'), trimOut: 0.2 },
          { executionProvider: provider, gpuFloat16 },
        ),
        {
          signal,
          loadModel: (dir, p, o) => ModelSet.load(dir, p, undefined, o),
          onFrame: (i, rgb) => (out[i] = rgb),
        },
      );
      return { out, provider: result.executionProvider };
    };

    it("renders a job with the CPU job's frames, within 1/255", async () => {
      const [cpu, webgpu] = [await render('cpu'), await render('webgpu')];
      expect(webgpu.provider).toBe(providerLabel('webgpu', gpu, []));
      expect(webgpu.out.length).toBe(cpu.out.length);
      for (let i = 0; i < cpu.out.length; i++)
        expect(maxDiff(cpu.out[i]!, webgpu.out[i]!)).toBeLessThanOrEqual(1);
    }, 180_000);

    it("renders with the model's float16 graphs within 2/255 of the CPU's frames on average", async () => {
      const [cpu, half] = [await render('cpu', true), await render('webgpu', true)];
      // The CPU ignores the float16 graphs; the GPU runs them and says so.
      expect(cpu.provider).toBe('cpu');
      expect(half.provider).toBe(providerLabel('webgpu', gpu, [], 'float16'));
      expect(half.out.length).toBe(cpu.out.length);
      let total = 0;
      let count = 0;
      let differs = false;
      for (let i = 0; i < cpu.out.length; i++)
        for (let j = 0; j < cpu.out[i]!.length; j++) {
          const d = Math.abs(cpu.out[i]![j]! - half.out[i]![j]!);
          total += d;
          count += 1;
          differs ||= d > 0;
        }
      expect(total / count).toBeLessThanOrEqual(2);
      expect(differs).toBe(true); // float16 rounding shows somewhere: these are other graphs
    }, 180_000);
  },
);

describe.skipIf(!gpu)('float16 graphs that fail', () => {
  it('fall back to the float32 graphs on the same GPU and say why', async () => {
    const dir = path.join(tempDir(), 'broken-half');
    await cp(TINY_MODEL, dir, { recursive: true });
    await writeFile(path.join(dir, 'generator.fp16.onnx'), 'not a graph');
    const models = await ModelSet.load(dir, 'webgpu');
    expect(models.precision).toBe('float32');
    expect(models.executionProvider).toMatch(/^webgpu: .* \(webgpu float16: .+\)$/);
    await models.release();
  }, 60_000);
});

describe('no GPU adapter', () => {
  const keypoints = (provider: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ['dist/cli.mjs', 'keypoints', '-i', SOURCE, '--model', TINY_MODEL, '--provider', provider],
        {
          env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
        },
      ).toString(),
    ) as { provider: string };
  it('auto runs on the CPU and says why; webgpu asked for falls back to the CPU and says so', () => {
    expect(keypoints('auto').provider).toBe('cpu (webgpu: no GPU adapter found)');
    expect(keypoints('webgpu').provider).toBe('cpu (webgpu: no GPU adapter found)');
  }, 60_000);
});
