import { sql, type RawBuilder } from 'kysely';
import type { PlatformDatabase } from '../db/index.js';

/**
 * Analytics rollups of the request log (docs/analytics.md, "Rollups"). They are written in the
 * same statement as the request-log rows they count: the insert's `returning` feeds one upsert per
 * rollup table, so a batch and its rollups commit together or not at all. A batch retried after a
 * failure was rolled back whole, so nothing is counted twice; two replicas add to the same rows
 * with `on conflict do update` (commutative increments), so the order of their batches is free.
 *
 * What is counted: `kind = 'mcp'` rows whose method is `tools/call` (one call).
 */

/** Histogram buckets: 0 is [0, 1 ms); i in 1..66 is [2^((i-1)/4), 2^(i/4)) ms; 67 is ≥ 2^16.5 ms (≈ 92.7 s). */
export const LATENCY_BUCKET_COUNT = 68;
const STEPS_PER_DOUBLING = 4;

/** The bucket of a latency (the same arithmetic as the SQL below; used by tests and the bench). */
export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(LATENCY_BUCKET_COUNT - 1, 1 + Math.floor((Math.log(ms) * STEPS_PER_DOUBLING) / Math.LN2));
}

/** [low, high) of a bucket in ms (high is Infinity for the last). */
export function latencyBucketBounds(bucket: number): { low: number; high: number } {
  if (bucket <= 0) return { low: 0, high: 1 };
  const low = 2 ** ((bucket - 1) / STEPS_PER_DOUBLING);
  return { low, high: bucket >= LATENCY_BUCKET_COUNT - 1 ? Infinity : 2 ** (bucket / STEPS_PER_DOUBLING) };
}

/**
 * The latency a quantile falls in, from a histogram: the geometric middle of the bucket that holds
 * the `ceil(q·n)`-th smallest call (so within half a bucket, ±9 %, of the exact value). Null for no calls.
 */
export function histogramQuantile(histogram: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i]!;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= rank) {
      const { low, high } = latencyBucketBounds(i);
      if (i === 0) return 0.5;
      return high === Infinity ? low : Math.round(Math.sqrt(low * high) * 1000) / 1000;
    }
  }
  return null;
}

export const HISTOGRAM_COLUMNS = Array.from({ length: LATENCY_BUCKET_COUNT }, (_, i) => `h${i}`);
const LN2 = Math.LN2;

/**
 * The rollup upserts as CTEs over `source` (a relation with time, kind, method, service, target,
 * user_id, status, latency_ms, rate_limited): appended to the request-log insert's WITH list, or run
 * by the bulk backfill (`rollupRequestLog`) over the table itself.
 */
export function rollupCtes(schema: string, source: string): RawBuilder<unknown> {
  const t = (name: string) => `"${schema}"."${name}"`;
  const bucket = `case when latency_ms >= 1 then least(${LATENCY_BUCKET_COUNT - 1}, 1 + floor(ln(latency_ms) * ${STEPS_PER_DOUBLING} / ${LN2})::int) else 0 end`;
  const hist = HISTOGRAM_COLUMNS.map((_, i) => `count(*) filter (where b = ${i})`).join(', ');
  const histUpdate = HISTOGRAM_COLUMNS.map((c) => `${c} = r.${c} + excluded.${c}`).join(', ');
  const histList = HISTOGRAM_COLUMNS.join(', ');
  const toolRollup = (name: string, table: string, key: string, column: string, perTool = true) => `
    ${name} as (
      insert into ${t(table)} as r (${column}, service, ${perTool ? 'tool, ' : ''}calls, errors, rate_limited, latency_ms_sum, ${histList})
      select ${key}, service, ${perTool ? 'tool, ' : ''}count(*), count(*) filter (where status = 'error'), count(*) filter (where rate_limited),
             sum(latency_ms), ${hist}
      from analytics_calls group by ${perTool ? '1, 2, 3 order by 1, 2, 3' : '1, 2 order by 1, 2'}
      on conflict (${column}, service${perTool ? ', tool' : ''}) do update set calls = r.calls + excluded.calls, errors = r.errors + excluded.errors,
        rate_limited = r.rate_limited + excluded.rate_limited, latency_ms_sum = r.latency_ms_sum + excluded.latency_ms_sum, ${histUpdate}
      returning 1)`;
  return sql.raw(`
    analytics_calls as (
      select time, coalesce(service, '') as service, coalesce(target, '') as tool, user_id, status, latency_ms, rate_limited,
             (time at time zone 'UTC')::date as day, ${bucket} as b
      from ${source} where kind = 'mcp' and method = 'tools/call'),
    ${toolRollup('analytics_hourly', 'analytics_tool_hourly', `date_trunc('hour', time at time zone 'UTC') at time zone 'UTC'`, 'hour')},
    ${toolRollup('analytics_daily', 'analytics_tool_daily', 'day', 'day')},
    ${toolRollup('analytics_service', 'analytics_service_hourly', `date_trunc('hour', time at time zone 'UTC') at time zone 'UTC'`, 'hour', false)},
    analytics_users as (
      insert into ${t('analytics_user_daily')} as r (day, service, user_id, calls, errors)
      select day, service, user_id, count(*), count(*) filter (where status = 'error')
      from analytics_calls where user_id is not null group by 1, 2, 3 order by 1, 2, 3
      on conflict (day, service, user_id) do update set calls = r.calls + excluded.calls, errors = r.errors + excluded.errors
      returning 1),
    analytics_active as (
      insert into ${t('analytics_active_daily')} as r (day, user_id, calls, errors)
      select day, user_id, count(*), count(*) filter (where status = 'error')
      from analytics_calls where user_id is not null group by 1, 2 order by 1, 2
      on conflict (day, user_id) do update set calls = r.calls + excluded.calls, errors = r.errors + excluded.errors
      returning 1),
    analytics_first as (
      insert into ${t('analytics_first_seen')} as r (service, user_id, first_day)
      select service, user_id, min(day) from analytics_calls where user_id is not null group by 1, 2 order by 1, 2
      on conflict (service, user_id) do update set first_day = excluded.first_day where excluded.first_day < r.first_day
      returning 1)`);
}

/**
 * The bulk equivalent of the incremental path, for a log filled outside the writer (bench/analytics-data.ts):
 * the same upserts over the rows of [from, to). Run it once per range (it adds, like the writer).
 */
export async function rollupRequestLog(database: PlatformDatabase, from: Date, to: Date): Promise<void> {
  const { schema } = database;
  await sql`
    with source as materialized (
      select time, kind, method, service, target, user_id, status, latency_ms, rate_limited
      from ${sql.table(`${schema}.request_log`)} where time >= ${from.toISOString()}::timestamptz and time < ${to.toISOString()}::timestamptz),
    ${rollupCtes(schema, 'source')}
    select 1`.execute(database.db.withoutPlugins());
}
