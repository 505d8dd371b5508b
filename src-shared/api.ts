/**
 * The one API between the renderer and the main side. Each method has a zod schema for its
 * arguments and its result; Electron's IPC handler and the browser dev host both validate with
 * these, and the renderer's client is typed from them.
 */
import { z } from 'zod';
import { JobSpecSchema } from './job.js';

export const ModelSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  origin: z.enum(['bundled', 'imported']),
  resolution: z.tuple([z.number(), z.number()]),
  numKp: z.number(),
  weights: z.string().nullable(),
  category: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const JobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export const QueueItemSchema = z.object({
  id: z.string(),
  job: JobSpecSchema,
  state: JobStateSchema,
  stage: z.string().nullable(),
  done: z.number(),
  total: z.number(),
  fps: z.number(),
  message: z.string().nullable(),
  outputPath: z.string().nullable(),
});
export type QueueItem = z.infer<typeof QueueItemSchema>;

export const apiMethods = {
  version: {
    args: z.tuple([]),
    result: z.object({ app: z.string(), executionProviders: z.array(z.string()) }),
  },
  listModels: { args: z.tuple([]), result: z.array(ModelSummarySchema) },
} as const;

export type ApiMethod = keyof typeof apiMethods;
export type ApiArgs<M extends ApiMethod> = z.infer<(typeof apiMethods)[M]['args']>;
export type ApiResult<M extends ApiMethod> = z.infer<(typeof apiMethods)[M]['result']>;
export type ApiHandlers = { [M in ApiMethod]: (...args: ApiArgs<M>) => Promise<ApiResult<M>> };

export const ApiEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queue'), items: z.array(QueueItemSchema) }),
]);
export type ApiEvent = z.infer<typeof ApiEventSchema>;

/** What the preload exposes as window.marionette, and what the browser client implements. */
export interface MarionetteBridge {
  invoke<M extends ApiMethod>(method: M, ...args: ApiArgs<M>): Promise<ApiResult<M>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

export const IPC_INVOKE = 'marionette:invoke';
export const IPC_EVENT = 'marionette:event';

export type ApiOutcome = { ok: true; value: unknown } | { ok: false; error: string };

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, name);
}
