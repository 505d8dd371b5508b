/**
 * The live camera preview: one camera frame in (at the model's resolution), one animated frame out.
 * The studio keeps at most one frame in flight and drops the rest, so the preview never lags
 * behind a queue. "Neutral" is the camera pose that relative motion is measured from (paper
 * Sec. 3.4: the driving frame that matches the source's pose); until one is set, the session's
 * first frame is.
 */
import { z } from 'zod';
import { CropBoxSchema, RenderSettingsSchema } from './job.js';

/** The live preview's pasted-back frame: its longer side (a frame a camera tick must stay small). */
export const LIVE_PASTE_SIDE = 640;

/** The largest model input the live preview takes (published models are 256²). */
export const LIVE_MAX_SIDE = 512;
/** The longest camera frame on the wire (base64 of RGB at LIVE_MAX_SIDE²): API hosts must take it. */
export const RGB_BASE64_MAX = Math.ceil((LIVE_MAX_SIDE * LIVE_MAX_SIDE * 3) / 3) * 4;

export const LiveSettingsSchema = RenderSettingsSchema.pick({
  mode: true,
  adaptScale: true,
  relativeJacobian: true,
});

export const LiveFrameArgsSchema = z.object({
  modelId: z.string().min(1),
  sourcePath: z.string().min(1),
  sourceCrop: CropBoxSchema.nullable(),
  /** One camera session's id: its neutral pose is kept under it. */
  session: z.string().min(1).max(64),
  width: z.number().int().min(8).max(LIVE_MAX_SIDE),
  height: z.number().int().min(8).max(LIVE_MAX_SIDE),
  /** The camera frame, cropped and scaled to width × height, RGB24 as base64. */
  rgb: z.string().min(1).max(RGB_BASE64_MAX),
  /** Take this frame as the neutral pose. */
  setNeutral: z.boolean().default(false),
  /** Answer with the frame composited into the photo (its longer side at most LIVE_PASTE_SIDE). */
  pasteBack: z.boolean().default(false),
  settings: LiveSettingsSchema,
});
export type LiveFrameArgs = z.infer<typeof LiveFrameArgsSchema>;

/** What the engine gets: the model's folder in place of its id. */
export const LiveFrameRequestSchema = LiveFrameArgsSchema.omit({ modelId: true }).extend({
  modelDir: z.string().min(1),
});
export type LiveFrameRequest = z.infer<typeof LiveFrameRequestSchema>;

export const LiveFrameResultSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** The animated photo, RGB24 as base64: at the model's resolution, or pasted back into the photo. */
  rgb: z.string(),
  pastedBack: z.boolean().default(false),
  /** How far the camera's pose is from the photo's (poseDistance per keypoint; 0: the same). */
  poseDistance: z.number().nonnegative(),
  /** Whether the user set the neutral pose in this session (else it is the session's first frame). */
  neutralSet: z.boolean(),
  /** Time the engine spent on this frame. */
  engineMs: z.number().nonnegative(),
});
export type LiveFrameResult = z.infer<typeof LiveFrameResultSchema>;

/**
 * Whether the camera face is now in the photo's pose, as closely as this face gets: the pose
 * distance between two people stays large (identity differs), so the rule is relative to the
 * session's own recent distances: the current one is among its lowest tenth. The studio then
 * suggests Set neutral (relative motion should start from a pose that matches the photo's).
 */
export function suggestNeutral(
  recentDistances: readonly number[],
  current: Pick<LiveFrameResult, 'poseDistance' | 'neutralSet'> | null,
): boolean {
  if (!current || current.neutralSet || recentDistances.length < SUGGEST_AFTER_FRAMES) return false;
  const sorted = [...recentDistances].sort((a, b) => a - b);
  return current.poseDistance <= sorted[Math.floor(sorted.length * 0.1)]!;
}

/** Frames seen before the studio judges a pose against the session's own. */
export const SUGGEST_AFTER_FRAMES = 15;

/** Below this rate, after PASTE_BACK_TRIAL frames, the live preview drops paste-back to keep up. */
export const PASTE_BACK_MIN_FPS = 5;
export const PASTE_BACK_TRIAL = 20;

/** Paste-back stays on while the preview keeps up (judged once enough frames were shown). */
export function pasteBackKeepsUp(framesWithPasteBack: number, stats: LiveStats): boolean {
  return framesWithPasteBack < PASTE_BACK_TRIAL || stats.fps >= PASTE_BACK_MIN_FPS;
}

/** A running measure of the live preview: frames shown per second and camera-to-screen latency. */
export interface LiveStats {
  fps: number;
  /** Median camera frame → animated frame on screen. */
  latencyMs: number;
  /** Median of that spent in the engine (keypoints and generator). */
  engineMs: number;
}

/** Stats over the frames shown in the last `windowMs` (each: when it was captured and shown). */
export function liveStats(
  shown: ReadonlyArray<{ capturedAt: number; shownAt: number; engineMs: number }>,
  now: number,
  windowMs = 2000,
): LiveStats {
  const recent = shown.filter((f) => now - f.shownAt <= windowMs);
  if (recent.length === 0) return { fps: 0, latencyMs: 0, engineMs: 0 };
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const span = recent.length > 1 ? recent[recent.length - 1]!.shownAt - recent[0]!.shownAt : 0;
  return {
    fps: span > 0 ? ((recent.length - 1) * 1000) / span : 0,
    latencyMs: median(recent.map((f) => f.shownAt - f.capturedAt)),
    engineMs: median(recent.map((f) => f.engineMs)),
  };
}
