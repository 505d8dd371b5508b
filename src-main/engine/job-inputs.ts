/**
 * What a render job reads, checked before any work starts: the output folder, the two inputs
 * (probed, with sizes, crops and trim checked against them) and the squares the model will see.
 */
import { access, constants, lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveExportFormat, type ExportFormat } from '../../src-shared/export-format.js';
import type { CropBox, CropTrack, JobSpec } from '../../src-shared/job.js';
import { checkOutputTarget, OutputTargetError } from '../media/output-target.js';
import { drivingFraming } from '../../src-shared/requests.js';
import type { subjectFor } from '../../src-shared/framing/schema.js';
import { frameDriving, frameSource } from '../framing/auto-frame.js';
import { MediaInputError } from '../media/errors.js';
import { probeMedia, type MediaInfo } from '../media/probe.js';
import { EngineError } from './errors.js';
import type { Stage } from '../../src-shared/protocol/engine.js';

export const MAX_INPUT_SIDE = 16384;

/** The main output's format, and every path the job will write, checked under the output rule. */
export async function checkOutput(job: JobSpec): Promise<{ format: ExportFormat; outputs: string[] }> {
  const { outputPath } = job;
  const outputs = [outputPath, ...extraOutputPaths(job)];
  for (const [input, name] of [
    [job.sourcePath, 'source image'],
    [job.drivingPath, 'driving video'],
  ] as const) {
    // The render writes its outputs: they must never be its own inputs.
    for (const output of outputs)
      if (path.resolve(input) === path.resolve(output))
        throw new EngineError('output', `output ${output} is the ${name}; choose another name`);
  }
  const dir = path.dirname(path.resolve(outputPath));
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new Error();
    await access(dir, constants.W_OK);
  } catch {
    throw new EngineError('output', `output folder ${dir} does not exist or is not writable`);
  }
  try {
    // What is at the path comes first: a device is refused as a device, whatever its name says.
    const existing = await lstat(outputPath).catch(() => null);
    if (existing && !existing.isFile() && !existing.isDirectory())
      await checkOutputTarget(outputPath, { overwrite: true });
    const choice = resolveExportFormat(outputPath, job.settings.exportFormat);
    if ('error' in choice) throw new EngineError('output', `output ${outputPath}: ${choice.error}`);
    await checkOutputTarget(outputPath, {
      overwrite: job.overwrite,
      folder: choice.format === 'png-sequence',
    });
    for (const extra of outputs.slice(1)) await checkOutputTarget(extra, { overwrite: job.overwrite });
    return { format: choice.format, outputs };
  } catch (err) {
    if (err instanceof OutputTargetError) throw new EngineError('output', err.message);
    throw err;
  }
}

/** `talk.mp4` + suffix `side-by-side.mp4` -> `talk.side-by-side.mp4`. */
export function extraOutputPath(outputPath: string, suffix: string): string {
  const ext = path.extname(outputPath);
  return `${ext ? outputPath.slice(0, -ext.length) : outputPath}.${suffix}`;
}

/** The files beside the main output that the job's settings ask for. */
export function extraOutputPaths(job: JobSpec): string[] {
  const s = job.settings;
  const suffixes = [
    s.sideBySide && 'side-by-side.mp4',
    s.keypointOverlay && 'keypoints.mp4',
    s.occlusionVideo && 'occlusion.mp4',
    s.keypointsJson && 'keypoints.json',
  ].filter((x): x is string => typeof x === 'string');
  return suffixes.map((suffix) => extraOutputPath(job.outputPath, suffix));
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
  hooks: {
    signal: AbortSignal;
    onProgress?(stage: Stage, done: number, total: number, fps: number): void;
    /** The inputs as probeInputs found them: framing does not probe them again. */
    inputs?: { source: MediaInfo; driving: MediaInfo };
  },
): Promise<{ sourceCrop: CropBox | null; drivingCrop: CropBox | CropTrack | null }> {
  let sourceCrop = job.sourceCrop;
  let drivingCrop: CropBox | CropTrack | null = drivingFraming(job);
  if (!job.settings.autoFrame || subject !== 'face') return { sourceCrop, drivingCrop };
  hooks.onProgress?.('framing', 0, 2, 0);
  sourceCrop ??= (
    await frameSource(job.sourcePath, subject, hooks.signal, job.sourceFace, hooks.inputs?.source)
  ).crop;
  hooks.onProgress?.('framing', 1, 2, 0);
  if (!drivingCrop) {
    const framed = await frameDriving(
      job.drivingPath,
      job.trimIn,
      job.trimOut,
      subject,
      hooks.signal,
      hooks.inputs?.driving,
    );
    drivingCrop = (job.settings.followSubject ? framed.track : null) ?? framed.crop;
  }
  hooks.onProgress?.('framing', 2, 2, 0);
  return { sourceCrop, drivingCrop };
}
