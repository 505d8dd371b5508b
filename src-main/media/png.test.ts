import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffmpeg, tempDir } from '../test-support/fixtures.js';
import { encodePng } from './png.js';

describe('PNG encoder', () => {
  it('writes files ffmpeg decodes back to the same pixels', () => {
    const width = 5;
    const height = 3;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
    const file = path.join(tempDir(), 'x.png');
    writeFileSync(file, encodePng(rgb, width, height, 3));
    const decoded = ffmpeg('-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-');
    expect(Array.from(decoded)).toEqual(Array.from(rgb));
  });
  it('refuses a buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8Array(5), 2, 2, 1)).toThrow(RangeError);
  });
});
