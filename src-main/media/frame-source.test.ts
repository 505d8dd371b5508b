/** Decoding with a moving crop: ffmpeg follows the track frame by frame, after a trimmed start too. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CropTrack } from '../../src-shared/job.js';
import { resolveBinary } from './binaries.js';
import { tempDir } from '../test-support/fixtures.js';
import { decodeFrames } from './frame-source.js';

const signal = new AbortController().signal;
let clip = '';

beforeAll(() => {
  // A 20 px white square sliding right at 40 px/s (x = 20 + 40 t) over black, 10 fps, 3 s.
  clip = path.join(tempDir(), 'sliding-square.mp4');
  execFileSync(resolveBinary('ffmpeg').path, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=200x100:r=10:d=3'],
    ...['-f', 'lavfi', '-i', 'color=c=white:s=20x20:r=10'],
    ...['-filter_complex', "[0:v][1:v]overlay=x='20+40*t':y=40:shortest=1,format=yuv420p"],
    ...['-c:v', 'libx264', '-crf', '10', clip],
  ]);
});

/** First and last bright column of a 60×60 RGB frame's middle row. */
function brightSpan(rgb: Uint8Array): [number, number] {
  const row = 30 * 60 * 3;
  const cols = [...Array(60).keys()].filter((x) => rgb[row + 3 * x]! > 128);
  return [cols[0]!, cols[cols.length - 1]!];
}

describe('moving crop', () => {
  // A 60 px square whose centre follows the white square's (30 + 40 t, 50).
  const track: CropTrack = {
    size: 60,
    keys: [
      { t: 0, x: 0, y: 20 },
      { t: 3, x: 120, y: 20 },
    ],
  };

  for (const trimIn of [0, 1.2]) {
    it(`keeps the moving subject centred in every frame (trim in ${trimIn} s)`, async () => {
      let frames = 0;
      for await (const rgb of decodeFrames(
        { input: clip, width: 60, height: 60, crop: track, trimIn, trimOut: null },
        'driving video',
        signal,
      )) {
        const [first, last] = brightSpan(rgb);
        expect(Math.abs(first - 20)).toBeLessThanOrEqual(1);
        expect(Math.abs(last - 39)).toBeLessThanOrEqual(1);
        frames += 1;
      }
      expect(frames).toBe(Math.round((3 - trimIn) * 10));
    });
  }

  it('a fixed square lets the subject drift, for comparison', async () => {
    const spans: number[] = [];
    for await (const rgb of decodeFrames(
      { input: clip, width: 60, height: 60, crop: { x: 0, y: 20, size: 60 }, trimIn: 0, trimOut: 1 },
      'driving video',
      signal,
    ))
      spans.push(brightSpan(rgb)[0]);
    expect(spans[spans.length - 1]! - spans[0]!).toBeGreaterThanOrEqual(30);
  });
});
