/**
 * A video (or a folder of frames) being written: ffmpeg encodes raw frames from stdin into a
 * temporary beside the final path, and only `finish()` publishes it under the output rule
 * (media/output-target.ts: nothing is replaced unless asked). `abort()` kills ffmpeg and removes
 * the temporary, so a failed or cancelled render never leaves a partial file under the final
 * name; the partial-file journal covers a writer killed before it could.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { ExportFormat } from '../../src-shared/export-format.js';
import { countPacketsArgs, encodeArgs, muxerFor, type EncodeOptions } from '../media/ffmpeg-args.js';
import { describeFfmpegError } from '../media/ffmpeg-errors.js';
import { OutputTargetError, publishOutput } from '../media/output-target.js';
import { noteTemporary, type JournalEntry } from '../media/partial-journal.js';
import { runMediaTool, startMediaTool, type MediaProcess } from '../media/run-ffmpeg.js';
import { EngineError } from './errors.js';

export function temporaryPathFor(finalPath: string, folder = false): string {
  const dir = path.dirname(finalPath);
  const base = path.basename(finalPath);
  const ext = path.extname(finalPath) || (folder ? '' : '.mp4');
  return path.join(dir, `.${base}.${randomBytes(4).toString('hex')}.partial${ext}`);
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
      .map((f) => rm(f, { recursive: true, force: true })),
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

async function countFrames(temp: string, format: ExportFormat): Promise<number | null> {
  if (format === 'png-sequence')
    return (await readdir(temp).catch(() => [] as string[])).filter((n) => n.endsWith('.png')).length;
  return countVideoPackets(temp);
}

export interface SinkOptions extends Omit<EncodeOptions, 'output' | 'container'> {
  /** Replace an existing file at the final path (never a device, FIFO, socket or folder). */
  overwrite?: boolean;
}

export class VideoSink {
  readonly tempPath: string;
  private readonly proc: MediaProcess;
  private readonly format: ExportFormat;
  private readonly overwrite: boolean;
  private readonly journal: JournalEntry;
  private failed = false;
  private framesWritten = 0;

  constructor(
    readonly finalPath: string,
    options: SinkOptions,
    signal: AbortSignal,
  ) {
    this.format = options.format ?? 'h264';
    this.overwrite = options.overwrite ?? false;
    const folder = this.format === 'png-sequence';
    this.tempPath = temporaryPathFor(finalPath, folder);
    this.journal = noteTemporary(this.tempPath);
    if (folder) mkdirSync(this.tempPath);
    const container = muxerFor(finalPath, this.format);
    this.proc = startMediaTool(
      'ffmpeg',
      encodeArgs({ ...options, output: this.tempPath, container }),
      signal,
    );
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
    throw new EngineError('output', describeFfmpegError(stderr, `writing ${this.finalPath}`));
  }

  private async discard(): Promise<void> {
    await rm(this.tempPath, { recursive: true, force: true });
    this.journal.close();
  }

  async finish(): Promise<string> {
    this.proc.child.stdin.end();
    const { code, stderr } = await this.proc.done;
    if (code !== 0) {
      await this.discard();
      throw new EngineError('output', describeFfmpegError(stderr, `writing ${this.finalPath}`));
    }
    // Some ffmpeg builds exit 0 after failed writes (e.g. a full disk): trust only a file whose
    // video packets can all be read back.
    const packets = await countFrames(this.tempPath, this.format);
    if (packets !== this.framesWritten) {
      await this.discard();
      const reason = (await isDiskFull(path.dirname(this.finalPath)))
        ? 'disk full'
        : `the file is incomplete (${packets ?? 0} of ${this.framesWritten} frames readable)`;
      throw new EngineError('output', `writing ${this.finalPath}: ${reason}`);
    }
    try {
      await publishOutput(this.tempPath, this.finalPath, {
        overwrite: this.overwrite,
        folder: this.format === 'png-sequence',
      });
    } catch (err) {
      await this.discard();
      if (err instanceof OutputTargetError) throw new EngineError('output', err.message);
      throw new EngineError(
        'output',
        `cannot move the render to ${this.finalPath}: ${(err as Error).message}`,
      );
    }
    this.journal.close();
    return this.finalPath;
  }

  async abort(): Promise<void> {
    this.proc.child.kill('SIGKILL');
    await this.proc.done;
    await this.discard();
  }
}
