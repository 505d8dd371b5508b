import { describe, expect, it } from 'vitest';
import { DRIVING, ffmpeg, SOURCE, TINY_MODEL } from '../test-support/fixtures.js';
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
    const request = (rgb: string, session: string, setNeutral = false) =>
      liveFrame(
        models,
        {
          modelDir: TINY_MODEL,
          sourcePath: SOURCE,
          sourceCrop: null,
          session,
          width,
          height,
          rgb,
          setNeutral,
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
