/**
 * The engine's message protocol, identical for Electron's utilityProcess and the CLI's child
 * process. Both directions are validated on receipt: a malformed message is an error value, never
 * a crash.
 */
import { z } from 'zod';
import { FramingRequestSchema, FramingResultSchema } from '../framing/schema.js';
import { InspectRequestSchema, InspectResultSchema } from '../inspect.js';
import { CropBoxSchema, CropTrackSchema, JobSpecSchema } from '../job.js';
import { LiveFrameRequestSchema, LiveFrameResultSchema } from '../live.js';

export const EngineRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), jobId: z.string().min(1), job: JobSpecSchema }),
  z.object({ type: z.literal('cancel'), jobId: z.string().min(1) }),
  z.object({ type: z.literal('inspect'), jobId: z.string().min(1), request: InspectRequestSchema }),
  z.object({ type: z.literal('frame'), jobId: z.string().min(1), request: FramingRequestSchema }),
  /** One camera frame of the live preview. */
  z.object({ type: z.literal('live'), jobId: z.string().min(1), request: LiveFrameRequestSchema }),
  z.object({ type: z.literal('shutdown') }),
]);
export type EngineRequest = z.infer<typeof EngineRequestSchema>;

export const EngineErrorCodeSchema = z.enum([
  'input',
  'model',
  'output',
  'cancelled',
  'internal',
  'worker-crashed',
]);
export type EngineErrorCode = z.infer<typeof EngineErrorCodeSchema>;

export const StageSchema = z.enum(['probe', 'framing', 'keypoints', 'calibrate', 'render', 'finalise']);
export type Stage = z.infer<typeof StageSchema>;

export const EngineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({
    type: z.literal('progress'),
    jobId: z.string(),
    stage: StageSchema,
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    fps: z.number().nonnegative(),
    /** The execution provider the job runs on (with its adapter and any fallback), once the model is loaded. */
    provider: z.string().max(300).nullable().default(null),
  }),
  z.object({
    type: z.literal('preview'),
    jobId: z.string(),
    frameIndex: z.number().int().nonnegative(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    rgb: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected RGB bytes'),
  }),
  z.object({
    type: z.literal('result'),
    jobId: z.string(),
    outputPath: z.string(),
    sourceCrop: CropBoxSchema.nullable(),
    drivingCrop: CropBoxSchema.nullable(),
    /** Set when the driving crop followed the subject (then `drivingCrop` is its first square). */
    drivingTrack: CropTrackSchema.nullable(),
    frames: z.number().int().nonnegative(),
    seconds: z.number().nonnegative(),
    executionProvider: z.string(),
    extraOutputs: z.array(z.string()),
    referenceFrame: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('inspection'), jobId: z.string(), result: InspectResultSchema }),
  z.object({ type: z.literal('framing'), jobId: z.string(), result: FramingResultSchema }),
  z.object({ type: z.literal('live'), jobId: z.string(), result: LiveFrameResultSchema }),
  z.object({ type: z.literal('error'), jobId: z.string(), code: EngineErrorCodeSchema, message: z.string() }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;
export type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;
export type ResultEvent = Extract<EngineEvent, { type: 'result' }>;
