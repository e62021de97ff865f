import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** The builder (src/builder): a service may be of kind `openapi`, a REST API run by the platform. */
export function openapiServices({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('services')} drop constraint if exists services_kind_check`.execute(db);
      await sql`alter table ${t('services')} add constraint services_kind_check check (kind in ('builtin', 'stdio', 'http', 'openapi'))`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('services')} drop constraint if exists services_kind_check`.execute(db);
      await sql`alter table ${t('services')} add constraint services_kind_check check (kind in ('builtin', 'stdio', 'http'))`.execute(db);
    },
  };
}
