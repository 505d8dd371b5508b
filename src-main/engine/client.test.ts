/** The engine in its own process: progress, cancel, and a worker killed mid-job. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { job, tempDir } from '../test-support/fixtures.js';
import { EngineClient, nodeTransport, type EngineTransport } from './client.js';
import type { EngineError } from './errors.js';

const WORKER = path.resolve('dist/engine-worker.mjs');

async function withClient<T>(
  run: (client: EngineClient, transport: EngineTransport) => Promise<T>,
): Promise<T> {
  const transport = nodeTransport(WORKER);
  const client = new EngineClient(transport);
  await client.ready;
  try {
    return await run(client, transport);
  } finally {
    await client.shutdown();
  }
}

describe('engine process', () => {
  it('reports progress per stage and the result', async () => {
    const dir = tempDir();
    const stages = new Set<string>();
    const result = await withClient((client) =>
      client.run(job({ outputPath: path.join(dir, 'a.mp4') }, { batchSize: 2 }), {
        onProgress: (e) => stages.add(e.stage),
      }),
    );
    expect(result).toMatchObject({ frames: 16, executionProvider: 'cpu', referenceFrame: 0 });
    expect([...stages]).toEqual(['probe', 'keypoints', 'render', 'finalise']);
  });

  it('cancels mid-render and leaves nothing behind', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const error = await withClient((client) =>
      client
        .run(job({ outputPath: path.join(dir, 'b.mp4') }, { batchSize: 1 }), {
          signal: controller.signal,
          onProgress: (e) => {
            if (e.stage === 'render' && e.done >= 2) controller.abort();
          },
        })
        .then(
          () => null,
          (err: EngineError) => err,
        ),
    );
    expect(error?.code).toBe('cancelled');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a job whose cancel came before it started, and renders nothing', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    controller.abort();
    const error = await withClient(async (client) => {
      const outcome = await client
        .run(job({ outputPath: path.join(dir, 'd.mp4') }), { signal: controller.signal })
        .then(
          () => null,
          (err: EngineError) => err,
        );
      // The engine is still free: the next job renders.
      await client.run(job({ outputPath: path.join(dir, 'e.mp4') }));
      return outcome;
    });
    expect(error?.code).toBe('cancelled');
    expect(readdirSync(dir)).toEqual(['e.mp4']);
  });

  it('fails the job (not the caller) when the worker is killed mid-job, and cleans its temporaries', async () => {
    const dir = tempDir();
    const error = await withClient((client, transport) =>
      client
        .run(job({ outputPath: path.join(dir, 'c.mp4') }, { batchSize: 1 }), {
          onProgress: (e) => {
            if (e.stage === 'render' && e.done === 3) transport.kill();
          },
        })
        .then(
          () => null,
          (err: EngineError) => err,
        ),
    );
    expect(error?.code).toBe('worker-crashed');
    expect(error?.message).toMatch(/the engine stopped \(killed by SIGKILL\): retry/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a malformed request with an error event instead of crashing', async () => {
    await withClient(async (client, transport) => {
      const answer = new Promise<unknown>((resolve) =>
        transport.onMessage((m) => {
          if ((m as { type?: string }).type === 'error') resolve(m);
        }),
      );
      transport.send({ type: 'start', jobId: 'x', job: { nonsense: true } } as never);
      expect(await answer).toMatchObject({ type: 'error', jobId: 'x', code: 'internal' });
      expect(((await answer) as { message: string }).message).toMatch(/^bad request: job\./);
      // The engine is still there for the next job.
      const dir = tempDir();
      const result = await client.run(job({ outputPath: path.join(dir, 'd.mp4') }));
      expect(result.frames).toBe(16);
    });
  });
});
