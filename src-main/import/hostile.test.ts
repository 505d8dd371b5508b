/**
 * Hostile checkpoints: memo-sharing "billion laughs", deep nesting, ids that would leave the models
 * folder, and imports that must not block the process that serves the studio.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpickle } from '../../src-shared/checkpoint/pickle.js';
import { FIXTURES, tempDir } from '../test-support/fixtures.js';
import { importCheckpoint, ImportError } from './import-checkpoint.js';
import { importInThread } from './import-thread.js';
import { collectStorages, memorySource, readCheckpoint } from './torch-checkpoint.js';

const TEMPLATES = path.join(FIXTURES, 'templates');
const WORKER = path.resolve('dist/import-worker.mjs');

/** A legacy torch file (magic, protocol, system info, object, keys) around one object pickle. */
export function legacyFile(objectPickle: number[]): Uint8Array {
  const magic = [0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
  const protocol = [0x80, 2, 0x4d, 0xe9, 0x03, 0x2e];
  const sysInfo = [0x80, 2, 0x7d, 0x2e];
  const keys = [0x80, 2, 0x5d, 0x2e];
  return Uint8Array.from([...magic, ...protocol, ...sysInfo, ...objectPickle, ...keys]);
}

/** t0 = (); t(n+1) = (t(n), t(n)) through the memo: 2^levels paths in 5 bytes a level. */
export function laughs(levels: number): number[] {
  const out = [0x80, 2, 0x29, 0x71, 0];
  for (let i = 0; i < levels; i++) out.push(0x68, i, 0x86, 0x71, i + 1);
  out.push(0x2e);
  return out;
}

/** [[[…]]] `depth` lists deep. */
export function nested(depth: number): number[] {
  const out = [0x80, 2];
  for (let i = 0; i < depth; i++) out.push(0x5d);
  for (let i = 1; i < depth; i++) out.push(0x61);
  out.push(0x2e);
  return out;
}

describe('a checkpoint is read in time linear in its size', () => {
  it('walks memo-shared objects once: 2^64 paths in a 355-byte file are refused in well under a second', async () => {
    const bytes = legacyFile(laughs(64));
    expect(bytes.length).toBeLessThan(520);
    const started = performance.now();
    const dir = tempDir();
    const file = path.join(dir, 'laughs.pth.tar');
    writeFileSync(file, bytes);
    const modelsDir = tempDir();
    await expect(importCheckpoint(file, { templatesDir: TEMPLATES, modelsDir })).rejects.toThrow(
      /checkpoint is malformed: nested too deeply/,
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(readdirSync(modelsDir)).toEqual([]);
    // 2^48 paths within the nesting budget: the walk visits 49 objects, not 2^48.
    const walk = performance.now();
    expect(collectStorages(unpickle(Uint8Array.from(laughs(48))).value).size).toBe(0);
    expect(performance.now() - walk).toBeLessThan(100);
  });

  it('refuses nesting deeper than a state dict could need, with a clear message', async () => {
    await expect(readCheckpoint(memorySource(legacyFile(nested(100_000))))).rejects.toThrow(
      'checkpoint is malformed: nested too deeply',
    );
    await expect(readCheckpoint(memorySource(legacyFile(nested(10))))).resolves.toBeTruthy();
  });

  it('names at most a few keys of a dictionary that is not a checkpoint', async () => {
    const keys = 500_000;
    const pickle = [0x80, 2, 0x7d, 0x28];
    for (let i = 0; i < keys; i++) pickle.push(0x4a, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0, 0x4e);
    pickle.push(0x75, 0x2e);
    const file = path.join(tempDir(), 'many.pth.tar');
    writeFileSync(file, legacyFile(pickle));
    const error = await importCheckpoint(file, { templatesDir: TEMPLATES, modelsDir: tempDir() }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message.length).toBeLessThan(400);
    expect((error as Error).message).toMatch(/\(500000 keys\)/);
  });
});

describe('model ids never leave the models folder', () => {
  const checkpoint = path.join(FIXTURES, 'tiny-legacy.pth.tar');
  function home() {
    const root = tempDir('marionette-home-');
    const modelsDir = path.join(root, 'models');
    mkdirSync(path.join(modelsDir, 'mine'), { recursive: true });
    writeFileSync(path.join(modelsDir, 'mine', 'manifest.json'), '{}');
    writeFileSync(path.join(root, 'queue.json'), '[]');
    mkdirSync(path.join(root, 'renders'));
    return { root, modelsDir };
  }
  const intact = (root: string) => {
    expect(existsSync(path.join(root, 'queue.json'))).toBe(true);
    expect(existsSync(path.join(root, 'renders'))).toBe(true);
    expect(existsSync(path.join(root, 'models', 'mine', 'manifest.json'))).toBe(true);
  };

  it.each(['..', '.', '../x', 'a/b', '.hidden', 'Mine', ''])(
    'refuses --id %j before reading anything',
    async (id) => {
      const { root, modelsDir } = home();
      await expect(importCheckpoint(checkpoint, { templatesDir: TEMPLATES, modelsDir, id })).rejects.toThrow(
        /model id .* must be 1-64 lowercase letters/,
      );
      intact(root);
      expect(readdirSync(modelsDir)).toEqual(['mine']);
    },
  );

  it.each(['..pth.tar', '...pth.tar', '.pth.tar'])('imports a file named %s as "imported"', async (name) => {
    const { root, modelsDir } = home();
    const file = path.join(tempDir(), name);
    writeFileSync(file, readFileSync(checkpoint));
    const result = await importCheckpoint(file, { templatesDir: TEMPLATES, modelsDir });
    expect(result.id).toBe('imported');
    expect(result.dir).toBe(path.join(modelsDir, 'imported'));
    intact(root);
  });

  it('never replaces a model: refused in the CLI, numbered in the studio', async () => {
    const { root, modelsDir } = home();
    await expect(
      importCheckpoint(checkpoint, { templatesDir: TEMPLATES, modelsDir, id: 'mine' }),
    ).rejects.toThrow(/a model with id "mine" is already imported: remove it first/);
    intact(root);
    expect(readdirSync(modelsDir)).toEqual(['mine']);
    const numbered = await importCheckpoint(checkpoint, {
      templatesDir: TEMPLATES,
      modelsDir,
      id: 'mine',
      onExisting: 'number',
    });
    expect(numbered.id).toBe('mine-2');
    intact(root);
  });
});

describe('imports run in a worker thread', () => {
  it('imports a real checkpoint, with progress', async () => {
    const modelsDir = tempDir();
    const seen: number[] = [];
    const result = await importInThread(path.join(FIXTURES, 'tiny-zip.pth.tar'), {
      templatesDir: TEMPLATES,
      modelsDir,
      workerPath: WORKER,
      onProgress: (done) => seen.push(done),
    });
    expect(result.id).toBe('tiny-zip');
    expect(seen.length).toBeGreaterThan(10);
    expect(readdirSync(modelsDir)).toEqual(['tiny-zip']);
  });

  it('keeps the caller responsive while a heavy file is parsed, and a cancel stops it at once', async () => {
    // 4.5 million list items: seconds of parsing that never yield.
    const items = 4_500_000;
    const pickle = [0x80, 2, 0x5d, 0x28];
    for (let i = 0; i < items; i++) pickle.push(0x4e);
    pickle.push(0x65, 0x2e);
    const file = path.join(tempDir(), 'heavy.pth.tar');
    writeFileSync(file, legacyFile(pickle));
    const modelsDir = tempDir();
    const controller = new AbortController();
    let ticks = 0;
    let worstGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks += 1;
    }, 10);
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    await expect(
      importInThread(file, {
        templatesDir: TEMPLATES,
        modelsDir,
        workerPath: WORKER,
        signal: controller.signal,
        graceMs: 200,
      }),
    ).rejects.toThrow(/was cancelled/);
    clearInterval(timer);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(ticks).toBeGreaterThan(10);
    expect(worstGap).toBeLessThan(250);
    expect(readdirSync(modelsDir)).toEqual([]);
  });
});
