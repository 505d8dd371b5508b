/**
 * Optimised graphs kept between runs, so that a job does not wait for ONNX Runtime to optimise
 * the same graph again.
 *
 * On the CPU, ONNX Runtime's full optimisation (fusions, and layouts for this CPU's vector width)
 * takes seconds for a 256² generator, on every session it creates: a short job spends more time
 * there than rendering. ONNX Runtime can write the graph it ends up with; created from that file
 * with optimisation off, a session runs the very same kernels and starts in a fraction of the time.
 *
 * An entry is two files: the graph (`<name>.onnx`) and its initializers (`<name>.weights`), which
 * ONNX Runtime reads as external data instead of parsing them out of the graph: a later job's three
 * 256² float32 graphs (the generator's weights are 181 MB) loaded in 1.7 s embedded, 0.13 s beside
 * (`npm run bench`, README "Start-up"; same outputs to the bit).
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

/** Bumped when what an entry holds, or how it is named, changes (2: initializers in `.weights`). */
const FORMAT = 2;
/** Entries past this many bytes in all are removed, least recently used first. */
export const SESSION_CACHE_LIMIT_BYTES = 2 * 1024 ** 3;
const ENTRY = /^[0-9a-f]{16}-[0-9a-f]{24}\.onnx$/;
const WEIGHTS = /^[0-9a-f]{16}-[0-9a-f]{24}\.weights$/;
/** A folder an entry is written into before it is moved into place. */
const PARTIAL = /\.partial$/;
/** Initializers at least this large go to the entry's weights file. */
const EXTERNAL_MIN_BYTES = 1024;
/** A partial folder (or a weights file without its graph) older than this was left by a process that died while writing it. */
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
  // The group does not depend on FORMAT: an entry of an older format is another version of the same
  // graph, replaced when the new one is stored.
  const group = sha256(identity.graph).slice(0, 16);
  const files = [...identity.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const key = sha256(JSON.stringify({ ...identity, files, format: FORMAT })).slice(0, 24);
  return { group, file: `${group}-${key}.onnx` };
}

/** The file beside an entry's graph that holds its initializers. */
export const entryWeights = (file: string): string => file.replace(/\.onnx$/, '.weights');

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
      // Torn or foreign (or its weights file is missing): made again below.
      await removeEntry(cacheDir, entry.file);
    }
  }
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch {
    return plain();
  }
  // Written into a folder of its own, then moved into place (weights first: a graph in the cache
  // folder always has its weights beside it).
  const partial = path.join(
    cacheDir,
    `${entry.file}.${process.pid}.${randomBytes(4).toString('hex')}.partial`,
  );
  let session: ort.InferenceSession;
  try {
    await mkdir(partial);
    session = await ort.InferenceSession.create(graph, {
      ...options,
      optimizedModelFilePath: path.join(partial, entry.file),
      // The written graph names its weights file by the entry's name, beside it (the model's own
      // external data file is read and written there too, not pointed at in the model folder).
      extra: {
        ...options.extra,
        session: {
          optimized_model_external_initializers_file_name: entryWeights(entry.file),
          optimized_model_external_initializers_min_size_in_bytes: String(EXTERNAL_MIN_BYTES),
        },
      },
    });
  } catch {
    // Writing the optimised graph failed (a full disk, say), or the graph itself is bad: the
    // plain attempt tells which, with the error it would have given anyway.
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    return plain();
  }
  try {
    const weights = path.join(partial, entryWeights(entry.file));
    if (await stat(weights).catch(() => null))
      await rename(weights, path.join(cacheDir, entryWeights(entry.file)));
    await rename(path.join(partial, entry.file), kept);
  } catch {
    await removeEntry(cacheDir, entry.file);
    return { session, cache: 'off' };
  } finally {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
  }
  await tidy(cacheDir, entry, limitBytes).catch(() => undefined);
  return { session, cache: 'stored' };
}

/** Removes an entry's graph and weights; a file still in use elsewhere (Windows) stays. */
async function removeEntry(cacheDir: string, file: string): Promise<void> {
  for (const name of [file, entryWeights(file)])
    await rm(path.join(cacheDir, name), { force: true }).catch(() => undefined);
}

/**
 * Removes the graph's older versions, what dead processes left (partial folders, weights without a
 * graph), and the least recently used entries past the limit (graph and weights counted together).
 */
async function tidy(
  cacheDir: string,
  keep: { group: string; file: string },
  limitBytes: number,
): Promise<void> {
  const now = Date.now();
  const graphs: { file: string; size: number; used: number }[] = [];
  const weights = new Map<string, { size: number; mtimeMs: number }>();
  for (const file of await readdir(cacheDir)) {
    const full = path.join(cacheDir, file);
    const info = await stat(full).catch(() => null);
    if (!info) continue;
    if (PARTIAL.test(file)) {
      if (now - info.mtimeMs > STALE_PARTIAL_MS)
        await rm(full, { recursive: true, force: true }).catch(() => undefined);
    } else if (!info.isFile()) continue;
    else if (WEIGHTS.test(file)) weights.set(file, info);
    else if (ENTRY.test(file)) {
      if (file !== keep.file && file.startsWith(`${keep.group}-`)) await removeEntry(cacheDir, file);
      else graphs.push({ file, size: info.size, used: info.mtimeMs });
    }
  }
  for (const [file, info] of weights) {
    const graph = graphs.find((g) => entryWeights(g.file) === file);
    if (graph) graph.size += info.size;
    else if (now - info.mtimeMs > STALE_PARTIAL_MS)
      await rm(path.join(cacheDir, file), { force: true }).catch(() => undefined);
  }
  let total = graphs.reduce((sum, e) => sum + e.size, 0);
  for (const e of graphs.sort((a, b) => a.used - b.used)) {
    if (total <= limitBytes) break;
    if (e.file === keep.file) continue;
    await removeEntry(cacheDir, e.file);
    total -= e.size;
  }
}
