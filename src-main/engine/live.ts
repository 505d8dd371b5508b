/**
 * One frame of the live camera preview: the camera frame's keypoints, moved onto the photo
 * relative to the session's neutral pose, through the generator. The photo's encoding is the
 * preview's own cache (inspect.ts), so a live frame costs one keypoint pass and one generator pass.
 */
import { LIVE_PASTE_SIDE, type LiveFrameRequest, type LiveFrameResult } from '../../src-shared/live.js';
import { poseDistance } from '../../src-shared/motion/best-frame.js';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';
import { EngineError } from './errors.js';
import { moveSource, pasteBackPhoto, pasteInto, sourceEncoding } from './inspect.js';
import type { ModelSet } from './model-set.js';
import { chwToRgb, rgbToChw } from './tensors.js';

/** Neutral poses of the most recent camera sessions (a session is one camera's preview run). */
const neutrals = new Map<string, { kp: Keypoints; set: boolean }>();
const SESSIONS_KEPT = 4;

function keepNeutral(session: string, kp: Keypoints, set: boolean): void {
  neutrals.delete(session);
  neutrals.set(session, { kp, set });
  while (neutrals.size > SESSIONS_KEPT) neutrals.delete(neutrals.keys().next().value as string);
}

export async function liveFrame(
  models: ModelSet,
  request: LiveFrameRequest,
  signal: AbortSignal,
): Promise<LiveFrameResult> {
  const started = performance.now();
  const { width, height } = models.size;
  if (request.width !== width || request.height !== height)
    throw new EngineError(
      'input',
      `camera frame is ${request.width}×${request.height}; this model takes ${width}×${height}`,
    );
  const rgb = new Uint8Array(Buffer.from(request.rgb, 'base64'));
  if (rgb.length !== width * height * 3)
    throw new EngineError(
      'input',
      `camera frame has ${rgb.length} bytes, expected ${width * height * 3} (RGB)`,
    );
  const source = await sourceEncoding(models, request.sourcePath, request.sourceCrop, signal);
  const chw = new Float32Array(3 * width * height);
  rgbToChw(rgb, width, height, chw);
  const [kpCamera] = await models.keypoints(chw, 1);
  const known = neutrals.get(request.session);
  if (request.setNeutral || !known) keepNeutral(request.session, kpCamera!, request.setNeutral);
  const neutral = neutrals.get(request.session)!;
  const out = await moveSource(models, source, kpCamera!, neutral.kp, request.settings);
  let frame = chwToRgb(out.prediction, width, height);
  let size = { width, height };
  if (request.pasteBack) {
    const photo = await pasteBackPhoto(
      request.sourcePath,
      request.sourceCrop,
      LIVE_PASTE_SIDE,
      signal,
      source.version,
    );
    frame = pasteInto(models, photo.paste, frame, out);
    size = photo.paste.size;
  }
  return {
    ...size,
    rgb: Buffer.from(frame).toString('base64'),
    pastedBack: request.pasteBack,
    poseDistance: poseDistance(source.encoded.kp, kpCamera!) / models.manifest.num_kp,
    neutralSet: neutral.set,
    engineMs: performance.now() - started,
  };
}
