import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Withdrawn listings (docs/marketplace.md, "Withdrawing a listing"): a provider (its own listing) or
 * an admin takes a listing off the marketplace. It leaves search and cannot be newly installed;
 * users who installed it keep it until they uninstall.
 */
export function marketplaceWithdraw({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('marketplace_listings')} add column withdrawn_at timestamptz`.execute(db);
      await sql`alter table ${t('marketplace_listings')} add column withdrawn_by uuid references ${t('users')} (id) on delete set null`.execute(db);
      await sql`alter table ${t('marketplace_listings')} add column withdrawn_reason text`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('marketplace_listings')} drop column withdrawn_reason`.execute(db);
      await sql`alter table ${t('marketplace_listings')} drop column withdrawn_by`.execute(db);
      await sql`alter table ${t('marketplace_listings')} drop column withdrawn_at`.execute(db);
    },
  };
}
