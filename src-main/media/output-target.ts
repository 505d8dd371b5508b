/**
 * The output rule, like ffmpeg's: a render never replaces anything the user did not ask it to.
 * - a device, FIFO, socket or folder at the output path is refused before anything is written;
 * - an existing file is replaced only with `overwrite` (the CLI's --overwrite / -y);
 * - the finished temporary is published without a window in which another file could be
 *   clobbered: hard-linked into place (which fails if the name was taken meanwhile), falling back
 *   to rename only where the file system has no hard links.
 */
import { link, lstat, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export class OutputTargetError extends Error {
  override name = 'OutputTargetError';
}

function kindOf(info: Awaited<ReturnType<typeof lstat>>): string | null {
  if (info.isFile()) return null;
  if (info.isDirectory()) return 'a folder';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

export interface TargetOptions {
  overwrite: boolean;
  /** The output is a folder of frames (an image sequence): it must not exist at all. */
  folder?: boolean;
}

/** Throws OutputTargetError when a render may not write `file`. */
export async function checkOutputTarget(
  file: string,
  { overwrite, folder = false }: TargetOptions,
): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const parent = await stat(dir).catch(() => null);
  if (!parent?.isDirectory()) throw new OutputTargetError(`output folder ${dir} does not exist`);
  const existing = await lstat(file).catch(() => null);
  if (!existing) return;
  if (folder) throw new OutputTargetError(`${file} already exists: choose a new folder name for the frames`);
  const kind = kindOf(existing);
  if (kind) throw new OutputTargetError(`${file} is ${kind}, not a file: choose another output name`);
  if (!overwrite)
    throw new OutputTargetError(
      `${file} already exists: choose another name, or pass --overwrite (-y) to replace it`,
    );
}

/** Move a finished temporary (file or folder) to its final name under the output rule. */
export async function publishOutput(temp: string, file: string, options: TargetOptions): Promise<void> {
  await checkOutputTarget(file, options);
  if (options.folder) {
    // rename() of a folder onto an existing non-empty folder fails; checked above for empty ones.
    await rename(temp, file);
    return;
  }
  if (options.overwrite) {
    await rename(temp, file);
    return;
  }
  try {
    await link(temp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new OutputTargetError(`${file} appeared while rendering: the render was not moved there`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
    await rename(temp, file);
    return;
  }
  await rm(temp, { force: true });
}

/**
 * `talk.mp4`, `talk-2.mp4`, `talk-3.mp4`, …: the first name free on disk and not `taken` (the
 * studio's rule). Only an existing regular file is numbered past; a device, FIFO, socket or
 * folder at the name is refused, as a render would refuse it.
 */
export async function freeOutputName(
  file: string,
  taken: (candidate: string) => boolean | Promise<boolean> = () => false,
): Promise<string> {
  const existing = await lstat(file).catch(() => null);
  if (existing && !existing.isFile()) await checkOutputTarget(file, { overwrite: true });
  const ext = path.extname(file);
  const stem = ext ? file.slice(0, -ext.length) : file;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? file : `${stem}-${n}${ext}`;
    const exists = await lstat(candidate).then(
      () => true,
      () => false,
    );
    if (!exists && !(await taken(candidate))) return candidate;
  }
}
