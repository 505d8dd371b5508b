/**
 * The one API between the renderer and the main side. Each method has a zod schema for its
 * arguments and its result; Electron's IPC handler and the browser dev host both validate with
 * these, and the renderer's client is typed from them.
 */
import { z } from 'zod';
import { MENU_COMMAND_IDS } from './commands.js';
import { LiveFrameArgsSchema, LiveFrameResultSchema } from './live.js';
import { FramingRequestSchema, FramingResultSchema } from './framing/schema.js';
import { InspectRequestSchema, InspectResultSchema } from './inspect.js';
import { CropBoxSchema, JobSpecBaseSchema, JobSpecSchema } from './job.js';
import { ProjectDocSchema } from './project-file.js';
import { ModelSubjectSchema } from './model-manifest.js';

export const ModelSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  origin: z.enum(['bundled', 'imported']),
  resolution: z.tuple([z.number(), z.number()]),
  numKp: z.number(),
  weights: z.string().nullable(),
  category: z.string().nullable(),
  /** What it animates (face, body, other): framing and the studio's model suggestion use it. */
  subject: ModelSubjectSchema.default('body'),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  /** It has an int8 generator (CPU fast mode). */
  int8: z.boolean().default(false),
  /** The manifest as label / value lines (weights, training data and budget, why this size, …). */
  details: z.array(z.tuple([z.string(), z.string()])),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const JobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export const QueueItemSchema = z.object({
  id: z.string(),
  job: JobSpecSchema,
  state: JobStateSchema,
  stage: z.string().nullable(),
  done: z.number(),
  total: z.number(),
  fps: z.number(),
  message: z.string().nullable(),
  outputPath: z.string().nullable(),
  /** The execution provider it runs or ran on ("webgpu: NVIDIA", "cpu (webgpu: no GPU adapter found)"). */
  provider: z.string().nullable().default(null),
  /** When the render started and ended (ms since the epoch), for "took 12 s". */
  startedAt: z.number().nullable().default(null),
  finishedAt: z.number().nullable().default(null),
  /** Set when the job renders on the farm: the Redis address it was submitted to. */
  farm: z.string().nullable().default(null),
});
export type QueueItem = z.infer<typeof QueueItemSchema>;

/** A job as it enters the queue: waiting, no progress yet. */
export function queuedItem(
  id: string,
  job: z.infer<typeof JobSpecSchema>,
  farm: string | null = null,
): QueueItem {
  return {
    id,
    job,
    state: 'queued',
    stage: null,
    done: 0,
    total: 0,
    fps: 0,
    message: null,
    outputPath: null,
    provider: null,
    startedAt: null,
    finishedAt: null,
    farm,
  };
}

export const MediaSummarySchema = z.object({
  path: z.string(),
  kind: z.enum(['image', 'video']),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number().nullable(),
  duration: z.number().nullable(),
  hasAudio: z.boolean(),
  /** Names the file for the studio's player (a path never goes into a media URL); null for images. */
  mediaId: z.string().nullable().default(null),
});
export type MediaSummary = z.infer<typeof MediaSummarySchema>;

/** The kinds of file the user opens: they pick the dialog's filter and the folder browser's listing. */
export const FileKindSchema = z.enum(['image', 'video', 'checkpoint', 'project']);
export type FileKind = z.infer<typeof FileKindSchema>;

/** A small first frame of a photo or clip, with what the folder browser and the queue show beside it. */
export const FilePreviewSchema = z.object({
  image: z.string(),
  kind: z.enum(['image', 'video']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  duration: z.number().nullable(),
});
export type FilePreview = z.infer<typeof FilePreviewSchema>;

export const DirectoryListingSchema = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  entries: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      kind: z.enum(['folder', ...FileKindSchema.options]),
    }),
  ),
});
export type DirectoryListing = z.infer<typeof DirectoryListingSchema>;

const Id = z.string().min(1).max(200);
const FilePath = z.string().min(1).max(4096);

export const InspectArgsSchema = InspectRequestSchema.omit({ modelDir: true }).extend({ modelId: Id });
export type InspectArgs = z.infer<typeof InspectArgsSchema>;
export const FramingArgsSchema = FramingRequestSchema.omit({ subject: true }).extend({ modelId: Id });
export type FramingArgs = z.infer<typeof FramingArgsSchema>;
/** A whole frame (no crop) scaled to fit a box, for drawing crop boxes over it. */
export const FullFrameSchema = z.object({
  image: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export const EnqueueArgsSchema = JobSpecBaseSchema.omit({ modelDir: true }).extend({ modelId: Id });
export type EnqueueArgs = z.input<typeof EnqueueArgsSchema>;

export const apiMethods = {
  version: {
    args: z.tuple([]),
    result: z.object({
      app: z.string(),
      executionProviders: z.array(z.string()),
      /** The GPU WebGPU would run on ("NVIDIA …", "llvmpipe (software)"); null: none found. */
      gpu: z.string().nullable(),
      desktop: z.boolean(),
    }),
  },
  listModels: { args: z.tuple([]), result: z.array(ModelSummarySchema) },
  importModel: { args: z.tuple([FilePath]), result: ModelSummarySchema },
  /** Stops the import in progress (it reports `import` events meanwhile); nothing is left behind. */
  cancelImport: { args: z.tuple([]), result: z.null() },
  /** Imported models only, and not while a queued or running render uses them. */
  removeModel: { args: z.tuple([Id]), result: z.null() },
  probeMedia: { args: z.tuple([FilePath]), result: MediaSummarySchema },
  thumbnails: {
    args: z.tuple([FilePath, z.number().int().min(1).max(32), CropBoxSchema.nullable()]),
    result: z.array(z.string()),
  },
  inspect: { args: z.tuple([InspectArgsSchema]), result: InspectResultSchema },
  detectFraming: { args: z.tuple([FramingArgsSchema]), result: FramingResultSchema },
  fullFrame: {
    args: z.tuple([FilePath, z.number().nonnegative(), z.number().int().min(32).max(1024)]),
    result: FullFrameSchema,
  },
  listDirectory: { args: z.tuple([FilePath.nullable()]), result: DirectoryListingSchema },
  filePreview: { args: z.tuple([FilePath]), result: FilePreviewSchema },
  defaultOutputPath: { args: z.tuple([FilePath, FilePath]), result: z.string() },
  /** Where a project of this photo and clip is saved unless the user says otherwise. */
  defaultProjectPath: { args: z.tuple([FilePath.nullable(), FilePath.nullable()]), result: z.string() },
  /** Writes the project (adding `.marionette` to a name that does not end so); returns the path written. */
  saveProject: { args: z.tuple([FilePath, ProjectDocSchema]), result: z.string() },
  /**
   * The studio's autosave: `save` writes the session (replacing the last one); `find` returns its
   * path when one was left by an earlier run, to offer restoring it.
   */
  saveSession: { args: z.tuple([ProjectDocSchema]), result: z.null() },
  findSession: { args: z.tuple([]), result: z.string().nullable() },
  /** Projects saved or opened last, newest first (files that are gone are left out). */
  recentProjects: { args: z.tuple([]), result: z.array(z.string()) },
  openProject: {
    args: z.tuple([FilePath]),
    result: z.object({ path: z.string(), project: ProjectDocSchema, missing: z.array(z.string()) }),
  },
  enqueue: { args: z.tuple([EnqueueArgsSchema]), result: QueueItemSchema },
  /** The same render, on the render farm at this Redis address (BullMQ); it shows in the queue like a local one. */
  enqueueOnFarm: { args: z.tuple([EnqueueArgsSchema, z.string().min(1).max(500)]), result: QueueItemSchema },
  /**
   * A quick, small render of the trimmed range (requests.rangePreviewSettings) into the app's
   * previews folder, where only the newest few are kept; it plays in the preview pane when done.
   */
  previewRange: { args: z.tuple([EnqueueArgsSchema.omit({ outputPath: true })]), result: QueueItemSchema },
  listQueue: { args: z.tuple([]), result: z.array(QueueItemSchema) },
  cancelJob: { args: z.tuple([Id]), result: z.null() },
  retryJob: { args: z.tuple([Id]), result: z.null() },
  removeJob: { args: z.tuple([Id]), result: z.null() },
  /** Native dialogs exist only in the desktop app; the browser host answers null / false. */
  openFileDialog: {
    args: z.tuple([FileKindSchema]),
    result: z.string().nullable(),
  },
  saveFileDialog: { args: z.tuple([FilePath, z.enum(['video', 'project'])]), result: z.string().nullable() },
  showInFolder: { args: z.tuple([FilePath]), result: z.boolean() },
  /** One camera frame of the live preview, animated onto the photo (the studio keeps one in flight). */
  liveFrame: { args: z.tuple([LiveFrameArgsSchema]), result: LiveFrameResultSchema },
  /**
   * A recorded take, handed in as an upload (the browser) or a recording (the app): made a
   * constant-rate clip with its sound in `<home>/takes/`; the staged copy is removed. Its path.
   */
  keepTake: { args: z.tuple([FilePath]), result: z.string() },
  /** The project file the desktop launched the app with (once; null after, and in a browser). */
  takeLaunchProject: { args: z.tuple([]), result: z.string().nullable() },
} as const;

export type ApiMethod = keyof typeof apiMethods;
/** Arguments as handlers receive them (defaults filled in) and as callers may pass them. */
export type ApiArgs<M extends ApiMethod> = z.output<(typeof apiMethods)[M]['args']>;
export type ApiCallArgs<M extends ApiMethod> = z.input<(typeof apiMethods)[M]['args']>;
export type ApiResult<M extends ApiMethod> = z.infer<(typeof apiMethods)[M]['result']>;
export type ApiHandlers = { [M in ApiMethod]: (...args: ApiArgs<M>) => Promise<ApiResult<M>> };

/** A command of the registry that the desktop menu sends (src-shared/commands.ts). */
export const MenuActionSchema = z.enum(MENU_COMMAND_IDS);
export type MenuAction = z.infer<typeof MenuActionSchema>;

export const ApiEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queue'), items: z.array(QueueItemSchema) }),
  /** The desktop app's menu (and its accelerators) asking the UI to act. */
  z.object({ type: z.literal('menu'), action: MenuActionSchema }),
  /** Progress of the checkpoint import in progress: tensors written of all the model needs. */
  z.object({
    type: z.literal('import'),
    done: z.number().int().nonnegative(),
    total: z.number().int().positive(),
  }),
  /** The desktop asked the running app to open a project file (a second launch, or macOS's open-file). */
  z.object({ type: z.literal('openProject'), path: z.string().min(1).max(4096) }),
]);
export type ApiEvent = z.infer<typeof ApiEventSchema>;

/** What the preload exposes as window.marionette, and what the browser client implements. */
export interface MarionetteBridge {
  invoke<M extends ApiMethod>(method: M, ...args: ApiCallArgs<M>): Promise<ApiResult<M>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** The desktop app only: the local path of a file dropped on the window (a DOM File). */
  pathForFile?(file: unknown): string | null;
  /**
   * The browser only (a page cannot name a local path): send a dropped or picked DOM File to the
   * host, which keeps it in its uploads folder; resolves to the path to open.
   */
  upload?(file: unknown, kind: FileKind): Promise<string>;
  /** The desktop app only: a camera recording's bytes (WebM), staged as an upload; its path (for keepTake). */
  stageRecording?(bytes: ArrayBuffer): Promise<string>;
}

export const IPC_INVOKE = 'marionette:invoke';
export const IPC_EVENT = 'marionette:event';
export const IPC_RECORDING = 'marionette:recording';
/** The largest camera recording the app takes in one piece (bytes). */
export const RECORDING_MAX_BYTES = 2 * 2 ** 30;

export type ApiOutcome = { ok: true; value: unknown } | { ok: false; error: string };

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, name);
}
