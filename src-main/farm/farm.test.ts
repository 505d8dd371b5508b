/**
 * The render farm for real: Debian's redis-server on a loopback port (AOF on), two `marionette
 * worker` processes, batches from `marionette batch --redis`. A worker killed mid-job hands its
 * job on; a job that fails three times is failed with its last error; a Redis restart loses no
 * queued job; every output exists once and is a valid MP4.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FARM_QUEUE } from '../../src-shared/farm.js';
import { findOnPath } from '../media/binaries.js';
import { ffprobe, FIXTURES, SOURCE, tempDir, testClip } from '../test-support/fixtures.js';
import { connectRedis } from './connection.js';
import { farmOnDemand } from '../app/backend.js';
import { JobQueue } from '../app/job-queue.js';
import { handlersForTest } from '../app/handlers-for-tests.js';
import { EnqueueArgsSchema, type QueueItem } from '../../src-shared/api.js';
import { farmJobId, submitToFarm, type FarmEvent } from './submit.js';

const CLI = path.resolve('dist/cli.mjs');
const REDIS = findOnPath('redis-server');
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve(line: string): void }> = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    lines,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line ${pattern} in:\n${lines.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

// Skipped only outside CI on a machine without Redis (scripts/setup.sh installs it); in CI it must run.
describe.skipIf(!REDIS && !process.env.CI)('the render farm (BullMQ on Redis)', () => {
  let url = '';
  let port = 0;
  let redisDir = '';
  let redis: Running;
  const startRedis = async () => {
    redis = run(REDIS!, [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir],
      ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
    ]);
    await redis.waitFor(/Ready to accept connections/, 20_000);
  };
  const homes = new Map<string, string>();
  const worker = (name: string) => {
    if (!homes.has(name)) homes.set(name, tempDir(`farm-${name}-`));
    const w = run(process.execPath, [CLI, 'worker', '--redis', url, '--name', name, '--lock-seconds', '3'], {
      MARIONETTE_HOME: homes.get(name),
      MARIONETTE_BUNDLED_MODELS: FIXTURES,
    });
    return w;
  };
  let clip = '';

  beforeAll(async () => {
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redisDir = tempDir('farm-redis-');
    await startRedis();
    // Long enough (240 frames) that a worker can be killed in the middle of a job.
    clip = testClip(path.join(tempDir('farm-clip-'), 'long.mp4'), {
      seconds: 8,
      fps: 30,
      width: 160,
      height: 120,
    });
  }, 60_000);

  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('hands the job of a worker killed mid-job to another; every output exists once and plays', async () => {
    const w1 = worker('w1');
    const w2 = worker('w2');
    await Promise.all([w1.waitFor(/waiting for renders/), w2.waitFor(/waiting for renders/)]);
    const out = tempDir('farm-out-');
    const sources = ['a', 'b'].map((n) => {
      const p = path.join(out, '..', `${path.basename(out)}-${n}.png`);
      spawnSync('cp', [SOURCE, p]);
      return p;
    });
    const batch = run(process.execPath, [
      CLI,
      ...['batch', '--model', 'tiny-model', '--sources', sources.join(','), '--drivings', `${clip},${clip}`],
      ...['--out-dir', out, '--redis', url, '--no-audio'],
    ]);
    await w1.waitFor(/^started /);
    // Killed mid-render: once the batch shows w1 rendering, before its last frame (not after a
    // fixed time, which a fast machine can outrun).
    await batch.waitFor(/render\s+(?!240\/)\d+\/240\b.*on w1,/);
    w1.proc.kill('SIGKILL');
    expect(await batch.exited).toBe(0);
    expect(batch.lines.some((l) => /handed to another/.test(l))).toBe(true);
    const names = readdirSync(out).sort();
    expect(names).toHaveLength(4); // two photos x the clip twice (numbered), each once, nothing else
    expect(names.every((n) => !n.includes('.partial'))).toBe(true);
    for (const name of names) {
      const video = ffprobe(path.join(out, name)).streams.find((s) => s.codec_type === 'video')!;
      expect(video.codec_name).toBe('h264');
      expect(Number(video.nb_read_frames)).toBe(240);
    }
    // The killed worker's job was finished by w2.
    expect(w2.lines.filter((l) => l.startsWith('done ')).length).toBeGreaterThanOrEqual(3);
    w2.proc.kill('SIGTERM');
    await w2.exited;
  }, 180_000);

  it('fails a job three times with its last error: the worker that could not read a file says so', async () => {
    const w = worker('w3');
    await w.waitFor(/waiting for renders/);
    const dir = tempDir('farm-bad-');
    const events: FarmEvent[] = [];
    const outcome = await submitToFarm(
      url,
      [
        {
          model: 'tiny-model',
          job: {
            sourcePath: path.join(dir, 'not-mounted-here.png'),
            drivingPath: clip,
            outputPath: path.join(dir, 'never.mp4'),
            overwrite: false,
            trimIn: 0,
            trimOut: null,
            sourceCrop: null,
            sourceFace: null,
            drivingCrop: null,
            drivingTrack: null,
            settings: { audio: false } as never,
          },
        },
      ],
      (e) => events.push(e),
      new AbortController().signal,
    );
    expect(outcome).toEqual({ done: 0, failed: 1 });
    const failed = events.find((e) => e.type === 'failed');
    expect(failed).toMatchObject({ attempts: 3 });
    expect(failed && 'reason' in failed ? failed.reason : '').toMatch(
      /^worker w3 cannot read the source image .*not-mounted-here\.png \(not found\)/,
    );
    expect(existsSync(path.join(dir, 'never.mp4'))).toBe(false);
    w.proc.kill('SIGTERM');
    await w.exited;
  }, 120_000);

  it('loses no queued job when Redis restarts (AOF), and renders them after', async () => {
    const dir = tempDir('farm-restart-');
    mkdirSync(dir, { recursive: true });
    const connection = await connectRedis(url, 'client');
    const queue = new Queue(FARM_QUEUE, { connection });
    const outputs = ['one.mp4', 'two.mp4'].map((n) => path.join(dir, n));
    for (const outputPath of outputs)
      await queue.add(
        'render',
        {
          model: 'tiny-model',
          submittedBy: 'test',
          job: { sourcePath: SOURCE, drivingPath: clip, outputPath, settings: { audio: false } },
        },
        { jobId: farmJobId(outputPath), attempts: 3 },
      );
    await queue.close();
    connection.disconnect();
    // A clean stop and a start from the append-only file, as after a reboot.
    spawnSync('redis-cli', ['-p', String(port), 'shutdown']);
    expect(await redis.exited).toBe(0);
    await startRedis();
    const again = await connectRedis(url, 'client');
    const reopened = new Queue(FARM_QUEUE, { connection: again });
    expect(await reopened.getWaitingCount()).toBe(2);
    const w = worker('w4');
    await w.waitFor(/^done .*one\.mp4/, 90_000);
    await w.waitFor(/^done .*two\.mp4/, 90_000);
    for (const file of outputs) expect(Number(ffprobe(file).streams[0]!.nb_read_frames)).toBe(240);
    await reopened.close();
    again.disconnect();
    w.proc.kill('SIGTERM');
    await w.exited;
  }, 180_000);

  it("runs the studio's farm renders through its queue: progress, the worker's name, cancel", async () => {
    const home = tempDir('farm-studio-');
    const unused = () => Promise.reject(new Error('not used here'));
    const queue = new JobQueue(path.join(home, 'queue.json'), { run: unused }, farmOnDemand);
    await queue.start();
    const handlers = handlersForTest({
      home,
      queue,
      models: { bundled: FIXTURES, imported: path.join(home, 'models'), templates: FIXTURES },
    });
    const w = worker('w5');
    await w.waitFor(/waiting for renders/);
    const seen: QueueItem[] = [];
    queue.subscribe((items) => seen.push(...items));
    const request = (name: string, sourcePath = SOURCE) =>
      EnqueueArgsSchema.parse({
        modelId: 'tiny-model',
        sourcePath,
        drivingPath: clip,
        outputPath: path.join(home, name),
        settings: { audio: false },
      });
    await expect(handlers.enqueueOnFarm(request('x.mp4'), 'http://nope')).rejects.toThrow(
      /not a Redis address/,
    );
    await expect(handlers.enqueueOnFarm(request('x.mp4', 'rel.png'), url)).rejects.toThrow(
      /full path for the source image/,
    );
    const item = await handlers.enqueueOnFarm(request('studio.mp4'), url);
    expect(item.farm).toBe(url);
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
    };
    const state = (id: string) => queue.list().find((i) => i.id === id)!;
    await until(() => state(item.id).state === 'done' || state(item.id).state === 'failed');
    expect(state(item.id)).toMatchObject({ state: 'done', done: 240 });
    expect(state(item.id).provider).toMatch(/^farm: w5, cpu/);
    expect(seen.some((i) => i.id === item.id && i.state === 'running' && i.done > 0 && i.done < 240)).toBe(
      true,
    );
    expect(Number(ffprobe(path.join(home, 'studio.mp4')).streams[0]!.nb_read_frames)).toBe(240);
    // Cancel reaches the worker: the job stops there and writes nothing.
    const second = await handlers.enqueueOnFarm(request('cancelled.mp4'), url);
    await until(() => state(second.id).done > 0);
    await handlers.cancelJob(second.id);
    await until(() => state(second.id).state !== 'running');
    expect(state(second.id).state).toBe('cancelled');
    await w.waitFor(/^failed .*cancel|^started /);
    expect(existsSync(path.join(home, 'cancelled.mp4'))).toBe(false);
    await queue.stop();
    w.proc.kill('SIGTERM');
    await w.exited;
  }, 180_000);
});
