/**
 * `marionette worker --redis URL`: this machine renders jobs from the farm's BullMQ queue with the
 * same engine as a local render (and so the same output rule: a temporary beside the output,
 * published only when complete, never over a file). A job names its files by paths on storage
 * every machine shares; a path this worker cannot read fails the attempt with an error that
 * names this worker, and BullMQ retries it (possibly on another machine) until it has failed
 * FARM_ATTEMPTS times. A worker killed mid-job stops renewing its lock; BullMQ's stalled-job check
 * then hands the job to another worker.
 */
import { access, constants } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { whenAborted } from '../../src-shared/abort.js';
import { FARM_QUEUE, FarmJobDataSchema, type FarmProgress } from '../../src-shared/farm.js';
import { describeIssues, JobSpecSchema } from '../../src-shared/job.js';
import { EngineClient, nodeTransport } from '../engine/client.js';
import { EngineError } from '../engine/errors.js';
import { resolveModelDir, type ModelPlaces } from '../engine/model-catalog.js';
import { cancelKey, connectRedis } from './connection.js';

export interface FarmWorkerOptions {
  redis: string;
  places: ModelPlaces;
  concurrency: number;
  /** This worker's name in progress and errors (default: host:pid). */
  name?: string;
  /** How long a job's lock lasts without renewal; a dead worker's job is handed on after about this long. */
  lockSeconds?: number;
  log(line: string): void;
  signal: AbortSignal;
}

async function readable(file: string, what: string, worker: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new Error(
      `worker ${worker} cannot read the ${what} ${file} (${why}): is the shared folder mounted here?`,
    );
  }
}

export async function runFarmWorker(o: FarmWorkerOptions): Promise<void> {
  const name = o.name ?? `${os.hostname()}:${process.pid}`;
  const connection = await connectRedis(o.redis, 'worker');
  const engine = new EngineClient(nodeTransport());
  await engine.ready;
  const lockDuration = Math.round((o.lockSeconds ?? 30) * 1000);

  const render = async (job: Job): Promise<{ outputPath: string; frames: number; worker: string }> => {
    const data = FarmJobDataSchema.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError(`not a Marionette render: ${describeIssues(data.error)}`);
    const { job: spec, model } = data.data;
    o.log(`started ${job.id} (attempt ${job.attemptsMade + 1}): ${path.basename(spec.outputPath)}`);
    await readable(spec.sourcePath, 'source image', name);
    await readable(spec.drivingPath, 'driving video', name);
    const modelDir = await resolveModelDir(model, o.places).catch((err: Error) => {
      throw new Error(`worker ${name}: ${err.message}`);
    });
    const full = JobSpecSchema.parse({ ...spec, modelDir });
    const controller = new AbortController();
    let lastReport = 0;
    let lastCheck = 0;
    try {
      const result = await engine.run(full, {
        signal: controller.signal,
        onProgress: (e) => {
          const now = Date.now();
          if (now - lastReport >= 250 || e.done === e.total) {
            lastReport = now;
            const progress: FarmProgress = { worker: name, ...e, provider: e.provider };
            void job.updateProgress(progress).catch(() => undefined);
          }
          if (now - lastCheck >= 1000) {
            lastCheck = now;
            void connection.exists(cancelKey(String(job.id))).then((n) => {
              if (n) controller.abort();
            });
          }
        },
      });
      o.log(`done ${job.id}: ${result.outputPath} (${result.frames} frames, ${result.seconds.toFixed(1)} s)`);
      return { outputPath: result.outputPath, frames: result.frames, worker: name };
    } catch (err) {
      if (err instanceof EngineError && err.code === 'cancelled') throw new UnrecoverableError('cancelled');
      const message = `worker ${name}: ${(err as Error).message}`;
      o.log(`failed ${job.id}: ${message}`);
      throw new Error(message);
    }
  };

  const worker = new Worker(FARM_QUEUE, render, {
    connection,
    concurrency: o.concurrency,
    name,
    lockDuration,
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    // A job whose worker died twice is still retried; a third stall marks it failed.
    maxStalledCount: 2,
  });
  worker.on('error', (err) => o.log(`queue error: ${err.message}`));
  o.log(`worker ${name} waiting for renders on ${FARM_QUEUE} (concurrency ${o.concurrency})`);
  await new Promise<void>((resolve) => {
    whenAborted(o.signal, resolve);
  });
  o.log('stopping: letting the renders in progress finish…');
  await worker.close();
  await engine.shutdown();
  connection.disconnect();
}
