/**
 * An MP4 being written: ffmpeg encodes raw frames from stdin into a temporary file beside the
 * final path, and only `finish()` renames it into place. `abort()` kills ffmpeg and removes the
 * temporary file, so a failed or cancelled render never leaves a partial file under the final name.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { countPacketsArgs, encodeArgs, type EncodeOptions } from '../media/ffmpeg-args.js';
import { classifyFfmpegError } from '../media/ffmpeg-errors.js';
import { runMediaTool, startMediaTool, type MediaProcess } from '../media/run-ffmpeg.js';
import { EngineError } from './errors.js';

export function temporaryPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  const base = path.basename(finalPath);
  return path.join(
    dir,
    `.${base}.${randomBytes(4).toString('hex')}.partial${path.extname(finalPath) || '.mp4'}`,
  );
}

/** Is `file` a temporary written for `finalPath` (or for an extra output beside it)? */
export function isTemporaryFor(finalPath: string, file: string): boolean {
  const stem = path.basename(finalPath, path.extname(finalPath));
  const name = path.basename(file);
  return (
    path.dirname(file) === path.dirname(finalPath) &&
    name.startsWith(`.${stem}.`) &&
    /\.[0-9a-f]{8}\.partial(\.[\w]+)?$/.test(name)
  );
}

/** Remove temporaries left by a process that died before it could clean up. */
export async function removeTemporaries(finalPath: string): Promise<void> {
  const dir = path.dirname(finalPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .map((n) => path.join(dir, n))
      .filter((f) => isTemporaryFor(finalPath, f))
      .map((f) => rm(f, { force: true })),
  );
}

async function countVideoPackets(file: string): Promise<number | null> {
  const { code, stdout } = await runMediaTool('ffprobe', countPacketsArgs(file)).catch(() => ({
    code: 1,
    stdout: '',
  }));
  const count = Number(stdout.trim());
  return code === 0 && Number.isInteger(count) ? count : null;
}

/** Less than 1 MiB left for us on the volume. */
async function isDiskFull(dir: string): Promise<boolean> {
  const info = await statfs(dir).catch(() => null);
  return info !== null && info.bavail * info.bsize < 1 << 20;
}

export class VideoSink {
  readonly tempPath: string;
  private readonly proc: MediaProcess;
  private failed = false;
  private framesWritten = 0;

  constructor(
    readonly finalPath: string,
    options: Omit<EncodeOptions, 'output'>,
    signal: AbortSignal,
  ) {
    this.tempPath = temporaryPathFor(finalPath);
    this.proc = startMediaTool('ffmpeg', encodeArgs({ ...options, output: this.tempPath }), signal);
    this.proc.child.stdout.resume();
    this.proc.child.stdin.on('error', () => (this.failed = true));
  }

  /** Resolves once ffmpeg has taken the frame or its pipe buffer has room again. */
  async write(frame: Uint8Array): Promise<void> {
    if (this.failed || this.proc.child.exitCode !== null) return this.raise();
    this.framesWritten += 1;
    if (!this.proc.child.stdin.write(frame)) {
      await new Promise<void>((resolve) => {
        const stdin = this.proc.child.stdin;
        const settle = () => {
          stdin.off('drain', settle);
          this.proc.child.off('close', settle);
          resolve();
        };
        stdin.once('drain', settle);
        this.proc.child.once('close', settle);
      });
    }
  }

  private async raise(): Promise<never> {
    const { stderr } = await this.proc.done;
    throw new EngineError('output', classifyFfmpegError(stderr, `writing ${this.finalPath}`).message);
  }

  async finish(): Promise<string> {
    this.proc.child.stdin.end();
    const { code, stderr } = await this.proc.done;
    if (code !== 0) {
      await rm(this.tempPath, { force: true });
      throw new EngineError('output', classifyFfmpegError(stderr, `writing ${this.finalPath}`).message);
    }
    // Some ffmpeg builds exit 0 after failed writes (e.g. a full disk): trust only a file whose
    // video packets can all be read back.
    const packets = await countVideoPackets(this.tempPath);
    if (packets !== this.framesWritten) {
      await rm(this.tempPath, { force: true });
      const reason = (await isDiskFull(path.dirname(this.finalPath)))
        ? 'disk full'
        : `the file is incomplete (${packets ?? 0} of ${this.framesWritten} frames readable)`;
      throw new EngineError('output', `writing ${this.finalPath}: ${reason}`);
    }
    try {
      await rename(this.tempPath, this.finalPath);
    } catch (err) {
      await rm(this.tempPath, { force: true });
      throw new EngineError(
        'output',
        `cannot move the render to ${this.finalPath}: ${(err as Error).message}`,
      );
    }
    return this.finalPath;
  }

  async abort(): Promise<void> {
    this.proc.child.kill('SIGKILL');
    await this.proc.done;
    await rm(this.tempPath, { force: true });
  }
}
