import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Marketplace listings made with the builder (docs/marketplace.md, "Builder listings"): a listing's
 * kind may be `builder` besides `http` and `npm`.
 */
export function marketplaceBuilder({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('marketplace_listings')} drop constraint marketplace_listings_kind_check`.execute(db);
      await sql`alter table ${t('marketplace_listings')} add constraint marketplace_listings_kind_check check (kind in ('http', 'npm', 'builder'))`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('marketplace_listings')} drop constraint marketplace_listings_kind_check`.execute(db);
      await sql`alter table ${t('marketplace_listings')} add constraint marketplace_listings_kind_check check (kind in ('http', 'npm'))`.execute(db);
    },
  };
}
