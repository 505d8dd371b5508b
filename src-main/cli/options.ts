/** Pure: CLI flags -> a validated JobSpec, with messages that name the flag at fault. */
import {
  JobSpecSchema,
  describeIssues,
  type CropBox,
  type JobSpec,
  type JobSpecInput,
} from '../../src-shared/job.js';
import { defaultSmoothing } from '../../src-shared/motion/smoothing.js';

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

function str(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function jobFromFlags(flags: FlagValues, modelDir: string): JobSpec {
  const required = (name: string) => {
    const v = str(flags[name]);
    if (!v) throw new UsageError(`--${name} is required`);
    return v;
  };
  const smooth = flags.smooth === true;
  const input: JobSpecInput = {
    modelDir,
    sourcePath: required('source'),
    drivingPath: required('driving'),
    outputPath: required('output'),
    trimIn: num(flags['trim-in'], '--trim-in') ?? 0,
    trimOut: num(flags['trim-out'], '--trim-out') ?? null,
    sourceCrop: parseCrop(str(flags['source-crop']), '--source-crop'),
    drivingCrop: parseCrop(str(flags['driving-crop']), '--driving-crop'),
    settings: {
      mode: (str(flags.mode) ?? 'relative') as 'relative' | 'absolute',
      adaptScale: flags['no-adapt-scale'] !== true,
      relativeJacobian: flags['absolute-jacobian'] !== true,
      smoothing: smooth ? defaultSmoothing : null,
      bestFrame: flags['best-frame'] === true,
      audio: flags['no-audio'] !== true,
      autoFrame: flags['no-auto-frame'] !== true,
      followSubject: flags['follow-subject'] === true,
      pasteBack: flags['paste-back'] === true,
      maxOutputSide: num(flags['max-side'], '--max-side') ?? 1920,
      outputSize: num(flags.size, '--size') ?? null,
      crf: num(flags.crf, '--crf') ?? 18,
      executionProvider: (str(flags.provider) ?? 'auto') as JobSpec['settings']['executionProvider'],
      batchSize: num(flags.batch, '--batch') ?? 4,
      sideBySide: flags['side-by-side'] === true,
      occlusionVideo: flags.occlusion === true,
      keypointOverlay: flags['keypoint-overlay'] === true,
      keypointsJson: flags['keypoints-json'] === true,
    },
  };
  const parsed = JobSpecSchema.safeParse(input);
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
  return parsed.data;
}

/** Progress as one line: "render  120/300  40%  3.2 fps  ETA 56 s". */
export function progressLine(stage: string, done: number, total: number, fps: number): string {
  const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
  const eta = fps > 0 && total > done ? ` ETA ${Math.ceil((total - done) / fps)} s` : '';
  return `${stage.padEnd(9)} ${String(done).padStart(5)}/${total}  ${String(pct).padStart(3)}%  ${fps.toFixed(1)} fps${eta}`;
}
