/**
 * A small most-recently-used cache, and the one rule for keying a file's version (path, size,
 * modification time): the preview's caches of a photo's encoding, the reference frame's
 * keypoints and the paste-back photo all use it, so an edited file is never served stale.
 */
import { stat } from 'node:fs/promises';

export class Recent<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('a cache holds at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached value for `key`, or the one `make` produces (kept unless it throws). */
  async get(key: string, make: () => Promise<V>): Promise<V> {
    if (this.entries.has(key)) {
      const hit = this.entries.get(key) as V;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = await make();
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }
}

/** A key that changes when the file at `file` is replaced or edited. */
export async function fileVersion(file: string): Promise<string> {
  const info = await stat(file);
  return `${file}|${info.size}|${info.mtimeMs}`;
}
