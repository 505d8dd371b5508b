/** Redis connections for BullMQ: one address, checked, and an error that says where it looked. */
import { Redis } from 'ioredis';
import { parseRedisUrl, redisLabel } from '../../src-shared/farm.js';

/** Keys of ours beside BullMQ's: a cancel request for a job (workers poll it while rendering). */
export const cancelKey = (jobId: string) => `marionette:cancel:${jobId}`;

/**
 * A connection to the farm's Redis. Workers need `maxRetriesPerRequest: null` (BullMQ's blocking
 * commands); a submitter fails fast when Redis cannot be reached instead of waiting forever.
 */
export async function connectRedis(address: string, role: 'worker' | 'client'): Promise<Redis> {
  const url = parseRedisUrl(address);
  const redis = new Redis(url.toString(), {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    lazyConnect: true,
    // A restarting Redis is waited for: 0.2 s, 0.4 s, … at most 3 s between tries.
    retryStrategy: (times) => Math.min(200 * times, 3000),
  });
  redis.on('error', () => undefined); // reported by the calls that fail, not as an unhandled event
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redisLabel(url)}: ${(err as Error).message}`);
  }
  return redis;
}
