/**
 * Automatic framing on real photos and clips from ../shared/datasets (finding faces needs real
 * faces); paste-back on generated pictures and clips, which need only pixels and a rate.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cropContains, cropFits, trackAt } from '../../src-shared/framing/crop.js';
import { pasteBackSize, scaledBox } from '../../src-shared/framing/composite.js';
import { animate } from '../engine/animate.js';
import { ModelSet } from '../engine/model-set.js';
import {
  DATASETS,
  decodeRgb,
  ffprobe,
  job,
  SOURCE,
  tempDir,
  testClip,
  testPicture,
} from '../test-support/fixtures.js';
import { frameDriving, frameSource } from './auto-frame.js';
import { detectFaces } from './face-detector.js';

const faces = path.join(DATASETS, 'faces');
const PHOTOS = ['avatarify_obama.jpg', 'lp_s2.jpg', 'lp_d9.jpg', 'vox2_pcavs_512400353.jpg'].map((f) =>
  path.join(faces, 'source_images', f),
);
const CLIP = path.join(faces, 'driving_videos', 'liveportrait', 'lp_d19.mp4');
const signal = new AbortController().signal;

function size(file: string): [number, number] {
  const s = ffprobe(file).streams.find((x) => x.codec_type === 'video')!;
  return [s.width!, s.height!];
}

describe('source framing on real photos', () => {
  it.each(PHOTOS)(
    '%s: the proposed crop holds every detected landmark',
    async (photo) => {
      const framed = await frameSource(photo, 'face', signal);
      expect(framed.method).toBe('face');
      expect(cropFits(framed.crop, framed.width, framed.height)).toBe(true);
      // Landmarks from an independent full-resolution detection, not the one the crop came from.
      const [w, h] = size(photo);
      const found = await detectFaces(decodeRgb(photo, w, h), w, h);
      expect(found.length).toBeGreaterThan(0);
      for (const p of found[0]!.landmarks) expect(cropContains(framed.crop, p)).toBe(true);
      // The face is the subject, not a speck: its landmarks span a large part of the square.
      const xs = found[0]!.landmarks.map((p) => p.x);
      expect((Math.max(...xs) - Math.min(...xs)) / framed.crop.size).toBeGreaterThan(0.35);
    },
    60_000,
  );

  it('falls back to a centred square for non-face models and for photos without a face', async () => {
    const notFace = await frameSource(
      testPicture(path.join(tempDir(), 'wide.png'), 320, 200),
      'centre',
      signal,
    );
    expect(notFace.method).toBe('centre');
    expect(notFace.crop.size).toBe(Math.min(notFace.width, notFace.height));
    const blob = await frameSource(SOURCE, 'face', signal);
    expect(blob.method).toBe('centre');
    expect(blob.crop).toEqual({ x: 0, y: 0, size: 64 });
    expect(notFace.faceSeen).toBeNull(); // renders do not look for what they will not use
  }, 60_000);

  it('tells the studio whether the photo shows a face, whatever the model frames by', async () => {
    const body = await frameSource(PHOTOS[0]!, 'centre', signal, null, undefined, true);
    expect(body).toMatchObject({ method: 'centre', faceSeen: true });
    expect(body.crop.size).toBe(Math.min(body.width, body.height));
    const face = await frameSource(PHOTOS[0]!, 'face', signal, null, undefined, true);
    expect(face).toMatchObject({ method: 'face', faceSeen: true });
    const blob = await frameSource(SOURCE, 'centre', signal, null, undefined, true);
    expect(blob.faceSeen).toBe(false);
  }, 60_000);
});

describe('driving framing on a real clip', () => {
  it('derives one stable square that holds the face in every sampled frame of the range', async () => {
    const framed = await frameDriving(CLIP, 1, 5, 'face', signal);
    expect(framed.method).toBe('face');
    expect(framed.sampled).toBeGreaterThanOrEqual(8);
    expect(framed.detected).toBe(framed.sampled);
    expect(cropFits(framed.crop, framed.width, framed.height)).toBe(true);
    for (const b of framed.faces) {
      expect(cropContains(framed.crop, { x: b.x + b.width / 2, y: b.y + b.height / 2 })).toBe(true);
    }
  }, 120_000);

  it('follows a speaker who walks with a tighter square that still holds the face', async () => {
    const ted = path.join(DATASETS, 'bodies', 'driving_videos', 'ted', 'ted_aa_cmp_driving_1.mp4');
    const framed = await frameDriving(ted, 0, 8, 'face', signal);
    const track = framed.track!;
    expect(track.keys).toHaveLength(framed.sampled);
    // The stable square must hold every position of the walk; the moving one only the face.
    expect(track.size).toBeLessThan(framed.crop.size * 0.7); // measured: 113 px against 176
    expect(framed.detected).toBe(framed.sampled);
    framed.faces.forEach((b, i) => {
      const square = trackAt(track, track.keys[i]!.t);
      expect(cropFits(square, framed.width, framed.height)).toBe(true);
      expect(cropContains(square, { x: b.x + b.width / 2, y: b.y + b.height / 2 })).toBe(true);
    });
  }, 120_000);
});

describe('paste-back', () => {
  it("exports at the photo's size and leaves every pixel outside the box as the photo's", async () => {
    const dir = tempDir();
    const photo = testPicture(path.join(dir, 'photo.png'), 1000, 800);
    const [w, h] = size(photo);
    const crop = { x: 200, y: 150, size: 500 };
    const frames: Uint8Array[] = [];
    let dims: [number, number] = [0, 0];
    const out = path.join(dir, 'pasted.mp4');
    await animate(
      job(
        { outputPath: out, sourcePath: photo, sourceCrop: crop, trimOut: 0.3 },
        { pasteBack: true, maxOutputSide: 1920 },
      ),
      {
        signal,
        loadModel: (d) => ModelSet.load(d, 'cpu'),
        onFrame: (i, rgb, fw, fh) => {
          frames[i] = rgb;
          dims = [fw, fh];
        },
      },
    );
    const target = pasteBackSize(w, h, 1920);
    expect(dims).toEqual([target.width, target.height]);
    const video = ffprobe(out).streams.find((s) => s.codec_type === 'video')!;
    expect([video.width, video.height]).toEqual([target.width, target.height]);
    const base = decodeRgb(photo, target.width, target.height);
    const box = scaledBox(crop, target);
    for (const frame of frames) {
      let insideChanged = 0;
      for (let y = 0; y < target.height; y++) {
        for (let x = 0; x < target.width; x++) {
          const inside = x >= box.x && x < box.x + box.size && y >= box.y && y < box.y + box.size;
          const i = (y * target.width + x) * 3;
          const same = frame[i] === base[i] && frame[i + 1] === base[i + 1] && frame[i + 2] === base[i + 2];
          if (!inside && !same) throw new Error(`pixel (${x}, ${y}) outside the box changed`);
          if (inside && !same) insideChanged += 1;
        }
      }
      expect(insideChanged).toBeGreaterThan(box.size * box.size * 0.5);
    }
  }, 120_000);

  it('caps the output at the maximum side', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'capped.mp4');
    await animate(
      job(
        { outputPath: out, sourcePath: testPicture(path.join(dir, 'photo.png'), 900, 700), trimOut: 0.2 },
        { pasteBack: true, maxOutputSide: 480, audio: false },
      ),
      { signal, loadModel: (d) => ModelSet.load(d, 'cpu') },
    );
    const video = ffprobe(out).streams[0]!;
    expect(Math.max(video.width!, video.height!)).toBe(480);
  }, 120_000);

  it("keeps a clip's audio in sync with the pasted video (within one frame)", async () => {
    const dir = tempDir();
    const out = path.join(dir, 'synced.mp4');
    const clip = testClip(path.join(dir, 'clip.mp4'), { seconds: 4, fps: 25, width: 320, height: 240 });
    await animate(
      job(
        {
          outputPath: out,
          sourcePath: testPicture(path.join(dir, 'photo.png'), 640, 480),
          drivingPath: clip,
          trimIn: 1.2,
          trimOut: 3.7,
        },
        { pasteBack: true, maxOutputSide: 360 },
      ),
      { signal, loadModel: (d) => ModelSet.load(d, 'cpu') },
    );
    const streams = ffprobe(out).streams;
    const video = streams.find((s) => s.codec_type === 'video')!;
    const audio = streams.find((s) => s.codec_type === 'audio')!;
    expect(video.r_frame_rate).toBe('25/1');
    expect(Number(video.nb_read_frames)).toBe(Math.round(2.5 * 25));
    expect(Math.abs(Number(audio.duration) - Number(video.duration))).toBeLessThanOrEqual(1 / 25);
  }, 120_000);
});
