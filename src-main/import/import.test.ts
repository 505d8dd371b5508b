/** Importing checkpoints written by models/ (both torch formats), and refusing bad ones. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CorruptPickleError, UnsafePickleError, unpickle } from '../../src-shared/checkpoint/pickle.js';
import { makeKeypoints } from '../../src-shared/motion/keypoints.js';
import { ModelSet } from '../engine/model-set.js';
import { FIXTURES, readFloat32, tempDir } from '../test-support/fixtures.js';
import { importCheckpoint, ImportError, type ImportOptions } from './import-checkpoint.js';
import { memorySource, readCheckpoint } from './torch-checkpoint.js';

const TEMPLATES = path.join(FIXTURES, 'templates');
const input = (name: string) => readFloat32(path.join(FIXTURES, 'import', `${name}.f32`));

async function importInto(file: string, extra: Partial<ImportOptions> = {}) {
  const modelsDir = tempDir('marionette-models-');
  return {
    modelsDir,
    result: await importCheckpoint(file, {
      templatesDir: TEMPLATES,
      modelsDir,
      name: 'tiny import',
      ...extra,
    }),
  };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe.each(['legacy', 'zip'])('a %s-format checkpoint in the full published layout', (format) => {
  const file = path.join(FIXTURES, `tiny-${format}.pth.tar`);

  it('reads generator, kp_detector, discriminator, optimizer states and epoch', async () => {
    const checkpoint = await readCheckpoint(memorySource(readFileSync(file)));
    expect(checkpoint.format).toBe(format);
    const root = checkpoint.root as Map<string, unknown>;
    expect([...root.keys()].sort()).toEqual([
      'discriminator',
      'epoch',
      'generator',
      'kp_detector',
      'optimizer_discriminator',
      'optimizer_generator',
      'optimizer_kp_detector',
    ]);
    expect(root.get('epoch')).toBe(3);
  });

  it('imports and animates with outputs equal to PyTorch within 1e-4', async () => {
    const { result } = await importInto(file);
    expect(result).toMatchObject({ id: `tiny-${format}`, format, architecture: 'tiny-64 (test)' });
    const models = await ModelSet.load(result.dir, 'cpu');
    const source = input('source');
    const driving = input('driving');
    const kpS = (await models.keypoints(source, 1))[0]!;
    const kpD = (await models.keypoints(driving, 1))[0]!;
    expect(maxAbsDiff(kpS.value, input('kp_source_value'))).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(kpD.jacobian, input('kp_driving_jacobian'))).toBeLessThanOrEqual(1e-4);
    const encoded = await models.encodeSource(source);
    const out = await models.generate(
      encoded,
      [makeKeypoints(5, input('kp_driving_value'), input('kp_driving_jacobian'))],
      makeKeypoints(5, input('kp_source_value'), input('kp_source_jacobian')),
    );
    expect(maxAbsDiff(out.prediction, input('prediction'))).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(out.occlusionMap, input('occlusion_map'))).toBeLessThanOrEqual(1e-4);
    await models.release();
  });

  it('carries the int8 generator for CPU fast mode, which calibrates on the imported weights', async () => {
    const { result } = await importInto(file);
    const manifest = JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8')) as {
      int8?: string;
    };
    expect(manifest.int8).toBe('generator.int8.json');
    const models = await ModelSet.load(result.dir, 'cpu', 1, { int8: true });
    expect(models.int8Available).toBe(true);
    const source = await models.encodeSource(input('source'));
    const pose = makeKeypoints(5, input('kp_driving_value'), input('kp_driving_jacobian'));
    const poses = [0.9, 0.95, 1, 1.05, 1.1, 1].map((k) =>
      makeKeypoints(
        5,
        Float32Array.from(pose.value, (v) => v * k),
        pose.jacobian,
      ),
    );
    await models.prepareInt8(source, poses, 2);
    expect(models.executionProvider).toMatch(/^cpu, int8 \(int8 \d+\.\d dB against float32 on this job\)$/);
    const fast = await models.generate(source, [pose]);
    expect(maxAbsDiff(fast.prediction, input('prediction'))).toBeLessThan(0.1);
    expect(maxAbsDiff(fast.prediction, input('prediction'))).toBeGreaterThan(0);
    expect(statSync(path.join(result.dir, 'generator.int8.weights')).size).toBeGreaterThan(0);
    await models.release();
  });

  it("also writes the float16 GPU graphs, whose outputs are PyTorch's within float16 precision", async () => {
    const { result } = await importInto(file);
    const manifest = JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8')) as {
      gpu_float16?: Record<string, { file: string }>;
    };
    expect(manifest.gpu_float16?.generator?.file).toBe('generator.fp16.onnx');
    const size = (f: string) => statSync(path.join(result.dir, f)).size;
    expect(size('generator.fp16.weights')).toBeLessThan(0.55 * size('generator.weights'));
    // ONNX Runtime's CPU provider runs float16 graphs too (the app only uses them on a GPU).
    const run = async (file: string, feeds: Record<string, ort.Tensor>) => {
      const session = await ort.InferenceSession.create(path.join(result.dir, file));
      try {
        return await session.run(feeds);
      } finally {
        await session.release();
      }
    };
    const tensor = (name: string, dims: number[]) => new ort.Tensor('float32', input(name), dims);
    const source = tensor('source', [1, 3, 64, 64]);
    const { source_features: features } = await run('source_encoder.fp16.onnx', { source });
    const out = await run('generator.fp16.onnx', {
      source,
      source_features: features!,
      kp_source_value: tensor('kp_source_value', [1, 5, 2]),
      kp_source_jacobian: tensor('kp_source_jacobian', [1, 5, 2, 2]),
      kp_driving_value: tensor('kp_driving_value', [1, 5, 2]),
      kp_driving_jacobian: tensor('kp_driving_jacobian', [1, 5, 2, 2]),
    });
    const prediction = out.prediction!.data as Float32Array;
    const diff = maxAbsDiff(prediction, input('prediction'));
    expect(diff).toBeLessThanOrEqual(2e-2);
    expect(diff).toBeGreaterThan(0); // float16 rounding shows: these are other graphs
  });
});

function pickle(...parts: Array<number[] | string>): Uint8Array {
  const bytes: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') bytes.push(...new TextEncoder().encode(part));
    else bytes.push(...part);
  }
  return Uint8Array.from(bytes);
}

describe('the pickle reader refuses code and survives damage', () => {
  it('refuses a GLOBAL naming os.system, and REDUCE calling it', () => {
    const evil = pickle([0x80, 2], 'cos\nsystem\n', [0x58, 2, 0, 0, 0], 'id', [0x85, 0x52, 0x2e]);
    expect(() => unpickle(evil)).toThrow(UnsafePickleError);
    expect(() => unpickle(evil)).toThrow(/this file contains code \(GLOBAL os\.system\), refusing/);
  });
  it('refuses builtins.eval via STACK_GLOBAL', () => {
    const evil = pickle(
      [0x80, 4, 0x8c, 8],
      'builtins',
      [0x8c, 4],
      'eval',
      [0x93, 0x8c, 1],
      '1',
      [0x85, 0x52, 0x2e],
    );
    expect(() => unpickle(evil)).toThrow(/GLOBAL builtins\.eval/);
  });
  it('refuses object-building opcodes (INST, OBJ, NEWOBJ)', () => {
    expect(() => unpickle(pickle([0x80, 2, 0x28, 0x6f, 0x2e]))).toThrow(UnsafePickleError);
    expect(() => unpickle(pickle([0x80, 2, 0x81, 0x2e]))).toThrow(UnsafePickleError);
  });
  it('refuses calling an allowed global with arguments it does not take', () => {
    const odict = pickle([0x80, 2], 'ccollections\nOrderedDict\n', [0x4b, 1, 0x85, 0x52, 0x2e]);
    expect(() => unpickle(odict)).toThrow(UnsafePickleError);
  });
  it('reports truncation and a lying string length without allocating', () => {
    expect(() => unpickle(pickle([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f], 'abc'))).toThrow(
      CorruptPickleError,
    );
    expect(() => unpickle(pickle([0x80, 2, 0x7d]))).toThrow(/truncated/);
  });

  it('rejects a storage that claims more elements than the file holds', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'tiny-legacy.pth.tar')));
    const checkpoint = await readCheckpoint(memorySource(bytes));
    const [key, where] = [...checkpoint.storages.entries()][0]!;
    // Overwrite that storage's int64 element count with an absurd number.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(where.offset - 8, 0xffffffff, true);
    view.setUint32(where.offset - 4, 0x000fffff, true);
    await expect(readCheckpoint(memorySource(bytes))).rejects.toThrow(
      new RegExp(`storage ${key} holds \\d+ elements|runs past the end`),
    );
  });

  it('gives a clear message for a truncated file, a non-checkpoint and a wrong architecture', async () => {
    const dir = tempDir();
    const whole = readFileSync(path.join(FIXTURES, 'tiny-legacy.pth.tar'));
    const truncated = path.join(dir, 'truncated.pth.tar');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(importInto(truncated)).rejects.toThrow(/truncated/);
    const text = path.join(dir, 'notes.pth.tar');
    writeFileSync(text, 'just some text that is long enough');
    await expect(importInto(text)).rejects.toThrow(/not a torch checkpoint/);
    await expect(
      importCheckpoint(path.join(FIXTURES, 'tiny-zip.pth.tar'), {
        templatesDir: path.resolve('models/templates'),
        modelsDir: tempDir(),
      }),
    ).rejects.toThrow(
      /^This checkpoint's networks differ from \S+, the closest .*keypoints where .* Details: not a supported FOMM architecture; closest is .*: kp_detector\..* has shape/,
    );
    await expect(importInto(path.join(dir, 'missing.pth.tar'))).rejects.toThrow(/file not found/);
    // What users do to a ".pth.tar": extract it, or pack it into a real tar.
    const extracted = path.join(dir, 'vox-cpk.pth');
    mkdirSync(path.join(extracted, 'archive'), { recursive: true });
    writeFileSync(path.join(extracted, 'archive', 'data.pkl'), whole.subarray(0, 64));
    await expect(importInto(extracted)).rejects.toThrow(
      /vox-cpk\.pth is an extracted torch checkpoint: import the original \.pth\.tar file as it is/,
    );
    await expect(importInto(dir)).rejects.toThrow(/is a folder: choose the checkpoint file itself/);
    const tarred = path.join(dir, 'packed.tar');
    execFileSync('tar', ['cf', tarred, '-C', FIXTURES, 'tiny-legacy.pth.tar']);
    await expect(importInto(tarred)).rejects.toThrow(/this is a tar archive, not a torch checkpoint/);
  });

  it('reports progress tensor by tensor, and a cancelled import leaves nothing behind', async () => {
    const seen: Array<[number, number]> = [];
    const { result } = await importInto(path.join(FIXTURES, 'tiny-legacy.pth.tar'), {
      onProgress: (done, total) => seen.push([done, total]),
    });
    const total = seen[0]![1];
    expect(total).toBeGreaterThan(10);
    expect(seen.map(([done]) => done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(result.id).toBeTruthy();

    const modelsDir = tempDir();
    const controller = new AbortController();
    const cancelled = importCheckpoint(path.join(FIXTURES, 'tiny-legacy.pth.tar'), {
      templatesDir: TEMPLATES,
      modelsDir,
      signal: controller.signal,
      onProgress: (done) => done === 3 && controller.abort(),
    });
    await expect(cancelled).rejects.toThrow('importing tiny-legacy.pth.tar was cancelled');
    expect(readdirSync(modelsDir)).toEqual([]);
  });

  it('records what the model animates: from the file name, from --subject, else from its template', async () => {
    const dir = tempDir();
    const read = async (f: string, extra: Partial<ImportOptions> = {}) => {
      const { result } = await importInto(f, extra);
      return (JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8')) as { subject: string })
        .subject;
    };
    const named = (name: string) => {
      const copy = path.join(dir, name);
      copyFileSync(path.join(FIXTURES, 'tiny-zip.pth.tar'), copy);
      return copy;
    };
    // vox's architecture is also fashion's: the name says which one a file is.
    expect(await read(named('fashion-cpk.pth.tar'))).toBe('body');
    expect(await read(named('vox-adv-cpk.pth.tar'))).toBe('face');
    expect(await read(named('mine.pth.tar'), { subject: 'face' })).toBe('face');
    expect(await read(named('other.pth.tar'))).toBe('body'); // the tiny template is no face template
  });

  it('leaves nothing behind when an import fails', async () => {
    const modelsDir = tempDir();
    await expect(
      importCheckpoint(path.join(FIXTURES, 'source.png'), { templatesDir: TEMPLATES, modelsDir }),
    ).rejects.toThrow(ImportError);
    expect(readdirSync(modelsDir)).toEqual([]);
  });
});
