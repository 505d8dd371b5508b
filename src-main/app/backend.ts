/**
 * Everything behind the API, started once by the Electron main process or the dev host: the
 * engine process (restarted if it dies), the persistent job queue, and the handlers.
 */
import { saveUpload } from './uploads.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ApiEvent, ApiHandlers, FileKind } from '../../src-shared/api.js';
import type { InspectRequest, InspectResult } from '../../src-shared/inspect.js';
import type { LiveFrameRequest, LiveFrameResult } from '../../src-shared/live.js';
import type { JobSpec } from '../../src-shared/job.js';
import type { FramingRequest, FramingResult } from '../../src-shared/framing/schema.js';
import type { ResultEvent } from '../../src-shared/protocol/engine.js';
import { EngineClient, type EngineTransport, type RunCallbacks } from '../engine/client.js';
import { sweepOrphans } from '../media/partial-journal.js';
import { createHandlers, type AppContext, type DesktopShell } from './handlers.js';
import { JobQueue, type JobRunner } from './job-queue.js';
import { RecentProjects } from './recent-projects.js';
import { OpenedMedia, renderedFile } from './render-media.js';

/** Keeps one engine process alive: a crashed one fails its jobs and is replaced on next use. */
export class EngineSupervisor implements JobRunner {
  private client: EngineClient | null = null;
  private alive = false;

  constructor(private readonly spawn: () => EngineTransport) {}

  private get(): EngineClient {
    if (!this.client || !this.alive) {
      const transport = this.spawn();
      this.alive = true;
      transport.onExit(() => (this.alive = false));
      this.client = new EngineClient(transport);
    }
    return this.client;
  }

  run(job: JobSpec, callbacks: RunCallbacks): Promise<ResultEvent> {
    return this.get().run(job, callbacks);
  }

  inspect(request: InspectRequest): Promise<InspectResult> {
    return this.get().inspect(request);
  }

  frame(request: FramingRequest): Promise<FramingResult> {
    return this.get().frame(request);
  }

  live(request: LiveFrameRequest): Promise<LiveFrameResult> {
    return this.get().live(request);
  }

  async shutdown(): Promise<void> {
    if (this.client && this.alive) await this.client.shutdown();
  }
}

export interface BackendOptions extends Pick<AppContext, 'homeDir' | 'models'> {
  appVersion: string;
  spawnEngine: () => EngineTransport;
  shell: DesktopShell | null;
  onEvent(event: ApiEvent): void;
}

export interface Backend {
  handlers: ApiHandlers;
  /** The MP4 of a finished job, for playback in the studio; null for any other id. */
  renderedFile(id: string): string | null;
  /** A clip the user opened, for the studio's player; null for any other id. */
  inputFile(id: string): string | null;
  /** A file a browser sent (dev host only): kept under the home's uploads folder; its path. */
  saveUpload(name: string, kind: FileKind, body: NodeJS.ReadableStream): Promise<string>;
  close(): Promise<void>;
}

/** The farm runner, loaded when a farm render first runs: BullMQ and its Redis client stay out of start-up. */
export function farmOnDemand(address: string): JobRunner {
  return {
    run: async (job, callbacks) =>
      (await import('../farm/runner.js')).farmRunner(address).run(job, callbacks),
  };
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  await mkdir(options.homeDir, { recursive: true });
  // Temporaries of renders whose process was killed (SIGKILL, power loss) go before the queue runs.
  await sweepOrphans().catch(() => undefined);
  const engine = new EngineSupervisor(options.spawnEngine);
  const queue = new JobQueue(path.join(options.homeDir, 'queue.json'), engine, farmOnDemand);
  queue.subscribe((items) => options.onEvent({ type: 'queue', items }));
  await queue.start();
  const recent = new RecentProjects(path.join(options.homeDir, 'recent-projects.json'));
  await recent.load();
  const inputs = new OpenedMedia();
  const handlers = createHandlers({
    inputs,
    appVersion: options.appVersion,
    engine,
    queue,
    recent,
    shell: options.shell,
    notify: options.onEvent,
    homeDir: options.homeDir,
    models: options.models,
  });
  return {
    handlers,
    renderedFile: (id) => renderedFile(queue.list(), id),
    inputFile: (id) => inputs.file(id),
    saveUpload: (name, kind, body) => saveUpload(options.homeDir, name, kind, body),
    async close() {
      await queue.stop();
      await engine.shutdown();
    },
  };
}
