import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connectRedis, waitForRedis } from '../src/db/index.js';
import { createRateLimitStore, edgeMiddleware, errorHandler } from '../src/gateway/index.js';
import { createLogger } from '../src/logging/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { freePort, redisServerAvailable, startRedisServer } from './support/redis-server.js';
import { bearer, signUp } from './support/users.js';

/** Every line the platform logs, as raw JSON text, for assertions on content and redaction. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(line);
    cb();
  }
  parsed(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

const ALLOWED_ORIGIN = 'https://app.example.com';

describe('gateway edge: headers, limits, logs, errors', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  const logs = new LogCapture();
  beforeAll(async () => {
    t = await startPlatform(
      {
        CORS_ORIGINS: `${ALLOWED_ORIGIN}, https://admin.example.com`,
        BODY_LIMIT_BYTES: '2048',
        HEADERS_TIMEOUT_MS: '1000',
        REQUEST_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'debug',
      },
      { logger: createLogger('debug', logs) },
    );
  }, 180_000);
  afterAll(async () => t?.close());

  it('sets security headers (helmet) and a request id on every response', async () => {
    for (const path of ['/healthz', '/readyz', '/v1/openapi.json', '/v1/nope']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(res.headers.get('strict-transport-security'), path).toBeTruthy();
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
    // A well-formed incoming id is kept; a malformed one is replaced.
    const kept = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'lb-1234.abc' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-1234.abc');
    const replaced = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows CORS for configured origins only', async () => {
    const allowed = await fetch(`${t.url}/v1/openapi.json`, { headers: { origin: ALLOWED_ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('RateLimit-Remaining');

    const preflight = await fetch(`${t.url}/v1/api-keys`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const denied = await fetch(`${t.url}/v1/openapi.json`, { headers: { origin: 'https://evil.example.net' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const deniedPreflight = await fetch(`${t.url}/v1/api-keys`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(deniedPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await fetch(`${t.url}/v1/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(4096) }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string; request_id: string } };
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('closes a connection whose headers arrive too slowly (slowloris)', async () => {
    const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString('utf8');
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Keep trickling header lines, never finishing the header block.
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${Date.now()}: 1\r\n`);
    }, 200);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearInterval(drip);
    expect(received.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('puts the request id on every log line of a request, with ECS field names', async () => {
    const id = 'log-check-1';
    const res = await fetch(`${t.url}/nope`, { headers: { 'x-request-id': id } });
    expect(res.status).toBe(404);
    await new Promise((r) => setImmediate(r));
    const lines = logs.parsed().filter((l) => JSON.stringify(l).includes(id));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line['http.request.id']).toBe(id);
      expect(line['@timestamp']).toEqual(expect.any(String));
      expect(line['log.level']).toEqual(expect.any(String));
      expect(line['service.name']).toBe('mcp-platform');
      expect(line.message).toEqual(expect.any(String));
    }
    // And every access-log line carries a request id.
    for (const line of logs.parsed().filter((l) => 'req' in l)) expect(line['http.request.id']).toEqual(expect.any(String));
  });

  it('keeps tokens and passwords out of the logs', async () => {
    const before = logs.lines.length;
    const res = await fetch(`${t.url}/v1/anything?access_token=query-secret-abc`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer secret-xyz',
        cookie: 'sb-session=cookie-secret-123',
        apikey: 'apikey-secret-456',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ password: 'hunter2-secret', refresh_token: 'refresh-secret-789' }),
    });
    expect(res.status, logs.lines.slice(before).join('\n')).toBe(401);
    // Secrets in a request that reaches a handler (sign-in with a wrong password) stay out too.
    const signIn = await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: 'apikey-secret-456' },
      body: JSON.stringify({ email: 'nobody@example.test', password: 'hunter2-secret' }),
    });
    expect(signIn.status).toBe(400);
    // A malformed body that includes a secret is logged without it, too.
    await fetch(`${t.url}/v1/anything`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-xyz', 'content-type': 'application/json' },
      body: '{"password":"hunter2-secret"',
    });
    await new Promise((r) => setImmediate(r));
    const text = logs.lines.slice(before).join('\n');
    expect(text.length).toBeGreaterThan(0);
    for (const secret of ['secret-xyz', 'hunter2-secret', 'cookie-secret-123', 'apikey-secret-456', 'refresh-secret-789', 'query-secret-abc']) {
      expect(text).not.toContain(secret);
    }
  });

  it('the logger redacts secrets even when code passes them as fields', () => {
    const capture = new LogCapture();
    const logger = createLogger('info', capture);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer secret-xyz', cookie: 'c=cookie-secret' } },
        password: 'hunter2-secret',
        user: { password: 'nested-secret', token: 'token-secret' },
        api_key: 'key-secret',
      },
      'something happened',
    );
    const text = capture.lines.join('\n');
    for (const secret of ['secret-xyz', 'cookie-secret', 'hunter2-secret', 'nested-secret', 'token-secret', 'key-secret']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
  });

  it('reports a failed dependency in the JSON shape, never with a stack trace', async () => {
    const user = await signUp(t.url);
    // Last test: closes the database under the running server.
    await t.platform.database.close();
    const failing = await fetch(`${t.url}/v1/api-keys`, { headers: bearer(user.accessToken) });
    expect(failing.status).toBeGreaterThanOrEqual(500);
    const failingText = await failing.text();
    const failingBody = JSON.parse(failingText) as { error: { code: string; message: string; request_id: string } };
    expect(['internal_error', 'service_unavailable']).toContain(failingBody.error.code);
    expect(failingBody.error.request_id).toBe(failing.headers.get('x-request-id'));
    expect(failingText).not.toMatch(/\n\s+at |\.ts:\d+|node_modules|stack/i);

    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
    const text = await ready.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'unavailable', checks: { database: 'fail' } });
    expect(text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  });
});

describe('gateway edge: a backing service down', () => {
  it('names the database when PostgreSQL is unreachable (never its address or credentials); an error in those words that is not from Redis is not taken for Redis', async () => {
    const app = express();
    const connectRefused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5433 (postgres://app:db-pass-123@10.1.2.3:5433/app)'), { code: 'ECONNREFUSED' });
    const terminated = new Error('Connection terminated due to connection timeout');
    const adminShutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    // SQLSTATE 08003 (connection_does_not_exist) in the words ioredis uses: the database's, by where it came from.
    const lookalike = Object.assign(new Error('Connection is closed.'), { code: '08003' });
    const failures: Record<string, Error> = { refused: connectRefused, terminated, shutdown: adminShutdown, lookalike };
    app.get('/:failure', (req, _res, next) => next(failures[req.params.failure]));
    app.use(errorHandler(createLogger('silent'), 2048));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const failure of ['refused', 'terminated', 'shutdown', 'lookalike']) {
        const res = await fetch(`${base}/${failure}`);
        const text = await res.text();
        expect([failure, res.status, (JSON.parse(text) as { error: { message: string } }).error.message]).toEqual([failure, 503, 'The database is unavailable; try again shortly']);
        expect(text).not.toMatch(/10\.1\.2\.3|5433|db-pass-123|postgres:/);
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it.skipIf(!redisServerAvailable)('answers a stopped Redis (a redis-server of its own) without a name, a real PostgreSQL connection refused as the database, a Redis reply error as 500', async () => {
    const own = await startRedisServer();
    const redis = await connectRedis(own.url, 'gw-test:', createLogger('silent'));
    await waitForRedis(redis);
    createRateLimitStore({ redis }); // the store marks the shared connection it is given
    const deadPort = await freePort();
    const app = express();
    app.get('/redis/get', async (_req, res, next) => {
      try {
        res.json({ value: await redis.get('k') });
      } catch (err) {
        next(err);
      }
    });
    app.get('/redis/in-flight', async (_req, res, next) => {
      try {
        res.json({ value: await redis.blpop('q', 5) });
      } catch (err) {
        next(err);
      }
    });
    app.get('/redis/wrong-type', async (_req, res, next) => {
      try {
        await redis.set('s', 'x');
        res.json({ value: await redis.lpush('s', 'y') });
      } catch (err) {
        next(err);
      }
    });
    app.get('/postgres', async (_req, res, next) => {
      const client = new pg.Client({ connectionString: `postgres://app:db-pass-123@127.0.0.1:${deadPort}/app`, connectionTimeoutMillis: 2_000 });
      try {
        await client.connect();
        res.json({ connected: true });
      } catch (err) {
        next(err);
      }
    });
    app.use(errorHandler(createLogger('silent'), 2048));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answer = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      const text = await res.text();
      expect(text).not.toMatch(/127\.0\.0\.1|db-pass-123|ECONNREFUSED|Connection is closed|writeable|max retries/i);
      return [path, res.status, (JSON.parse(text) as { error?: { message: string } }).error?.message];
    };
    try {
      expect(await answer('/redis/get')).toEqual(['/redis/get', 200, undefined]);
      expect(await answer('/redis/wrong-type')).toEqual(['/redis/wrong-type', 500, 'An unexpected error occurred']);
      const inFlight = answer('/redis/in-flight'); // written to Redis, then Redis is killed under it
      await new Promise((r) => setTimeout(r, 200));
      await own.stop();
      expect(await inFlight).toEqual(['/redis/in-flight', 503, 'A backing service is unavailable; try again shortly']);
      expect(await answer('/redis/get')).toEqual(['/redis/get', 503, 'A backing service is unavailable; try again shortly']);
      expect(await answer('/postgres')).toEqual(['/postgres', 503, 'The database is unavailable; try again shortly']);
    } finally {
      redis.disconnect();
      await own.stop();
      await new Promise((r) => server.close(r));
    }
  });
});

/**
 * The edge sets helmet's and cors' headers from values computed once at start (edge.ts). This
 * compares it, response by response, with helmet() and cors() run per request as before: same
 * header names, values and order, for simple requests and preflights, with and without an
 * allowed Origin, for a list of origins and for `*`.
 */
describe('gateway edge: precomputed security and CORS headers equal helmet() and cors() per request', () => {
  const exposedHeaders = ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Mcp-Session-Id', 'WWW-Authenticate'];

  async function serve(handlers: express.RequestHandler[]): Promise<{ url: string; close(): Promise<void> }> {
    const app = express();
    app.disable('x-powered-by');
    app.use((req, _res, next) => {
      // The request id would differ between the two: fix it.
      req.headers['x-request-id'] = 'fixed-id';
      next();
    });
    app.use(handlers);
    app.all('/{*rest}', (req, res) => res.json({ ok: req.method }));
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
  }

  async function rawHeaders(url: string, method: string, headers: Record<string, string>): Promise<string[][]> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${url}/some/path`, { method, headers }, (res) => {
        res.resume();
        const pairs: string[][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          if (name !== 'date' && name !== 'etag' && name !== 'keep-alive' && name !== 'connection') pairs.push([name, res.rawHeaders[i + 1]!]);
        }
        resolve([[String(res.statusCode)], ...pairs]);
      });
      req.on('error', reject);
      req.end();
    });
  }

  for (const corsOrigins of [['https://app.example.com', 'https://admin.example.com'], ['*'], []]) {
    it(`CORS_ORIGINS=${JSON.stringify(corsOrigins)}`, async () => {
      const logger = createLogger('silent');
      const edge = edgeMiddleware({ logger, bodyLimitBytes: 1024, corsOrigins });
      const before = [
        (req: express.Request, res: express.Response, next: express.NextFunction) => {
          res.setHeader('X-Request-Id', String(req.headers['x-request-id']));
          next();
        },
        helmet(),
        cors({ origin: corsOrigins.includes('*') ? true : corsOrigins, credentials: false, exposedHeaders, maxAge: 600 }),
        express.json({ limit: 1024 }),
      ];
      const now = await serve(edge);
      const then = await serve(before);
      try {
        let compared = 0;
        for (const method of ['GET', 'POST', 'OPTIONS', 'DELETE']) {
          for (const origin of [undefined, 'https://app.example.com', 'https://evil.example.net', '']) {
            const headers: Record<string, string> = origin === undefined ? {} : { origin };
            if (method === 'OPTIONS') Object.assign(headers, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
            const a = await rawHeaders(now.url, method, headers);
            const b = await rawHeaders(then.url, method, headers);
            expect(a, `${method} origin=${origin}`).toEqual(b);
            compared++;
          }
        }
        expect(compared).toBe(16);
      } finally {
        await now.close();
        await then.close();
      }
    });
  }
});
