/** The studio's preview at the playhead: with paste-back it is the exported frame itself. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InspectRequestSchema } from '../../src-shared/inspect.js';
import { decodeSingleFrame } from '../media/frame-source.js';
import { DRIVING, ffmpeg, job, SOURCE, tempDir, TINY_MODEL } from '../test-support/fixtures.js';
import { animate } from './animate.js';
import { inspectFrame } from './inspect.js';
import { ModelSet } from './model-set.js';

const signal = new AbortController().signal;
const FPS = 30000 / 1001;
const crop = { x: 40, y: 20, size: 64 };

/** The 64-px fixture photo inside a larger picture, so paste-back has a photo around the crop. */
function widePhoto(dir: string): string {
  const file = path.join(dir, 'wide.png');
  ffmpeg('-i', SOURCE, '-vf', `pad=160:120:${crop.x}:${crop.y}:color=0x3070a0`, '-frames:v', '1', file);
  return file;
}

async function pixelsOf(dataUrl: string, dir: string, width: number, height: number): Promise<Uint8Array> {
  const file = path.join(dir, `p-${Math.random().toString(36).slice(2)}.png`);
  writeFileSync(file, Buffer.from(dataUrl.split(',')[1]!, 'base64'));
  return decodeSingleFrame({ input: file, width, height, crop: 'full', strict: true }, 'preview', signal);
}

const meanAbs = (a: Uint8Array, b: Uint8Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
};

describe('inspectFrame', () => {
  it('with paste-back returns the exported frame at the playhead, composited at the photo size', async () => {
    const dir = tempDir();
    const photo = widePhoto(dir);
    const models = await ModelSet.load(TINY_MODEL, 'cpu');
    const frames: Uint8Array[] = [];
    const rendered = await animate(
      job(
        { sourcePath: photo, sourceCrop: crop, outputPath: path.join(dir, 'out.mp4') },
        { pasteBack: true },
      ),
      { signal, loadModel: async () => models, onFrame: (i, rgb) => (frames[i] = rgb) },
    );
    expect(rendered.frames).toBe(16);
    const request = (frame: number) =>
      InspectRequestSchema.parse({
        modelDir: TINY_MODEL,
        sourcePath: photo,
        drivingPath: DRIVING,
        time: frame / FPS,
        referenceTime: 0,
        sourceCrop: crop,
        drivingCrop: null,
        settings: {
          mode: 'relative',
          adaptScale: true,
          relativeJacobian: true,
          pasteBack: true,
          maxOutputSide: 1920,
        },
      });
    for (const n of [5, 12]) {
      const shown = await inspectFrame(models, request(n), signal);
      expect(shown.images.composite).not.toBeNull();
      const composite = await pixelsOf(shown.images.composite!, dir, 160, 120);
      const before = await pixelsOf(shown.images.photo!, dir, 160, 120);
      // Same frame as the export (within rounding), and not the photo nor another frame.
      expect(meanAbs(composite, frames[n]!)).toBeLessThan(0.5);
      expect(meanAbs(composite, before)).toBeGreaterThan(1);
      expect(meanAbs(composite, frames[n === 5 ? 12 : 5]!)).toBeGreaterThan(1);
    }
    // Without paste-back there is nothing to composite.
    const plain = await inspectFrame(
      models,
      { ...request(5), settings: { ...request(5).settings, pasteBack: false } },
      signal,
    );
    expect(plain.images.composite).toBeNull();
    expect(plain.images.result).not.toBeNull();
  });

  it('sees an edited photo, not a cached one', async () => {
    const dir = tempDir();
    const photo = widePhoto(dir);
    const models = await ModelSet.load(TINY_MODEL, 'cpu');
    const request = InspectRequestSchema.parse({
      modelDir: TINY_MODEL,
      sourcePath: photo,
      drivingPath: null,
      time: 0,
      referenceTime: 0,
      sourceCrop: crop,
      drivingCrop: null,
      settings: { mode: 'relative', adaptScale: true, relativeJacobian: true },
    });
    const first = await inspectFrame(models, request, signal);
    expect((await inspectFrame(models, request, signal)).images.source).toBe(first.images.source);
    ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=160x120', '-frames:v', '1', photo);
    const edited = await inspectFrame(models, request, signal);
    expect(edited.images.source).not.toBe(first.images.source);
  });
});
