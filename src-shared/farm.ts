/**
 * The render farm's contract: what a job on the shared queue holds, what its workers report, and
 * which Redis addresses are accepted. The queue itself is BullMQ on Redis (src-main/farm/).
 */
import { z } from 'zod';
import { JobSpecBaseSchema } from './job.js';
import { StageSchema } from './protocol/engine.js';

/** The one BullMQ queue all Marionette workers and submitters share. */
export const FARM_QUEUE = 'marionette-renders';

/** Tries per job before it is marked failed with its last error. */
export const FARM_ATTEMPTS = 3;

/**
 * A render on the farm: the job (its files named by paths every machine can read) and the model,
 * by id in each worker's catalogue or by a folder on the shared storage.
 */
export const FarmJobDataSchema = z.object({
  model: z.string().min(1).max(4096),
  job: JobSpecBaseSchema.omit({ modelDir: true }),
  submittedBy: z.string().max(200),
});
export type FarmJobData = z.infer<typeof FarmJobDataSchema>;

/** What a worker reports while it renders (BullMQ job progress). */
export const FarmProgressSchema = z.object({
  worker: z.string().max(200),
  stage: StageSchema,
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  fps: z.number().nonnegative(),
  provider: z.string().max(300).nullable(),
});
export type FarmProgress = z.infer<typeof FarmProgressSchema>;

/** A Redis address as users write it: redis://[user:password@]host[:port][/db] (or rediss:// for TLS). */
export function parseRedisUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a Redis address: write it as redis://HOST:PORT`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error(`"${text}" is not a Redis address: it must start with redis:// (or rediss:// for TLS)`);
  if (!url.hostname) throw new Error(`"${text}" names no host: write it as redis://HOST:PORT`);
  const db = url.pathname.replace(/^\//, '');
  if (db && !/^\d{1,2}$/.test(db))
    throw new Error(`"${text}": the database after the port is a number (0-15)`);
  return url;
}

/** The address without its password, for logs and the studio. */
export function redisLabel(url: URL): string {
  return `${url.protocol}//${url.hostname}:${url.port || 6379}${url.pathname.length > 1 ? url.pathname : ''}`;
}
