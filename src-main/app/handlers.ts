/**
 * The API's implementation, free of Electron: the Electron main process and the browser dev host
 * both serve these handlers, after validating arguments with the shared schemas.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import {
  apiMethods,
  isApiMethod,
  type ApiEvent,
  type ApiHandlers,
  type ApiOutcome,
  type DirectoryListing,
  type FileKind,
  type FilePreview,
  type ModelSummary,
  type QueueItem,
} from '../../src-shared/api.js';
import { manifestDetails, modelSubject } from '../../src-shared/model-manifest.js';
import { fileKindOf } from '../../src-shared/file-kinds.js';
import { pairStem, PROJECT_EXTENSION } from '../../src-shared/project-file.js';
import { describeIssues, JobSpecSchema, RenderSettingsSchema } from '../../src-shared/job.js';
import { rangePreviewSettings } from '../../src-shared/requests.js';
import { subjectFor, type FramingRequest, type FramingResult } from '../../src-shared/framing/schema.js';
import type { InspectRequest, InspectResult } from '../../src-shared/inspect.js';
import { decodeSingleFrame } from '../media/frame-source.js';
import {
  importedModel,
  listModels,
  modelPlaces,
  type ModelPlaces,
  removeImportedModel,
  type CatalogEntry,
} from '../engine/model-catalog.js';
import { adapterLabel, cudaInstalled, findGpu } from '../engine/providers.js';
import { importInThread } from '../import/import-thread.js';
import { pngDataUrl } from '../media/png.js';
import { checkOutputTarget, freeOutputName } from '../media/output-target.js';
import { probeMedia } from '../media/probe.js';
import { studioHome } from '../media/app-dirs.js';
import { keepTake } from './takes.js';
import { parseRedisUrl } from '../../src-shared/farm.js';
import type { LiveFrameRequest, LiveFrameResult } from '../../src-shared/live.js';
import { fileVersion, Recent } from '../media/recent.js';
import type { JobQueue } from './job-queue.js';
import { OpenedMedia } from './render-media.js';
import { openProjectFile, saveProjectFile, sessionFiles, takeLastSession } from './project-files.js';
import type { RecentProjects } from './recent-projects.js';

/** What only the desktop app can do; the browser dev host has none of it. */
export interface DesktopShell {
  openFileDialog(kind: FileKind): Promise<string | null>;
  saveFileDialog(defaultPath: string, kind: 'video' | 'project'): Promise<string | null>;
  showInFolder(file: string): Promise<boolean>;
  /** The project file the app was launched with, handed out once. */
  takeLaunchProject(): string | null;
}

export interface AppContext {
  appVersion: string;
  engine: {
    inspect(request: InspectRequest): Promise<InspectResult>;
    frame(request: FramingRequest): Promise<FramingResult>;
    live(request: LiveFrameRequest): Promise<LiveFrameResult>;
  };
  queue: JobQueue;
  recent: RecentProjects;
  shell: DesktopShell | null;
  /** Events for the page beyond the queue's (import progress). */
  notify(event: ApiEvent): void;
  /** The user's folder (media/app-dirs.ts): renders, projects, previews, uploads; the browser picker starts there. */
  homeDir: string;
  /** Where models are found and imported to. */
  models: ModelPlaces;
  /** Clips opened in this run, served to the studio's player by id. */
  inputs?: OpenedMedia;
}

const THUMB = 96;

function summary(m: CatalogEntry): ModelSummary {
  return {
    id: m.id,
    name: m.manifest.name,
    origin: m.origin,
    resolution: m.manifest.resolution,
    numKp: m.manifest.num_kp,
    weights: m.manifest.weights ?? null,
    category: m.manifest.category ?? null,
    subject: modelSubject(m.manifest),
    metrics: m.manifest.metrics ?? null,
    int8: m.manifest.int8 !== undefined,
    details: manifestDetails(m.manifest),
  };
}

async function modelFor(id: string, places: ModelPlaces): Promise<CatalogEntry> {
  const { models } = await listModels(places);
  const hit = models.find((m) => m.id === id);
  if (!hit) throw new Error(`model "${id}" is not installed`);
  return hit;
}

async function modelDirFor(id: string, places: ModelPlaces): Promise<string> {
  return (await modelFor(id, places)).dir;
}

export async function listDirectory(dir: string | null, home: string): Promise<DirectoryListing> {
  const target = path.resolve(dir ?? home);
  const entries = await readdir(target, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      `cannot open folder ${target}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`,
    );
  });
  // A symbolic link is listed as what it points to (a linked folder opens like a folder).
  const linkedFolders = new Set(
    (
      await Promise.all(
        entries
          .filter((e) => e.isSymbolicLink())
          .map(async (e) =>
            (await stat(path.join(target, e.name)).catch(() => null))?.isDirectory() ? e.name : null,
          ),
      )
    ).filter((n): n is string => n !== null),
  );
  const listed = entries
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => {
      const kind = e.isDirectory() || linkedFolders.has(e.name) ? 'folder' : fileKindOf(e.name);
      return kind ? [{ name: e.name, path: path.join(target, e.name), kind } as const] : [];
    })
    .sort((a, b) =>
      (a.kind === 'folder') !== (b.kind === 'folder')
        ? a.kind === 'folder'
          ? -1
          : 1
        : // Natural order, as file managers sort: lp_d3 before lp_d10.
          a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }),
    );
  const parent = path.dirname(target);
  return { path: target, parent: parent === target ? null : parent, entries: listed };
}

/** A whole frame (no crop) of a photo or clip, scaled to fit `maxSide`, as a PNG data URL. */
async function scaledFrame(file: string, time: number, maxSide: number) {
  const info = await probeMedia(file, 'file');
  const s = Math.min(1, maxSide / Math.max(info.width, info.height));
  const width = Math.max(2, Math.round(info.width * s));
  const height = Math.max(2, Math.round(info.height * s));
  const rgb = await decodeSingleFrame(
    // A photo must decode cleanly (a truncated JPEG otherwise shows as grey or green).
    {
      input: file,
      width,
      height,
      crop: 'full',
      trimIn: info.kind === 'video' ? time : 0,
      strict: info.kind === 'image',
    },
    'file',
    new AbortController().signal,
  );
  return { image: pngDataUrl(rgb, width, height, 3), info };
}

const filePreviews = new Recent<FilePreview>(256);

export function createHandlers(ctx: AppContext): ApiHandlers {
  let importing: AbortController | null = null;
  const inputs = ctx.inputs ?? new OpenedMedia();
  /** The one way into the queue: a name that is taken is numbered, a device or FIFO refused. */
  const enqueue = async (job: Record<string, unknown>, farm: string | null = null) => {
    const parsed = JobSpecSchema.safeParse(job);
    if (!parsed.success) throw new Error(describeIssues(parsed.error));
    // The studio never replaces a file unasked: a name that is taken (on disk or by a job in the
    // queue) is numbered, talk.mp4 -> talk-2.mp4; a device, FIFO or socket is refused.
    const spec = parsed.data;
    const queued = (p: string) =>
      ctx.queue.list().some((i) => i.job.outputPath === p && (i.state === 'queued' || i.state === 'running'));
    const outputPath = spec.overwrite ? spec.outputPath : await freeOutputName(spec.outputPath, queued);
    await checkOutputTarget(outputPath, {
      overwrite: spec.overwrite,
      folder: spec.settings.exportFormat === 'png-sequence',
    });
    return ctx.queue.enqueue({ ...spec, outputPath }, farm);
  };
  // The GPU WebGPU would use, as the settings show it: looked up once (sysfs and the PCI ID database).
  let gpu: string | null | undefined;
  const gpuName = () => {
    if (gpu === undefined) {
      const found = findGpu();
      gpu = found ? adapterLabel(found) : null;
    }
    return gpu;
  };
  return {
    async version() {
      return {
        app: ctx.appVersion,
        // onnxruntime-node lists CUDA wherever it could load it; its add-on is a separate download.
        executionProviders: ort
          .listSupportedBackends()
          .map((b) => b.name)
          .filter((name) => name !== 'cuda' || cudaInstalled()),
        gpu: gpuName(),
        desktop: ctx.shell !== null,
      };
    },
    async listModels() {
      return (await listModels(ctx.models)).models.map(summary);
    },
    async importModel(file) {
      if (importing) throw new Error('a checkpoint is being imported already: wait for it or cancel it');
      const modelsDir = ctx.models.imported;
      await mkdir(modelsDir, { recursive: true });
      const controller = new AbortController();
      importing = controller;
      // In a worker thread: a hostile or huge file must not stop this process from answering.
      const result = await importInThread(file, {
        templatesDir: ctx.models.templates,
        modelsDir,
        onExisting: 'number',
        signal: controller.signal,
        onProgress: (done, total) => ctx.notify({ type: 'import', done, total }),
      }).finally(() => (importing = null));
      const entry = (await listModels(ctx.models)).models.find((m) => m.dir === result.dir);
      if (!entry) throw new Error(`imported model ${result.id} could not be read back`);
      return summary(entry);
    },
    async cancelImport() {
      importing?.abort();
      return null;
    },
    async removeModel(id) {
      const entry = await importedModel(id, ctx.models);
      const waiting = ctx.queue
        .list()
        .filter((i) => (i.state === 'queued' || i.state === 'running') && i.job.modelDir === entry.dir);
      if (waiting.length)
        throw new Error(
          `model "${id}" is used by ${waiting.length} render(s) in the queue: let them finish or cancel them first`,
        );
      await removeImportedModel(entry, ctx.models);
      return null;
    },
    async probeMedia(file) {
      const info = await probeMedia(file, 'file');
      return {
        path: file,
        kind: info.kind,
        width: info.width,
        height: info.height,
        fps: info.fps ? info.fps.num / info.fps.den : null,
        duration: info.duration,
        hasAudio: info.hasAudio,
        mediaId: info.kind === 'video' ? inputs.register(path.resolve(file)) : null,
      };
    },
    async thumbnails(file, count, crop) {
      const info = await probeMedia(file, 'driving video');
      const duration = info.duration ?? 0;
      const signal = new AbortController().signal;
      const out: string[] = [];
      for (let i = 0; i < count; i++) {
        const time = info.kind === 'video' ? (duration * (i + 0.5)) / count : 0;
        const rgb = await decodeSingleFrame(
          { input: file, width: THUMB, height: THUMB, crop, trimIn: time },
          'driving video',
          signal,
        );
        out.push(pngDataUrl(rgb, THUMB, THUMB, 3));
      }
      return out;
    },
    async inspect({ modelId, ...request }) {
      return ctx.engine.inspect({ ...request, modelDir: await modelDirFor(modelId, ctx.models) });
    },
    async detectFraming({ modelId, ...request }) {
      const model = await modelFor(modelId, ctx.models);
      return ctx.engine.frame({ ...request, subject: subjectFor(model.manifest) });
    },
    async fullFrame(file, time, maxSide) {
      const { image, info } = await scaledFrame(file, time, maxSide);
      return { image, width: info.width, height: info.height };
    },
    async filePreview(file) {
      // A folder of clips is browsed again and again: each file is decoded once per version.
      return filePreviews.get(await fileVersion(file), async () => {
        const { image, info } = await scaledFrame(file, 0, THUMB);
        return { image, kind: info.kind, width: info.width, height: info.height, duration: info.duration };
      });
    },
    async listDirectory(dir) {
      return listDirectory(dir, ctx.homeDir);
    },
    async defaultOutputPath(source, driving) {
      const dir = path.join(ctx.homeDir, 'renders');
      await mkdir(dir, { recursive: true });
      const base = pairStem(source, driving);
      for (let n = 1; ; n++) {
        const candidate = path.join(dir, n === 1 ? `${base}.mp4` : `${base}-${n}.mp4`);
        const queued = ctx.queue
          .list()
          .some((item) => item.job.outputPath === candidate && item.state !== 'failed');
        if (!existsSync(candidate) && !queued) return candidate;
      }
    },
    async defaultProjectPath(source, driving) {
      const dir = path.join(ctx.homeDir, 'projects');
      await mkdir(dir, { recursive: true });
      return path.join(dir, `${pairStem(source, driving)}${PROJECT_EXTENSION}`);
    },
    async saveProject(file, project) {
      const written = await saveProjectFile(file, project);
      await ctx.recent.add(written);
      return written;
    },
    async recentProjects() {
      return ctx.recent.list();
    },
    async saveSession(project) {
      await saveProjectFile(sessionFiles(ctx.homeDir).current, project);
      return null;
    },
    async findSession() {
      return takeLastSession(ctx.homeDir);
    },
    async openProject(file) {
      const opened = { path: path.resolve(file), ...(await openProjectFile(file)) };
      const sessions = Object.values(sessionFiles(ctx.homeDir));
      if (!sessions.includes(opened.path)) await ctx.recent.add(opened.path);
      return opened;
    },
    async enqueue({ modelId, ...job }) {
      return enqueue({ ...job, modelDir: await modelDirFor(modelId, ctx.models) });
    },
    async enqueueOnFarm({ modelId, ...job }, address) {
      parseRedisUrl(address);
      // Every machine must find these files: absolute paths, readable from here too.
      for (const [file, what] of [
        [job.sourcePath, 'source image'],
        [job.drivingPath, 'driving video'],
        [job.outputPath, 'output'],
      ] as const)
        if (!path.isAbsolute(file))
          throw new Error(`the farm needs a full path for the ${what}, not ${file}`);
      await probeMedia(job.sourcePath, 'source image');
      await probeMedia(job.drivingPath, 'driving video');
      await modelDirFor(modelId, ctx.models);
      // On the farm the model travels by id: each worker finds it in its own catalogue.
      return enqueue({ ...job, modelDir: modelId }, address);
    },
    async previewRange({ modelId, ...job }) {
      const dir = path.join(ctx.homeDir, 'previews');
      await mkdir(dir, { recursive: true });
      const busy = new Set(
        ctx.queue
          .list()
          .filter((i) => i.state === 'queued' || i.state === 'running')
          .map((i) => path.resolve(i.job.outputPath)),
      );
      await pruneRangePreviews(dir, busy);
      return enqueue({
        ...job,
        modelDir: await modelDirFor(modelId, ctx.models),
        outputPath: path.join(dir, `${pairStem(job.sourcePath, job.drivingPath)}-preview.mp4`),
        overwrite: false,
        settings: rangePreviewSettings(RenderSettingsSchema.parse(job.settings ?? {})),
      });
    },
    async listQueue() {
      return ctx.queue.list();
    },
    async cancelJob(id) {
      await ctx.queue.cancel(id);
      return null;
    },
    async retryJob(id) {
      await ctx.queue.retry(id);
      return null;
    },
    async removeJob(id) {
      await ctx.queue.remove(id);
      return null;
    },
    async openFileDialog(kind) {
      return ctx.shell ? ctx.shell.openFileDialog(kind) : null;
    },
    async saveFileDialog(defaultPath, kind) {
      return ctx.shell ? ctx.shell.saveFileDialog(defaultPath, kind) : null;
    },
    async showInFolder(file) {
      // Only what the user's own renders wrote: the API cannot be used to reveal any other path.
      if (!isJobOutput(ctx.queue.list(), file))
        throw new Error(`${path.basename(file)} is not the output of a finished render`);
      return ctx.shell ? ctx.shell.showInFolder(file) : false;
    },
    async liveFrame(args) {
      const { modelId, ...request } = args;
      return ctx.engine.live({ ...request, modelDir: await modelDirFor(modelId, ctx.models) });
    },
    async keepTake(staged) {
      return keepTake(ctx.homeDir, staged);
    },
    async takeLaunchProject() {
      return ctx.shell ? ctx.shell.takeLaunchProject() : null;
    },
  };
}

/** Is `file` the output of a finished job in the queue? */
export function isJobOutput(items: readonly QueueItem[], file: string): boolean {
  const wanted = path.resolve(file);
  return items.some(
    (item) => item.state === 'done' && item.outputPath !== null && path.resolve(item.outputPath) === wanted,
  );
}

/** Validate a call from outside, run it, validate the result; errors become readable values. */
export async function dispatch(handlers: ApiHandlers, method: unknown, args: unknown): Promise<ApiOutcome> {
  if (!isApiMethod(method)) return { ok: false, error: `unknown API method ${String(method)}` };
  const spec = apiMethods[method];
  const parsed = spec.args.safeParse(args);
  if (!parsed.success) return { ok: false, error: `${method}: ${describeIssues(parsed.error)}` };
  try {
    const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>;
    const value = await handler(...(parsed.data as unknown[]));
    const checked = spec.result.safeParse(value);
    if (!checked.success)
      return { ok: false, error: `${method} returned bad data: ${describeIssues(checked.error)}` };
    return { ok: true, value: checked.data };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The folders of an AppContext, read from this process's environment once, at its start. */
export function placesFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): Pick<AppContext, 'homeDir' | 'models'> {
  return { homeDir: studioHome(env), models: modelPlaces(env) };
}

/** Range previews kept in the previews folder; older ones are removed before a new one is made. */
export const RANGE_PREVIEWS_KEPT = 4;

/** Remove all but the newest RANGE_PREVIEWS_KEPT - 1 range previews (ours only: *-preview*.mp4). */
async function pruneRangePreviews(dir: string, busy: ReadonlySet<string>): Promise<void> {
  const names = (await readdir(dir)).filter((n) => /-preview(-\d+)?\.mp4$/.test(n));
  const dated = await Promise.all(
    names.map(async (n) => ({ file: path.join(dir, n), time: (await stat(path.join(dir, n))).mtimeMs })),
  );
  const old = dated
    .filter((d) => !busy.has(path.resolve(d.file)))
    .sort((a, b) => b.time - a.time)
    .slice(RANGE_PREVIEWS_KEPT - 1);
  await Promise.all(old.map((d) => rm(d.file, { force: true })));
}
