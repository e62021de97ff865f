import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Prices per call per service (docs/billing.md, "Prices and statements"), in millionths of the
 * currency unit so that sums are exact integers. Keyed by service slug, as the usage counters are.
 */
export function billingPrices({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('service_prices')} (
          service text primary key,
          price_per_call_micros bigint not null check (price_per_call_micros >= 0),
          currency text not null default 'USD',
          updated_at timestamptz not null default now()
        )`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('service_prices')}`.execute(db);
    },
  };
}
