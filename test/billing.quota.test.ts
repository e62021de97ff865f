import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingUpstream, type CountingUpstream } from './fixtures/counting-upstream.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall as api, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Plans and quotas (docs/billing.md; issue 16 acceptance 3), against the real platform and a real
 * http MCP upstream that counts every request it gets:
 * - a user at the monthly quota is refused with the documented error (429, Retry-After until the
 *   month's end, JSON-RPC error naming the quota) on /mcp/{service} and on /mcp, and the refusal
 *   costs no upstream call;
 * - the soft limit warns with the Quota-Warning header first;
 * - the month's end resets it: the platform's clock is injected (PlatformOptions.clock, which the
 *   environment cannot set) and moved across midnight of the last day;
 * - a per-service quota names its service; a retry with the same Idempotency-Key counts once;
 * - plans and users' plans through the admin API, audited.
 */

const MODERN = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'quota-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface CallAnswer {
  status: number;
  headers: Headers;
  body: { id?: unknown; result?: { content?: Array<{ text?: string }> }; error?: { code: number; message: string; data?: Record<string, unknown> } };
}

describe('plans and quotas', () => {
  let upstream: CountingUpstream;
  let t: TestPlatform;
  let admin: TestSession;
  let slug: string;
  let now = new Date('2026-03-31T23:58:00.000Z');
  let rpcId = 0;

  /** One 2026-07-28 tools/call, raw, so the test sees the HTTP status and headers. */
  const call = async (token: string, path: string, name: string, text: string, headers: Record<string, string> = {}): Promise<CallAnswer> => {
    const id = ++rpcId;
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'tools/call',
        'mcp-name': name,
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { text }, _meta: ENVELOPE } }),
    });
    const raw = await res.text();
    // An SSE answer carries the response as its last data line.
    const json = res.headers.get('content-type')?.startsWith('text/event-stream') ? raw.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).at(-1)! : raw;
    return { status: res.status, headers: res.headers, body: JSON.parse(json) as CallAnswer['body'] };
  };
  const upstreamCalls = () => upstream.count('tools/call');
  const userOnPlan = async (plan: Record<string, unknown>): Promise<TestSession> => {
    const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/plans', plan);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const user = await signUp(t.url);
    const patched = await api(t.url, admin.accessToken, 'PATCH', `/v1/admin/users/${user.userId}`, { plan: plan.id });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expect(patched.json.plan).toBe(plan.id);
    return user;
  };

  beforeAll(async () => {
    upstream = await startCountingUpstream('modern');
    t = await startPlatform({ CATALOG_FILE: 'none' }, { clock: () => now });
    admin = await adminSession(t);
    slug = `quota-${randomBytes(3).toString('hex')}`;
    const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug,
      title: slug,
      kind: 'http',
      http: { transport: 'streamable-http', instances: [upstream.url] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  it('refuses a user at the monthly quota on /mcp/{service} and /mcp without an upstream call, warns before, and resets at the month\'s end', async () => {
    const planId = `tiny-${randomBytes(3).toString('hex')}`;
    const user = await userOnPlan({ id: planId, name: 'Tiny', monthly_calls: 3, soft_limit_percent: 50 });
    const before = await api(t.url, user.accessToken, 'GET', '/v1/usage/quota');
    expect(before.json).toMatchObject({
      plan: planId,
      period: { start: '2026-03-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' },
      calls: { used: 0, limit: 3 },
    });

    const sentBefore = upstreamCalls();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await call(user.accessToken, i === 1 ? '/mcp' : `/mcp/${slug}`, i === 1 ? `${slug}__echo` : 'echo', `n${i}`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.result?.content?.[0]?.text)).toEqual(['echo:n0', 'echo:n1', 'echo:n2']);
    // The soft limit (50 % of 3): the first call stays below it, the second and third warn.
    expect(answers[0]!.headers.get('quota-warning')).toBeNull();
    expect(answers[1]!.headers.get('quota-warning')).toBe('monthly_calls; used=2; limit=3; resets=2026-04-01T00:00:00.000Z');
    expect(answers[2]!.headers.get('quota-warning')).toBe('monthly_calls; used=3; limit=3; resets=2026-04-01T00:00:00.000Z');
    expect(upstreamCalls() - sentBefore).toBe(3);

    // At the quota: refused on both endpoints, and nothing reaches the upstream.
    for (const [path, name] of [[`/mcp/${slug}`, 'echo'], ['/mcp', `${slug}__echo`]] as const) {
      const refused = await call(user.accessToken, path, name, 'over');
      expect(refused.status, path).toBe(429);
      expect(refused.headers.get('retry-after'), path).toBe('120'); // until 2026-04-01T00:00:00Z on the platform's clock
      expect(refused.body.id).toBe(rpcId);
      expect(refused.body.error).toEqual({
        code: -32000,
        message: `Quota exceeded: monthly_calls of plan ${planId} (3 calls per month) is used up until 2026-04-01T00:00:00.000Z`,
        data: { reason: 'quota_exceeded', quota: 'monthly_calls', plan: planId, used: 3, limit: 3, resets_at: '2026-04-01T00:00:00.000Z' },
      });
    }
    expect(upstreamCalls() - sentBefore).toBe(3);
    expect((await api(t.url, user.accessToken, 'GET', '/v1/usage/quota')).json).toMatchObject({ calls: { used: 3, limit: 3 }, soft_limit: { percent: 50, reached: true } });

    // The month rolls over: the quota is new.
    now = new Date('2026-04-01T00:00:30.000Z');
    const next = await call(user.accessToken, '/mcp', `${slug}__echo`, 'april');
    expect(next.status).toBe(200);
    expect(next.body.result?.content?.[0]?.text).toBe('echo:april');
    expect(upstreamCalls() - sentBefore).toBe(4);
    expect((await api(t.url, user.accessToken, 'GET', '/v1/usage/quota')).json).toMatchObject({
      plan: planId,
      period: { start: '2026-04-01T00:00:00.000Z', end: '2026-05-01T00:00:00.000Z' },
      calls: { used: 1, limit: 3 },
      services: [{ service: slug, used: 1, limit: null }],
    });
    // The admin sees the same.
    expect((await api(t.url, admin.accessToken, 'GET', `/v1/admin/users/${user.userId}/quota`)).json).toMatchObject({ plan: planId, calls: { used: 1, limit: 3 } });
  });

  it('a per-service quota names its service; a retry with the same Idempotency-Key counts once', async () => {
    now = new Date('2026-05-10T12:00:00.000Z');
    const planId = `svc-${randomBytes(3).toString('hex')}`;
    const user = await userOnPlan({ id: planId, name: 'One call to the service', monthly_calls: 100, service_quotas: { [slug]: 2 } });
    const key = randomUUID();
    const first = await call(user.accessToken, `/mcp/${slug}`, 'echo', 'same', { 'idempotency-key': key });
    const retry = await call(user.accessToken, `/mcp/${slug}`, 'echo', 'same', { 'idempotency-key': key });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect((await api(t.url, user.accessToken, 'GET', '/v1/usage/quota')).json).toMatchObject({ calls: { used: 1 }, services: [{ service: slug, used: 1, limit: 2 }] });
    // The same key on another call (other arguments) is another call.
    expect((await call(user.accessToken, `/mcp/${slug}`, 'echo', 'other', { 'idempotency-key': key })).status).toBe(200);
    const sent = upstreamCalls();
    const refused = await call(user.accessToken, '/mcp', `${slug}__echo`, 'third');
    expect(refused.status).toBe(429);
    expect(refused.body.error?.message).toBe(`Quota exceeded: service_calls:${slug} of plan ${planId} (2 calls per month to ${slug}) is used up until 2026-06-01T00:00:00.000Z`);
    expect(refused.body.error?.data).toMatchObject({ reason: 'quota_exceeded', quota: `service_calls:${slug}`, used: 2, limit: 2 });
    expect(upstreamCalls()).toBe(sent);
  });

  it('meters each key once: concurrent and repeated writes of one event raise the counters once', async () => {
    const user = await signUp(t.url);
    const metering = t.platform.billing!.metering;
    const event = (key: string, status: 'ok' | 'error' = 'ok') => ({ key, userId: user.userId, service: slug, listingVersion: null, tool: 'echo', units: 1, status, latencyMs: 3 });
    // One batch holding the same key twice, another key, then the first key again in a later batch.
    await Promise.all([metering.record(event('k1')), metering.record(event('k1')), metering.record(event('k2', 'error'))]);
    await metering.record(event('k1'));
    expect(await t.platform.billing!.rollUp()).toBe(0); // the counters are raised from the rollup queue
    const rows = await t.platform.database.db
      .withTables<{ usage_daily: { user_id: string; calls: string; errors: string; latency_ms_sum: string } }>()
      .selectFrom('usage_daily')
      .select(['calls', 'errors', 'latency_ms_sum'])
      .where('user_id', '=', user.userId)
      .execute();
    expect(rows.map((r) => ({ calls: Number(r.calls), errors: Number(r.errors), latency: Number(r.latency_ms_sum) }))).toEqual([{ calls: 2, errors: 1, latency: 6 }]);
  });

  it('resolves the service before the quota: a user at the quota still gets 404 for a service that does not exist, and an unknown tool on /mcp is not a quota refusal', async () => {
    now = new Date('2026-06-10T12:00:00.000Z');
    const planId = `one-${randomBytes(3).toString('hex')}`;
    const user = await userOnPlan({ id: planId, name: 'One call', monthly_calls: 1 });
    expect((await call(user.accessToken, `/mcp/${slug}`, 'echo', 'only')).status).toBe(200);
    expect((await call(user.accessToken, `/mcp/${slug}`, 'echo', 'over')).status).toBe(429);
    const missing = await call(user.accessToken, '/mcp/no-such-service-x', 'echo', 'where');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toContain('no-such-service-x');
    const unknown = await call(user.accessToken, '/mcp', 'no-such-service-x__echo', 'where');
    expect(unknown.status).not.toBe(429);
    expect(unknown.body.error?.data?.reason).toBeUndefined();
    expect(unknown.body.error?.message).toMatch(/no-such-service-x__echo/);
  });

  it('charges the per-minute limit only for calls that go on: calls refused by the tool policy give their point back', async () => {
    now = new Date('2026-06-11T12:00:00.000Z');
    const denied = `${slug}-deny`;
    const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug: denied,
      title: denied,
      kind: 'http',
      http: { transport: 'streamable-http', instances: [upstream.url] },
      tool_policy: { deny: ['echo'] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const planId = `minute-${randomBytes(3).toString('hex')}`;
    const user = await userOnPlan({ id: planId, name: 'Two a minute', per_minute: 2 });
    const sent = upstreamCalls();
    // Three calls the tool policy refuses (on both endpoints): not forwarded, so not charged.
    for (const [path, name] of [[`/mcp/${denied}`, 'echo'], ['/mcp', `${denied}__echo`], [`/mcp/${denied}`, 'echo']] as const) {
      const refused = await call(user.accessToken, path, name, 'no');
      expect(refused.status, path).not.toBe(429);
      expect(refused.body.error?.message, path).toMatch(/tool policy|not available|unknown/i);
    }
    expect(upstreamCalls()).toBe(sent);
    // The plan's two calls a minute are all still there; the third is refused.
    expect((await call(user.accessToken, `/mcp/${slug}`, 'echo', 'a')).status).toBe(200);
    expect((await call(user.accessToken, '/mcp', `${slug}__echo`, 'b')).status).toBe(200);
    const third = await call(user.accessToken, `/mcp/${slug}`, 'echo', 'c');
    expect(third.status).toBe(429);
    expect(third.body.error?.data).toMatchObject({ reason: 'quota_exceeded', quota: 'per_minute', limit: 2 });
    expect(upstreamCalls() - sent).toBe(2);
  });

  it('a poison usage event is split out of its batch and dropped alone (logged, counted); the rest of the batch is written', async () => {
    const user = await signUp(t.url);
    const metering = t.platform.billing!.metering;
    const event = (key: string, units = 1) => ({ key, userId: user.userId, service: slug, listingVersion: null, tool: 'echo', units, status: 'ok' as const, latencyMs: 1 });
    const dropped = async () => Number((await t.platform.logging.metrics.usageEventsDropped.get()).values[0]?.value ?? 0);
    const droppedBefore = await dropped();
    // The first event is written alone (an idle writer writes at once); the next four queue up behind
    // it and go in one batch, where units 2^40 overflows the integer column: a permanent SQL error.
    const first = metering.record(event(`p:${randomUUID()}`));
    await Promise.all([first, metering.record(event(`p:${randomUUID()}`)), metering.record(event(`poison:${randomUUID()}`, 2 ** 40)), metering.record(event(`p:${randomUUID()}`)), metering.record(event(`p:${randomUUID()}`))]);
    expect(await t.platform.billing!.rollUp()).toBe(0);
    const rows = await t.platform.database.db
      .withTables<{ usage_daily: { user_id: string; calls: string; units: string } }>()
      .selectFrom('usage_daily')
      .select(['calls', 'units'])
      .where('user_id', '=', user.userId)
      .execute();
    expect(rows.map((r) => [Number(r.calls), Number(r.units)])).toEqual([[4, 4]]);
    expect((await dropped()) - droppedBefore).toBe(1);
    expect(t.platform.billing!.queuedEvents).toBe(0);
  });

  it('a month of synthetic usage gives a statement whose line items sum to the priced usage (JSON and CSV)', async () => {
    const user = await signUp(t.url);
    const metering = t.platform.billing!.metering;
    const [priced, dear, free] = ['a', 'b', 'c'].map((x) => `${slug}-${x}`) as [string, string, string];
    const record = (service: string, n: number, day: number) => {
      now = new Date(Date.UTC(2026, 6, day, 12));
      return Promise.all(Array.from({ length: n }, () => metering.record({ key: `call:${randomUUID()}`, userId: user.userId, service, listingVersion: null, tool: 't', units: 1, status: 'ok', latencyMs: 1 })));
    };
    // July 2026, over several days; one call on 1 August is another month's.
    for (const day of [1, 9, 17, 31]) await record(priced, 10, day);
    for (const day of [2, 30]) await record(dear, 6, day);
    await record(free, 5, 15);
    now = new Date(Date.UTC(2026, 7, 1, 0, 0, 1));
    await record(priced, 1, 32); // Date.UTC rolls day 32 of July into 1 August
    expect((await api(t.url, admin.accessToken, 'PUT', `/v1/admin/prices/${priced}`, { price_per_call: '0.002' })).json).toMatchObject({ service: priced, price_per_call: '0.002000', currency: 'USD' });
    expect((await api(t.url, admin.accessToken, 'PUT', `/v1/admin/prices/${dear}`, { price_per_call: '1.5', currency: 'USD' })).status).toBe(200);
    expect((await api(t.url, admin.accessToken, 'PUT', `/v1/admin/prices/${dear}`, { price_per_call: '1.5e3' })).status).toBe(400);
    expect((await api(t.url, user.accessToken, 'PUT', `/v1/admin/prices/${dear}`, { price_per_call: '0' })).status).toBe(403);

    const statement = await api(t.url, user.accessToken, 'GET', '/v1/usage/statement?month=2026-07');
    expect(statement.status).toBe(200);
    expect(statement.json).toEqual({
      user_id: user.userId,
      status: 'open',
      id: null,
      finalized_at: null,
      period: { start: '2026-07-01T00:00:00.000Z', end: '2026-08-01T00:00:00.000Z' },
      line_items: [
        { service: priced, calls: 40, unit_price: '0.002000', amount: '0.080000', currency: 'USD' },
        { service: dear, calls: 12, unit_price: '1.500000', amount: '18.000000', currency: 'USD' },
        { service: free, calls: 5, unit_price: null, amount: null, currency: null },
      ],
      totals: [{ currency: 'USD', amount: '18.080000' }],
    });
    // The line items add up to the total, exactly (in micros).
    const micros = (d: string) => BigInt(d.replace('.', ''));
    const lines = statement.json.line_items as Array<{ amount: string | null }>;
    expect(lines.reduce((sum, l) => sum + (l.amount ? micros(l.amount) : 0n), 0n)).toBe(micros((statement.json.totals as Array<{ amount: string }>)[0]!.amount));

    const csv = await fetch(`${t.url}/v1/admin/users/${user.userId}/statement?month=2026-07&format=csv`, { headers: bearer(admin.accessToken) });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await csv.text()).toBe(
      ['service,calls,unit_price,amount,currency', `${priced},40,0.002000,0.080000,USD`, `${dear},12,1.500000,18.000000,USD`, `${free},5,,,`, 'TOTAL,,,18.080000,USD', ''].join('\r\n'),
    );
    expect((await api(t.url, user.accessToken, 'GET', '/v1/usage/statement?month=2026-08')).json).toMatchObject({ line_items: [{ service: priced, calls: 1, amount: '0.002000' }] });
    expect((await api(t.url, user.accessToken, 'GET', '/v1/usage/statement?month=2026-13')).status).toBe(400);
    expect((await api(t.url, user.accessToken, 'GET', `/v1/admin/users/${user.userId}/statement`)).status).toBe(403);
    expect((await api(t.url, admin.accessToken, 'DELETE', `/v1/admin/prices/${dear}`)).status).toBe(204);
    expect((await api(t.url, admin.accessToken, 'DELETE', `/v1/admin/prices/${dear}`)).status).toBe(404);
  });

  it("exports the user's plan, metered calls and daily totals in their data export, and no one else's", async () => {
    now = new Date('2026-09-10T10:00:00.000Z');
    const planId = `export-${randomBytes(3).toString('hex')}`;
    const user = await userOnPlan({ id: planId, name: 'Export', monthly_calls: 100 });
    const other = await signUp(t.url);
    for (const [who, text] of [[user, 'a'], [user, 'b'], [other, 'c']] as const) expect((await call(who.accessToken, `/mcp/${slug}`, 'echo', text)).status).toBe(200);
    type Billing = { plan: { id: string; name: string; monthly_calls: unknown; since: string } | null; usage_events: Array<Record<string, unknown>>; usage_daily: Array<Record<string, unknown>>; statements: unknown[] };
    const exported = async (who: TestSession): Promise<Billing> => {
      // The quota read writes what the embedded store's journal holds; the daily totals follow.
      await api(t.url, who.accessToken, 'GET', '/v1/usage/quota');
      const res = await api(t.url, who.accessToken, 'GET', '/v1/me/export');
      expect(res.status).toBe(200);
      return res.json.billing as Billing;
    };
    let mine = await exported(user);
    for (let i = 0; i < 100 && mine.usage_daily.reduce((n, d) => n + Number(d.calls), 0) < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      mine = await exported(user);
    }
    expect(mine.plan).toMatchObject({ id: planId, name: 'Export', monthly_calls: expect.anything() });
    expect(mine.usage_events.map((e) => [e.service, e.tool, e.status, e.units])).toEqual([
      [slug, 'echo', 'ok', 1],
      [slug, 'echo', 'ok', 1],
    ]);
    expect(mine.usage_daily).toEqual([expect.objectContaining({ service: slug, calls: expect.anything() })]);
    expect(Number(mine.usage_daily[0]!.calls)).toBe(2);
    expect(mine.statements).toEqual([]);
    const theirs = await exported(other);
    expect(theirs.plan).toBeNull();
    expect(theirs.usage_events).toHaveLength(1);
  });

  it('manages plans through the admin API: validation, conflicts, users, audit', async () => {
    const id = `p-${randomBytes(3).toString('hex')}`;
    const bad = await api(t.url, admin.accessToken, 'POST', '/v1/admin/plans', { id: 'Bad Id', name: 'x', monthly_calls: -1, extra: true });
    expect(bad.status).toBe(400);
    expect((await api(t.url, admin.accessToken, 'POST', '/v1/admin/plans', { id, name: 'P', monthly_calls: 10 })).status).toBe(201);
    expect((await api(t.url, admin.accessToken, 'POST', '/v1/admin/plans', { id, name: 'P again' })).status).toBe(409);
    const listed = await api(t.url, admin.accessToken, 'GET', '/v1/admin/plans');
    expect((listed.json.plans as Array<{ id: string }>).map((p) => p.id)).toEqual(expect.arrayContaining(['free', 'pro', 'custom', id]));
    const patched = await api(t.url, admin.accessToken, 'PATCH', `/v1/admin/plans/${id}`, { monthly_calls: 20, per_minute: 5 });
    expect(patched.json).toMatchObject({ id, monthly_calls: 20, per_minute: 5, soft_limit_percent: 80 });

    const user = await signUp(t.url);
    expect((await api(t.url, user.accessToken, 'GET', '/v1/admin/plans')).status).toBe(403);
    // An unknown plan changes nothing, the role included.
    const unknown = await api(t.url, admin.accessToken, 'PATCH', `/v1/admin/users/${user.userId}`, { plan: 'no-such-plan', role: 'admin' });
    expect(unknown.status).toBe(400);
    expect((await api(t.url, admin.accessToken, 'GET', `/v1/admin/users/${user.userId}`)).json.role).toBe('user');
    expect((await api(t.url, admin.accessToken, 'PATCH', `/v1/admin/users/${user.userId}`, { plan: id })).status).toBe(200);
    expect((await api(t.url, admin.accessToken, 'DELETE', `/v1/admin/plans/${id}`)).status).toBe(409);
    expect((await api(t.url, admin.accessToken, 'PATCH', `/v1/admin/users/${user.userId}`, { plan: null })).json.plan).toBeNull();
    expect((await api(t.url, user.accessToken, 'GET', '/v1/usage/quota')).json).toMatchObject({ plan: null, calls: { used: 0, limit: null } });
    expect((await api(t.url, admin.accessToken, 'DELETE', `/v1/admin/plans/${id}`)).status).toBe(204);
    expect((await api(t.url, admin.accessToken, 'GET', `/v1/admin/plans/${id}`)).status).toBe(404);

    const audit = await t.platform.database.db
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('action', 'like', 'billing.%')
      .where('target_id', 'in', [id, user.userId])
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['billing.plan_created', 'billing.plan_changed', 'billing.plan_assigned', 'billing.plan_assigned', 'billing.plan_removed']);
  });
});
