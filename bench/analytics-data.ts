/**
 * Benchmark (not a test): the analytics queries over a large request log, on PostgreSQL.
 *
 *   createdb -h 127.0.0.1 -U postgres wt_analytics16
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_analytics16 npm run bench:analytics
 *   (options: --rows 10000000 --days 30 --users 10000 --services 20 --tools 5 --runs 7 --reuse)
 *
 * 1. Fills request_log (schema BENCH_SCHEMA, default `analytics_bench`, migrated like the
 *    platform's) with `--rows` rows over the last `--days` UTC days, one `insert … select from
 *    generate_series` per day: 95 % MCP (of which 90 % tools/call), 5 % REST; users skewed (the
 *    square of a uniform draw) from a population that grows over the period (so there are new
 *    users every day); each user mostly on three services; log-normal-ish latencies, 3 % errors.
 * 2. Builds the rollups with `rollupRequestLog` (src/logging/rollups.ts) day by day: the same
 *    upserts the request-log writer runs with every batch, over a day's rows at once. Fills
 *    billing's usage_daily, usage_monthly and usage_monthly_user from the same rows (what the meter
 *    would have counted) for quota pressure.
 * 3. Times every analytics query (`AnalyticsQueries`, what the routes call) `--runs` times and
 *    prints the median, min and max in ms, for the admin scope and a provider's scope (2 services).
 *
 * `--reuse` skips 1 and 2 when the schema already holds the rows.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pino from 'pino';
import { AnalyticsQueries, type AnalyticsScope } from '../src/analytics/index.js';
import { migrate, openDatabase } from '../src/db/index.js';
import { ensurePartitions, rollupRequestLog } from '../src/logging/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '30' },
    users: { type: 'string', default: '10000' },
    services: { type: 'string', default: '20' },
    tools: { type: 'string', default: '5' },
    runs: { type: 'string', default: '7' },
    reuse: { type: 'boolean', default: false },
    'rebuild-rollups': { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const DAYS = Number(values.days);
const USERS = Number(values.users);
const SERVICES = Number(values.services);
const TOOLS = Number(values.tools);
const RUNS = Number(values.runs);
const DAY_MS = 86_400_000;
/** What is built from request_log: the analytics rollups and billing's counters. */
const ROLLUPS = ['analytics_tool_hourly', 'analytics_tool_daily', 'analytics_service_hourly', 'analytics_user_daily', 'analytics_active_daily', 'analytics_first_seen', 'usage_daily', 'usage_monthly', 'usage_monthly_user'];

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a PostgreSQL database of your own (createdb wt_analytics16)');
const schema = process.env.BENCH_SCHEMA ?? 'analytics_bench';
const logger = pino({ level: 'warn' });
const database = await openDatabase({ url, schema, poolMax: 4, logger, dataDir: '/tmp/analytics-bench-unused' });
await migrate(database);
const db = database.db.withoutPlugins();
const t = (name: string) => sql.table(`${schema}.${name}`);
const count = async (name: string) => Number((await sql<{ n: string }>`select count(*) as n from ${t(name)}`.execute(db)).rows[0]!.n);
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const first = new Date(today - (DAYS - 1) * DAY_MS);
const end = new Date(today + DAY_MS);

if (!values.reuse || (await count('request_log')) < ROWS) {
  const t0 = performance.now();
  for (const name of ['request_log', ...ROLLUPS]) {
    await sql`truncate ${t(name)}`.execute(db);
  }
  await ensurePartitions(database, first, end);
  // The users (usage_daily and user_plans reference them; top users show their emails).
  await sql`
    insert into ${t('users')} (id, email, role) select md5('user-' || u::text)::uuid, 'bench-' || u::text || '@example.test', 'user'
    from generate_series(0, ${USERS}) u on conflict do nothing`.execute(db);
  const perDay = Math.ceil(ROWS / DAYS);
  for (let d = 0; d < DAYS; d++) {
    const dayStart = new Date(first.getTime() + d * DAY_MS);
    const rows = Math.min(perDay, ROWS - d * perDay);
    // The population grows from a tenth to all of USERS over the period.
    const population = Math.max(1, Math.round(USERS * (0.1 + (0.9 * (d + 1)) / DAYS)));
    await sql`
      insert into ${t('request_log')} (time, kind, request_id, user_id, service, method, target, status, http_status, latency_ms, rate_limited)
      select time, kind, 'bench-' || ${d}::text || '-' || g::text, md5('user-' || u::text)::uuid,
             case when kind = 'mcp' then 'svc-' || ((u * 7 + floor(power(random(), 3) * 3)::int) % ${SERVICES})::text end,
             method, case when method = 'tools/call' then 'tool-' || floor(random() * ${TOOLS})::int::text end,
             case when err then 'error' else 'ok' end, case when err then 502 else 200 end,
             exp(random() * 7.5 + random() * 1.5) / 4, random() < 0.01
      from (
        select g, ${dayStart.toISOString()}::timestamptz + random() * interval '1 day' as time,
               floor(power(random(), 2) * ${population})::int as u,
               case when random() < 0.95 then 'mcp' else 'rest' end as kind, random() < 0.03 as err, random() as m
        from generate_series(1, ${rows}) g) s,
      lateral (select case when s.kind = 'rest' then 'GET' when s.m < 0.9 then 'tools/call' else 'tools/list' end as method) x`.execute(db);
    process.stdout.write(`\rrequest_log: day ${d + 1}/${DAYS} (${seconds(t0)} s)`);
  }
  console.log(`\nrequest_log filled: ${await count('request_log')} rows in ${seconds(t0)} s`);
  await sql`vacuum analyze ${t('request_log')}`.execute(db);
  await buildRollups();
}
if (values['rebuild-rollups']) {
  for (const name of ROLLUPS) {
    await sql`truncate ${t(name)}`.execute(db);
  }
  await buildRollups();
}

async function buildRollups(): Promise<void> {
  const t1 = performance.now();
  for (let d = 0; d < DAYS; d++) {
    const dayStart = new Date(first.getTime() + d * DAY_MS);
    await rollupRequestLog(database, dayStart, new Date(dayStart.getTime() + DAY_MS));
    process.stdout.write(`\rrollups: day ${d + 1}/${DAYS} (${seconds(t1)} s)`);
  }
  console.log(`\nrollups built in ${seconds(t1)} s`);
  const t2 = performance.now();
  await sql`
    insert into ${t('usage_daily')} (user_id, day, service, calls, units, errors, latency_ms_sum)
    select user_id, (time at time zone 'UTC')::date, service, count(*), count(*), count(*) filter (where status = 'error'), sum(latency_ms)::bigint
    from ${t('request_log')} where kind = 'mcp' and method = 'tools/call' and time >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'
    group by 1, 2, 3`.execute(db);
  // The monthly counters the meter raises with usage_daily (migration 0018), from the same rows.
  await sql`
    insert into ${t('usage_monthly')} (user_id, month, service, calls, units)
    select user_id, date_trunc('month', day)::date, service, sum(calls), sum(units) from ${t('usage_daily')} group by 1, 2, 3`.execute(db);
  await sql`
    insert into ${t('usage_monthly_user')} (month, user_id, calls, units)
    select date_trunc('month', day)::date, user_id, sum(calls), sum(units) from ${t('usage_daily')} group by 1, 2`.execute(db);
  await sql`update ${t('plans')} set service_quotas = '{"svc-3": 2000, "svc-4": 2000}'::jsonb where id = 'pro'`.execute(db);
  console.log(`usage_daily and the monthly counters (this month) filled in ${seconds(t2)} s`);
  for (const name of ROLLUPS) {
    await sql`vacuum analyze ${t(name)}`.execute(db);
  }
}

const counts: Record<string, number> = {};
for (const name of ['request_log', ...ROLLUPS]) {
  counts[name] = await count(name);
}
console.log('rows:', counts);

const queries = new AnalyticsQueries(database);
const admin: AnalyticsScope = { services: 'all', identifyUsers: true };
const provider: AnalyticsScope = { services: ['svc-3', 'svc-4'], identifyUsers: false };
const to = new Date(Date.now());
const from30 = new Date(first.getTime());
const from14 = new Date(to.getTime() - 14 * DAY_MS);
const cases: Array<[string, () => Promise<unknown>]> = [
  ['series day 30d, all services', () => queries.series(admin, { from: from30, to, bucket: 'day' })],
  ['series hour 14d, all services', () => queries.series(admin, { from: from14, to, bucket: 'hour' })],
  ['series day 30d, one service', () => queries.series(admin, { from: from30, to, bucket: 'day', service: 'svc-3' })],
  ['series hour 14d, one service + tool', () => queries.series(admin, { from: from14, to, bucket: 'hour', service: 'svc-3', tool: 'tool-1' })],
  ['top tools 30d', () => queries.topTools(admin, { from: from30, to, limit: 10 })],
  ['top users 30d', () => queries.topUsers(admin, { from: from30, to, limit: 10 })],
  ['new vs returning 30d', () => queries.users(admin, { from: from30, to })],
  ['quota pressure (default plan pro)', () => queries.quotaPressure(admin, { minPercent: 80, limit: 50, now: new Date(), defaultPlan: 'pro' })],
  ['provider: series day 30d', () => queries.series(provider, { from: from30, to, bucket: 'day' })],
  ['provider: top tools 30d', () => queries.topTools(provider, { from: from30, to, limit: 10 })],
  ['provider: top users 30d', () => queries.topUsers(provider, { from: from30, to, limit: 10 })],
  ['provider: new vs returning 30d', () => queries.users(provider, { from: from30, to })],
  ['provider: quota pressure', () => queries.quotaPressure(provider, { minPercent: 80, limit: 50, now: new Date(), defaultPlan: 'pro' })],
];
console.log(`\n| query | median ms | min | max | (${RUNS} runs, after one warm-up) |\n| --- | --- | --- | --- | --- |`);
let worst = 0;
for (const [name, run] of cases) {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const median = times[Math.floor(times.length / 2)]!;
  worst = Math.max(worst, median);
  console.log(`| ${name} | ${median.toFixed(1)} | ${times[0]!.toFixed(1)} | ${times.at(-1)!.toFixed(1)} | |`);
}
console.log(`\nslowest median: ${worst.toFixed(1)} ms (bound: 200 ms)`);
await database.close();
