import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** Fixed log-scale latency buckets: the same constant as src/logging/rollups.ts (LATENCY_BUCKET_COUNT). */
const BUCKETS = 68;

/**
 * Analytics rollups (docs/analytics.md), written in the same statement as the request-log rows
 * they count (src/logging/rollups.ts), so that dashboard queries never scan request_log:
 *  - analytics_tool_hourly / analytics_tool_daily: per (service, tool, UTC hour | day) the
 *    tools/call count, errors, rate-limited, latency sum and a latency histogram (h0..h67);
 *  - analytics_service_hourly: the same per (service, UTC hour), every tool together;
 *  - analytics_user_daily: per (UTC day, service, user) calls and errors (active users, top users
 *    of some services);
 *  - analytics_active_daily: per (UTC day, user) calls and errors over every service (the same
 *    figures for the whole platform, from a table a service count smaller);
 *  - analytics_first_seen: per (service, user) the first UTC day with a call (new vs returning).
 * '' stands for "no service" / "no tool" in the keys (requests refused before resolution).
 */
export function analytics({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  const histogram = sql.raw(Array.from({ length: BUCKETS }, (_, i) => `h${i} bigint not null default 0`).join(',\n'));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const [table, grain] of [['analytics_tool_hourly', 'hour timestamptz'], ['analytics_tool_daily', 'day date']] as const) {
        const column = grain.split(' ')[0]!;
        await sql`
          create table ${t(table)} (
            ${sql.raw(grain)} not null,
            service text not null,
            tool text not null,
            calls bigint not null,
            errors bigint not null,
            rate_limited bigint not null,
            latency_ms_sum double precision not null,
            ${histogram},
            primary key (${sql.raw(column)}, service, tool)
          )`.execute(db);
        await sql`create index ${sql.raw(`${table}_service_idx`)} on ${t(table)} (service, tool, ${sql.raw(column)})`.execute(db);
      }
      // Per service and hour (every tool): the hourly series without a tool filter reads a tool count fewer rows.
      await sql`
        create table ${t('analytics_service_hourly')} (
          hour timestamptz not null,
          service text not null,
          calls bigint not null,
          errors bigint not null,
          rate_limited bigint not null,
          latency_ms_sum double precision not null,
          ${histogram},
          primary key (hour, service)
        )`.execute(db);
      await sql`
        create table ${t('analytics_user_daily')} (
          day date not null,
          service text not null,
          user_id uuid not null,
          calls bigint not null,
          errors bigint not null,
          primary key (day, service, user_id)
        )`.execute(db);
      // A user's rows (top users' service counts); a service's rows over days (a provider's scope).
      await sql`create index analytics_user_daily_user_idx on ${t('analytics_user_daily')} (user_id, day)`.execute(db);
      await sql`create index analytics_user_daily_service_idx on ${t('analytics_user_daily')} (service, day, user_id)`.execute(db);
      await sql`
        create table ${t('analytics_active_daily')} (
          day date not null,
          user_id uuid not null,
          calls bigint not null,
          errors bigint not null,
          primary key (day, user_id)
        )`.execute(db);
      await sql`
        create table ${t('analytics_first_seen')} (
          service text not null,
          user_id uuid not null,
          first_day date not null,
          primary key (service, user_id)
        )`.execute(db);
      await sql`create index analytics_first_seen_day_idx on ${t('analytics_first_seen')} (first_day)`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const name of ['analytics_first_seen', 'analytics_active_daily', 'analytics_user_daily', 'analytics_service_hourly', 'analytics_tool_daily', 'analytics_tool_hourly']) {
        await sql`drop table if exists ${t(name)}`.execute(db);
      }
    },
  };
}
