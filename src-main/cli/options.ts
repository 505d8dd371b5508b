/** Pure: CLI flags -> a validated JobSpec, with messages that name the flag at fault. */
import {
  ExecutionProviderSchema,
  JobSpecSchema,
  RenderSettingsSchema,
  describeIssues,
  type CropBox,
  type ExecutionProviderChoice,
  type JobSpec,
  type JobSpecInput,
  type RenderSettings,
} from '../../src-shared/job.js';
import { defaultSmoothing } from '../../src-shared/motion/smoothing.js';
import { ExportFormatSchema, type ExportFormat } from '../../src-shared/export-format.js';
import type { ProjectDoc } from '../../src-shared/project-file.js';
import { drivingTrackFor } from '../../src-shared/requests.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export function parseCrop(text: string | undefined, flag: string): CropBox | null {
  if (text === undefined) return null;
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0) || parts[2] === 0) {
    throw new UsageError(`${flag} takes x,y,size in whole pixels (e.g. 120,40,512), got "${text}"`);
  }
  return { x: parts[0]!, y: parts[1]!, size: parts[2]! };
}

function num(value: string | boolean | string[] | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`${flag} takes a number, got "${String(value)}"`);
  }
  return n;
}

/** --provider, checked: auto, cpu, webgpu, cuda, dml or coreml (undefined when not given). */
export function executionProvider(
  value: string | boolean | string[] | undefined,
): ExecutionProviderChoice | undefined {
  if (value === undefined) return undefined;
  const parsed = ExecutionProviderSchema.safeParse(value);
  if (!parsed.success)
    throw new UsageError(
      `--provider takes one of ${ExecutionProviderSchema.options.join(', ')}, got "${String(value)}"`,
    );
  return parsed.data;
}

function exportFormat(value: string | boolean | string[] | undefined): ExportFormat | undefined {
  if (value === undefined) return undefined;
  const parsed = ExportFormatSchema.safeParse(value);
  if (!parsed.success)
    throw new UsageError(
      `--format takes one of ${ExportFormatSchema.options.join(', ')}, got "${String(value)}"`,
    );
  return parsed.data;
}

/** `--face N`: which face of a group photo to frame, 1 being the largest. */
export function faceNumber(value: string | boolean | string[] | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--face takes a face number from 1 (the largest) to 64, got "${String(value)}"`);
  return n;
}

function str(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Flags -> render settings, checked: the project's settings (or the engine's defaults) with what
 * the flags change. A batch checks its flags with this before it makes any job.
 */
export function settingsFromFlags(flags: FlagValues, project: ProjectDoc | null = null): RenderSettings {
  const base = project?.settings ?? RenderSettingsSchema.parse({});
  const on = (name: string, saved: boolean) => flags[name] === true || saved;
  const off = (name: string, saved: boolean) => flags[name] !== true && saved;
  const parsed = RenderSettingsSchema.safeParse({
    mode: (str(flags.mode) ?? base.mode) as 'relative' | 'absolute',
    adaptScale: off('no-adapt-scale', base.adaptScale),
    relativeJacobian: off('absolute-jacobian', base.relativeJacobian),
    smoothing: flags.smooth === true ? defaultSmoothing : base.smoothing,
    bestFrame: on('best-frame', base.bestFrame),
    audio: off('no-audio', base.audio),
    autoFrame: off('no-auto-frame', base.autoFrame),
    followSubject: on('follow-subject', base.followSubject),
    pasteBack: on('paste-back', base.pasteBack),
    maxOutputSide: num(flags['max-side'], '--max-side') ?? base.maxOutputSide,
    outputSize: num(flags.size, '--size') ?? base.outputSize,
    crf: num(flags.crf, '--crf') ?? base.crf,
    exportFormat: exportFormat(flags.format) ?? base.exportFormat,
    executionProvider: executionProvider(flags.provider) ?? base.executionProvider,
    gpuFloat16: off('gpu-float32', base.gpuFloat16),
    int8: off('no-int8', on('int8', base.int8)),
    batchSize: num(flags.batch, '--batch') ?? base.batchSize,
    sideBySide: on('side-by-side', base.sideBySide),
    occlusionVideo: on('occlusion', base.occlusionVideo),
    keypointOverlay: on('keypoint-overlay', base.keypointOverlay),
    keypointsJson: on('keypoints-json', base.keypointsJson),
  });
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error, SETTING_FLAGS));
  return parsed.data;
}

/** The flag that sets a number in the settings, so that a bad value is named as the user wrote it. */
const SETTING_FLAGS: Readonly<Record<string, string>> = {
  maxOutputSide: '--max-side',
  outputSize: '--size',
  crf: '--crf',
  batchSize: '--batch',
};

/**
 * Flags -> job. With a saved project, the project gives every value a flag leaves out (its files,
 * trim, crops and settings); without one, the engine's defaults do.
 */
export function jobFromFlags(
  flags: FlagValues,
  modelDir: string,
  project: ProjectDoc | null = null,
): JobSpec {
  const required = (name: string, saved?: string | null) => {
    const v = str(flags[name]) ?? saved;
    if (!v) throw new UsageError(`--${name} is required${project ? ' (the project has none)' : ''}`);
    return v;
  };
  const drivingCrop = parseCrop(str(flags['driving-crop']), '--driving-crop');
  const input: JobSpecInput = {
    modelDir,
    sourcePath: required('source', project?.sourcePath),
    drivingPath: required('driving', project?.drivingPath),
    outputPath: required('output', project?.outputPath),
    overwrite: flags.overwrite === true,
    trimIn: num(flags['trim-in'], '--trim-in') ?? project?.trimIn ?? 0,
    trimOut: num(flags['trim-out'], '--trim-out') ?? project?.trimOut ?? null,
    sourceCrop: parseCrop(str(flags['source-crop']), '--source-crop') ?? project?.sourceCrop ?? null,
    sourceFace: faceNumber(flags.face),
    drivingCrop: drivingCrop ?? project?.drivingCrop ?? null,
    // A crop given on the command line replaces the project's moving one (and the track only
    // counts when the crop follows the face: src-shared/requests.ts, after the settings below).
    drivingTrack: drivingCrop ? null : (project?.drivingTrack ?? null),
    settings: settingsFromFlags(flags, project),
  };
  const parsed = JobSpecSchema.safeParse({
    ...input,
    drivingTrack: drivingTrackFor(input.drivingTrack ?? null, {
      followSubject: input.settings?.followSubject ?? false,
    }),
  });
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
  return parsed.data;
}

/** Progress as one line: "render  120/300  40%  3.2 fps ETA 56 s". */
export function progressLine(
  stage: string,
  done: number,
  total: number,
  fps: number,
  provider?: string | null,
): string {
  const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
  const eta = fps > 0 && total > done ? ` ETA ${Math.ceil((total - done) / fps)} s` : '';
  // Stages without a frame rate (probing, framing, importing) show no fps.
  const rate = fps > 0 ? `  ${fps.toFixed(1)} fps` : '';
  const on = provider ? `  on ${provider}` : '';
  return `${stage.padEnd(9)} ${String(done).padStart(5)}/${total}  ${String(pct).padStart(3)}%${rate}${eta}${on}`;
}
