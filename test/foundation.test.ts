import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';

describe('platform foundation', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  });
  afterAll(async () => t?.close());

  it('answers liveness and readiness', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks.database).toBe('ok');
    if (process.env.REDIS_URL) expect(body.checks.redis).toBe('ok');
  });

  it('answers unknown routes with the JSON error shape and a request id', async () => {
    const res = await fetch(`${t.url}/does-not-exist`); // /v1/* needs a token first (auth)
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; request_id: string } };
    expect(body.error.code).toBe('route_not_found');
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('rejects malformed JSON with a clear 400', async () => {
    const res = await fetch(`${t.url}/v1/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});
