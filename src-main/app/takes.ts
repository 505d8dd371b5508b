/**
 * Recorded takes: what the studio's camera recorded (a WebM the page staged as an upload) becomes
 * `<home>/takes/take-YYYY-MM-DD-HHMMSS.mp4`, a constant-rate clip with its sound that trims and
 * renders like any other and stays when the studio reloads. Only a recording staged in this
 * home's uploads folder is taken; it is written to a temporary, published under the output rule
 * (never over a file), and the staged copy goes only once the take is in place.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { temporaryPathFor } from '../engine/video-sink.js';
import { takeArgs } from '../media/ffmpeg-args.js';
import { describeFfmpegError } from '../media/ffmpeg-errors.js';
import { MediaInputError } from '../media/errors.js';
import { freeOutputName, publishOutput } from '../media/output-target.js';
import { runMediaTool } from '../media/run-ffmpeg.js';

/** A take's name from the moment it was kept (local time, as people read their files). */
export function takeName(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  return `take-${day}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}.mp4`;
}

export async function keepTake(homeDir: string, staged: string, now = new Date()): Promise<string> {
  const uploads = path.join(path.resolve(homeDir), 'uploads');
  const file = path.resolve(staged);
  // uploads/<unique>/<name>: the staging folder of one upload, and nothing else.
  if (path.dirname(path.dirname(file)) !== uploads)
    throw new Error(`a take must be a recording the studio staged in ${uploads}, not ${staged}`);
  const dir = path.join(path.resolve(homeDir), 'takes');
  await mkdir(dir, { recursive: true });
  const target = await freeOutputName(path.join(dir, takeName(now)));
  const temp = temporaryPathFor(target);
  try {
    const { code, stderr } = await runMediaTool('ffmpeg', takeArgs(file, temp), { timeoutMs: 30 * 60_000 });
    if (code !== 0) throw new MediaInputError(describeFfmpegError(stderr, 'recorded take'));
    await publishOutput(temp, target, { overwrite: false });
  } finally {
    await rm(temp, { force: true });
  }
  await rm(path.dirname(file), { recursive: true, force: true });
  return target;
}
