/**
 * The render queue: jobs run one at a time in the engine process; the queue is saved (atomically,
 * versioned) after every change so it survives restarting the app. A job that was running when
 * the app stopped is queued again. A corrupt queue file is set aside, never overwritten silently.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { queuedItem, QueueItemSchema, type QueueItem } from '../../src-shared/api.js';
import type { JobSpec } from '../../src-shared/job.js';
import type { ProgressEvent, ResultEvent } from '../../src-shared/protocol/engine.js';
import { writeFileAtomic } from './atomic-file.js';

export const QueueFileSchema = z.object({ version: z.literal(1), items: z.array(QueueItemSchema) });

export interface JobRunner {
  run(
    job: JobSpec,
    callbacks: { onProgress?(e: ProgressEvent): void; signal?: AbortSignal },
  ): Promise<ResultEvent>;
}

export type QueueListener = (items: QueueItem[]) => void;

export class JobQueue {
  private items: QueueItem[] = [];
  private readonly listeners = new Set<QueueListener>();
  /** The local render in progress (one at a time) and the farm's (as many as are queued there). */
  private current: { id: string; controller: AbortController } | null = null;
  private readonly onFarm = new Map<string, AbortController>();
  private saving: Promise<void> = Promise.resolve();
  private lastEmit = 0;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly runner: JobRunner,
    /** The runner for jobs submitted to a render farm at this Redis address. */
    private readonly farmRunner: (address: string) => JobRunner = () => {
      throw new Error('this queue has no render farm');
    },
  ) {}

  /** Load the saved queue (if any) and start working through it. */
  async start(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch(() => null);
    if (text !== null) {
      let parsed: z.infer<typeof QueueFileSchema> | null = null;
      try {
        const result = QueueFileSchema.safeParse(JSON.parse(text));
        if (result.success) parsed = result.data;
      } catch {
        parsed = null;
      }
      if (parsed) {
        this.items = parsed.items.map((item) =>
          item.state === 'running' ? { ...item, state: 'queued', stage: null, done: 0, fps: 0 } : item,
        );
      } else {
        await rename(this.file, `${this.file}.corrupt-${Date.now()}`);
      }
    }
    void this.pump();
  }

  list(): QueueItem[] {
    return this.items.map((i) => ({ ...i }));
  }

  subscribe(listener: QueueListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async enqueue(job: JobSpec, farm: string | null = null): Promise<QueueItem> {
    const item = queuedItem(randomUUID(), job, farm);
    this.items.push(item);
    await this.changed(true);
    void this.pump();
    return { ...item };
  }

  async cancel(id: string): Promise<void> {
    const item = this.find(id);
    if (item.state === 'running') (this.onFarm.get(id) ?? this.current?.controller)?.abort();
    else if (item.state === 'queued') {
      item.state = 'cancelled';
      await this.changed(true);
    }
  }

  async retry(id: string): Promise<void> {
    const item = this.find(id);
    if (item.state !== 'failed' && item.state !== 'cancelled')
      throw new Error('only failed or cancelled jobs can be retried');
    Object.assign(item, { state: 'queued', stage: null, done: 0, total: 0, fps: 0, message: null });
    await this.changed(true);
    void this.pump();
  }

  async remove(id: string): Promise<void> {
    const item = this.find(id);
    if (item.state === 'running') throw new Error('cancel the job before removing it');
    this.items = this.items.filter((i) => i.id !== id);
    await this.changed(true);
  }

  /** Stop taking jobs and cancel the running one (app quit). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.controller.abort();
    for (const c of this.onFarm.values()) c.abort();
    await this.saving;
  }

  private find(id: string): QueueItem {
    const item = this.items.find((i) => i.id === id);
    if (!item) throw new Error(`no job ${id} in the queue`);
    return item;
  }

  private async pump(): Promise<void> {
    if (this.stopped) return;
    // Farm jobs all go out at once (the farm's workers share them out); local ones one at a time.
    for (const item of this.items.filter((i) => i.state === 'queued' && i.farm && !this.onFarm.has(i.id)))
      void this.runItem(item, this.farmRunner(item.farm!));
    if (this.current) return;
    const next = this.items.find((i) => i.state === 'queued' && !i.farm);
    if (next) await this.runItem(next, this.runner);
  }

  private async runItem(next: QueueItem, runner: JobRunner): Promise<void> {
    const controller = new AbortController();
    if (next.farm) this.onFarm.set(next.id, controller);
    else this.current = { id: next.id, controller };
    Object.assign(next, {
      state: 'running',
      stage: 'probe',
      message: null,
      startedAt: Date.now(),
      finishedAt: null,
    });
    await this.changed(true);
    try {
      // A cancel that came while the 'running' state was being saved: the runner never starts.
      controller.signal.throwIfAborted();
      const result = await runner.run(next.job, {
        signal: controller.signal,
        onProgress: (e) => {
          Object.assign(next, { stage: e.stage, done: e.done, total: e.total, fps: e.fps });
          if (e.provider) next.provider = e.provider;
          void this.changed(false);
        },
      });
      Object.assign(next, {
        state: 'done',
        stage: null,
        done: result.frames,
        total: result.frames,
        outputPath: result.outputPath,
        provider: result.executionProvider,
        finishedAt: Date.now(),
      });
    } catch (err) {
      const cancelled = controller.signal.aborted || (err as { code?: string }).code === 'cancelled';
      Object.assign(next, {
        state: cancelled ? 'cancelled' : 'failed',
        stage: null,
        message: cancelled ? null : (err as Error).message,
        finishedAt: Date.now(),
      });
    }
    if (next.farm) this.onFarm.delete(next.id);
    else this.current = null;
    await this.changed(true);
    void this.pump();
  }

  /** Notify listeners (progress at most 5 times a second) and save on state changes. */
  private async changed(persist: boolean): Promise<void> {
    const now = Date.now();
    if (persist || now - this.lastEmit > 200) {
      this.lastEmit = now;
      const snapshot = this.list();
      for (const listener of this.listeners) listener(snapshot);
    }
    if (persist) {
      const body = JSON.stringify({ version: 1, items: this.items }, null, 1);
      this.saving = this.saving.then(() => writeFileAtomic(this.file, body));
      await this.saving;
    }
  }
}
