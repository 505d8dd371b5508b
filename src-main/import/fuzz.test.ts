/**
 * Fuzzing the checkpoint reader: 2,400 mutated checkpoints, half in each torch format. Mutations
 * flip bytes, rewrite memo indices (so objects are shared where they were not, or cycles
 * appear), wrap the object in deep nesting, and truncate. Each must be read or refused with one
 * of the reader's own errors (no crash: no TypeError, RangeError, stack overflow), in bounded
 * time (no hang); imports of every tenth case leave nothing behind in the models folder.
 *
 *   npx vitest run src-main/import/fuzz.test.ts     (prints the tally)
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptPickleError, UnsafePickleError } from '../../src-shared/checkpoint/pickle.js';
import { FIXTURES, tempDir } from '../test-support/fixtures.js';
import { importCheckpoint, ImportError } from './import-checkpoint.js';
import { CheckpointFormatError, memorySource, readCheckpoint } from './torch-checkpoint.js';

const TEMPLATES = path.join(FIXTURES, 'templates');
const CASES_PER_FORMAT = 1200;
const EXPECTED = [CheckpointFormatError, CorruptPickleError, UnsafePickleError, ImportError];

function rng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Offsets of BINGET / BINPUT operands in the pickle region (a byte-level guess, good enough to mutate). */
function memoOperands(bytes: Uint8Array, region: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < region; i++) if (bytes[i] === 0x68 || bytes[i] === 0x71) out.push(i + 1);
  return out;
}

type Mutation = 'flip' | 'memo' | 'nest' | 'truncate';

function mutate(original: Uint8Array, random: () => number): { bytes: Uint8Array; kind: Mutation } {
  const pick = random();
  const region = Math.min(original.length, 4000);
  if (pick < 0.5) {
    const bytes = original.slice();
    const flips = 1 + Math.floor(random() * 8);
    for (let i = 0; i < flips; i++) bytes[Math.floor(random() * region)] = Math.floor(random() * 256);
    return { bytes, kind: 'flip' };
  }
  if (pick < 0.75) {
    const bytes = original.slice();
    const operands = memoOperands(bytes, region);
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count && operands.length; i++) {
      const at = operands[Math.floor(random() * operands.length)]!;
      bytes[at] = Math.floor(random() * Math.max(1, bytes[at]! + 2));
    }
    return { bytes, kind: 'memo' };
  }
  if (pick < 0.9) {
    // Splice EMPTY_LIST ... APPEND pairs (deep nesting) or memo GETs of the first object at a random point.
    const at = 2 + Math.floor(random() * (region - 2));
    const depth = [5, 70, 5000][Math.floor(random() * 3)]!;
    const insert =
      random() < 0.5
        ? [...new Array<number>(depth).fill(0x5d), ...new Array<number>(depth - 1).fill(0x61)]
        : Array.from({ length: depth }, () => [0x68, 0]).flat();
    const bytes = new Uint8Array(original.length + insert.length);
    bytes.set(original.subarray(0, at));
    bytes.set(insert, at);
    bytes.set(original.subarray(at), at + insert.length);
    return { bytes, kind: 'nest' };
  }
  return { bytes: original.slice(0, Math.floor(random() * original.length)), kind: 'truncate' };
}

describe('fuzzing the checkpoint reader', () => {
  it.each(['legacy', 'zip'])(
    `${CASES_PER_FORMAT} mutated %s checkpoints: no crash, no hang, nothing left behind`,
    async (format) => {
      const original = new Uint8Array(readFileSync(path.join(FIXTURES, `tiny-${format}.pth.tar`)));
      const random = rng(format === 'zip' ? 2024 : 1950);
      const tally = { read: 0, refused: 0, imported: 0, slowest: 0 };
      const byKind: Record<Mutation, number> = { flip: 0, memo: 0, nest: 0, truncate: 0 };
      const modelsDir = tempDir('marionette-fuzz-models-');
      const files = tempDir('marionette-fuzz-files-');
      for (let round = 0; round < CASES_PER_FORMAT; round++) {
        const { bytes, kind } = mutate(original, random);
        byKind[kind] += 1;
        const started = performance.now();
        try {
          await readCheckpoint(memorySource(bytes));
          tally.read += 1;
        } catch (err) {
          tally.refused += 1;
          if (!EXPECTED.some((cls) => err instanceof cls))
            throw new Error(
              `${format} round ${round} (${kind}): crash ${(err as Error).name}: ${(err as Error).message}`,
            );
        }
        if (round % 10 === 0) {
          const file = path.join(files, `case${round}.pth.tar`);
          writeFileSync(file, bytes);
          try {
            const result = await importCheckpoint(file, { templatesDir: TEMPLATES, modelsDir });
            tally.imported += 1;
            rmSync(result.dir, { recursive: true });
          } catch (err) {
            if (!EXPECTED.some((cls) => err instanceof cls))
              throw new Error(
                `${format} import ${round} (${kind}): crash ${(err as Error).name}: ${(err as Error).message}`,
              );
          }
          expect(readdirSync(modelsDir)).toEqual([]);
        }
        tally.slowest = Math.max(tally.slowest, performance.now() - started);
      }
      console.log(
        `fuzz ${format}: ${CASES_PER_FORMAT} cases (${Object.entries(byKind)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}): ${tally.read} read, ${tally.refused} refused cleanly, 0 crashes; ` +
          `${tally.imported} of ${CASES_PER_FORMAT / 10} imports succeeded, nothing left behind; slowest case ${tally.slowest.toFixed(0)} ms`,
      );
      expect(tally.refused).toBeGreaterThan(CASES_PER_FORMAT / 4);
      // A hang would show here: every case is a few kB.
      expect(tally.slowest).toBeLessThan(2000);
    },
  );
});
