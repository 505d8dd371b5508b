/** Driving/source frames decoded by ffmpeg straight to RGB24 at the model's resolution. */
import { decodeArgs, type DecodeOptions } from '../media/ffmpeg-args.js';
import { classifyFfmpegError } from '../media/ffmpeg-errors.js';
import { rawFrames } from '../media/raw-frames.js';
import { startMediaTool } from '../media/run-ffmpeg.js';
import { EngineError, cancelled } from './errors.js';

export async function* decodeFrames(
  options: DecodeOptions,
  subject: string,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const proc = startMediaTool('ffmpeg', decodeArgs(options), signal);
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
  if (signal.aborted) throw cancelled();
  if (code !== 0) throw new EngineError('input', classifyFfmpegError(stderr, subject).message);
}

export async function decodeSingleFrame(
  options: DecodeOptions,
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
  throw new EngineError('input', `${subject}: no frame could be decoded`);
}
