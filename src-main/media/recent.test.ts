import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileVersion, Recent } from './recent.js';

describe('Recent', () => {
  it('keeps the newest entries and makes each value once', async () => {
    const cache = new Recent<number>(2);
    let made = 0;
    const make = (v: number) => async () => {
      made++;
      return v;
    };
    expect(await cache.get('a', make(1))).toBe(1);
    expect(await cache.get('b', make(2))).toBe(2);
    expect(await cache.get('a', make(9))).toBe(1); // hit: 'a' becomes the newest
    expect(await cache.get('c', make(3))).toBe(3); // evicts 'b', the oldest
    expect(made).toBe(3);
    expect(await cache.get('b', make(4))).toBe(4);
    expect(cache.size).toBe(2);
  });

  it('does not keep a value whose making failed', async () => {
    const cache = new Recent<number>(2);
    await expect(
      cache.get('x', async () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await cache.get('x', async () => 5)).toBe(5);
  });
});

describe('fileVersion', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('changes when the file is edited', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'recent-'));
    const file = path.join(dir, 'photo.png');
    await writeFile(file, 'one');
    const first = await fileVersion(file);
    expect(await fileVersion(file)).toBe(first);
    await writeFile(file, 'two!');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await fileVersion(file)).not.toBe(first);
  });
});
