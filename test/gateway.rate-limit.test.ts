import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, createRateLimitStore, errorHandler, userRateLimit, type RateLimitDecision, type RedisDownPolicy } from '../src/gateway/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { redisServerAvailable, startRedisServer, type OwnRedis } from './support/redis-server.js';
import { bearer, signUp } from './support/users.js';

const route = '/v1/openapi.json'; // public, cheap, and behind the per-IP limit

async function hit(url: string, path = route) {
  const res = await fetch(`${url}${path}`);
  await res.arrayBuffer();
  return res;
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

const running: TestPlatform[] = [];
async function platform(env: Record<string, string | undefined>) {
  const t = await startPlatform(env);
  running.push(t);
  return t;
}
afterEach(async () => {
  while (running.length) await running.pop()?.close();
});

// Starting a platform takes a while on a busy two-core machine; these tests start several.
const SLOW = { timeout: 400_000 };

describe('per-IP rate limit, in memory (no REDIS_URL)', SLOW, () => {
  it('allows the configured number per minute with RateLimit-* headers, then answers 429 + Retry-After; probes exempt', async () => {
    const t = await platform({ REDIS_URL: undefined, RATE_LIMIT_IP_PER_MINUTE: '3' });
    for (const remaining of ['2', '1', '0']) {
      const ok = await hit(t.url);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-limit')).toBe('3');
      expect(ok.headers.get('ratelimit-remaining')).toBe(remaining);
      expect(ok.headers.get('ratelimit-policy')).toBe('3;w=60');
      expect(Number(ok.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const limited = await fetch(`${t.url}${route}`);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-request-id')).toBeTruthy();
    const body = (await limited.json()) as { error: { code: string } };
    expect(body.error.code).toBe('rate_limited');
    // Unknown routes count too (the IP limit runs before routing).
    expect((await hit(t.url, '/v1/nope')).status).toBe(429);
    // The health probes are never limited.
    for (let i = 0; i < 5; i++) {
      const h = await hit(t.url, '/healthz');
      expect(h.status).toBe(200);
      expect(h.headers.get('ratelimit-limit')).toBeNull();
      expect((await hit(t.url, '/readyz')).status).toBe(200);
    }
  });
});

describe.skipIf(!redisServerAvailable)('per-IP rate limit on Redis (own redis-server)', SLOW, () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => redis?.stop());

  it('two platform instances with one REDIS_KEY_PREFIX share one budget, kept in Redis; 429 at the limit', async () => {
    const prefix = `test:shared:${Date.now()}:`;
    const envA = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_IP_PER_MINUTE: '4' };
    let a: TestPlatform;
    let b: TestPlatform;
    if (process.env.DATABASE_URL) {
      // Server mode: the second instance joins the first one's schema (started after it).
      a = await platform(envA);
      b = await platform({ ...envA, DATABASE_SCHEMA: a.env.DATABASE_SCHEMA });
    } else {
      // Embedded: each instance has its own PGlite; start both at once (start-up is the slow part).
      [a, b] = await Promise.all([platform(envA), platform(envA)]);
    }
    expect((await hit(a.url)).status).toBe(200);
    expect((await hit(b.url)).headers.get('ratelimit-remaining')).toBe('2');
    expect((await hit(a.url)).status).toBe(200);
    expect((await hit(b.url)).headers.get('ratelimit-remaining')).toBe('0');
    const limited = await hit(a.url);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect((await hit(b.url)).status).toBe(429);
    // The counter is one Redis key under the shared prefix.
    const probe = new Redis(redis.url);
    try {
      expect(await probe.keys(`${prefix}rl:ip*`)).toHaveLength(1);
    } finally {
      probe.disconnect();
    }
  });
});

describe.skipIf(!redisServerAvailable)('RATE_LIMIT_REDIS_DOWN: Redis stops while serving', SLOW, () => {
  let redis: OwnRedis;
  afterEach(async () => redis?.stop());

  async function platformThenStopRedis(policy: RedisDownPolicy, limit: number) {
    redis = await startRedisServer();
    const t = await platform({ REDIS_URL: redis.url, RATE_LIMIT_IP_PER_MINUTE: String(limit), RATE_LIMIT_REDIS_DOWN: policy });
    expect((await hit(t.url)).status).toBe(200); // counted in Redis
    await redis.stop();
    const client = t.platform.redis;
    if (!client) throw new Error('platform has no Redis client');
    await until(() => client.status !== 'ready');
    return t;
  }

  it('memory (default): an in-memory insurance limiter keeps enforcing the same limit', async () => {
    const t = await platformThenStopRedis('memory', 2);
    const first = await hit(t.url);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect((await hit(t.url)).status).toBe(200);
    expect((await hit(t.url)).status).toBe(429);
    const ready = await hit(t.url, '/readyz');
    expect(ready.status).toBe(503);
  });

  it('open: requests pass uncounted', async () => {
    const t = await platformThenStopRedis('open', 2);
    for (let i = 0; i < 5; i++) {
      const res = await hit(t.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('closed: requests are refused with 503 service_unavailable', async () => {
    const t = await platformThenStopRedis('closed', 2);
    const res = await fetch(`${t.url}${route}`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    expect((await hit(t.url, '/healthz')).status).toBe(200);
  });

  it('a platform started while Redis is unreachable still serves, per the policy', async () => {
    redis = await startRedisServer();
    const url = redis.url;
    await redis.stop(); // nothing listens on that port now
    const t = await platform({ REDIS_URL: url, RATE_LIMIT_IP_PER_MINUTE: '1', RATE_LIMIT_REDIS_DOWN: 'memory' });
    expect((await hit(t.url)).status).toBe(200);
    expect((await hit(t.url)).status).toBe(429);
  });
});

/**
 * Per-user limit: a tiny Express app with the REAL limiter classes and middleware; a test-only
 * middleware sets the principal that `authenticate` would set.
 */
describe('per-user rate limit middleware (real limiters, test principal)', () => {
  async function userApp(redisClient?: Redis, prefix = `u${Date.now()}`) {
    const limiter = createRateLimiter({ name: `user-${prefix}`, points: 2, durationSeconds: 60, redis: redisClient });
    const app = express();
    app.use((req, _res, next) => {
      const user = req.header('x-test-user');
      if (user) req.principal = { userId: user, role: 'user', email: null, via: 'jwt' };
      next();
    });
    app.use(userRateLimit(limiter));
    app.get('/x', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler(pino({ level: 'silent' }), 1024));
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (user?: string) => {
      const res = await fetch(`${url}/x`, { headers: user ? { 'x-test-user': user } : {} });
      await res.arrayBuffer();
      return res;
    };
    return { get, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  async function budgets(app: Awaited<ReturnType<typeof userApp>>) {
    expect((await app.get('alice')).headers.get('ratelimit-remaining')).toBe('1');
    expect((await app.get('alice')).status).toBe(200);
    const limited = await app.get('alice');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    // Another user has a budget of their own; anonymous requests are not limited here.
    expect((await app.get('bob')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await app.get()).status).toBe(200);
  }

  it('on memory', async () => {
    const app = await userApp();
    try {
      await budgets(app);
    } finally {
      await app.close();
    }
  });

  it.skipIf(!redisServerAvailable)('on Redis', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { keyPrefix: 'test:user:' });
    await until(() => client.status === 'ready');
    const app = await userApp(client);
    try {
      await budgets(app);
      expect((await client.keys('test:user:rl:user-*')).length).toBe(2);
    } finally {
      await app.close();
      client.disconnect();
      await server.stop();
    }
  });
});

/**
 * Several limits of one request counted together (rate-limit-store.ts): one script call for all
 * of them, in order, stopping at the first refusal; two stores on two connections (two replicas'
 * worth) spend one budget.
 */
describe.skipIf(!redisServerAvailable)('several limits in one round trip, shared by two stores (own redis-server)', () => {
  let server: OwnRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });

  async function replica() {
    const client = new Redis(server.url, { keyPrefix: 'test:many:', enableOfflineQueue: false });
    clients.push(client);
    await until(() => client.status === 'ready');
    const sent: string[] = [];
    const original = client.sendCommand;
    client.sendCommand = function (this: Redis, command, ...rest) {
      sent.push(command.name);
      return original.call(this, command, ...rest);
    } as Redis['sendCommand'];
    const store = createRateLimitStore({ redis: client });
    const ip = store.limiter('ip', 3, 60);
    const user = store.limiter('user', 2, 60);
    return { store, ip, user, sent, both: () => store.consume([{ limiter: ip, key: 'x' }, { limiter: user, key: 'u' }]) };
  }
  const summary = (ds: RateLimitDecision[]) => ds.map((d) => ('uncounted' in d ? 'uncounted' : d.allowed ? `ok:${d.remaining}` : `refused:${d.retryAfterSeconds > 0}`));

  it('counts in order with one script call, stops at the first refusal, and refuses known keys without asking', async () => {
    const a = await replica();
    const b = await replica();
    const probe = new Redis(server.url, { keyPrefix: 'test:many:' });
    clients.push(probe);
    const counter = (k: string) => probe.get(k);

    expect(summary(await a.both())).toEqual(['ok:2', 'ok:1']);
    expect(summary(await b.both())).toEqual(['ok:1', 'ok:0']);
    expect(a.sent).toEqual(['evalsha']);
    expect(b.sent).toEqual(['evalsha']);
    // The user is over its limit: refused, and counted like consuming one after the other would.
    expect(summary(await a.both())).toEqual(['ok:0', 'refused:true']);
    // The IP is over its limit: refused, and the user is not counted after it.
    expect(summary(await b.both())).toEqual(['refused:true']);
    expect([await counter('rl:ip:x'), await counter('rl:user:u')]).toEqual(['4', '3']);
    expect(a.sent).toHaveLength(2);
    expect(b.sent).toHaveLength(2);

    // Each store remembers what it saw refused until the window ends: no round trip for it.
    expect(summary(await b.both())).toEqual(['refused:true']);
    expect(b.sent).toHaveLength(2);
    expect(b.store.knownRefusal(b.ip, 'x')).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
    // A knows the user is over (so only the IP goes to Redis), not yet the IP.
    expect(summary(await a.both())).toEqual(['refused:true']);
    expect(a.sent).toHaveLength(3);
    expect([await counter('rl:ip:x'), await counter('rl:user:u')]).toEqual(['5', '3']);
    expect(summary(await a.store.consume([{ limiter: a.user, key: 'u' }]))).toEqual(['refused:true']);
    expect(a.sent).toHaveLength(3);
    // The counters expire with their window.
    expect(await probe.pttl('rl:ip:x')).toBeGreaterThan(50_000);
    // Other keys are counted as usual.
    expect(summary(await a.store.consume([{ limiter: a.ip, key: 'y' }, { limiter: a.user, key: 'v' }]))).toEqual(['ok:2', 'ok:1']);
  });
});

describe('per-user rate limit through the real platform', SLOW, () => {
  it('limits each authenticated user on /v1 separately, after authentication', async () => {
    const t = await platform({ REDIS_URL: process.env.REDIS_URL, RATE_LIMIT_USER_PER_MINUTE: '2', RATE_LIMIT_IP_PER_MINUTE: '1000' });
    const alice = await signUp(t.url);
    const bob = await signUp(t.url);
    const list = (token: string) => fetch(`${t.url}/v1/api-keys`, { headers: bearer(token) });

    const first = await list(alice.accessToken);
    expect(first.status).toBe(200);
    // Both the IP and the user limit apply; the headers show the tighter one (the user's).
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await list(alice.accessToken)).status).toBe(200);
    const limited = await list(alice.accessToken);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');

    // Bob has a budget of his own; unauthenticated requests are refused by authentication, not counted per user.
    expect((await list(bob.accessToken)).status).toBe(200);
    expect((await fetch(`${t.url}/v1/api-keys`)).status).toBe(401);
  });
});
