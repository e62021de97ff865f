import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Who withdrew a listing, as what (docs/marketplace.md, "Withdrawing a listing"): `withdrawn_as` is
 * the role the actor acted in ('provider' through the provider's route, 'admin' through the admin's),
 * so an admin withdrawing a listing of their own is shown and audited as an admin, and a provider may
 * reinstate only what they withdrew themselves. Rows withdrawn before it: the old rule (the provider
 * themselves → 'provider', anyone else → 'admin').
 */
export function marketplaceReinstate({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('marketplace_listings')} add column withdrawn_as text check (withdrawn_as in ('provider', 'admin'))`.execute(db);
      await sql`update ${t('marketplace_listings')} set withdrawn_as = case when withdrawn_by = provider_id then 'provider' else 'admin' end where withdrawn_at is not null`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('marketplace_listings')} drop column withdrawn_as`.execute(db);
    },
  };
}
