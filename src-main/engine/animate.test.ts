/** The engine against PyTorch's reference animation, and the MP4 it writes. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffprobe, FIXTURES, job, readFloat32, tempDir } from '../test-support/fixtures.js';
import { animate } from './animate.js';
import { ModelSet } from './model-set.js';

const models = new Map<string, Promise<ModelSet>>();
const loadModel = (dir: string) => {
  if (!models.has(dir)) models.set(dir, ModelSet.load(dir, 'cpu'));
  return models.get(dir)!;
};

async function renderFrames(mode: 'relative' | 'absolute', batchSize: number) {
  const dir = tempDir();
  const frames: Uint8Array[] = [];
  const result = await animate(job({ outputPath: path.join(dir, 'out.mp4') }, { mode, batchSize }), {
    signal: new AbortController().signal,
    loadModel,
    onFrame: (i, rgb) => (frames[i] = rgb),
  });
  return { dir, frames, result };
}

function meanAbsPerFrame(frames: Uint8Array[], reference: Float32Array, size = 64): number[] {
  const plane = size * size;
  return frames.map((rgb, n) => {
    let sum = 0;
    for (let i = 0; i < plane; i++)
      for (let c = 0; c < 3; c++)
        sum += Math.abs(rgb[i * 3 + c]! / 255 - reference[n * 3 * plane + c * plane + i]!);
    return sum / (3 * plane);
  });
}

describe('engine vs PyTorch reference (tiny model, 16 frames)', () => {
  it.each([
    ['relative', 1],
    ['relative', 4],
    ['absolute', 3],
  ] as const)('%s mode, batch %i: every frame within mean abs 1/255', async (mode, batch) => {
    const { frames, result } = await renderFrames(mode, batch);
    const reference = readFloat32(path.join(FIXTURES, `reference-${mode}.f32`));
    expect(frames).toHaveLength(16);
    expect(result.frames).toBe(16);
    const errors = meanAbsPerFrame(frames, reference);
    expect(Math.max(...errors)).toBeLessThanOrEqual(1 / 255);
    // The reference is not trivially matched: frames differ from each other.
    expect(meanAbsPerFrame([frames[0]!], reference.subarray(15 * 3 * 64 * 64))[0]).toBeGreaterThan(2 / 255);
  });
});

describe('the MP4', () => {
  it("is H.264 yuv420p at the clip's exact rate, with its audio, and nothing else left behind", async () => {
    const { dir, result } = await renderFrames('relative', 4);
    const info = ffprobe(result.outputPath);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    const audio = info.streams.find((s) => s.codec_type === 'audio')!;
    expect(video).toMatchObject({
      codec_name: 'h264',
      pix_fmt: 'yuv420p',
      width: 64,
      height: 64,
      r_frame_rate: '30000/1001',
      nb_read_frames: '16',
    });
    expect(audio.codec_name).toBe('aac');
    const frameDuration = 1001 / 30000;
    expect(Math.abs(Number(audio.duration) - Number(video.duration))).toBeLessThanOrEqual(frameDuration);
    expect(readdirSync(dir)).toEqual(['out.mp4']);
  });

  it('renders a trimmed range with the same range of audio', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'trim.mp4');
    const fps = 30000 / 1001;
    const result = await animate(job({ outputPath: out, trimIn: 4 / fps, trimOut: 12 / fps }), {
      signal: new AbortController().signal,
      loadModel,
    });
    expect(result.frames).toBe(8);
    const info = ffprobe(out);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    const audio = info.streams.find((s) => s.codec_type === 'audio')!;
    expect(video.nb_read_frames).toBe('8');
    expect(Math.abs(Number(audio.duration) - 8 / fps)).toBeLessThanOrEqual(1 / fps);
  });

  it('writes the extra outputs beside the MP4', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'clip.mp4');
    const result = await animate(
      job(
        { outputPath: out },
        {
          sideBySide: true,
          occlusionVideo: true,
          keypointOverlay: true,
          keypointsJson: true,
          audio: false,
          outputSize: 128,
        },
      ),
      { signal: new AbortController().signal, loadModel },
    );
    expect(result.extraOutputs.map((p) => path.basename(p)).sort()).toEqual([
      'clip.keypoints.json',
      'clip.keypoints.mp4',
      'clip.occlusion.mp4',
      'clip.side-by-side.mp4',
    ]);
    const sbs = ffprobe(path.join(dir, 'clip.side-by-side.mp4')).streams[0]!;
    expect([sbs.width, sbs.height]).toEqual([192, 64]);
    const main = ffprobe(out).streams;
    expect(main).toHaveLength(1);
    expect([main[0]!.width, main[0]!.height]).toEqual([128, 128]);
    const occlusion = ffprobe(path.join(dir, 'clip.occlusion.mp4')).streams[0]!;
    expect(occlusion.width).toBe(128);
    const overlay = ffprobe(path.join(dir, 'clip.keypoints.mp4')).streams[0]!;
    expect([overlay.width, overlay.height]).toEqual([128, 128]);
    const track = JSON.parse(readFileSync(path.join(dir, 'clip.keypoints.json'), 'utf8')) as {
      numKp: number;
      driving: Array<{ value: number[] }>;
    };
    expect(track.driving).toHaveLength(result.frames);
    expect(track.driving[0]!.value).toHaveLength(2 * track.numKp);
  });
});

describe('best frame', () => {
  it("picks the driving frame whose pose is the source's own", async () => {
    const dir = tempDir();
    const result = await animate(
      job(
        { outputPath: path.join(dir, 'best.mp4'), sourcePath: path.join(FIXTURES, 'source-is-frame-7.png') },
        { bestFrame: true, audio: false },
      ),
      { signal: new AbortController().signal, loadModel },
    );
    expect(result.referenceFrame).toBe(7);
  });
});
