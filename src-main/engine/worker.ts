/**
 * Engine process entry: runs render jobs off the main/CLI process. Speaks the protocol in
 * src-shared/protocol/engine.ts over Electron's parentPort (utilityProcess) or Node's IPC channel
 * (child_process.fork), validating every request it receives.
 */
import { describeIssues } from '../../src-shared/job.js';
import { EngineRequestSchema, type EngineEvent } from '../../src-shared/protocol/engine.js';
import { killAllMediaProcesses } from '../media/run-ffmpeg.js';
import type { FramingRequest } from '../../src-shared/framing/schema.js';
import type { InspectRequest } from '../../src-shared/inspect.js';
import type { LiveFrameRequest } from '../../src-shared/live.js';
import { frameInputs } from '../framing/auto-frame.js';
import { animate } from './animate.js';
import { inspectFrame } from './inspect.js';
import { liveFrame } from './live.js';
import { EngineError, engineErrorFrom } from './errors.js';
import { ModelSet, type LoadOptions } from './model-set.js';
import { sessionCacheDir } from './session-cache.js';

interface Port {
  send(event: EngineEvent): void;
  onMessage(handler: (message: unknown) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', handler: (e: { data: unknown }) => void): void;
}

function connect(): Port {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (e) => parentPort.postMessage(e),
      onMessage: (h) => parentPort.on('message', (e) => h(e.data)),
    };
  }
  if (process.send) {
    return {
      // The parent may be gone already (its end of the channel closed: EPIPE): nothing to tell.
      send: (e) => {
        if (process.connected) process.send!(e, undefined, undefined, () => undefined);
      },
      onMessage: (h) => process.on('message', h),
    };
  }
  throw new Error('engine worker must be started as a utility or child process');
}

const port = connect();
const models = new Map<string, Promise<ModelSet>>();
const running = new Map<string, AbortController>();
const sessionCache = sessionCacheDir();

function loadModel(
  dir: string,
  provider: Parameters<typeof ModelSet.load>[1],
  options: LoadOptions = {},
): Promise<ModelSet> {
  const key = `${dir}|${provider}|${options.gpuFloat16 !== false}|${options.int8 === true}`;
  let hit = models.get(key);
  if (!hit) {
    hit = ModelSet.load(dir, provider, undefined, { sessionCache, ...options });
    hit.catch(() => models.delete(key));
    models.set(key, hit);
  }
  return hit;
}

/** One piece of work (render, preview frame, framing), cancellable, answered by one final event. */
async function answer(jobId: string, work: (signal: AbortSignal) => Promise<EngineEvent>): Promise<void> {
  const controller = new AbortController();
  running.set(jobId, controller);
  try {
    port.send(await work(controller.signal));
  } catch (thrown) {
    const err = engineErrorFrom(thrown);
    const code =
      err instanceof EngineError ? err.code : (err as Error).name === 'ModelError' ? 'model' : 'internal';
    port.send({ type: 'error', jobId, code, message: (err as Error).message });
  } finally {
    running.delete(jobId);
  }
}

const render = (jobId: string, job: Parameters<typeof animate>[0]) =>
  answer(jobId, async (signal) => {
    let provider: string | null = null;
    const result = await animate(job, {
      signal,
      loadModel,
      onModel: (label) => (provider = label),
      onProgress: (stage, done, total, fps) =>
        port.send({ type: 'progress', jobId, stage, done, total, fps, provider }),
      onPreview: (frameIndex, width, height, rgb) =>
        port.send({ type: 'preview', jobId, frameIndex, width, height, rgb }),
    });
    return { type: 'result', jobId, ...result };
  });

const inspect = (jobId: string, request: InspectRequest) =>
  answer(jobId, async (signal) => {
    const models = await loadModel(request.modelDir, 'auto');
    return { type: 'inspection', jobId, result: await inspectFrame(models, request, signal) };
  });

const frame = (jobId: string, request: FramingRequest) =>
  answer(jobId, async (signal) => ({ type: 'framing', jobId, result: await frameInputs(request, signal) }));

const live = (jobId: string, request: LiveFrameRequest) =>
  answer(jobId, async (signal) => {
    const models = await loadModel(request.modelDir, 'auto');
    return { type: 'live', jobId, result: await liveFrame(models, request, signal) };
  });

port.onMessage((message) => {
  const parsed = EngineRequestSchema.safeParse(message);
  if (!parsed.success) {
    // The request's own id when it has one, so that whoever waits on it hears why.
    const id = (message as { jobId?: unknown } | null)?.jobId;
    port.send({
      type: 'error',
      jobId: typeof id === 'string' ? id : '',
      code: 'internal',
      message: `bad request: ${describeIssues(parsed.error)}`,
    });
    return;
  }
  const request = parsed.data;
  if (request.type === 'start') void render(request.jobId, request.job);
  else if (request.type === 'inspect') void inspect(request.jobId, request.request);
  else if (request.type === 'frame') void frame(request.jobId, request.request);
  else if (request.type === 'live') void live(request.jobId, request.request);
  else if (request.type === 'cancel') running.get(request.jobId)?.abort();
  else {
    for (const c of running.values()) c.abort();
    killAllMediaProcesses();
    setTimeout(() => process.exit(0), 50);
  }
});

/** The parent is gone: stop every job (each removes its own temporaries), then exit. */
async function stopEverything(): Promise<void> {
  const jobs = [...running.values()];
  for (const c of jobs) c.abort();
  const deadline = Date.now() + 3000;
  while (running.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  killAllMediaProcesses();
  process.exit(0);
}
process.on('disconnect', () => void stopEverything());
// Signals are the parent's to handle (it cancels through the protocol); a terminal's Ctrl-C that
// reaches us anyway must not kill a render mid-write.
process.on('SIGINT', () => undefined);
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

port.send({ type: 'ready', pid: process.pid });
