/**
 * Optimised graphs kept between runs, so that a job does not wait for ONNX Runtime to optimise
 * the same graph again.
 *
 * On the CPU, ONNX Runtime's full optimisation (fusions, and layouts for this CPU's vector width)
 * takes seconds for a 256² generator, on every session it creates: a short job spends more time
 * there than rendering. ONNX Runtime can write the graph it ends up with; created from that file
 * with optimisation off, a session runs the very same kernels and starts in a fraction of the time.
 *
 * The written graph belongs to this machine (its CPU's vector width), this ONNX Runtime and this
 * version of the model's files, so all of them name the cache entry: a changed model folder, an
 * upgraded runtime or another CPU simply misses, and the entry it replaces is removed. Every
 * failure (an unwritable cache, a torn or foreign entry) falls back to creating the session as
 * before: the cache can make a job faster, never fail it. Only the CPU provider is cached (GPU
 * providers optimise for their device, at run time).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { cacheHome } from '../media/app-dirs.js';

/** Bumped when what an entry holds, or how it is named, changes. */
const FORMAT = 1;
/** Entries past this many bytes in all are removed, least recently used first. */
export const SESSION_CACHE_LIMIT_BYTES = 2 * 1024 ** 3;
const ENTRY = /^[0-9a-f]{16}-[0-9a-f]{24}\.onnx$/;
const PARTIAL = /\.partial$/;
/** A partial file older than this was left by a process that died while writing it. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;

/** The engine's cache folder: `cacheHome()/sessions`, or null with MARIONETTE_SESSION_CACHE=off. */
export function sessionCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.MARIONETTE_SESSION_CACHE === 'off' ? null : path.join(cacheHome(env), 'sessions');
}

/** How a session was created: from a kept graph, storing one, or without the cache. */
export type SessionCacheOutcome = 'hit' | 'stored' | 'off';

export interface CachedSession {
  session: ort.InferenceSession;
  cache: SessionCacheOutcome;
}

/** Everything the optimised graph depends on. */
export interface GraphIdentity {
  /** The graph's absolute path. */
  graph: string;
  /** Name, size and modification time of every file in the graph's folder (its external data among them). */
  files: readonly { name: string; size: number; mtimeMs: number }[];
  runtime: string;
  cpu: string;
  platform: string;
  arch: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The entry's file name: `<graph path hash>-<identity hash>.onnx`. The first half groups the
 * versions of one graph, so that storing a new one removes the old.
 */
export function sessionCacheEntryName(identity: GraphIdentity): { group: string; file: string } {
  const group = sha256(`${FORMAT}\n${identity.graph}`).slice(0, 16);
  const files = [...identity.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const key = sha256(JSON.stringify({ ...identity, files, format: FORMAT })).slice(0, 24);
  return { group, file: `${group}-${key}.onnx` };
}

/** Whether these options produce a graph worth keeping: the CPU provider, fully optimised. */
export function cacheableOptions(options: ort.InferenceSession.SessionOptions): boolean {
  const providers = options.executionProviders ?? ['cpu'];
  const onlyCpu =
    providers.length === 1 &&
    (providers[0] === 'cpu' || (typeof providers[0] === 'object' && providers[0]?.name === 'cpu'));
  return onlyCpu && (options.graphOptimizationLevel ?? 'all') === 'all' && !options.optimizedModelFilePath;
}

async function identify(graph: string): Promise<GraphIdentity> {
  const dir = path.dirname(graph);
  const names = await readdir(dir);
  const files = [];
  for (const name of names) {
    const info = await stat(path.join(dir, name)).catch(() => null);
    if (info?.isFile()) files.push({ name, size: info.size, mtimeMs: info.mtimeMs });
  }
  const versions = ort.env.versions as Record<string, string | undefined>;
  return {
    graph: path.resolve(graph),
    files,
    runtime: versions.node ?? versions.common ?? 'unknown',
    cpu: os.cpus()[0]?.model ?? 'unknown',
    platform: process.platform,
    arch: process.arch,
  };
}

/**
 * An ONNX Runtime session for `graph`, from the cache in `cacheDir` when it holds this version
 * (null: no cache). Throws only what creating the session without the cache would throw.
 */
export async function createSession(
  graph: string,
  options: ort.InferenceSession.SessionOptions,
  cacheDir: string | null,
  limitBytes = SESSION_CACHE_LIMIT_BYTES,
): Promise<CachedSession> {
  const plain = async (): Promise<CachedSession> => ({
    session: await ort.InferenceSession.create(graph, options),
    cache: 'off',
  });
  if (!cacheDir || !cacheableOptions(options)) return plain();
  let entry: { group: string; file: string };
  try {
    entry = sessionCacheEntryName(await identify(graph));
  } catch {
    return plain();
  }
  const kept = path.join(cacheDir, entry.file);
  if (await stat(kept).catch(() => null)) {
    try {
      const session = await ort.InferenceSession.create(kept, {
        ...options,
        graphOptimizationLevel: 'disabled',
      });
      const now = new Date();
      await utimes(kept, now, now).catch(() => undefined); // most recently used
      return { session, cache: 'hit' };
    } catch {
      // Torn or foreign: made again below.
      await rm(kept, { force: true }).catch(() => undefined);
    }
  }
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch {
    return plain();
  }
  const partial = `${kept}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(graph, {
      ...options,
      optimizedModelFilePath: partial,
      // Every initializer inside the written graph, those the model keeps in an external data file
      // too (left alone, the written graph would point at that file from the cache folder).
      extra: {
        ...options.extra,
        session: {
          optimized_model_external_initializers_file_name: `${path.basename(partial)}.data`,
          optimized_model_external_initializers_min_size_in_bytes: String(2 ** 31 - 1),
        },
      },
    });
  } catch {
    // Writing the optimised graph failed (a full disk, say), or the graph itself is bad: the
    // plain attempt tells which, with the error it would have given anyway.
    await rm(partial, { force: true }).catch(() => undefined);
    return plain();
  }
  try {
    await rename(partial, kept);
  } catch {
    await rm(partial, { force: true }).catch(() => undefined);
    return { session, cache: 'off' };
  }
  await tidy(cacheDir, entry, limitBytes).catch(() => undefined);
  return { session, cache: 'stored' };
}

/** Removes the graph's older versions, dead processes' partial files, and the least recently used past the limit. */
async function tidy(
  cacheDir: string,
  keep: { group: string; file: string },
  limitBytes: number,
): Promise<void> {
  const now = Date.now();
  const entries: { file: string; size: number; used: number }[] = [];
  for (const file of await readdir(cacheDir)) {
    const full = path.join(cacheDir, file);
    const info = await stat(full).catch(() => null);
    if (!info?.isFile()) continue;
    if (PARTIAL.test(file)) {
      if (now - info.mtimeMs > STALE_PARTIAL_MS) await rm(full, { force: true });
    } else if (ENTRY.test(file)) {
      if (file !== keep.file && file.startsWith(`${keep.group}-`)) await rm(full, { force: true });
      else entries.push({ file, size: info.size, used: info.mtimeMs });
    }
  }
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  for (const e of entries.sort((a, b) => a.used - b.used)) {
    if (total <= limitBytes) break;
    if (e.file === keep.file) continue;
    await rm(path.join(cacheDir, e.file), { force: true });
    total -= e.size;
  }
}
