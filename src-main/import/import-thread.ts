/**
 * Imports a checkpoint in a worker thread, so that the caller (the Electron main process, the dev
 * host, the CLI) keeps answering while the file is parsed. Cancel: the worker is asked to stop,
 * and terminated if it has not within `graceMs` (a parse in progress does not yield); its
 * temporary folder, named here, is then removed here. Every message from the thread is validated.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { whenAborted } from '../../src-shared/abort.js';
import { describeIssues } from '../../src-shared/job.js';
import { ImportWorkerEventSchema, type ImportWorkerData } from '../../src-shared/protocol/import.js';
import { ImportError, importTempPrefix, type ImportOptions, type ImportResult } from './import-checkpoint.js';

/** dist/import-worker.mjs beside the bundled caller, or under the package root from sources. */
export function defaultImportWorkerPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'import-worker.mjs');
  return existsSync(beside) ? beside : path.resolve(here, '..', '..', 'dist', 'import-worker.mjs');
}

export interface ThreadImportOptions extends Omit<ImportOptions, 'tempDir'> {
  workerPath?: string;
  /** How long a cancelled import may take to stop by itself before the thread is terminated. */
  graceMs?: number;
}

export async function importInThread(file: string, options: ThreadImportOptions): Promise<ImportResult> {
  const { signal, onProgress, workerPath = defaultImportWorkerPath(), graceMs = 1000 } = options;
  if (signal?.aborted) throw new ImportError(`importing ${path.basename(file)} was cancelled`);
  const modelsDir = path.resolve(options.modelsDir);
  const data: ImportWorkerData = {
    file: path.resolve(file),
    templatesDir: options.templatesDir,
    modelsDir,
    tempDir: `${importTempPrefix(modelsDir)}${randomBytes(4).toString('hex')}`,
    onExisting: options.onExisting ?? 'refuse',
    ...(options.id !== undefined ? { id: options.id } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
  };
  const worker = new Worker(workerPath, { workerData: data });
  let terminated = false;
  const onAbort = () => {
    worker.postMessage({ type: 'cancel' });
    setTimeout(() => {
      terminated = true;
      void worker.terminate();
    }, graceMs).unref();
  };
  const stopListening = whenAborted(signal, onAbort);
  try {
    return await new Promise<ImportResult>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (!settled) {
          settled = true;
          fn();
        }
      };
      worker.on('message', (message: unknown) => {
        const parsed = ImportWorkerEventSchema.safeParse(message);
        if (!parsed.success) {
          settle(() =>
            reject(
              new ImportError(`import worker sent a malformed message: ${describeIssues(parsed.error)}`),
            ),
          );
          void worker.terminate();
          return;
        }
        const event = parsed.data;
        if (event.type === 'progress') onProgress?.(event.done, event.total);
        else if (event.type === 'result') settle(() => resolve(event.result));
        else settle(() => reject(new ImportError(event.message)));
      });
      worker.on('error', (err) =>
        settle(() => reject(new ImportError(`${path.basename(file)}: ${err.message}`))),
      );
      worker.on('exit', () =>
        settle(() =>
          reject(
            new ImportError(
              terminated || signal?.aborted
                ? `importing ${path.basename(file)} was cancelled`
                : 'the import stopped unexpectedly',
            ),
          ),
        ),
      );
    });
  } catch (err) {
    // A terminated thread could not clean up: its temporary folder is ours to remove.
    await worker.terminate();
    await rm(data.tempDir, { recursive: true, force: true });
    throw err;
  } finally {
    stopListening();
  }
}
