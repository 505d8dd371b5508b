/**
 * The generator's source input: newer exports take one copy for the whole batch (the graph repeats
 * it), older ones a copy per frame, made here; both give the same frames.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, TINY_MODEL } from '../test-support/fixtures.js';
import { ModelSet } from './model-set.js';

const random = (n: number, seed: number) => {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 0.9);
};

describe('the source for a batch', () => {
  it('gives the same frames whether the graph repeats it or copies are made', async () => {
    const legacy = path.join(tempDir(), 'legacy-model');
    await cp(TINY_MODEL, legacy, { recursive: true });
    const manifestPath = path.join(legacy, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    expect(manifest.source_broadcast).toBe(true);
    delete manifest.source_broadcast;
    await writeFile(manifestPath, JSON.stringify(manifest));

    const [once, copies] = await Promise.all([
      ModelSet.load(TINY_MODEL, 'cpu', 1),
      ModelSet.load(legacy, 'cpu', 1),
    ]);
    expect(copies.manifest.source_broadcast).toBeUndefined();
    const image = random(3 * 64 * 64, 3);
    const driving = await once.keypoints(random(3 * 3 * 64 * 64, 5), 3);
    const [a, b] = [await once.encodeSource(image), await copies.encodeSource(image)];
    for (const count of [3, 2, 3]) {
      const [x, y] = [
        await once.generate(a, driving.slice(0, count)),
        await copies.generate(b, driving.slice(0, count)),
      ];
      expect(x.prediction.length).toBe(count * 3 * 64 * 64);
      expect(Array.from(x.prediction)).toEqual(Array.from(y.prediction));
      expect(Array.from(x.deformation)).toEqual(Array.from(y.deformation));
    }
    await Promise.all([once.release(), copies.release()]);
  }, 60_000);
});
