/**
 * Worker-thread entry for a checkpoint import (bundled as dist/import-worker.mjs): parsing a
 * hostile or huge file must never block the process that serves the studio. Cancelling asks
 * first; the parent terminates the thread when the parse does not yield in time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  ImportWorkerCommandSchema,
  ImportWorkerDataSchema,
  type ImportWorkerEvent,
} from '../../src-shared/protocol/import.js';
import { importCheckpoint } from './import-checkpoint.js';

const port = parentPort;
if (!port) throw new Error('the import worker must run in a worker thread');
const post = (event: ImportWorkerEvent) => port.postMessage(event);
const controller = new AbortController();
port.on('message', (message: unknown) => {
  if (ImportWorkerCommandSchema.safeParse(message).success) controller.abort();
});

const data = ImportWorkerDataSchema.parse(workerData);
importCheckpoint(data.file, {
  templatesDir: data.templatesDir,
  modelsDir: data.modelsDir,
  tempDir: data.tempDir,
  onExisting: data.onExisting,
  signal: controller.signal,
  onProgress: (done, total) => post({ type: 'progress', done, total }),
  ...(data.id !== undefined ? { id: data.id } : {}),
  ...(data.name !== undefined ? { name: data.name } : {}),
  ...(data.subject !== undefined ? { subject: data.subject } : {}),
})
  .then((result) => post({ type: 'result', result }))
  .catch((err: Error) => post({ type: 'error', message: err.message, cancelled: controller.signal.aborted }))
  .finally(() => port.close());
