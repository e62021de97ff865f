import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { PlatformDatabase } from '../db/index.js';
import { HISTOGRAM_COLUMNS, histogramQuantile } from '../logging/index.js';

/**
 * The analytics queries (docs/analytics.md). Each reads only the rollup tables (and, for quota
 * pressure, billing's plans and monthly usage counters), never request_log, and each takes a scope: the
 * services whose numbers the caller may see. The admin routes pass `{ services: 'all' }`; a
 * provider's route passes the slugs of its own listings' services and `identifyUsers: false`.
 */
export interface AnalyticsScope {
  /** Service slugs the caller may see, or every service (admins). */
  services: 'all' | readonly string[];
  /**
   * Whether user IDs and emails are shown. When false (providers), a user is a pseudonym stable
   * within the scope (`u_` + 16 hex of sha256(scope, user ID)) and no email.
   */
  identifyUsers: boolean;
}

export const ADMIN_SCOPE: AnalyticsScope = { services: 'all', identifyUsers: true };

export type Bucket = 'hour' | 'day';

export interface SeriesQuery {
  from: Date;
  to: Date;
  bucket: Bucket;
  service?: string;
  tool?: string;
}

export interface LatencyFigures {
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  mean_ms: number | null;
}

export interface SeriesPoint extends LatencyFigures {
  start: string;
  calls: number;
  errors: number;
  rate_limited: number;
  error_rate: number;
  /** Distinct users with a call in the bucket: day buckets without a tool filter; else null. */
  active_users: number | null;
}

export interface Series {
  bucket: Bucket;
  from: string;
  to: string;
  service: string | null;
  tool: string | null;
  totals: Omit<SeriesPoint, 'start' | 'active_users'> & { active_users: number | null };
  points: SeriesPoint[];
}

export interface TopTool extends LatencyFigures {
  service: string | null;
  tool: string | null;
  calls: number;
  errors: number;
  error_rate: number;
}

export interface TopUser {
  user_id: string;
  email: string | null;
  calls: number;
  errors: number;
  services: number;
}

export interface UsersPoint {
  day: string;
  active: number;
  new: number;
  returning: number;
}

export interface UsersReport {
  from: string;
  to: string;
  service: string | null;
  totals: { active: number; new: number; returning: number };
  points: UsersPoint[];
}

export interface QuotaPressureRow {
  user_id: string;
  email: string | null;
  plan: string;
  quota: string;
  used: number;
  limit: number;
  percent: number;
  over: boolean;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const GRAIN_MS: Record<Bucket, number> = { hour: HOUR_MS, day: DAY_MS };

/** `from` down and `to` up to whole buckets (UTC). */
export function alignRange(from: Date, to: Date, bucket: Bucket): { from: Date; to: Date } {
  const g = GRAIN_MS[bucket];
  return { from: new Date(Math.floor(from.getTime() / g) * g), to: new Date(Math.ceil(to.getTime() / g) * g) };
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const day = (d: Date): string => d.toISOString().slice(0, 10);
const sumHistogram = sql.raw(HISTOGRAM_COLUMNS.map((c) => `sum(${c}) as ${c}`).join(', '));
type HistogramRow = Record<string, unknown>;

function latency(row: HistogramRow, calls: number, latencySum: number): LatencyFigures {
  const histogram = HISTOGRAM_COLUMNS.map((c) => n(row[c]));
  return {
    p50_ms: histogramQuantile(histogram, 0.5),
    p95_ms: histogramQuantile(histogram, 0.95),
    p99_ms: histogramQuantile(histogram, 0.99),
    mean_ms: calls ? Math.round((latencySum / calls) * 1000) / 1000 : null,
  };
}

export class AnalyticsQueries {
  constructor(private readonly database: PlatformDatabase) {}

  private table(name: string): RawBuilder<unknown> {
    return sql.table(`${this.database.schema}.${name}`);
  }

  private get db() {
    return this.database.db.withoutPlugins();
  }

  /** `and service = any(scope)` (nothing for every service), plus one service when asked. */
  private serviceFilter(scope: AnalyticsScope, service: string | undefined, column = 'service'): RawBuilder<unknown> {
    const col = sql.ref(column);
    const parts: RawBuilder<unknown>[] = [];
    if (scope.services !== 'all') parts.push(sql`and ${col} = any(${[...scope.services]}::text[])`);
    if (service !== undefined) parts.push(sql`and ${col} = ${service}`);
    return sql.join(parts, sql` `);
  }

  /**
   * Per-user rows: analytics_active_daily (one row per user and day) for the whole platform,
   * analytics_user_daily (per service too) when the scope or a filter names services.
   */
  private userTable(scope: AnalyticsScope, service: string | undefined): { table: RawBuilder<unknown>; filter: RawBuilder<unknown>; unique: boolean } {
    if (scope.services === 'all' && service === undefined) return { table: this.table('analytics_active_daily'), filter: sql``, unique: true };
    return { table: this.table('analytics_user_daily'), filter: this.serviceFilter(scope, service), unique: false };
  }

  /** Distinct users per UTC day of [from, to). analytics_active_daily has one row per day and user: a count, no grouping. */
  private async activePerDay(scope: AnalyticsScope, service: string | undefined, from: Date, to: Date): Promise<Map<string, number>> {
    const users = this.userTable(scope, service);
    const range = sql`day >= ${day(from)}::date and day < ${day(to)}::date`;
    const { rows } = users.unique
      ? await sql<{ day: string; users: string }>`select day::text as day, count(*) as users from ${users.table} where ${range} group by 1`.execute(this.db)
      : await sql<{ day: string; users: string }>`
          select day::text as day, count(*) as users from (select day, user_id from ${users.table} where ${range} ${users.filter} group by 1, 2) u
          group by 1`.execute(this.db);
    return new Map(rows.map((r) => [dayKey(r.day), n(r.users)]));
  }

  /** Distinct users over [from, to). */
  private async activeTotal(scope: AnalyticsScope, service: string | undefined, from: Date, to: Date): Promise<number> {
    const users = this.userTable(scope, service);
    const { rows } = await sql<{ users: string }>`
      select count(*) as users from (
        select user_id from ${users.table} where day >= ${day(from)}::date and day < ${day(to)}::date ${users.filter} group by 1) u`.execute(this.db);
    return n(rows[0]?.users);
  }

  private pseudonym(scope: AnalyticsScope, userId: string): string {
    const key = scope.services === 'all' ? '*' : [...scope.services].sort().join(',');
    return `u_${createHash('sha256').update(`${key}\n${userId}`).digest('hex').slice(0, 16)}`;
  }

  /** Calls, errors, p50/p95/p99 latency and active users per hour or day. */
  async series(scope: AnalyticsScope, q: SeriesQuery): Promise<Series> {
    const { from, to } = alignRange(q.from, q.to, q.bucket);
    // Hourly without a tool: the per-service table (a tool count fewer rows).
    const table = this.table(q.bucket === 'day' ? 'analytics_tool_daily' : q.tool === undefined ? 'analytics_service_hourly' : 'analytics_tool_hourly');
    const column = sql.ref(q.bucket);
    const lo = q.bucket === 'hour' ? sql`${from.toISOString()}::timestamptz` : sql`${day(from)}::date`;
    const hi = q.bucket === 'hour' ? sql`${to.toISOString()}::timestamptz` : sql`${day(to)}::date`;
    const toolFilter = q.tool !== undefined ? sql`and tool = ${q.tool}` : sql``;
    const { rows } = await sql<HistogramRow & { start: string | Date; calls: string; errors: string; rate_limited: string; latency_ms_sum: string }>`
      select ${q.bucket === 'hour' ? sql`hour` : sql`day::text`} as start, sum(calls) as calls, sum(errors) as errors, sum(rate_limited) as rate_limited,
             sum(latency_ms_sum) as latency_ms_sum, ${sumHistogram}
      from ${table}
      where ${column} >= ${lo} and ${column} < ${hi} ${this.serviceFilter(scope, q.service)} ${toolFilter}
      group by 1 order by 1`.execute(this.db);
    const activeByDay = new Map<string, number>();
    const withActive = q.bucket === 'day' && q.tool === undefined;
    let activeTotal: number | null = null;
    if (withActive) {
      const [perDay, total] = await Promise.all([this.activePerDay(scope, q.service, from, to), this.activeTotal(scope, q.service, from, to)]);
      for (const [k, v] of perDay) activeByDay.set(k, v);
      activeTotal = total;
    }
    const byStart = new Map(rows.map((r) => [q.bucket === 'hour' ? new Date(r.start).toISOString() : dayKey(r.start), r]));
    const points: SeriesPoint[] = [];
    const totalHistogram: Record<string, number> = Object.fromEntries(HISTOGRAM_COLUMNS.map((c) => [c, 0]));
    let calls = 0, errs = 0, limited = 0, latencySum = 0;
    for (let t = from.getTime(); t < to.getTime(); t += GRAIN_MS[q.bucket]) {
      const start = new Date(t);
      const key = q.bucket === 'hour' ? start.toISOString() : day(start);
      const r = byStart.get(key);
      const c = n(r?.calls);
      const e = n(r?.errors);
      if (r) for (const h of HISTOGRAM_COLUMNS) totalHistogram[h]! += n(r[h]);
      calls += c; errs += e; limited += n(r?.rate_limited); latencySum += n(r?.latency_ms_sum);
      points.push({
        start: start.toISOString(),
        calls: c,
        errors: e,
        rate_limited: n(r?.rate_limited),
        error_rate: c ? e / c : 0,
        ...(r ? latency(r, c, n(r.latency_ms_sum)) : { p50_ms: null, p95_ms: null, p99_ms: null, mean_ms: null }),
        active_users: withActive ? (activeByDay.get(key) ?? 0) : null,
      });
    }
    return {
      bucket: q.bucket,
      from: from.toISOString(),
      to: to.toISOString(),
      service: q.service ?? null,
      tool: q.tool ?? null,
      totals: { calls, errors: errs, rate_limited: limited, error_rate: calls ? errs / calls : 0, ...latency(totalHistogram, calls, latencySum), active_users: activeTotal },
      points,
    };
  }

  /** The most called tools over whole UTC days [from, to). */
  async topTools(scope: AnalyticsScope, q: { from: Date; to: Date; limit: number; service?: string }): Promise<TopTool[]> {
    const { from, to } = alignRange(q.from, q.to, 'day');
    const { rows } = await sql<HistogramRow & { service: string; tool: string; calls: string; errors: string; latency_ms_sum: string }>`
      select service, tool, sum(calls) as calls, sum(errors) as errors, sum(latency_ms_sum) as latency_ms_sum, ${sumHistogram}
      from ${this.table('analytics_tool_daily')}
      where day >= ${day(from)}::date and day < ${day(to)}::date ${this.serviceFilter(scope, q.service)}
      group by 1, 2 order by 3 desc, 1, 2 limit ${q.limit}`.execute(this.db);
    return rows.map((r) => {
      const calls = n(r.calls);
      const errors = n(r.errors);
      return { service: r.service || null, tool: r.tool || null, calls, errors, error_rate: calls ? errors / calls : 0, ...latency(r, calls, n(r.latency_ms_sum)) };
    });
  }

  /** The users with the most calls over whole UTC days [from, to). */
  async topUsers(scope: AnalyticsScope, q: { from: Date; to: Date; limit: number; service?: string }): Promise<TopUser[]> {
    const { from, to } = alignRange(q.from, q.to, 'day');
    const users = this.userTable(scope, q.service);
    const range = sql`day >= ${day(from)}::date and day < ${day(to)}::date`;
    // The services count is read for the top users only.
    const { rows } = await sql<{ user_id: string; email: string | null; calls: string; errors: string; services: string }>`
      with top as (
        select user_id, sum(calls) as calls, sum(errors) as errors
        from ${users.table} where ${range} ${users.filter}
        group by 1 order by 2 desc, 1 limit ${q.limit})
      select top.user_id, u.email, top.calls, top.errors,
             (select count(distinct service) from ${this.table('analytics_user_daily')} d
              where d.user_id = top.user_id and ${range} ${this.serviceFilter(scope, q.service)}) as services
      from top left join ${this.table('users')} u on u.id = top.user_id
      order by top.calls desc, top.user_id`.execute(this.db);
    return rows.map((r) => ({
      user_id: scope.identifyUsers ? r.user_id : this.pseudonym(scope, r.user_id),
      email: scope.identifyUsers ? r.email : null,
      calls: n(r.calls),
      errors: n(r.errors),
      services: n(r.services),
    }));
  }

  /**
   * Active users per UTC day of [from, to), split into new (their first call to a service of the
   * scope was that day) and returning (an earlier first call). Totals count distinct users.
   */
  async users(scope: AnalyticsScope, q: { from: Date; to: Date; service?: string }): Promise<UsersReport> {
    const { from, to } = alignRange(q.from, q.to, 'day');
    // A user is new on the first day of a call to a service of the scope; that day they are active
    // too, so new(d) is a count of first days and returning(d) = active(d) − new(d): no join.
    const [activeByDay, activeTotal, newByDay] = await Promise.all([
      this.activePerDay(scope, q.service, from, to),
      this.activeTotal(scope, q.service, from, to),
      sql<{ day: string; users: string }>`
        select first_day::text as day, count(*) as users from (
          select user_id, min(first_day) as first_day from ${this.table('analytics_first_seen')}
          where true ${this.serviceFilter(scope, q.service)} group by 1) f
        where first_day >= ${day(from)}::date and first_day < ${day(to)}::date group by 1`.execute(this.db),
    ]);
    const fresh = new Map(newByDay.rows.map((r) => [dayKey(r.day), n(r.users)]));
    const points: UsersPoint[] = [];
    let newTotal = 0;
    for (let t = from.getTime(); t < to.getTime(); t += DAY_MS) {
      const key = day(new Date(t));
      const active = activeByDay.get(key) ?? 0;
      const created = fresh.get(key) ?? 0;
      newTotal += created;
      points.push({ day: key, active, new: created, returning: active - created });
    }
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      service: q.service ?? null,
      totals: { active: activeTotal, new: newTotal, returning: activeTotal - newTotal },
      points,
    };
  }

  /**
   * Users at or past `minPercent` of a quota of their plan this calendar month (UTC), fullest first:
   * the monthly call quota (every service: only for the whole-platform scope) and the per-service
   * quotas of the scope's services. Reads billing's monthly counters (usage_monthly_user: one row per
   * user; usage_monthly: one per user and service, only the services some plan has a quota for),
   * plans and user_plans; never the month's daily rows.
   */
  async quotaPressure(
    scope: AnalyticsScope,
    q: { minPercent: number; limit: number; now: Date; defaultPlan: string | undefined },
  ): Promise<QuotaPressureRow[]> {
    const month = day(new Date(Date.UTC(q.now.getUTCFullYear(), q.now.getUTCMonth(), 1)));
    // The users with usage this month: every one (whole platform), or those of the scope's services.
    const users = scope.services === 'all'
      ? sql`select user_id, calls from ${this.table('usage_monthly_user')} where month = ${month}::date`
      : sql`select distinct user_id, null::bigint as calls from ${this.table('usage_monthly')} where month = ${month}::date ${this.serviceFilter(scope, undefined)}`;
    const monthly = scope.services === 'all' ? sql`
        select p.user_id, p.plan, 'monthly_calls' as quota, p.calls as used, p.monthly_calls as lim
        from plan_of p where p.monthly_calls is not null
        union all` : sql``;
    const { rows } = await sql<{ user_id: string; email: string | null; plan: string; quota: string; used: string; lim: string }>`
      with active as (${users}),
      plan_of as (
        select t.user_id, t.calls, pl.id as plan, pl.monthly_calls, pl.service_quotas
        from active t left join ${this.table('user_plans')} up on up.user_id = t.user_id
        join ${this.table('plans')} pl on pl.id = coalesce(up.plan_id, ${q.defaultPlan ?? null}::text)),
      pressure as (
        ${monthly}
        select u.user_id, p.plan, 'service_calls:' || u.service as quota, u.calls as used, (p.service_quotas ->> u.service)::bigint as lim
        from ${this.table('usage_monthly')} u join plan_of p using (user_id)
        where u.month = ${month}::date ${this.serviceFilter(scope, undefined, 'u.service')} and p.service_quotas ? u.service
          -- An array, not a subquery: the services go into the (month, service) index scan.
          and u.service = any(array(select jsonb_object_keys(service_quotas) from ${this.table('plans')})))
      select pr.user_id, us.email, pr.plan, pr.quota, pr.used, pr.lim
      from pressure pr left join ${this.table('users')} us on us.id = pr.user_id
      where pr.lim > 0 and pr.used * 100 >= pr.lim * ${q.minPercent}
      order by pr.used::float8 / pr.lim desc, pr.user_id, pr.quota
      limit ${q.limit}`.execute(this.db);
    return rows.map((r) => {
      const used = n(r.used);
      const limit = n(r.lim);
      return {
        user_id: scope.identifyUsers ? r.user_id : this.pseudonym(scope, r.user_id),
        email: scope.identifyUsers ? r.email : null,
        plan: r.plan,
        quota: r.quota,
        used,
        limit,
        percent: Math.round((used * 1000) / limit) / 10,
        over: used >= limit,
      };
    });
  }
}

/** Days are selected as text (`day::text`): no driver turns them into local-midnight Dates. */
function dayKey(v: string | Date): string {
  return typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10);
}
