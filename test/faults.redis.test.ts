import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { redisServerAvailable, startRedisServer } from './support/redis-server.js';
import { apiCall, bearer, createApiKey, signUp } from './support/users.js';
import { waitUntil } from './support/wait.js';

/**
 * Fault matrix (issue 14 §3): Redis killed (SIGKILL) and started again, a redis-server of the
 * test's own on a spare port (the machine's shared Redis is untouched). Three replicas on one
 * PostgreSQL schema and one Redis, one per `RATE_LIMIT_REDIS_DOWN` policy. Server mode only (the
 * replicas share a database). Invariants:
 * - while Redis is down: `memory` keeps enforcing the limit per replica (429 past it, RateLimit-*
 *   headers), `open` lets requests pass uncounted (no RateLimit-* headers), `closed` answers 503
 *   service_unavailable; every replica's /readyz names redis; /healthz stays 200;
 * - after Redis is back (empty: nothing was saved): every replica reconnects by itself (no restart),
 *   /readyz is 200, `closed` serves again, the limits count in Redis again (shared);
 * - caches and invalidation recover: an API key revoked on one replica DURING the outage (the
 *   invalidation message could not be published) is refused by another replica after Redis is
 *   back, although its revocation cache TTL is a minute; one revoked after recovery is refused
 *   promptly (the subscription is back).
 * Prints the time each step took to recover.
 */
const serverMode = !!process.env.DATABASE_URL;
const LIMIT = 20;

async function status(url: string, path: string, token?: string): Promise<Response> {
  const res = await fetch(`${url}${path}`, { headers: token ? bearer(token) : {} });
  await res.arrayBuffer();
  return res;
}

describe.skipIf(!serverMode || !redisServerAvailable)('faults: Redis killed and started again', { timeout: 180_000 }, () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let memory: TestPlatform;
  let open: TestPlatform;
  let closed: TestPlatform;
  const prefix = `test:faults-redis:${Date.now()}:`;

  beforeAll(async () => {
    redis = await startRedisServer();
    const common = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_USER_PER_MINUTE: String(LIMIT), AUTH_REVOCATION_CACHE_TTL_MS: '60000' };
    memory = await startPlatform({ ...common, RATE_LIMIT_REDIS_DOWN: 'memory' });
    const schema = memory.env.DATABASE_SCHEMA;
    [open, closed] = await Promise.all([
      startPlatform({ ...common, DATABASE_SCHEMA: schema, RATE_LIMIT_REDIS_DOWN: 'open' }),
      startPlatform({ ...common, DATABASE_SCHEMA: schema, RATE_LIMIT_REDIS_DOWN: 'closed' }),
    ]);
  }, 180_000);
  afterAll(async () => {
    for (const t of [open, closed, memory]) await t?.close();
    await redis?.stop();
  });

  it('each RATE_LIMIT_REDIS_DOWN policy holds during the outage; all recover by themselves, caches and invalidation included', async () => {
    const [limitedUser, openUser, closedUser, revokedDuring, revokedAfter] = await Promise.all(Array.from({ length: 5 }, () => signUp(memory.url)));
    const keyDuring = await createApiKey(memory.url, revokedDuring!.accessToken);
    const keyAfter = await createApiKey(memory.url, revokedAfter!.accessToken);
    // The `open` replica caches both keys' state (for a minute: AUTH_REVOCATION_CACHE_TTL_MS).
    expect((await status(open.url, '/v1/api-keys', keyDuring.key)).status).toBe(200);
    expect((await status(open.url, '/v1/api-keys', keyAfter.key)).status).toBe(200);
    const counted = await status(memory.url, '/v1/api-keys', limitedUser!.accessToken);
    expect(counted.headers.get('ratelimit-limit')).toBe(String(LIMIT));

    await redis.stop();
    const killedAt = Date.now();
    for (const t of [memory, open, closed]) await waitUntil('the replica sees Redis gone', async () => t.platform.redis?.status !== 'ready');

    // memory: the same limit, enforced per replica by the insurance limiter.
    const answers: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      const res = await status(memory.url, '/v1/api-keys', limitedUser!.accessToken);
      answers.push(res.status);
      if (i === 0) expect(res.headers.get('ratelimit-limit')).toBe(String(LIMIT));
    }
    expect(answers.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(answers.at(-1)).toBe(429);
    // open: passes uncounted, without RateLimit-* headers.
    for (let i = 0; i <= LIMIT; i++) {
      const res = await status(open.url, '/v1/api-keys', openUser!.accessToken);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
    // closed: refused with a clear 503.
    const refused = await fetch(`${closed.url}/v1/api-keys`, { headers: bearer(closedUser!.accessToken) });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    for (const t of [memory, open, closed]) {
      expect((await status(t.url, '/healthz')).status).toBe(200);
      const ready = await fetch(`${t.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks.redis).toBe('fail');
    }
    // Revoked on `memory` while Redis is down: the invalidation message cannot be published.
    expect((await apiCall(memory.url, revokedDuring!.accessToken, 'DELETE', `/v1/api-keys/${keyDuring.id}`)).status).toBe(204);
    const outageMs = Date.now() - killedAt;

    await redis.restart();
    const backAt = Date.now();
    const reconnectMs = await waitUntil('every replica reconnects', async () => [memory, open, closed].every((t) => t.platform.redis?.status === 'ready'));
    const readyMs = await waitUntil('every /readyz is 200', async () => {
      const codes = await Promise.all([memory, open, closed].map(async (t) => (await status(t.url, '/readyz')).status));
      return codes.every((c) => c === 200);
    });
    const closedServesMs = await waitUntil('closed serves again', async () => (await status(closed.url, '/v1/api-keys', closedUser!.accessToken)).status === 200);
    // The revocation made during the outage reaches the `open` replica: its cache was dropped on reconnect.
    const staleGoneMs = await waitUntil('the key revoked during the outage is refused elsewhere', async () => (await status(open.url, '/v1/api-keys', keyDuring.key)).status === 401, 10_000);
    // Counting is shared in Redis again: a request on `open` is counted, with its headers back.
    const recounted = await status(open.url, '/v1/api-keys', openUser!.accessToken);
    expect(recounted.status).toBe(200);
    expect(recounted.headers.get('ratelimit-limit')).toBe(String(LIMIT));
    const probe = new Redis(redis.url);
    try {
      expect((await probe.keys(`${prefix}rl:*`)).length).toBeGreaterThan(0);
    } finally {
      probe.disconnect();
    }
    // Invalidation after recovery: revoked on `memory`, refused by `open` at once (the subscription is back).
    expect((await status(open.url, '/v1/api-keys', keyAfter.key)).status).toBe(200);
    expect((await apiCall(memory.url, revokedAfter!.accessToken, 'DELETE', `/v1/api-keys/${keyAfter.id}`)).status).toBe(204);
    const invalidationMs = await waitUntil('a key revoked after recovery is refused elsewhere', async () => (await status(open.url, '/v1/api-keys', keyAfter.key)).status === 401, 5_000);
    const totalMs = Date.now() - backAt;
    console.log(
      `faults.redis: outage ${outageMs} ms; after redis-server restarted: every replica reconnected in ${reconnectMs} ms, /readyz 200 on all in ${reconnectMs + readyMs} ms, ` +
        `closed serving again ${closedServesMs} ms later, the key revoked during the outage refused elsewhere ${staleGoneMs} ms later, ` +
        `a key revoked after recovery refused elsewhere in ${invalidationMs} ms; all recovered ${totalMs} ms after the restart`,
    );
  });
});
