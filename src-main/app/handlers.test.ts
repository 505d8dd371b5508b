import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EnqueueArgsSchema, type ApiEvent, type ApiHandlers } from '../../src-shared/api.js';
import { FIXTURES, TINY_MODEL, tempDir } from '../test-support/fixtures.js';
import { handlersForTest } from './handlers-for-tests.js';
import { JobQueue, type JobRunner } from './job-queue.js';

/** A runner whose renders run until cancelled. */
const endless: JobRunner = {
  run: (_job, { signal }) =>
    new Promise((_resolve, reject) => {
      signal?.addEventListener('abort', () =>
        reject(Object.assign(new Error('render cancelled'), { code: 'cancelled' })),
      );
    }),
};
/** Models of a test's own: nothing bundled, imports into the test's home. */
const placesIn = (home: string) => ({
  bundled: path.join(home, 'bundled'),
  imported: path.join(home, 'models'),
  templates: path.join(FIXTURES, 'templates'),
});

describe('removing an imported model', () => {
  const home = tempDir();
  beforeAll(() => {
    mkdirSync(path.join(home, 'models'));
    cpSync(TINY_MODEL, path.join(home, 'models', 'mine'), { recursive: true });
  });

  it('waits until no queued or running render uses it', async () => {
    const queue = new JobQueue(path.join(home, 'queue.json'), endless);
    await queue.start();
    const handlers = handlersForTest({ home, queue, models: placesIn(home) });
    const mine = (await handlers.listModels()).find((m) => m.id === 'mine');
    expect(mine?.origin).toBe('imported');
    const item = await handlers.enqueue(
      EnqueueArgsSchema.parse({
        modelId: 'mine',
        sourcePath: '/s.png',
        drivingPath: '/d.mp4',
        outputPath: path.join(home, 'out.mp4'),
      }),
    );
    await expect(handlers.removeModel('mine')).rejects.toThrow(
      'model "mine" is used by 1 render(s) in the queue: let them finish or cancel them first',
    );
    expect(existsSync(path.join(home, 'models', 'mine'))).toBe(true);
    await handlers.cancelJob(item.id);
    // The running render ends asynchronously once cancelled.
    await vi.waitFor(async () =>
      expect((await handlers.listQueue()).find((i) => i.id === item.id)?.state).toBe('cancelled'),
    );
    await handlers.removeModel('mine');
    expect(existsSync(path.join(home, 'models', 'mine'))).toBe(false);
    expect((await handlers.listModels()).some((m) => m.id === 'mine')).toBe(false);
    await queue.stop();
  });
});

describe('importing a checkpoint from the studio', () => {
  it('reports progress as events, and a cancel stops it with nothing left behind', async () => {
    const home = tempDir();
    const events: ApiEvent[] = [];
    const queue = new JobQueue(path.join(home, 'queue.json'), endless);
    await queue.start();
    let handlers: ApiHandlers | null = null;
    const cancelAt = { done: Infinity };
    handlers = handlersForTest({
      home,
      queue,
      models: placesIn(home),
      notify: (event) => {
        events.push(event);
        if (event.type === 'import' && event.done === cancelAt.done) void handlers!.cancelImport();
      },
    });
    const checkpoint = path.join(FIXTURES, 'tiny-legacy.pth.tar');
    const model = await handlers.importModel(checkpoint);
    expect(model.origin).toBe('imported');
    const progress = events.filter((e) => e.type === 'import');
    expect(progress.at(-1)).toMatchObject({ done: progress[0]!.total });

    cancelAt.done = 2;
    await expect(handlers.importModel(checkpoint)).rejects.toThrow(
      'importing tiny-legacy.pth.tar was cancelled',
    );
    // The earlier import is still there; the cancelled one left no folder.
    expect(readdirSync(path.join(home, 'models'))).toEqual([model.id]);
    await queue.stop();
  });
});

describe('the studio never replaces a file', () => {
  it('numbers an output name that exists or is queued, refuses a device, and reveals only its own outputs', async () => {
    const home = tempDir();
    mkdirSync(path.join(home, 'models'));
    cpSync(TINY_MODEL, path.join(home, 'models', 'mine'), { recursive: true });
    const queue = new JobQueue(path.join(home, 'queue.json'), endless);
    await queue.start();
    const shown: string[] = [];
    const handlers = handlersForTest({
      home,
      queue,
      shell: {
        openFileDialog: async () => null,
        saveFileDialog: async () => null,
        showInFolder: async (file) => (shown.push(file), true),
        takeLaunchProject: () => null,
      },
      models: placesIn(home),
    });
    const out = path.join(home, 'talk.mp4');
    writeFileSync(out, 'an earlier render the user keeps');
    const args = (outputPath: string) =>
      EnqueueArgsSchema.parse({
        modelId: 'mine',
        sourcePath: '/s.png',
        drivingPath: '/d.mp4',
        outputPath,
      });
    const first = await handlers.enqueue(args(out));
    expect(first.job.outputPath).toBe(path.join(home, 'talk-2.mp4'));
    const second = await handlers.enqueue(args(out));
    expect(second.job.outputPath).toBe(path.join(home, 'talk-3.mp4'));
    expect(readFileSync(out, 'utf8')).toBe('an earlier render the user keeps');
    await expect(handlers.enqueue(args('/dev/null'))).rejects.toThrow('/dev/null is a device, not a file');
    await expect(handlers.showInFolder('/etc/passwd')).rejects.toThrow(
      'passwd is not the output of a finished render',
    );
    expect(shown).toEqual([]);
    for (const item of await handlers.listQueue()) await handlers.cancelJob(item.id);
    await queue.stop();
  });
});
