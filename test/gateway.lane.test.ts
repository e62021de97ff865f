/**
 * The request lane (src/gateway/lane.ts), which serves `/mcp` and `/mcp/{service}` without
 * Express's router walk: the same middleware semantics as the app (prototypes, params, route,
 * errors in order, promise rejections, a 404 when nothing answers), the MCP endpoint's path matcher,
 * and, on the real platform, that a call taking the lane meets the edge and logging middleware as it
 * did through the app (headers, access log, metrics by route template, JSON-RPC errors).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, errorHandler, requestLane, type LaneRoute } from '../src/gateway/index.js';
import { createLogger } from '../src/logging/index.js';
import { mcpRoute } from '../src/router/endpoint/http.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { bearer, signUp } from './support/users.js';

describe('requestLane: Express semantics without the router walk', () => {
  let server: http.Server;
  let base: string;
  const seen: string[] = [];
  beforeAll(async () => {
    const app = express();
    app.set('query parser', 'simple');
    const record: RequestHandler = (req, res, next) => {
      seen.push(`first ${req.params.id ?? '-'} ${(req as express.Request & { route?: { path: string } }).route?.path}`);
      res.locals.first = true;
      next();
    };
    const answer: RequestHandler = async (req, res, next) => {
      const mode = String(req.query.mode ?? '');
      if (mode === 'throw') throw new ApiError(409, 'thrown', 'thrown synchronously? no: by an async handler');
      if (mode === 'sync') {
        (() => {
          throw new Error('sync failure');
        })();
      }
      if (mode === 'pass') return next();
      if (mode === 'recover') return next(new ApiError(418, 'teapot', 'recovered by the first error handler'));
      // Express's response methods and app settings work: the app's prototypes are on the objects.
      res.status(201).json({ id: req.params.id, first: res.locals.first, path: req.path, query: req.query, originalUrl: req.originalUrl });
    };
    const firstErrors: ErrorRequestHandler = (err, _req, _res, next) => {
      seen.push(`errors ${(err as Error).message}`);
      // An error handler that passes on without an error: nothing answers after it, so the 404.
      if ((err as ApiError).code === 'teapot') return next();
      next(err);
    };
    const lane = requestLane(app, [record, answer], [firstErrors, errorHandler(createLogger('silent'), 1024)]);
    app.use((_req, res) => void res.status(299).json({ via: 'app' }));
    server = http.createServer((req, res) => {
      const match = /^\/lane\/([^/?]+)/.exec(req.url ?? '');
      const route: LaneRoute | undefined = match ? { path: '/lane/:id', params: { id: match[1]! } } : undefined;
      if (route) lane(req, res, route);
      else app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('runs the handlers in order with params, route, locals, query and the response helpers', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/lane/abc?mode=ok`);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 'abc', first: true, path: '/lane/abc', query: { mode: 'ok' }, originalUrl: '/lane/abc?mode=ok' });
    expect(seen).toEqual(['first abc /lane/:id']);
    // Anything else still goes through the app.
    expect((await fetch(`${base}/other`)).status).toBe(299);
  });

  it('sends a rejected promise and a thrown error to the error handlers, in order', async () => {
    seen.length = 0;
    const rejected = await fetch(`${base}/lane/x?mode=throw`);
    expect(rejected.status).toBe(409);
    expect(await rejected.json()).toMatchObject({ error: { code: 'thrown' } });
    const thrown = await fetch(`${base}/lane/x?mode=sync`);
    expect(thrown.status).toBe(500);
    const body = (await thrown.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('internal_error');
    expect(JSON.stringify(body)).not.toContain('sync failure');
    expect(seen.filter((s) => s.startsWith('errors'))).toHaveLength(2);
  });

  it('answers 404 when the handlers pass on, and when an error handler passes on without an error', async () => {
    const passed = await fetch(`${base}/lane/x?mode=pass`);
    expect(passed.status).toBe(404);
    expect(await passed.json()).toMatchObject({ error: { code: 'route_not_found' } });
    seen.length = 0;
    const recovered = await fetch(`${base}/lane/x?mode=recover`);
    expect(recovered.status).toBe(404);
    // The 404 goes to the error handlers after the one that passed on, as in Express.
    expect(seen).toEqual(['first x /lane/:id', 'errors recovered by the first error handler']);
  });
});

describe('mcpRoute: the paths the MCP endpoint serves, as Express routed them', () => {
  const cases: Array<[string | undefined, ReturnType<typeof mcpRoute>]> = [
    ['/mcp', { path: '/mcp', params: {} }],
    ['/mcp/', { path: '/mcp', params: {} }],
    ['/mcp?x=1', { path: '/mcp', params: {} }],
    ['/mcp/echo', { path: '/mcp/:service', params: { service: 'echo' } }],
    ['/mcp/echo/', { path: '/mcp/:service', params: { service: 'echo' } }],
    ['/mcp/echo?a=b', { path: '/mcp/:service', params: { service: 'echo' } }],
    ['/MCP/Echo', { path: '/mcp/:service', params: { service: 'Echo' } }],
    ['/mcp/a%20b', { path: '/mcp/:service', params: { service: 'a b' } }],
    // Not valid percent-encoding: kept as sent (no service has that name: 404 from the endpoint).
    ['/mcp/%E0%A4%A', { path: '/mcp/:service', params: { service: '%E0%A4%A' } }],
    ['/mcp/a/b', undefined],
    ['/mcpx', undefined],
    ['/mcp//', undefined],
    ['/v1/mcp', undefined],
    ['/.well-known/oauth-protected-resource/mcp', undefined],
    [undefined, undefined],
  ];
  it.each(cases)('%s', (url, expected) => {
    expect(mcpRoute(url)).toEqual(expected);
  });
});

describe('the MCP lane on the platform', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let token: string;
  beforeAll(async () => {
    t = await startPlatform({ CORS_ORIGINS: 'https://app.example.com' });
    token = (await signUp(t.url)).accessToken;
  }, 180_000);
  afterAll(async () => t?.close());

  it('meets the edge: request id, security and CORS headers, the 401 with its metadata URL', async () => {
    const res = await fetch(`${t.url}/mcp/echo/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://app.example.com', 'x-request-id': 'lane-test-1' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('lane-test-1');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('traceresponse')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${t.platform.config.PUBLIC_URL}/.well-known/oauth-protected-resource/mcp/echo"`);
  });

  it('answers malformed JSON and an unknown service as JSON-RPC errors, and other paths under /mcp through the app', async () => {
    const malformed = await fetch(`${t.url}/mcp/echo`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{"jsonrpc":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    const unknown = await fetch(`${t.url}/MCP/no-such-service`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { message: 'Service no-such-service not found' } });
    const deeper = await fetch(`${t.url}/mcp/echo/extra`, { method: 'POST', headers: bearer(token) });
    expect(deeper.status).toBe(404);
    expect(await deeper.json()).toMatchObject({ error: { code: 'route_not_found' } });
  });

  it('is counted in the HTTP metrics under its route template, never the raw path', async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    const lines = metrics.split('\n').filter((l) => l.startsWith('http_requests_total'));
    expect(lines.some((l) => l.includes('route="/mcp/{service}"') && l.includes('status="401"'))).toBe(true);
    expect(lines.some((l) => l.includes('no-such-service'))).toBe(false);
  });
});
