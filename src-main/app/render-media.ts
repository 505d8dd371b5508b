/**
 * Finished renders played back in the studio: the dev host (HTTP) and the desktop app (a custom
 * protocol) serve a queue job's MP4 with byte ranges, which <video> needs to seek. Only the output
 * of a job that is done can be served: an id, never a path, comes from the page.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseByteRange } from '../../src-shared/byte-range.js';
import type { QueueItem } from '../../src-shared/api.js';

export interface MediaReply {
  status: 200 | 206 | 404 | 416;
  headers: Record<string, string>;
  body: ReadStream | null;
}

/**
 * The job id a player URL names: `/renders/<id>.mp4` from the dev host, `renders/<id>.mp4` (host
 * and path) from the desktop protocol; null for anything else.
 */
export function renderJobId(urlPath: string): string | null {
  return /^\/?renders\/([\w-]{1,200})\.mp4$/.exec(urlPath)?.[1] ?? null;
}

/** The opened clip a player URL names: `/inputs/<id>` (dev host) or `inputs/<id>` (desktop). */
export function inputMediaId(urlPath: string): string | null {
  return /^\/?inputs\/([0-9a-f]{16,64})$/.exec(urlPath)?.[1] ?? null;
}

/**
 * The clips the user opened in this run, by id: the studio plays the driving clip (with its
 * sound) from here, and only files the user picked can be served.
 */
export class OpenedMedia {
  private readonly byId = new Map<string, string>();
  private readonly byPath = new Map<string, string>();

  register(file: string): string {
    const known = this.byPath.get(file);
    if (known) return known;
    const id = randomBytes(12).toString('hex');
    this.byId.set(id, file);
    this.byPath.set(file, id);
    return id;
  }

  file(id: string): string | null {
    return this.byId.get(id) ?? null;
  }
}

const VIDEO_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
};

/** The MP4 of a finished job, or null. */
export function renderedFile(items: readonly QueueItem[], id: string): string | null {
  const item = items.find((i) => i.id === id);
  return item?.state === 'done' ? item.outputPath : null;
}

export async function mediaReply(
  file: string | null,
  rangeHeader: string | null | undefined,
): Promise<MediaReply> {
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) return { status: 404, headers: {}, body: null };
  const size = info.size;
  const type = VIDEO_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const base = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': 'no-cache' };
  const range = parseByteRange(rangeHeader, size);
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...base, 'content-range': `bytes */${size}` }, body: null };
  }
  if (!range) {
    return {
      status: 200,
      headers: { ...base, 'content-length': String(size) },
      body: createReadStream(file),
    };
  }
  return {
    status: 206,
    headers: {
      ...base,
      'content-length': String(range.end - range.start + 1),
      'content-range': `bytes ${range.start}-${range.end}/${size}`,
    },
    body: createReadStream(file, { start: range.start, end: range.end }),
  };
}
