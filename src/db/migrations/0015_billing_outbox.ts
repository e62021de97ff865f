import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Billing, second slice (docs/billing.md):
 * - `service_price_history`: every price a service had and from when (a removal is a row with a
 *   null price), seeded from `service_prices`;
 * - `statements` and `statement_lines`: finalised monthly statements, an immutable snapshot of the
 *   line items and the prices as they were when the month was closed;
 * - `billing_events`: the webhook outbox. A row is written in the transaction of what it announces
 *   (a usage batch, a finalisation); a delivery worker on any replica claims due rows with
 *   `for update skip locked` and posts them, signed, with the event id as the idempotency key.
 */
export function billingOutbox({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('service_price_history')} (
          id bigserial primary key,
          service text not null,
          price_per_call_micros bigint check (price_per_call_micros >= 0),
          currency text,
          valid_from timestamptz not null default now()
        )`.execute(db);
      await sql`create index service_price_history_service on ${t('service_price_history')} (service, valid_from)`.execute(db);
      await sql`
        insert into ${t('service_price_history')} (service, price_per_call_micros, currency, valid_from)
        select service, price_per_call_micros, currency, updated_at from ${t('service_prices')}`.execute(db);
      await sql`
        create table ${t('statements')} (
          id uuid primary key,
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          month date not null,
          finalized_at timestamptz not null default now(),
          totals jsonb not null,
          unique (user_id, month)
        )`.execute(db);
      await sql`
        create table ${t('statement_lines')} (
          statement_id uuid not null references ${t('statements')} (id) on delete cascade,
          service text not null,
          calls bigint not null,
          unit_price_micros bigint,
          amount_micros bigint,
          currency text,
          price_history_id bigint,
          primary key (statement_id, service)
        )`.execute(db);
      await sql`
        create table ${t('billing_events')} (
          id uuid primary key,
          type text not null,
          payload jsonb not null,
          created_at timestamptz not null default now(),
          state text not null default 'pending' check (state in ('pending', 'delivered', 'dead')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null default now(),
          claimed_until timestamptz,
          last_status integer,
          last_error text,
          delivered_at timestamptz
        )`.execute(db);
      await sql`create index billing_events_due on ${t('billing_events')} (next_attempt_at) where state = 'pending'`.execute(db);
      await sql`create index billing_events_created on ${t('billing_events')} (created_at)`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('billing_events')}`.execute(db);
      await sql`drop table if exists ${t('statement_lines')}`.execute(db);
      await sql`drop table if exists ${t('statements')}`.execute(db);
      await sql`drop table if exists ${t('service_price_history')}`.execute(db);
    },
  };
}
