import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newestChange, stale } from './global-setup.js';
import { tempDir } from './fixtures.js';

describe('the unit tests rebuild only what changed', () => {
  it('finds an output stale when missing or older than any input, tests and caches aside', () => {
    const dir = tempDir();
    const file = (name: string, seconds: number) => {
      const p = path.join(dir, name);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, name);
      utimesSync(p, seconds, seconds);
      return p;
    };
    const src = path.join(dir, 'src');
    file('src/a.ts', 100);
    file('src/deep/b.ts', 200);
    file('src/deep/b.test.ts', 900);
    file('src/__pycache__/c.pyc', 900);
    expect(newestChange([src])).toBe(200_000);
    const out = file('dist/out.mjs', 300);
    expect(stale([out], [src])).toBe(false);
    expect(stale([out, path.join(dir, 'dist/missing.mjs')], [src])).toBe(true);
    file('src/deep/b.ts', 400);
    expect(stale([out], [src])).toBe(true);
    expect(newestChange([path.join(dir, 'nowhere')])).toBe(0);
  });
});
