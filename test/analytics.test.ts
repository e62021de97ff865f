import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsQueries } from '../src/analytics/index.js';
import { UsageWriter, type StampedUsageEvent } from '../src/billing/meter.js';
import { latencyBucket, latencyBucketBounds, LATENCY_BUCKET_COUNT, RequestLog, type RequestLogEntry } from '../src/logging/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Analytics (docs/analytics.md; issue 16 part 3), in the mode the run selects (PGlite, or
 * PostgreSQL with DATABASE_URL):
 * - a generated request log written by two writers at once (PostgreSQL: two platforms on one
 *   schema; PGlite, which one process owns: the platform's writer and a second RequestLog on its
 *   database) gives rollups equal to a direct aggregate over request_log: counts exactly, histograms
 *   exactly (the same buckets), percentiles within the bucket error;
 * - the REST answers equal the direct aggregates; scoped queries see only their services;
 * - billing's monthly counters (quota pressure reads them), raised by two usage writers at once with
 *   some keys written twice, equal a direct aggregate over usage_events and over usage_daily;
 * - parameters are validated; a user gets 403, no token 401.
 */

const DAY_MS = 86_400_000;
const shared = Boolean(process.env.DATABASE_URL);
const SERVICES = ['alpha', 'beta', null] as const;
const TOOLS = ['search', 'fetch', 'write', null] as const;

/** A deterministic generator (mulberry32), so that a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('analytics: rollups and the admin API', () => {
  let a: TestPlatform;
  let b: TestPlatform | undefined;
  let writerB: RequestLog;
  let admin: TestSession;
  let user: TestSession;
  let named: TestSession[];
  const entries: RequestLogEntry[] = [];
  const now = new Date();
  const from = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - 3 * DAY_MS);

  beforeAll(async () => {
    const unique = randomBytes(4).toString('hex');
    const common = shared ? { DATABASE_SCHEMA: `t_an_${unique}`, REDIS_KEY_PREFIX: `test:an:${unique}:` } : {};
    a = await startPlatform({ ...common, LOG_FLUSH_INTERVAL_MS: '50', LOG_BATCH_SIZE: '97' });
    if (shared) b = await startPlatform({ ...common, LOG_FLUSH_INTERVAL_MS: '50', LOG_BATCH_SIZE: '89' });
    writerB = b
      ? b.platform.logging.requestLog
      : new RequestLog({
          database: a.platform.database,
          logger: pino({ level: 'silent' }),
          metrics: a.platform.logging.metrics,
          queueMax: 100_000,
          batchSize: 89,
          flushIntervalMs: 50,
          payloadMaxBytes: 1024,
        });
    writerB.start();
    admin = await adminSession(a);
    user = await signUp(a.url);
    named = await Promise.all([signUp(a.url), signUp(a.url), signUp(a.url)]);

    // The generated log: 4,000 requests over the last three days and today.
    const random = rng(16);
    const users = [...named.map((s) => s.userId), ...Array.from({ length: 17 }, () => randomUUID()), null];
    const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    for (let i = 0; i < 4000; i++) {
      const time = new Date(from.getTime() + Math.floor(random() * (now.getTime() - from.getTime())));
      const kind = random() < 0.08 ? 'rest' : 'mcp';
      const method = kind === 'rest' ? 'GET' : random() < 0.85 ? 'tools/call' : 'tools/list';
      // Latencies over five decades, some below 1 ms and some past the last bucket's start.
      const latencyMs = random() < 0.01 ? 100_000 + random() * 50_000 : Math.exp(random() * 11 - 1.5);
      entries.push({
        time,
        kind,
        requestId: `gen-${i}`,
        userId: pick(users),
        service: pick(SERVICES),
        method,
        target: method === 'tools/call' ? pick(TOOLS) : null,
        status: random() < 0.1 ? 'error' : 'ok',
        latencyMs,
        rateLimited: random() < 0.03,
      });
    }
    // Spread over both writers in chunks, flushing both at once (their batches interleave).
    const writerA = a.platform.logging.requestLog;
    for (let i = 0; i < entries.length; i += 250) {
      entries.slice(i, i + 250).forEach((e, j) => ((i / 250 + j) % 2 ? writerA : writerB).record(e));
      if ((i / 250) % 3 === 2) await Promise.all([writerA.flush(), writerB.flush()]);
    }
    await Promise.all([writerA.flush(), writerB.flush()]);
  }, 240_000);

  afterAll(async () => {
    if (!b) await writerB?.close();
    await b?.close();
    await a?.close();
  });

  const db = () => a.platform.database.db.withoutPlugins();
  const table = (name: string) => sql.table(`${a.platform.database.schema}.${name}`);
  const calls = () => entries.filter((e) => e.kind === 'mcp' && e.method === 'tools/call');
  const dayOf = (d: Date) => d.toISOString().slice(0, 10);
  const get = async (token: string, path: string) => apiCall(a.url, token, 'GET', path);
  const usageWriter = (database: TestPlatform['platform']['database'], batchSize = 50) =>
    new UsageWriter({ database, logger: pino({ level: 'silent' }), batchSize, writeBoundMs: 60_000 });
  const usageEvent = (userId: string, service: string, at: Date, key: string = randomUUID()): StampedUsageEvent => ({
    key, userId, service, listingVersion: null, tool: 'search', units: 1 + (key.charCodeAt(0) % 3), status: 'ok', latencyMs: 3, at,
  });

  it('every generated row reached request_log, through both writers', async () => {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${table('request_log')} where request_id like 'gen-%'`.execute(db());
    expect(Number(rows[0]!.n)).toBe(entries.length);
  });

  it('the hourly and daily rollups equal a direct aggregate over request_log (counts and histograms exactly)', async () => {
    for (const [rollup, grain] of [['analytics_tool_hourly', 'hour'], ['analytics_tool_daily', 'day']] as const) {
      const key = grain === 'hour' ? sql`date_trunc('hour', time at time zone 'UTC')::text` : sql`(time at time zone 'UTC')::date::text`;
      const rollupKey = grain === 'hour' ? sql`(hour at time zone 'UTC')::text` : sql`day::text`;
      const direct = await sql<{ k: string; service: string; tool: string; calls: string; errors: string; rate_limited: string }>`
        select ${key} as k, coalesce(service, '') as service, coalesce(target, '') as tool, count(*) as calls,
               count(*) filter (where status = 'error') as errors, count(*) filter (where rate_limited) as rate_limited
        from ${table('request_log')} where kind = 'mcp' and method = 'tools/call' group by 1, 2, 3 order by 1, 2, 3`.execute(db());
      const rolled = await sql<{ k: string; service: string; tool: string; calls: string; errors: string; rate_limited: string }>`
        select ${rollupKey} as k, service, tool, calls, errors, rate_limited from ${table(rollup)} order by 1, 2, 3`.execute(db());
      expect(rolled.rows.map((r) => ({ ...r }))).toEqual(direct.rows.map((r) => ({ ...r })));
      expect(direct.rows.length).toBeGreaterThan(grain === 'hour' ? 100 : 10);
    }
    // Histograms: the rollup's buckets against the generated latencies, bucketed here.
    const expected = new Map<string, number[]>();
    for (const e of calls()) {
      const k = `${dayOf(e.time!)}|${e.service ?? ''}|${e.target ?? ''}`;
      const h = expected.get(k) ?? new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
      h[latencyBucket(e.latencyMs)]! += 1;
      expected.set(k, h);
    }
    const { rows } = await sql<Record<string, string>>`select *, day::text as day_text from ${table('analytics_tool_daily')}`.execute(db());
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const h = Array.from({ length: LATENCY_BUCKET_COUNT }, (_, i) => Number(r[`h${i}`]));
      expect(h, `${r.day_text} ${r.service} ${r.tool}`).toEqual(expected.get(`${r.day_text}|${r.service}|${r.tool}`));
    }
  });

  it('the user rollups equal a direct aggregate: calls per user, service and day, per user and day, first day per user and service', async () => {
    const direct = await sql<{ day: string; service: string; user_id: string; calls: string; errors: string }>`
      select (time at time zone 'UTC')::date::text as day, coalesce(service, '') as service, user_id::text, count(*) as calls,
             count(*) filter (where status = 'error') as errors
      from ${table('request_log')} where kind = 'mcp' and method = 'tools/call' and user_id is not null group by 1, 2, 3 order by 1, 2, 3`.execute(db());
    const rolled = await sql`select day::text as day, service, user_id::text, calls, errors from ${table('analytics_user_daily')} order by 1, 2, 3`.execute(db());
    expect(rolled.rows.map((r) => ({ ...(r as object) }))).toEqual(direct.rows.map((r) => ({ ...r })));
    const active = await sql`
      select (time at time zone 'UTC')::date::text as day, user_id::text, count(*) as calls, count(*) filter (where status = 'error') as errors
      from ${table('request_log')} where kind = 'mcp' and method = 'tools/call' and user_id is not null group by 1, 2 order by 1, 2`.execute(db());
    const rolledActive = await sql`select day::text as day, user_id::text, calls, errors from ${table('analytics_active_daily')} order by 1, 2`.execute(db());
    expect(rolledActive.rows.map((r) => ({ ...(r as object) }))).toEqual(active.rows.map((r) => ({ ...(r as object) })));
    const first = await sql`
      select coalesce(service, '') as service, user_id::text, min((time at time zone 'UTC')::date)::text as first_day
      from ${table('request_log')} where kind = 'mcp' and method = 'tools/call' and user_id is not null group by 1, 2 order by 1, 2`.execute(db());
    const rolledFirst = await sql`select service, user_id::text, first_day::text from ${table('analytics_first_seen')} order by 1, 2`.execute(db());
    expect(rolledFirst.rows.map((r) => ({ ...(r as object) }))).toEqual(first.rows.map((r) => ({ ...(r as object) })));
  });

  it('GET /v1/admin/analytics/series: calls and errors per day exact, p50/p95/p99 within the bucket, active users exact', async () => {
    const res = await get(admin.accessToken, `/v1/admin/analytics/series?bucket=day&from=${from.toISOString()}&to=${now.toISOString()}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const points = res.json.points as Array<{ start: string; calls: number; errors: number; active_users: number; p50_ms: number; p95_ms: number; p99_ms: number }>;
    expect(points).toHaveLength(4);
    for (const p of points) {
      const day = calls().filter((e) => dayOf(e.time!) === p.start.slice(0, 10));
      expect(p.calls).toBe(day.length);
      expect(p.errors).toBe(day.filter((e) => e.status === 'error').length);
      expect(p.active_users).toBe(new Set(day.map((e) => e.userId).filter(Boolean)).size);
    }
    const totals = res.json.totals as { calls: number; p50_ms: number; p95_ms: number; p99_ms: number };
    expect(totals.calls).toBe(calls().length);
    const { rows } = await sql<{ p50: number; p95: number; p99: number }>`
      select percentile_disc(0.5) within group (order by latency_ms) as p50, percentile_disc(0.95) within group (order by latency_ms) as p95,
             percentile_disc(0.99) within group (order by latency_ms) as p99
      from ${table('request_log')} where kind = 'mcp' and method = 'tools/call'`.execute(db());
    for (const [q, exact] of [['p50_ms', rows[0]!.p50], ['p95_ms', rows[0]!.p95], ['p99_ms', rows[0]!.p99]] as const) {
      const { low, high } = latencyBucketBounds(latencyBucket(exact));
      expect(totals[q], `${q}: exact ${exact}`).toBeGreaterThanOrEqual(low);
      expect(totals[q], `${q}: exact ${exact}`).toBeLessThanOrEqual(high);
      expect(Math.abs(Math.log(totals[q] / exact))).toBeLessThanOrEqual(Math.LN2 / 4); // one bucket: 2^(1/4)
    }
  });

  it('series per service and tool by the hour equals the direct count, and hours without calls are zeros', async () => {
    const to = new Date(from.getTime() + 2 * DAY_MS);
    const res = await get(admin.accessToken, `/v1/admin/analytics/series?bucket=hour&service=alpha&tool=search&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const points = res.json.points as Array<{ start: string; calls: number; active_users: number | null }>;
    expect(points).toHaveLength(48);
    for (const p of points) {
      const start = Date.parse(p.start);
      const n = calls().filter((e) => e.service === 'alpha' && e.target === 'search' && e.time!.getTime() >= start && e.time!.getTime() < start + 3_600_000).length;
      expect(p.calls, p.start).toBe(n);
      expect(p.active_users).toBeNull();
    }
    expect(points.reduce((s, p) => s + p.calls, 0)).toBeGreaterThan(0);
  });

  it('top tools, top users and new vs returning equal the direct aggregates', async () => {
    const range = `from=${from.toISOString()}&to=${now.toISOString()}`;
    const tools = await get(admin.accessToken, `/v1/admin/analytics/top-tools?${range}&limit=100`);
    expect(tools.status).toBe(200);
    const counts = new Map<string, number>();
    for (const e of calls()) counts.set(`${e.service ?? ''}|${e.target ?? ''}`, (counts.get(`${e.service ?? ''}|${e.target ?? ''}`) ?? 0) + 1);
    const got = tools.json.data as Array<{ service: string | null; tool: string | null; calls: number }>;
    expect(got).toHaveLength(counts.size);
    for (const t of got) expect(t.calls).toBe(counts.get(`${t.service ?? ''}|${t.tool ?? ''}`));
    expect(got.map((t) => t.calls)).toEqual([...got.map((t) => t.calls)].sort((x, y) => y - x));

    const users = await get(admin.accessToken, `/v1/admin/analytics/top-users?${range}&limit=5`);
    expect(users.status).toBe(200);
    const perUser = new Map<string, number>();
    for (const e of calls()) if (e.userId) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 1);
    const top = [...perUser.values()].sort((x, y) => y - x).slice(0, 5);
    const gotUsers = users.json.data as Array<{ user_id: string; email: string | null; calls: number }>;
    expect(gotUsers.map((u) => u.calls)).toEqual(top);
    for (const u of gotUsers) expect(u.calls).toBe(perUser.get(u.user_id));
    for (const s of named) {
      const row = gotUsers.find((u) => u.user_id === s.userId);
      if (row) expect(row.email).toBe(s.email);
    }

    const report = await get(admin.accessToken, `/v1/admin/analytics/users?${range}`);
    expect(report.status).toBe(200);
    const first = new Map<string, string>();
    for (const e of [...calls()].sort((x, y) => x.time!.getTime() - y.time!.getTime())) if (e.userId && !first.has(e.userId)) first.set(e.userId, dayOf(e.time!));
    for (const p of report.json.points as Array<{ day: string; active: number; new: number; returning: number }>) {
      const active = new Set(calls().filter((e) => e.userId && dayOf(e.time!) === p.day).map((e) => e.userId!));
      const fresh = [...active].filter((u) => first.get(u) === p.day).length;
      expect(p, p.day).toEqual({ day: p.day, active: active.size, new: fresh, returning: active.size - fresh });
    }
    expect(report.json.totals).toEqual({ active: first.size, new: first.size, returning: 0 });
  });

  it('a scoped query (a provider) sees only its services, and users as pseudonyms', async () => {
    const queries = new AnalyticsQueries(a.platform.database);
    const scope = { services: ['beta'], identifyUsers: false };
    const series = await queries.series(scope, { from, to: now, bucket: 'day' });
    expect(series.totals.calls).toBe(calls().filter((e) => e.service === 'beta').length);
    const tools = await queries.topTools(scope, { from, to: now, limit: 100 });
    expect(new Set(tools.map((t) => t.service))).toEqual(new Set(['beta']));
    expect(await queries.topTools(scope, { from, to: now, limit: 100, service: 'alpha' })).toEqual([]);
    const users = await queries.topUsers(scope, { from, to: now, limit: 100 });
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) {
      expect(u.user_id).toMatch(/^u_[0-9a-f]{16}$/);
      expect(u.email).toBeNull();
    }
  });

  it('quota pressure: users at or past a share of their plan, fullest first; a provider sees only its services’ quotas', async () => {
    const plan = `an-${randomBytes(3).toString('hex')}`;
    const created = await apiCall(a.url, admin.accessToken, 'POST', '/v1/admin/plans', { id: plan, name: 'Analytics', monthly_calls: 10, service_quotas: { beta: 4 } });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const [over, near, calm] = named;
    for (const s of named) expect((await apiCall(a.url, admin.accessToken, 'PATCH', `/v1/admin/users/${s.userId}`, { plan })).status).toBe(200);
    const usage = [
      [over!.userId, 'alpha', 12],
      [near!.userId, 'alpha', 5],
      [near!.userId, 'beta', 4],
      [calm!.userId, 'alpha', 2],
    ] as const;
    // Through the meter, as calls would be counted (usage_daily and the monthly counters together).
    const writer = usageWriter(a.platform.database);
    await Promise.all(usage.flatMap(([userId, service, n]) => Array.from({ length: n }, () => writer.record(usageEvent(userId, service, new Date())))));
    await writer.close();
    expect(await a.platform.billing!.rollUp(), 'the counters raised from the rollup queue').toBe(0);
    const res = await get(admin.accessToken, '/v1/admin/analytics/quota-pressure?min_percent=80');
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const mine = (res.json.data as Array<{ user_id: string; quota: string; used: number; limit: number; percent: number; over: boolean; email: string }>)
      .filter((r) => named.some((s) => s.userId === r.user_id));
    expect(mine).toEqual([
      { user_id: over!.userId, email: over!.email, plan, quota: 'monthly_calls', used: 12, limit: 10, percent: 120, over: true },
      { user_id: near!.userId, email: near!.email, plan, quota: 'service_calls:beta', used: 4, limit: 4, percent: 100, over: true },
      { user_id: near!.userId, email: near!.email, plan, quota: 'monthly_calls', used: 9, limit: 10, percent: 90, over: false },
    ]);
    const scoped = await new AnalyticsQueries(a.platform.database).quotaPressure({ services: ['beta'], identifyUsers: false }, { minPercent: 80, limit: 50, now: new Date(), defaultPlan: undefined });
    expect(scoped.map((r) => [r.quota, r.used, r.limit, r.email])).toEqual([['service_calls:beta', 4, 4, null]]);
  });

  it('the monthly usage counters equal a direct aggregate over usage_events and usage_daily, with two writers and repeated keys', async () => {
    // Two writers at once (PostgreSQL: the two platforms' databases, so two pools), over two months,
    // each writing half the events and a quarter of the other's again (a retry on another replica).
    const writers = [usageWriter(a.platform.database, 37), usageWriter((b ?? a).platform.database, 41)];
    const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const random = rng(1601);
    const people = [user, ...named].map((s) => s.userId);
    const events = Array.from({ length: 3000 }, (_, i) => {
      // Around the month's start: the end of last month and the start of this one (the counters' key).
      const at = new Date(thisMonth + Math.floor((random() - 0.5) * 4 * DAY_MS));
      return usageEvent(people[i % people.length]!, ['alpha', 'beta', 'gamma'][Math.floor(random() * 3)]!, at, `month-${i}-${randomUUID()}`);
    });
    await Promise.all(events.flatMap((e, i) => [writers[i % 2]!.record(e), ...(i % 4 === 0 ? [writers[(i + 1) % 2]!.record(e)] : [])]));
    await Promise.all(writers.map((w) => w.close()));
    // The counters come from the rollup queue: both platforms roll it up at once (PostgreSQL: two pools).
    expect(await Promise.all([a.platform.billing!.rollUp(), (b ?? a).platform.billing!.rollUp()])).toEqual([0, 0]);
    const months = new Set(events.map((e) => e.at.toISOString().slice(0, 7)));
    expect(months.size).toBe(2);

    const byService = sql`select user_id::text, date_trunc('month', occurred_at at time zone 'UTC')::date::text as month, service, count(*)::text as calls, sum(units)::text as units
      from ${table('usage_events')} group by 1, 2, 3 order by 1, 2, 3`;
    const monthly = await sql`select user_id::text, month::text, service, calls::text, units::text from ${table('usage_monthly')} order by 1, 2, 3`.execute(db());
    expect(monthly.rows).toEqual((await sql`${byService}`.execute(db())).rows);
    const fromDaily = await sql`select user_id::text, date_trunc('month', day)::date::text as month, service, sum(calls)::text as calls, sum(units)::text as units
      from ${table('usage_daily')} group by 1, 2, 3 order by 1, 2, 3`.execute(db());
    expect(monthly.rows).toEqual(fromDaily.rows);
    const perUser = await sql`select user_id::text, month::text, calls::text, units::text from ${table('usage_monthly_user')} order by 1, 2`.execute(db());
    const direct = await sql`select user_id::text, date_trunc('month', occurred_at at time zone 'UTC')::date::text as month, count(*)::text as calls, sum(units)::text as units
      from ${table('usage_events')} group by 1, 2 order by 1, 2`.execute(db());
    expect(perUser.rows).toEqual(direct.rows);
    // Every event once: the repeated keys inserted (and so counted) nothing.
    const written = await sql<{ n: string }>`select count(*)::text as n from ${table('usage_events')} where event_key like 'month-%'`.execute(db());
    expect(Number(written.rows[0]!.n)).toBe(events.length);
  });

  it('validates its parameters with a clear 400 and changes nothing', async () => {
    const bad: Array<[string, RegExp]> = [
      ['/v1/admin/analytics/series?bucket=week', /bucket/],
      ['/v1/admin/analytics/series?bucket=hour&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z', /at most 14 days with bucket=hour/],
      ['/v1/admin/analytics/series?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z', /must be before to/],
      ['/v1/admin/analytics/series?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /at most 366 days with bucket=day/],
      ['/v1/admin/analytics/series?from=yesterday', /from/],
      ['/v1/admin/analytics/series?user_id=x', /user_id/],
      ['/v1/admin/analytics/top-tools?limit=0', /limit/],
      ['/v1/admin/analytics/top-users?limit=101', /limit/],
      ['/v1/admin/analytics/users?bucket=hour', /bucket/],
      ['/v1/admin/analytics/quota-pressure?min_percent=0', /min_percent/],
      ['/v1/admin/analytics/series?service=a&service=b', /service/],
    ];
    for (const [path, message] of bad) {
      const res = await get(admin.accessToken, path);
      expect(res.status, path).toBe(400);
      expect(res.json.code ?? (res.json.error as { code?: string } | undefined)?.code, path).toBe('validation_failed');
      expect(JSON.stringify(res.json), path).toMatch(message);
    }
  });

  it('is for admins: a user gets 403, no token 401', async () => {
    for (const path of ['series', 'top-tools', 'top-users', 'users', 'quota-pressure']) {
      expect((await get(user.accessToken, `/v1/admin/analytics/${path}`)).status, path).toBe(403);
      expect((await fetch(`${a.url}/v1/admin/analytics/${path}`)).status, path).toBe(401);
      expect((await fetch(`${a.url}/v1/admin/analytics/${path}`, { headers: bearer(admin.accessToken) })).status, path).toBe(200);
    }
  });
});
