/**
 * The farm as a runner of the studio's queue: a queue item marked for the farm is submitted to
 * BullMQ and followed there, so the studio shows its progress, its worker and its result as it
 * shows a local render's, and Cancel reaches the worker.
 */
import type { JobSpec } from '../../src-shared/job.js';
import type { ProgressEvent, ResultEvent } from '../../src-shared/protocol/engine.js';
import { EngineError } from '../engine/errors.js';
import { farmJobId, submitToFarm } from './submit.js';

export interface FarmRunner {
  run(
    job: JobSpec,
    callbacks: { onProgress?(e: ProgressEvent): void; signal?: AbortSignal },
  ): Promise<ResultEvent>;
}

/**
 * Renders on the farm at `address`. A farm job's `modelDir` holds what each worker resolves in
 * its own catalogue (the model's id) rather than a folder of this machine.
 */
export function farmRunner(address: string): FarmRunner {
  return {
    async run(job, { onProgress, signal = new AbortController().signal }) {
      const started = Date.now();
      let result: { outputPath: string; worker: string; frames: number } | null = null;
      let failure: string | null = null;
      let provider = 'farm';
      const { modelDir, ...rest } = job;
      await submitToFarm(
        address,
        [{ model: modelDir, job: rest }],
        (e) => {
          if (e.type === 'progress') {
            provider = `farm: ${e.progress.worker}${e.progress.provider ? `, ${e.progress.provider}` : ''}`;
            onProgress?.({ type: 'progress', jobId: farmJobId(job.outputPath), ...e.progress, provider });
          } else if (e.type === 'done')
            result = { outputPath: e.outputPath, worker: e.worker, frames: e.frames };
          else if (e.type === 'failed') failure = e.reason;
        },
        signal,
      );
      if (signal.aborted) throw new EngineError('cancelled', 'render cancelled');
      if (!result) throw new Error(failure ?? 'the farm job ended without a result');
      const done = result as { outputPath: string; worker: string; frames: number };
      return {
        type: 'result',
        jobId: farmJobId(job.outputPath),
        outputPath: done.outputPath,
        sourceCrop: job.sourceCrop,
        drivingCrop: job.drivingCrop,
        drivingTrack: job.drivingTrack,
        frames: done.frames,
        seconds: (Date.now() - started) / 1000,
        executionProvider: provider.startsWith('farm:') ? provider : `farm: ${done.worker}`,
        extraOutputs: [],
        referenceFrame: 0,
      };
    },
  };
}
