import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Metering, plans and quotas (docs/billing.md, issue 16 part 2):
 * - `plans`: monthly call quotas, per-service quotas and per-minute limits; free, pro and custom
 *   are seeded (an admin changes or removes them through /v1/admin/plans);
 * - `user_plans`: the plan an admin (or, later, a billing event) gave a user;
 * - `usage_events`: one row per metered `tools/call`, keyed by its idempotency key: the primary
 *   key is what makes a second write of the same call (a retry, another replica) a no-op;
 * - `usage_daily`: per user, service and UTC day counters, raised in the same statement that
 *   inserts the events, and only by the events that statement really inserted.
 */
export function billing({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('plans')} (
          id text primary key,
          name text not null,
          monthly_calls bigint,
          per_minute integer,
          soft_limit_percent integer not null default 80,
          service_quotas jsonb not null default '{}'::jsonb,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`
        insert into ${t('plans')} (id, name, monthly_calls, per_minute) values
          ('free', 'Free', 1000, 60),
          ('pro', 'Pro', 100000, 600),
          ('custom', 'Custom', null, null)`.execute(db);
      await sql`
        create table ${t('user_plans')} (
          user_id uuid primary key references ${t('users')} (id) on delete cascade,
          plan_id text not null references ${t('plans')} (id),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index user_plans_plan on ${t('user_plans')} (plan_id)`.execute(db);
      await sql`
        create table ${t('usage_events')} (
          event_key text primary key,
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          service text not null,
          listing_version text,
          tool text,
          units integer not null,
          status text not null,
          latency_ms integer not null,
          occurred_at timestamptz not null
        )`.execute(db);
      await sql`create index usage_events_user_time on ${t('usage_events')} (user_id, occurred_at)`.execute(db);
      await sql`
        create table ${t('usage_daily')} (
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          service text not null,
          day date not null,
          calls bigint not null default 0,
          units bigint not null default 0,
          errors bigint not null default 0,
          latency_ms_sum bigint not null default 0,
          primary key (user_id, day, service)
        )`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('usage_daily')}`.execute(db);
      await sql`drop table if exists ${t('usage_events')}`.execute(db);
      await sql`drop table if exists ${t('user_plans')}`.execute(db);
      await sql`drop table if exists ${t('plans')}`.execute(db);
    },
  };
}
