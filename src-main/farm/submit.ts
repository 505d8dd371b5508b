/**
 * Submitting renders to the farm and following them: each job goes on the BullMQ queue under an
 * id made from its output path, so one output name is never queued twice (a finished job of an
 * earlier batch under that name is cleared first); progress, hand-overs and results come back as
 * BullMQ events. Cancelling removes what has not started and asks the workers to stop the rest.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { whenAborted } from '../../src-shared/abort.js';
import {
  FARM_ATTEMPTS,
  FARM_QUEUE,
  FarmJobDataSchema,
  FarmProgressSchema,
  type FarmJobData,
  type FarmProgress,
} from '../../src-shared/farm.js';
import { cancelKey, connectRedis } from './connection.js';

/** The farm's id of the render that writes `outputPath` (BullMQ ids may not contain ':'). */
export function farmJobId(outputPath: string): string {
  return `r-${createHash('sha256').update(path.resolve(outputPath)).digest('hex').slice(0, 24)}`;
}

export type FarmEvent =
  | { type: 'queued'; index: number; jobId: string }
  | { type: 'progress'; index: number; progress: FarmProgress }
  | { type: 'stalled'; index: number }
  | { type: 'done'; index: number; outputPath: string; worker: string; frames: number }
  | { type: 'failed'; index: number; reason: string; attempts: number };

export interface FarmOutcome {
  done: number;
  failed: number;
}

export async function submitToFarm(
  address: string,
  renders: readonly Omit<FarmJobData, 'submittedBy'>[],
  onEvent: (event: FarmEvent) => void,
  signal: AbortSignal,
): Promise<FarmOutcome> {
  const connection = await connectRedis(address, 'client');
  const listener = await connectRedis(address, 'worker');
  const queue = new Queue(FARM_QUEUE, { connection });
  const events = new QueueEvents(FARM_QUEUE, { connection: listener });
  try {
    await events.waitUntilReady();
    const ids = renders.map((r) => farmJobId(r.job.outputPath));
    const index = new Map(ids.map((id, i) => [id, i]));
    events.on('progress', ({ jobId, data }) => {
      const i = index.get(jobId);
      const progress = FarmProgressSchema.safeParse(data);
      if (i !== undefined && progress.success)
        onEvent({ type: 'progress', index: i, progress: progress.data });
    });
    events.on('stalled', ({ jobId }) => {
      const i = index.get(jobId);
      if (i !== undefined) onEvent({ type: 'stalled', index: i });
    });
    const jobs: Job[] = [];
    for (const [i, render] of renders.entries()) {
      const id = ids[i]!;
      const old = await queue.getJob(id);
      if (old && ((await old.isCompleted()) || (await old.isFailed()))) await old.remove();
      jobs.push(
        await queue.add(
          'render',
          FarmJobDataSchema.parse({ ...render, submittedBy: `${os.hostname()}:${process.pid}` }),
          {
            jobId: id,
            attempts: FARM_ATTEMPTS,
            backoff: { type: 'exponential', delay: 1000 },
            removeOnComplete: { age: 7 * 86400 },
            removeOnFail: { age: 7 * 86400 },
          },
        ),
      );
      onEvent({ type: 'queued', index: i, jobId: id });
    }
    // A job removed before it started never finishes on the queue: its wait ends here.
    const removed = jobs.map(() => {
      let end: (reason: Error) => void = () => undefined;
      const promise = new Promise<never>((_, reject) => (end = reject));
      return { promise, end };
    });
    const cancel = async () => {
      for (const [i, job] of jobs.entries()) {
        await connection.set(cancelKey(String(job.id)), '1', 'EX', 3600);
        const state = await job.getState();
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
          await job.remove().catch(() => undefined);
          removed[i]!.end(new Error('cancelled before it started'));
        }
      }
    };
    whenAborted(signal, () => void cancel());
    const outcome: FarmOutcome = { done: 0, failed: 0 };
    await Promise.all(
      jobs.map(async (job, i) => {
        try {
          const result = (await Promise.race([job.waitUntilFinished(events), removed[i]!.promise])) as {
            outputPath: string;
            worker: string;
            frames: number;
          };
          outcome.done += 1;
          onEvent({
            type: 'done',
            index: i,
            outputPath: result.outputPath,
            worker: result.worker,
            frames: result.frames,
          });
        } catch (err) {
          outcome.failed += 1;
          const fresh = await queue.getJob(String(job.id));
          onEvent({
            type: 'failed',
            index: i,
            reason: (err as Error).message,
            attempts: fresh?.attemptsMade ?? job.attemptsMade,
          });
        }
      }),
    );
    return outcome;
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    listener.disconnect();
  }
}
