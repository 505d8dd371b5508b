/**
 * The API's implementation, free of Electron: the Electron main process and the browser dev host
 * both serve these handlers, after validating arguments with the shared schemas.
 */
import ort from 'onnxruntime-node';
import {
  apiMethods,
  isApiMethod,
  type ApiHandlers,
  type ApiOutcome,
  type ModelSummary,
} from '../../src-shared/api.js';
import { describeIssues } from '../../src-shared/job.js';
import { listModels } from '../engine/model-catalog.js';

export function createHandlers(appVersion: string): ApiHandlers {
  return {
    async version() {
      return { app: appVersion, executionProviders: ort.listSupportedBackends().map((b) => b.name) };
    },
    async listModels() {
      const { models } = await listModels();
      return models.map((m): ModelSummary => ({
        id: m.id,
        name: m.manifest.name,
        origin: m.origin,
        resolution: m.manifest.resolution,
        numKp: m.manifest.num_kp,
        weights: m.manifest.weights ?? null,
        category: m.manifest.category ?? null,
        metrics: m.manifest.metrics ?? null,
      }));
    },
  };
}

/** Validate a call from outside, run it, validate the result; errors become readable values. */
export async function dispatch(handlers: ApiHandlers, method: unknown, args: unknown): Promise<ApiOutcome> {
  if (!isApiMethod(method)) return { ok: false, error: `unknown API method ${String(method)}` };
  const spec = apiMethods[method];
  const parsed = spec.args.safeParse(args);
  if (!parsed.success) return { ok: false, error: `${method}: ${describeIssues(parsed.error)}` };
  try {
    const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>;
    const value = await handler(...(parsed.data as unknown[]));
    const checked = spec.result.safeParse(value);
    if (!checked.success)
      return { ok: false, error: `${method} returned bad data: ${describeIssues(checked.error)}` };
    return { ok: true, value: checked.data };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
