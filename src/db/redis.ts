import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The shared Redis connection (rate limits, caches, cross-replica invalidation). Commands fail
 * fast while Redis is unreachable instead of queueing, so callers can fall back as documented.
 * ioredis is loaded here, on first use: a platform without REDIS_URL never loads it (about 8 MB).
 */
export async function connectRedis(url: string, keyPrefix: string, logger: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // Commands issued in the same tick (the rate-limit scripts of concurrent requests, one each)
    // leave in one socket write and their replies come back in one read: fewer system calls per
    // request on both sides under load. Each command and its reply stay the same and in order.
    enableAutoPipelining: true,
  });
  let healthy = true;
  redis.on('error', (err) => {
    if (healthy) logger.warn({ err: { message: err.message } }, 'redis unavailable');
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) logger.info('redis reconnected');
    healthy = true;
  });
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs}ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

export type { Redis } from 'ioredis';
