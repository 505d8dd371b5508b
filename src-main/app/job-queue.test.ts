import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { JobSpecSchema } from '../../src-shared/job.js';
import type { ResultEvent } from '../../src-shared/protocol/engine.js';
import { tempDir } from '../test-support/fixtures.js';
import { JobQueue, type JobRunner } from './job-queue.js';

const job = (name: string) =>
  JobSpecSchema.parse({
    modelDir: 'm',
    sourcePath: 's.png',
    drivingPath: 'd.mp4',
    outputPath: `/out/${name}.mp4`,
  });

/**
 * Wait until `check` passes (or fail with its last error after 10 s): the queue saves itself to
 * disk between steps, which takes as long as the disk takes, so the tests wait for states, not times.
 */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

/** A runner whose jobs finish when the test says so. */
function controllableRunner() {
  const pending: Array<{ resolve(r: ResultEvent): void; reject(e: Error): void; outputPath: string }> = [];
  const runner: JobRunner = {
    run: (spec, { signal, onProgress }) =>
      new Promise((resolve, reject) => {
        onProgress?.({
          type: 'progress',
          jobId: 'x',
          stage: 'render',
          done: 1,
          total: 4,
          fps: 2,
          provider: 'cpu',
        });
        const entry = { resolve, reject, outputPath: spec.outputPath };
        signal?.addEventListener('abort', () => {
          pending.splice(pending.indexOf(entry), 1);
          reject(Object.assign(new Error('render cancelled'), { code: 'cancelled' }));
        });
        pending.push(entry);
      }),
  };
  /** Finish the oldest running job, once the queue has handed it to the runner. */
  const finish = async (ok = true) => {
    await eventually(() => expect(pending.length).toBeGreaterThan(0));
    const next = pending.shift()!;
    if (ok)
      next.resolve({
        type: 'result',
        jobId: 'x',
        outputPath: next.outputPath,
        sourceCrop: null,
        drivingCrop: null,
        drivingTrack: null,
        frames: 4,
        seconds: 1,
        executionProvider: 'cpu',
        extraOutputs: [],
        referenceFrame: 0,
      });
    else next.reject(new Error('driving video: no video stream'));
  };
  return { runner, finish, pending };
}

describe('job queue', () => {
  it('runs jobs one at a time and records results and failures', async () => {
    const file = path.join(tempDir(), 'queue.json');
    const { runner, finish, pending } = controllableRunner();
    const queue = new JobQueue(file, runner);
    await queue.start();
    await queue.enqueue(job('a'));
    await queue.enqueue(job('b'));
    await eventually(() => expect(queue.list().map((i) => i.state)).toEqual(['running', 'queued']));
    expect(pending).toHaveLength(1);
    await finish(true);
    await finish(false);
    await eventually(() => {
      const [a, b] = queue.list();
      expect(a).toMatchObject({ state: 'done', outputPath: '/out/a.mp4', done: 4 });
      expect(b).toMatchObject({ state: 'failed', message: 'driving video: no video stream' });
    });
  });

  it('cancels the running job and retries it on request', async () => {
    const { runner, finish } = controllableRunner();
    const queue = new JobQueue(path.join(tempDir(), 'queue.json'), runner);
    await queue.start();
    const item = await queue.enqueue(job('c'));
    const state = () => expect(queue.list()[0]!.state);
    await eventually(() => state().toBe('running'));
    await queue.cancel(item.id);
    await eventually(() => state().toBe('cancelled'));
    await queue.retry(item.id);
    await eventually(() => state().toBe('running'));
    await finish(true);
    await eventually(() => state().toBe('done'));
    await expect(queue.remove('missing')).rejects.toThrow(/no job missing/);
  });

  it('a cancel while the job is being handed to the runner cancels it; the runner never starts it', async () => {
    const started: string[] = [];
    const { runner, finish } = controllableRunner();
    const queue = new JobQueue(path.join(tempDir(), 'queue.json'), {
      run: (spec, callbacks) => {
        started.push(spec.outputPath);
        return runner.run(spec, callbacks);
      },
    });
    await queue.start();
    // enqueue returns with the job marked running while that state is still being saved.
    const item = await queue.enqueue(job('f'));
    expect(queue.list()[0]!.state).toBe('running');
    await queue.cancel(item.id);
    await eventually(() => expect(queue.list()[0]!.state).toBe('cancelled'));
    expect(started).toEqual([]);
    // The queue is free for the next job.
    await queue.enqueue(job('g'));
    await finish(true);
    await eventually(() => expect(queue.list()[1]!.state).toBe('done'));
    expect(started).toEqual(['/out/g.mp4']);
  });

  it('survives a restart: a job that was running is queued again', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'queue.json');
    const first = controllableRunner();
    const before = new JobQueue(file, first.runner);
    await before.start();
    await before.enqueue(job('d'));
    await before.enqueue(job('e'));
    const saved = () =>
      JSON.parse(readFileSync(file, 'utf8')) as { version: number; items: Array<{ state: string }> };
    await eventually(() => expect(saved().items.map((i) => i.state)).toEqual(['running', 'queued']));
    // The app "crashes" here: nothing more happens to `before`.
    expect(saved().version).toBe(1);
    const second = controllableRunner();
    const after = new JobQueue(file, second.runner);
    await after.start();
    await eventually(() => expect(second.pending.map((p) => p.outputPath)).toEqual(['/out/d.mp4']));
    expect(after.list().map((i) => i.state)).toEqual(['running', 'queued']);
  });

  it('sets a corrupt queue file aside instead of crashing or overwriting it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'queue.json');
    writeFileSync(file, '{"version": 1, "items": [ {"broken": ');
    const queue = new JobQueue(file, controllableRunner().runner);
    await queue.start();
    expect(queue.list()).toEqual([]);
    expect(readdirSync(dir).some((n) => n.startsWith('queue.json.corrupt-'))).toBe(true);
  });
});
