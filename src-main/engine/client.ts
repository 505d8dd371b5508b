/**
 * Runs jobs in an engine process and turns its events into promises and callbacks. The transport
 * is pluggable: a Node child process here (CLI, tests), Electron's utilityProcess in the app.
 * Every event from the worker is validated; a worker that dies fails its jobs, never the caller.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FramingRequest, FramingResult } from '../../src-shared/framing/schema.js';
import type { InspectRequest, InspectResult } from '../../src-shared/inspect.js';
import type { LiveFrameRequest, LiveFrameResult } from '../../src-shared/live.js';
import { describeIssues, type JobSpec } from '../../src-shared/job.js';
import {
  EngineEventSchema,
  type EngineEvent,
  type EngineRequest,
  type ProgressEvent,
  type ResultEvent,
} from '../../src-shared/protocol/engine.js';
import { cancelled, EngineError } from './errors.js';
import { removeTemporaries } from './video-sink.js';

export interface EngineTransport {
  send(request: EngineRequest): void;
  onMessage(handler: (message: unknown) => void): void;
  onExit(handler: (code: number | null, signal?: NodeJS.Signals | null) => void): void;
  kill(): void;
}

/** The bundled worker sits beside the bundled caller (dist/engine-worker.mjs). */
export function defaultWorkerPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine-worker.mjs');
}

export function nodeTransport(workerPath = defaultWorkerPath()): EngineTransport {
  const child = fork(workerPath, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Its own process group: a terminal's Ctrl-C goes to the CLI, which cancels cleanly, instead
    // of killing the engine and its ffmpeg mid-write. It exits when its parent goes (worker.ts).
    detached: true,
  });
  return {
    send: (request) => {
      if (child.connected) child.send(request);
    },
    onMessage: (handler) => child.on('message', handler),
    onExit: (handler) => child.on('exit', (code, signal) => handler(code, signal)),
    kill: () => child.kill('SIGKILL'),
  };
}

export interface RunCallbacks {
  onProgress?(event: ProgressEvent): void;
  onPreview?(event: Extract<EngineEvent, { type: 'preview' }>): void;
  signal?: AbortSignal;
}

interface Pending {
  resolve(result: ResultEvent | InspectResult | FramingResult | LiveFrameResult): void;
  reject(error: EngineError): void;
  callbacks: RunCallbacks;
  /** The render's output path, whose temporaries a dead worker leaves behind (none for inspections). */
  outputPath: string | null;
}

export class EngineClient {
  private readonly pending = new Map<string, Pending>();
  private exited = false;
  readonly ready: Promise<number>;

  constructor(private readonly transport: EngineTransport) {
    let markReady: (pid: number) => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    transport.onMessage((message) => {
      const parsed = EngineEventSchema.safeParse(message);
      if (!parsed.success) {
        this.failAll(
          new EngineError('internal', `engine sent a malformed message: ${describeIssues(parsed.error)}`),
        );
        return;
      }
      const event = parsed.data;
      if (event.type === 'ready') return markReady(event.pid);
      const job = this.pending.get(event.jobId);
      if (!job) return;
      if (event.type === 'progress') job.callbacks.onProgress?.(event);
      else if (event.type === 'preview') job.callbacks.onPreview?.(event);
      else {
        this.pending.delete(event.jobId);
        if (event.type === 'result') job.resolve(event);
        else if (event.type === 'inspection' || event.type === 'framing' || event.type === 'live')
          job.resolve(event.result);
        else job.reject(new EngineError(event.code, event.message));
      }
    });
    transport.onExit((code, signal) => {
      this.exited = true;
      this.failAll(
        new EngineError(
          'worker-crashed',
          code === null
            ? `the engine stopped (killed by ${signal ?? 'a signal'}): retry`
            : `the engine stopped unexpectedly (exit code ${code}): retry`,
        ),
      );
    });
  }

  private failAll(error: EngineError): void {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const pending of jobs) {
      // A dead worker cannot clean up after itself; its temporaries are ours to remove.
      const cleanup = pending.outputPath ? removeTemporaries(pending.outputPath) : Promise.resolve();
      void cleanup.finally(() => pending.reject(error));
    }
  }

  run(job: JobSpec, callbacks: RunCallbacks = {}): Promise<ResultEvent> {
    if (this.exited)
      return Promise.reject(new EngineError('worker-crashed', 'the engine process is not running'));
    // Cancelled before it started (e.g. the user cancelled as the queue handed it over): an abort
    // listener added now would never fire, so the render would run to its end.
    if (callbacks.signal?.aborted) return Promise.reject(cancelled());
    const jobId = randomUUID();
    return new Promise<ResultEvent>((resolve, reject) => {
      this.pending.set(jobId, {
        resolve: resolve as Pending['resolve'],
        reject,
        callbacks,
        outputPath: job.outputPath,
      });
      const onAbort = () => this.transport.send({ type: 'cancel', jobId });
      callbacks.signal?.addEventListener('abort', onAbort, { once: true });
      this.transport.send({ type: 'start', jobId, job });
    });
  }

  /** One preview frame (keypoints, result, occlusion, flow) at a moment of the driving clip. */
  inspect(request: InspectRequest): Promise<InspectResult> {
    return this.query<InspectResult>((jobId) => ({ type: 'inspect', jobId, request }));
  }

  /** Proposed crops of the source photo and the driving clip's range. */
  frame(request: FramingRequest): Promise<FramingResult> {
    return this.query<FramingResult>((jobId) => ({ type: 'frame', jobId, request }));
  }

  /** One live camera frame animated onto the photo. */
  live(request: LiveFrameRequest): Promise<LiveFrameResult> {
    return this.query<LiveFrameResult>((jobId) => ({ type: 'live', jobId, request }));
  }

  private query<T>(message: (jobId: string) => EngineRequest): Promise<T> {
    if (this.exited)
      return Promise.reject(new EngineError('worker-crashed', 'the engine process is not running'));
    const jobId = randomUUID();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(jobId, {
        resolve: resolve as Pending['resolve'],
        reject,
        callbacks: {},
        outputPath: null,
      });
      this.transport.send(message(jobId));
    });
  }

  /** Ask the worker to stop; kill it if it has not gone within `graceMs`. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    this.transport.send({ type: 'shutdown' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.transport.kill();
        resolve();
      }, graceMs);
      this.transport.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  kill(): void {
    this.transport.kill();
  }
}
