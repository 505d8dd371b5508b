/**
 * Files a browser hands the dev host (drag-and-drop, Pick a file…): a web page cannot name a
 * local path, so the file's bytes are kept in a staging folder of the studio's home,
 * `<home>/uploads/<unique>/<name>`, and the studio opens that path. Only photos and clips are
 * taken, within a size cap, and only once ffprobe reads them; a failed upload leaves nothing, and
 * nothing but its own new folder is ever written or removed.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { FileKind } from '../../src-shared/api.js';
import { fileKindOf } from '../../src-shared/file-kinds.js';
import { probeMedia } from '../media/probe.js';

/** Largest upload of each kind (bytes). */
export const UPLOAD_LIMITS: Partial<Record<FileKind, number>> = {
  image: 100 * 2 ** 20,
  video: 4 * 2 ** 30,
};

export class UploadError extends Error {}

/** A file name as the user gave it, reduced to one safe path component. */
export function uploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  if (!clean) throw new UploadError('the file has no usable name');
  return clean.length > 180 ? clean.slice(clean.length - 180) : clean;
}

export async function saveUpload(
  homeDir: string,
  name: string,
  kind: FileKind,
  body: AsyncIterable<Buffer> | NodeJS.ReadableStream,
  limits: Partial<Record<FileKind, number>> = UPLOAD_LIMITS,
): Promise<string> {
  const limit = limits[kind];
  if (limit === undefined) throw new UploadError(`only photos and clips can be uploaded, not a ${kind}`);
  const file = uploadName(name);
  if (fileKindOf(file) !== kind)
    throw new UploadError(`${file} is not ${kind === 'image' ? 'a photo' : 'a video'} (by its extension)`);
  const folder = path.join(
    homeDir,
    'uploads',
    `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`,
  );
  await mkdir(folder, { recursive: true });
  const target = path.join(folder, file);
  const partial = `${target}.partial`;
  try {
    let size = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > limit) done(new UploadError(`${file} is larger than ${Math.round(limit / 2 ** 20)} MiB`));
        else done(null, chunk);
      },
    });
    await pipeline(body, cap, createWriteStream(partial, { flags: 'wx' }));
    if (size === 0) throw new UploadError(`${file} is empty`);
    const info = await probeMedia(partial, kind === 'image' ? 'photo' : 'video');
    if (info.kind !== kind)
      throw new UploadError(`${file} is not ${kind === 'image' ? 'a photo' : 'a video'}`);
    await rename(partial, target);
    return target;
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
}
