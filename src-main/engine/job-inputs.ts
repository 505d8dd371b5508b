/**
 * What a render job reads, checked before any work starts: the output folder, the two inputs
 * (probed, with sizes, crops and trim checked against them) and the squares the model will see.
 */
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CropBox, CropTrack, JobSpec } from '../../src-shared/job.js';
import type { subjectFor } from '../../src-shared/framing/schema.js';
import { frameDriving, frameSource } from '../framing/auto-frame.js';
import { MediaInputError, probeMedia, type MediaInfo } from '../media/probe.js';
import { EngineError } from './errors.js';
import type { Stage } from '../../src-shared/protocol/engine.js';

export const MAX_INPUT_SIDE = 16384;

export async function checkOutput(job: JobSpec): Promise<void> {
  const { outputPath } = job;
  for (const [input, name] of [
    [job.sourcePath, 'source image'],
    [job.drivingPath, 'driving video'],
  ] as const) {
    // The render replaces its output: it must never be one of its own inputs.
    if (path.resolve(input) === path.resolve(outputPath))
      throw new EngineError('output', `output ${outputPath} is the ${name}; choose another name`);
  }
  const dir = path.dirname(path.resolve(outputPath));
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new Error();
    await access(dir, constants.W_OK);
  } catch {
    throw new EngineError('output', `output folder ${dir} does not exist or is not writable`);
  }
  const existing = await stat(outputPath).catch(() => null);
  if (existing?.isDirectory()) throw new EngineError('output', `output path ${outputPath} is a folder`);
}

export async function probeInputs(
  job: JobSpec,
  signal: AbortSignal,
): Promise<{ source: MediaInfo; driving: MediaInfo }> {
  try {
    const [source, driving] = await Promise.all([
      probeMedia(job.sourcePath, 'source image', signal),
      probeMedia(job.drivingPath, 'driving video', signal),
    ]);
    if (driving.kind !== 'video')
      throw new MediaInputError(`driving video ${job.drivingPath}: is a still image, not a video`);
    for (const [info, name] of [
      [source, 'source image'],
      [driving, 'driving video'],
    ] as const) {
      if (info.width > MAX_INPUT_SIDE || info.height > MAX_INPUT_SIDE) {
        throw new MediaInputError(
          `${name}: ${info.width}x${info.height} is larger than ${MAX_INPUT_SIDE} pixels a side`,
        );
      }
    }
    const trackSquares = (job.drivingTrack?.keys ?? []).map((k) => ({ ...k, size: job.drivingTrack!.size }));
    for (const [crop, info, name] of [
      [job.sourceCrop, source, 'source crop'],
      [job.drivingCrop, driving, 'driving crop'],
      ...trackSquares.map((square) => [square, driving, `driving track at ${square.t} s`] as const),
    ] as const) {
      if (crop && (crop.x + crop.size > info.width || crop.y + crop.size > info.height)) {
        throw new MediaInputError(
          `${name} ${crop.size}px at (${crop.x}, ${crop.y}) does not fit in ${info.width}x${info.height}`,
        );
      }
    }
    if (driving.duration != null && job.trimIn >= driving.duration) {
      throw new MediaInputError(
        `trim in ${job.trimIn.toFixed(3)} s is at or past the clip's end (${driving.duration.toFixed(3)} s): no frames in range`,
      );
    }
    return { source, driving };
  } catch (err) {
    if (err instanceof MediaInputError) throw new EngineError('input', err.message);
    throw err;
  }
}

export function expectedFrames(info: MediaInfo, job: JobSpec): number {
  const fps = info.fps ? info.fps.num / info.fps.den : 25;
  const end = job.trimOut ?? info.duration ?? 0;
  return Math.max(1, Math.round((end - job.trimIn) * fps));
}

/** The job's crops, with the automatic ones filled in where the job left them open. */
export async function chooseCrops(
  job: JobSpec,
  subject: ReturnType<typeof subjectFor>,
  hooks: { signal: AbortSignal; onProgress?(stage: Stage, done: number, total: number, fps: number): void },
): Promise<{ sourceCrop: CropBox | null; drivingCrop: CropBox | CropTrack | null }> {
  let sourceCrop = job.sourceCrop;
  let drivingCrop: CropBox | CropTrack | null = job.drivingTrack ?? job.drivingCrop;
  if (!job.settings.autoFrame || subject !== 'face') return { sourceCrop, drivingCrop };
  hooks.onProgress?.('framing', 0, 2, 0);
  sourceCrop ??= (await frameSource(job.sourcePath, subject, hooks.signal)).crop;
  hooks.onProgress?.('framing', 1, 2, 0);
  if (!drivingCrop) {
    const framed = await frameDriving(job.drivingPath, job.trimIn, job.trimOut, subject, hooks.signal);
    drivingCrop = (job.settings.followSubject ? framed.track : null) ?? framed.crop;
  }
  hooks.onProgress?.('framing', 2, 2, 0);
  return { sourceCrop, drivingCrop };
}
