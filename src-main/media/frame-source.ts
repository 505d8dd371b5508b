/** Driving/source frames decoded by ffmpeg straight to RGB24 at the model's resolution. */
import { MediaCancelledError, MediaInputError } from './errors.js';
import { decodeArgs, type DecodeOptions } from './ffmpeg-args.js';
import { describeFfmpegError } from './ffmpeg-errors.js';
import { imageOrientation, orientationFilter } from './orientation.js';
import { rawFrames } from './raw-frames.js';
import { startMediaTool } from './run-ffmpeg.js';

export interface FrameOptions extends DecodeOptions {
  /**
   * A still photo: anything ffmpeg reports while decoding it is an error (a truncated JPEG
   * decodes "fine", mostly grey or green, with only a warning), not a silently broken render.
   */
  strict?: boolean;
}

async function* decodeRaw(
  options: FrameOptions,
  subject: string,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  // Crops and sizes are in display coordinates: a photo stored sideways is turned upright first.
  const orient = options.orient ?? orientationFilter(await imageOrientation(options.input));
  const proc = startMediaTool('ffmpeg', decodeArgs({ ...options, orient }), signal);
  proc.child.stdin.end();
  let finished = false;
  try {
    yield* rawFrames(proc.child.stdout, options.width * options.height * 3);
    finished = true;
  } finally {
    // A consumer that stops early (or an error) must not leave ffmpeg running.
    if (!finished) {
      proc.child.kill('SIGKILL');
      await proc.done;
    }
  }
  const { code, stderr } = await proc.done;
  if (signal.aborted) throw new MediaCancelledError();
  if (code !== 0) throw new MediaInputError(describeFfmpegError(stderr, subject));
  const warning = stderr
    .trim()
    .split('\n')[0]
    ?.replace(/^\[[^\]]*\]\s*/, '');
  if (options.strict && warning)
    throw new MediaInputError(
      `${subject} ${options.input}: the file is damaged or truncated (ffmpeg: ${warning.slice(0, 120)})`,
    );
}

export async function* decodeFrames(
  options: FrameOptions,
  subject: string,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (!options.strict) return yield* decodeRaw(options, subject, signal);
  // Strict: decode to the end first, so that a damaged file fails before any frame is used.
  const frames: Uint8Array[] = [];
  for await (const frame of decodeRaw(options, subject, signal)) frames.push(frame);
  yield* frames;
}

export async function decodeSingleFrame(
  options: FrameOptions,
  subject: string,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const frames = decodeFrames({ ...options, singleFrame: true }, subject, signal);
  try {
    const first = await frames.next();
    if (!first.done) return first.value;
  } finally {
    await frames.return(undefined);
  }
  throw new MediaInputError(`${subject}: no frame could be decoded`);
}
