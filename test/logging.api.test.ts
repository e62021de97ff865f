import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, createApiKey, signIn, signUp, type TestSession } from './support/users.js';

/** The query APIs with real logins, and the audit entries the auth flows leave. */
describe('logging: query APIs', () => {
  let t: TestPlatform;
  let alice: TestSession;
  let bob: TestSession;
  let admin: TestSession;
  beforeAll(async () => {
    t = await startPlatform({ LOG_FLUSH_INTERVAL_MS: '50' });
    alice = await signUp(t.url);
    bob = await signUp(t.url);
    admin = await adminSession(t);
  });
  afterAll(async () => t?.close());

  const get = async (path: string, s: TestSession) => {
    const res = await fetch(`${t.url}${path}`, { headers: bearer(s.accessToken) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { data: Array<Record<string, unknown>>; next_cursor: string | null } };
  };
  const flush = () => t.platform.logging.requestLog.flush();

  it('logs REST requests with the caller, and shows each user only their own', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${t.url}/v1/api-keys`, { headers: { ...bearer(alice.accessToken), 'x-request-id': `alice-${i}` } });
    await fetch(`${t.url}/v1/api-keys`, { headers: { ...bearer(bob.accessToken), 'x-request-id': 'bob-0' } });
    await flush();

    const mine = await get('/v1/logs?kind=rest', alice);
    expect(mine.status).toBe(200);
    const ids = mine.body.data.map((r) => r.request_id);
    expect(ids).toEqual(expect.arrayContaining(['alice-0', 'alice-1', 'alice-2']));
    expect(ids).not.toContain('bob-0');
    expect(mine.body.data.every((r) => r.user_id === alice.userId)).toBe(true);
    expect(mine.body.data.find((r) => r.request_id === 'alice-0')).toMatchObject({ route: '/v1/api-keys', method: 'GET', http_status: 200, status: 'ok' });

    const bobs = await get('/v1/logs', bob);
    expect(bobs.body.data.map((r) => r.request_id)).not.toContain('alice-0');
    // another user's id cannot be smuggled in
    expect((await get(`/v1/logs?user_id=${alice.userId}`, bob)).status).toBe(400);
    expect((await get('/v1/admin/logs', alice)).status).toBe(403);
  });

  it('filters and pages with a stable cursor', async () => {
    await flush(); // alice's earlier requests are all in before paging
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/v1/admin/logs?user_id=${alice.userId}&kind=rest&limit=1${cursor ? `&cursor=${cursor}` : ''}`, admin);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.data.map((r) => r.request_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    const all = await get(`/v1/admin/logs?user_id=${alice.userId}&kind=rest&limit=200`, admin);
    expect(seen).toEqual(all.body.data.map((r) => r.request_id));
    expect(new Set(seen).size).toBe(seen.length);
    const times = all.body.data.map((r) => Date.parse(String(r.time)));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    expect((await get('/v1/logs?status=200&min_latency_ms=0', alice)).body.data.length).toBeGreaterThan(0);
    expect((await get('/v1/logs?min_latency_ms=86400000', alice)).body.data).toEqual([]);
    for (const bad of ['limit=0', 'limit=1000', 'cursor=not-a-cursor', 'from=yesterday', 'status=teapot', 'service=Bad Slug!', 'unknown=1']) {
      expect((await get(`/v1/logs?${bad}`, alice)).status, bad).toBe(400);
    }
  });

  it('reports usage per period and service with p50/p95 latency', async () => {
    const log = t.platform.logging.requestLog;
    [10, 20, 30, 40].forEach((ms, i) =>
      log.record({ kind: 'mcp', requestId: `u-${i}`, userId: alice.userId, service: 'notes', method: 'tools/call', target: 'add_note', status: i === 3 ? 'error' : 'ok', rpcErrorCode: i === 3 ? -32603 : null, latencyMs: ms, bytesIn: 100, bytesOut: 200 }),
    );
    log.record({ kind: 'mcp', requestId: 'u-bob', userId: bob.userId, service: 'notes', method: 'tools/call', status: 'ok', latencyMs: 5 });
    await flush();
    const usage = await get('/v1/usage?period=day', alice);
    expect(usage.status).toBe(200);
    expect(usage.body.data).toHaveLength(1);
    expect(usage.body.data[0]).toMatchObject({ user_id: alice.userId, service: 'notes', calls: 4, errors: 1, p50_latency_ms: 25, bytes_in: 400, bytes_out: 800 });
    expect(usage.body.data[0]!.p95_latency_ms).toBeCloseTo(38.5, 5);
    const all = await get('/v1/admin/usage?service=notes', admin);
    expect(all.body.data.map((r) => r.user_id).sort()).toEqual([alice.userId, bob.userId].sort());
    expect((await get('/v1/admin/usage', bob)).status).toBe(403);
    expect((await get('/v1/logs?tool=add_note&status=error', alice)).body.data.map((r) => r.request_id)).toEqual(['u-3']);
  });

  it('has an audit entry for each auth event, counts auth failures, and verifies the chain', async () => {
    await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: 'test' },
      body: JSON.stringify({ email: alice.email, password: 'wrong-password-123' }),
    });
    const again = await signIn(t.url, alice.email);
    const key = await createApiKey(t.url, again.accessToken);
    await fetch(`${t.url}/v1/api-keys/${key.id}`, { method: 'DELETE', headers: bearer(again.accessToken) });
    await fetch(`${t.url}/auth/v1/logout`, { method: 'POST', headers: { ...bearer(again.accessToken), apikey: 'test' } });

    const audit = await get(`/v1/admin/audit?actor_id=${alice.userId}&limit=200`, admin);
    expect(audit.status).toBe(200);
    const seen = audit.body.data.map((r) => `${r.action}:${r.outcome}`);
    for (const e of ['auth.signup:success', 'auth.login:success', 'auth.login:failure', 'api_key.created:success', 'api_key.revoked:success', 'auth.logout:success']) {
      expect(seen, e).toContain(e);
    }
    expect(audit.body.data.every((r) => typeof r.hash === 'string' && typeof r.prev_hash === 'string')).toBe(true);
    expect((await get('/v1/admin/audit', bob)).status).toBe(403);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^auth_failures_total\{reason="invalid_credentials"\} [1-9]/m);

    const verify = await get('/v1/admin/audit/verify', admin);
    expect(verify.body).toMatchObject({ ok: true });
    expect(Number(verify.body.checked)).toBeGreaterThanOrEqual(6);
  });

  it('lists error groups for admins', async () => {
    t.platform.logging.errors.capture(new Error('upstream github timed out after 3000 ms'), { source: 'upstream', requestId: 'err-req' });
    await t.platform.logging.errors.flush();
    const res = await get('/v1/admin/errors?source=upstream', admin);
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({ type: 'Error', message: 'upstream github timed out after <n> ms', count: 1, sample_request_id: 'err-req', source: 'upstream' });
    expect((await get('/v1/admin/errors', bob)).status).toBe(403);
  });
});
