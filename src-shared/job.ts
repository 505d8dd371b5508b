/**
 * What one render job is: inputs, trim, framing and settings. Shared by the CLI, the app's queue
 * and the engine; every copy that crosses a process boundary is parsed with these schemas.
 */
import { z } from 'zod';
import { ExportFormatSchema } from './export-format.js';

/** A square crop in source pixels (what the model sees, before scaling to its resolution). */
export const CropBoxSchema = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  size: z.number().int().positive(),
});
export type CropBox = z.infer<typeof CropBoxSchema>;

/**
 * A square of constant size that moves through the clip: keyframes at clip times (seconds),
 * linearly interpolated between them and held before the first and after the last.
 */
export const CropTrackSchema = z
  .object({
    size: z.number().int().positive(),
    keys: z
      .array(
        z.object({
          t: z.number().nonnegative(),
          x: z.number().int().nonnegative(),
          y: z.number().int().nonnegative(),
        }),
      )
      .min(1)
      .max(512),
  })
  .refine((track) => track.keys.every((k, i) => i === 0 || k.t > track.keys[i - 1]!.t), {
    message: 'key times must increase',
    path: ['keys'],
  });
export type CropTrack = z.infer<typeof CropTrackSchema>;

export const ExecutionProviderSchema = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);
export type ExecutionProviderChoice = z.infer<typeof ExecutionProviderSchema>;

export const SmoothingSchema = z.object({
  minCutoff: z.number().positive().max(100),
  beta: z.number().nonnegative().max(100),
  derivativeCutoff: z.number().positive().max(100),
});

export const RenderSettingsSchema = z.object({
  mode: z.enum(['relative', 'absolute']).default('relative'),
  adaptScale: z.boolean().default(true),
  relativeJacobian: z.boolean().default(true),
  smoothing: SmoothingSchema.nullable().default(null),
  bestFrame: z.boolean().default(false),
  audio: z.boolean().default(true),
  /** Find the subject (faces, for face models) when no crop is given; else centred squares. */
  autoFrame: z.boolean().default(true),
  /** Auto-framing of the driving clip: a smoothed square that follows the subject, not one stable square. */
  followSubject: z.boolean().default(false),
  /** Composite the animation back into the full source photo instead of exporting the square. */
  pasteBack: z.boolean().default(false),
  /** Paste-back output's longer side is capped to this many pixels. */
  maxOutputSide: z.number().int().min(64).max(8192).default(1920),
  /** Output square side in pixels; null keeps the model's resolution (ignored with paste-back). */
  outputSize: z.number().int().min(16).max(4096).nullable().default(null),
  /** x264 constant rate factor: lower is better quality. */
  crf: z.number().int().min(0).max(51).default(18),
  /** What the main output is written as; null: what its extension names (src-shared/export-format.ts). */
  exportFormat: ExportFormatSchema.nullable().default(null),
  executionProvider: ExecutionProviderSchema.default('auto'),
  /** On a GPU provider, the model's float16 graphs where it has them (faster; within 2/255 of float32). */
  gpuFloat16: z.boolean().default(true),
  /**
   * Fast mode: on the CPU, the generator in int8 where the model has one; each fast job checks it
   * against float32 on its own frames (calibrating it when needed) and uses it only at 32 dB PSNR
   * or better.
   */
  int8: z.boolean().default(false),
  batchSize: z.number().int().min(1).max(64).default(4),
  sideBySide: z.boolean().default(false),
  occlusionVideo: z.boolean().default(false),
  keypointOverlay: z.boolean().default(false),
  keypointsJson: z.boolean().default(false),
});
export type RenderSettings = z.infer<typeof RenderSettingsSchema>;

export const JobSpecBaseSchema = z.object({
  modelDir: z.string().min(1),
  sourcePath: z.string().min(1),
  drivingPath: z.string().min(1),
  outputPath: z.string().min(1),
  /** Replace an existing file at the output path (never a device, FIFO, socket or folder). */
  overwrite: z.boolean().default(false),
  /** Seconds into the driving clip. */
  trimIn: z.number().nonnegative().default(0),
  /** Seconds; null = to the end. */
  trimOut: z.number().positive().nullable().default(null),
  sourceCrop: CropBoxSchema.nullable().default(null),
  /** With several faces in the photo and no crop: frame this one (1 = the largest). */
  sourceFace: z.number().int().min(1).max(64).nullable().default(null),
  drivingCrop: CropBoxSchema.nullable().default(null),
  /** A moving driving crop; when set it replaces `drivingCrop`. */
  drivingTrack: CropTrackSchema.nullable().default(null),
  settings: RenderSettingsSchema.default(RenderSettingsSchema.parse({})),
});

/** The trim rule, once for jobs and project files: an out point, when set, after the in point. */
export function trimIsOrdered(t: { trimIn: number; trimOut: number | null }): boolean {
  return t.trimOut === null || t.trimOut > t.trimIn;
}
export const TRIM_ORDER_ISSUE = { message: 'trim out must be after trim in', path: ['trimOut'] };

export const JobSpecSchema = JobSpecBaseSchema.refine(trimIsOrdered, TRIM_ORDER_ISSUE);
export type JobSpec = z.infer<typeof JobSpecSchema>;
export type JobSpecInput = z.input<typeof JobSpecSchema>;

/**
 * Human-readable one-liner for a schema failure: "settings.crf: Too big: expected number to be <=51".
 * At most three issues, each cut short: a hostile input cannot make a megabyte-long message.
 */
export function describeIssues(error: z.ZodError, names: Readonly<Record<string, string>> = {}): string {
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const shown = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.join('.');
    return `${cut(names[where] ?? (where || 'value'), 60)}: ${cut(issue.message, 120)}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `${shown.join('; ')}${more}`;
}
