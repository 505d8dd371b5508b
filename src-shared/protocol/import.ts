/** Messages between a checkpoint import's worker thread and the process that started it. */
import { z } from 'zod';
import { ModelSubjectSchema } from '../model-manifest.js';

export const ImportWorkerDataSchema = z.object({
  file: z.string().min(1),
  templatesDir: z.string().min(1),
  modelsDir: z.string().min(1),
  tempDir: z.string().min(1),
  id: z.string().optional(),
  name: z.string().optional(),
  subject: ModelSubjectSchema.optional(),
  onExisting: z.enum(['refuse', 'number']),
});
export type ImportWorkerData = z.infer<typeof ImportWorkerDataSchema>;

export const ImportWorkerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), done: z.number().int().min(0), total: z.number().int().min(0) }),
  z.object({
    type: z.literal('result'),
    result: z.object({
      id: z.string(),
      dir: z.string(),
      architecture: z.string(),
      format: z.enum(['zip', 'legacy']),
    }),
  }),
  z.object({ type: z.literal('error'), message: z.string(), cancelled: z.boolean() }),
]);
export type ImportWorkerEvent = z.infer<typeof ImportWorkerEventSchema>;

export const ImportWorkerCommandSchema = z.object({ type: z.literal('cancel') });
