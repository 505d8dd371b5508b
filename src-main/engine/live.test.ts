import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { decodeRgb, DRIVING, ffmpeg, SOURCE, tempDir, TINY_MODEL } from '../test-support/fixtures.js';
import { liveFrame } from './live.js';
import { ModelSet } from './model-set.js';

const signal = new AbortController().signal;
const settings = { mode: 'relative', adaptScale: true, relativeJacobian: true } as const;

/** Frame n of the fixture clip at the model's size, as the studio sends it. */
function cameraFrame(n: number, size: number): string {
  const rgb = ffmpeg(
    ...['-i', DRIVING, '-vf', `select=eq(n\\,${n}),scale=${size}:${size}`, '-frames:v', '1'],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  );
  return rgb.toString('base64');
}

describe('the live preview in the engine', () => {
  it('animates each camera frame relative to the neutral pose, and keeps the neutral per session', async () => {
    const models = await ModelSet.load(TINY_MODEL, 'cpu');
    const { width, height } = models.size;
    // The fixture photo inside a larger picture, so paste-back has a photo around the crop.
    const photo = path.join(tempDir(), 'wide.png');
    ffmpeg('-i', SOURCE, '-vf', 'pad=160:120:40:20:color=0x3070a0', '-frames:v', '1', photo);
    const request = (rgb: string, session: string, setNeutral = false, pasteBack = false) =>
      liveFrame(
        models,
        {
          modelDir: TINY_MODEL,
          sourcePath: photo,
          sourceCrop: { x: 40, y: 20, size: 64 },
          session,
          width,
          height,
          rgb,
          setNeutral,
          pasteBack,
          settings,
        },
        signal,
      );
    const a = cameraFrame(0, width);
    const b = cameraFrame(12, width);
    // The session's first frame is its neutral until one is set: the photo as it is.
    const first = await request(a, 's1');
    expect(first).toMatchObject({ width, height, neutralSet: false });
    expect(Buffer.from(first.rgb, 'base64')).toHaveLength(width * height * 3);
    const moved = await request(b, 's1');
    expect(moved.rgb).not.toBe(first.rgb);
    // The same frame again is the same result (nothing is carried from frame to frame but the neutral).
    expect((await request(a, 's1')).rgb).toBe(first.rgb);
    // Set neutral on b: b now gives what a gave (no motion from neutral).
    const reset = await request(b, 's1', true);
    expect(reset.neutralSet).toBe(true);
    expect(reset.rgb).toBe(first.rgb);
    // Pasted back: the photo's size, and outside the crop box the photo's own pixels.
    const pasted = await request(b, 's1', false, true);
    expect(pasted).toMatchObject({ width: 160, height: 120, pastedBack: true });
    const pixels = Buffer.from(pasted.rgb, 'base64');
    expect(pixels).toHaveLength(160 * 120 * 3);
    expect(Array.from(pixels.subarray(0, 3))).toEqual(Array.from(decodeRgb(photo, 160, 120).subarray(0, 3)));
    // Another session starts from its own first frame.
    expect((await request(b, 's2')).neutralSet).toBe(false);
    expect(first.poseDistance).toBeGreaterThanOrEqual(0);
  });

  it('refuses a frame of the wrong size or length with an input error', async () => {
    const models = await ModelSet.load(TINY_MODEL, 'cpu');
    const { width, height } = models.size;
    const base = {
      modelDir: TINY_MODEL,
      sourcePath: SOURCE,
      sourceCrop: null,
      session: 'x',
      setNeutral: false,
      pasteBack: false,
      settings,
    };
    await expect(
      liveFrame(models, { ...base, width: width * 2, height, rgb: 'AAAA' }, signal),
    ).rejects.toMatchObject({
      code: 'input',
      message: expect.stringMatching(/this model takes/) as unknown as string,
    });
    await expect(liveFrame(models, { ...base, width, height, rgb: 'AAAA' }, signal)).rejects.toThrow(
      /expected \d+ \(RGB\)/,
    );
  });
});
