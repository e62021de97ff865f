import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Monthly usage counters and the month-close claim (docs/billing.md, "Metering" and "Finalised
 * statements"):
 * - `usage_monthly`: per user, UTC month and service, the calls and units; raised by the meter in
 *   the same statement as usage_daily, by the same inserted events (so the two never disagree);
 * - `usage_monthly_user`: the same per user and month, every service together. Quota pressure reads
 *   these two (one row per user, not a month of daily rows), and so does the quota check;
 * - `billing_month_closes`: one row per month whose statements the scheduler finalised (or is
 *   finalising): the insert-once claim that lets one replica do it.
 * Both counters are filled from usage_daily here, so existing usage keeps counting.
 */
export function usageMonthly({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('usage_monthly')} (
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          month date not null,
          service text not null,
          calls bigint not null default 0,
          units bigint not null default 0,
          primary key (user_id, month, service)
        )`.execute(db);
      // A provider's quota pressure: the month's rows of its services.
      await sql`create index usage_monthly_month_service on ${t('usage_monthly')} (month, service)`.execute(db);
      await sql`
        create table ${t('usage_monthly_user')} (
          month date not null,
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          calls bigint not null default 0,
          units bigint not null default 0,
          primary key (month, user_id)
        )`.execute(db);
      await sql`
        insert into ${t('usage_monthly')} (user_id, month, service, calls, units)
        select user_id, date_trunc('month', day)::date, service, sum(calls), sum(units)
        from ${t('usage_daily')} group by 1, 2, 3`.execute(db);
      await sql`
        insert into ${t('usage_monthly_user')} (month, user_id, calls, units)
        select date_trunc('month', day)::date, user_id, sum(calls), sum(units)
        from ${t('usage_daily')} group by 1, 2`.execute(db);
      await sql`
        create table ${t('billing_month_closes')} (
          month date primary key,
          claimed_by text not null,
          claimed_at timestamptz not null,
          finished_at timestamptz,
          finalized integer,
          already_final integer
        )`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('billing_month_closes')}`.execute(db);
      await sql`drop table if exists ${t('usage_monthly_user')}`.execute(db);
      await sql`drop table if exists ${t('usage_monthly')}`.execute(db);
    },
  };
}
