/**
 * Kept optimised graphs: a session from the cache computes exactly what a fresh one does; a changed
 * model, a torn entry or an unwritable cache never fails a load; the cache stays bounded.
 */
import { cp, mkdir, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { tempDir, TINY_MODEL } from '../test-support/fixtures.js';
import { ModelSet } from './model-set.js';
import {
  cacheableOptions,
  createSession,
  entryWeights,
  sessionCacheDir,
  sessionCacheEntryName,
  type GraphIdentity,
} from './session-cache.js';

const CPU: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
};

const random = (n: number, seed: number) => {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 0.9);
};

async function keypointsOf(session: ort.InferenceSession): Promise<number[]> {
  const image = new ort.Tensor('float32', random(2 * 3 * 64 * 64, 7), [2, 3, 64, 64]);
  const out = await session.run({ [session.inputNames[0]!]: image });
  return session.outputNames.flatMap((name) => Array.from(out[name]!.data as Float32Array));
}

async function modelCopy(): Promise<string> {
  const dir = path.join(tempDir(), 'model');
  await cp(TINY_MODEL, dir, { recursive: true });
  return dir;
}

const entries = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.onnx')).sort();

describe('the session cache', () => {
  it('stores the optimised graph once, then loads it, with the same outputs to the bit', async () => {
    const model = await modelCopy();
    const cache = path.join(tempDir(), 'sessions');
    const graph = path.join(model, 'kp_detector.onnx');
    const fresh = await ort.InferenceSession.create(graph, CPU);
    const first = await createSession(graph, CPU, cache);
    const second = await createSession(graph, CPU, cache);
    expect([first.cache, second.cache]).toEqual(['stored', 'hit']);
    expect(await entries(cache)).toHaveLength(1);
    const expected = await keypointsOf(fresh);
    expect(await keypointsOf(first.session)).toEqual(expected);
    expect(await keypointsOf(second.session)).toEqual(expected);
  });

  it('gives a whole model set the same frames from kept graphs (the generator reads external weights)', async () => {
    const model = await modelCopy();
    const cache = path.join(tempDir(), 'sessions');
    const [plain, storing] = await Promise.all([
      ModelSet.load(model, 'cpu', 1),
      ModelSet.load(model, 'cpu', 1, { sessionCache: cache }),
    ]);
    const kept = await ModelSet.load(model, 'cpu', 1, { sessionCache: cache });
    expect(plain.sessionCache).toEqual(['off', 'off', 'off']);
    expect(storing.sessionCache).toEqual(['stored', 'stored', 'stored']);
    // The fixture's generator keeps its weights in generator.weights: the kept graph's initializers
    // are in the entry's own weights file beside it, never read from the model folder.
    expect((await stat(path.join(model, 'generator.weights'))).size).toBeGreaterThan(0);
    expect(kept.sessionCache).toEqual(['hit', 'hit', 'hit']);
    const graphs = await entries(cache);
    expect((await readdir(cache)).filter((f) => !f.endsWith('.onnx')).sort()).toEqual(
      graphs.map(entryWeights).sort(),
    );
    for (const graph of graphs)
      expect((await readFile(path.join(cache, graph))).includes('generator.weights')).toBe(false);
    const image = random(3 * 64 * 64, 3);
    const frames = async (models: ModelSet) => {
      const driving = await models.keypoints(random(2 * 3 * 64 * 64, 5), 2);
      const out = await models.generate(await models.encodeSource(image), driving);
      return Array.from(out.prediction);
    };
    const expected = await frames(plain);
    expect(await frames(storing)).toEqual(expected);
    expect(await frames(kept)).toEqual(expected);
  });

  it('misses when the model folder changes, and replaces the old entry', async () => {
    const model = await modelCopy();
    const cache = path.join(tempDir(), 'sessions');
    const graph = path.join(model, 'kp_detector.onnx');
    await createSession(graph, CPU, cache);
    const before = await entries(cache);
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(model, 'generator.weights'), later, later); // a file beside it, rewritten
    const again = await createSession(graph, CPU, cache);
    expect(again.cache).toBe('stored');
    const after = await entries(cache);
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it('makes a torn entry again, and loads without a cache it cannot write', async () => {
    const model = await modelCopy();
    const cache = path.join(tempDir(), 'sessions');
    const graph = path.join(model, 'kp_detector.onnx');
    const expected = await keypointsOf((await createSession(graph, CPU, cache)).session);
    const [entry] = await entries(cache);
    await truncate(path.join(cache, entry!), 100);
    const remade = await createSession(graph, CPU, cache);
    expect(remade.cache).toBe('stored');
    expect(await keypointsOf(remade.session)).toEqual(expected);
    expect((await createSession(graph, CPU, cache)).cache).toBe('hit');
    // Its weights file torn, or gone: made again too.
    await truncate(path.join(cache, entryWeights(entry!)), 100);
    expect((await createSession(graph, CPU, cache)).cache).toBe('stored');
    await rm(path.join(cache, entryWeights(entry!)));
    const again = await createSession(graph, CPU, cache);
    expect(again.cache).toBe('stored');
    expect(await keypointsOf(again.session)).toEqual(expected);
    expect((await readdir(cache)).sort()).toEqual([entry!, entryWeights(entry!)].sort());

    const blocked = path.join(tempDir(), 'a-file');
    await writeFile(blocked, 'not a folder');
    const unwritable = await createSession(graph, CPU, path.join(blocked, 'sessions'));
    expect(unwritable.cache).toBe('off');
    expect(await keypointsOf(unwritable.session)).toEqual(expected);
  });

  it("fails a bad graph with the runtime's own error and keeps nothing of it", async () => {
    const model = await modelCopy();
    const cache = path.join(tempDir(), 'sessions');
    const bad = path.join(model, 'kp_detector.onnx');
    await writeFile(bad, 'not an onnx graph');
    const plainError = await ort.InferenceSession.create(bad, CPU).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(plainError).toBeTruthy();
    await expect(createSession(bad, CPU, cache)).rejects.toThrow(plainError!.split('\n')[0]!);
    expect(await readdir(cache).catch(() => [])).toEqual([]);
  });

  it('keeps only what is worth keeping: the CPU provider, fully optimised', async () => {
    expect(cacheableOptions(CPU)).toBe(true);
    expect(cacheableOptions({})).toBe(true);
    expect(cacheableOptions({ ...CPU, executionProviders: ['webgpu'] })).toBe(false);
    expect(cacheableOptions({ ...CPU, executionProviders: ['webgpu', 'cpu'] })).toBe(false);
    expect(cacheableOptions({ ...CPU, graphOptimizationLevel: 'basic' })).toBe(false);
    const model = await modelCopy();
    const cache = path.join(tempDir(), 'sessions');
    const basic = await createSession(
      path.join(model, 'kp_detector.onnx'),
      { ...CPU, graphOptimizationLevel: 'basic' },
      cache,
    );
    expect(basic.cache).toBe('off');
    expect(await readdir(cache).catch(() => [])).toEqual([]);
  });

  it('names an entry by everything the optimised graph depends on', () => {
    const base: GraphIdentity = {
      graph: '/m/generator.onnx',
      files: [
        { name: 'generator.onnx', size: 10, mtimeMs: 1 },
        { name: 'generator.weights', size: 20, mtimeMs: 2 },
      ],
      runtime: '1.30.0',
      cpu: 'Some CPU',
      platform: 'linux',
      arch: 'x64',
    };
    const name = sessionCacheEntryName(base);
    expect(name.file).toMatch(/^[0-9a-f]{16}-[0-9a-f]{24}\.onnx$/);
    expect(name.file.startsWith(`${name.group}-`)).toBe(true);
    // The files' order does not matter; each fact does.
    expect(sessionCacheEntryName({ ...base, files: [...base.files].reverse() })).toEqual(name);
    for (const changed of [
      { ...base, files: [base.files[0]!, { ...base.files[1]!, mtimeMs: 3 }] },
      { ...base, runtime: '1.31.0' },
      { ...base, cpu: 'Another CPU' },
      { ...base, arch: 'arm64' },
    ]) {
      const other = sessionCacheEntryName(changed);
      expect(other.group).toBe(name.group);
      expect(other.file).not.toBe(name.file);
    }
    expect(sessionCacheEntryName({ ...base, graph: '/m/kp_detector.onnx' }).group).not.toBe(name.group);
  });

  it('lives in the cache folder and can be switched off', () => {
    expect(sessionCacheDir({ MARIONETTE_HOME: '/tmp/m' })).toBe('/tmp/m/cache/sessions');
    expect(sessionCacheDir({ MARIONETTE_HOME: '/tmp/m', MARIONETTE_SESSION_CACHE: 'off' })).toBeNull();
  });

  it('removes the least recently used entries past its size limit', async () => {
    const model = await modelCopy();
    const cache = path.join(tempDir(), 'sessions');
    await mkdir(cache, { recursive: true });
    await createSession(path.join(model, 'source_encoder.onnx'), CPU, cache, 1);
    const [older] = await entries(cache);
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(cache, older!), past, past);
    await createSession(path.join(model, 'kp_detector.onnx'), CPU, cache, 1);
    const left = await entries(cache);
    expect(left).toHaveLength(1);
    expect(left).not.toContain(older);
    expect((await readFile(path.join(cache, left[0]!))).byteLength).toBeGreaterThan(0);
    // The removed entry's weights went with it.
    expect((await readdir(cache)).sort()).toEqual([left[0]!, entryWeights(left[0]!)].sort());
  });
});
