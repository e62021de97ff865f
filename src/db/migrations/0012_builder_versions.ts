import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The builder (docs/builder.md, "Versions" and "Who may build"):
 *  - `service_versions`: every save of an `openapi` service's definition (the `openapi` config and
 *    the credential fields it names) is a numbered, immutable row; `services.live_version` says
 *    which one is published (its definition is then also in `services.config` and
 *    `credential_schema`, which is what the router reads). `last_published_at` orders rollbacks.
 *  - `services.owner_id`: a service a user built (BUILDER_USERS=true) is visible to that user only.
 *  - `request_log.service_version`: the version that served an MCP request.
 * Existing admin-made `openapi` services become version 1, published.
 */
export function builderVersions({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('services')} add column owner_id uuid references ${t('users')} (id) on delete cascade`.execute(db);
      await sql`alter table ${t('services')} add column live_version integer`.execute(db);
      await sql`create index services_owner_idx on ${t('services')} (owner_id) where owner_id is not null`.execute(db);
      await sql`
        create table ${t('service_versions')} (
          service_id uuid not null references ${t('services')} (id) on delete cascade,
          version integer not null check (version > 0),
          definition jsonb not null,
          created_by uuid references ${t('users')} (id) on delete set null,
          created_at timestamptz not null default now(),
          last_published_at timestamptz,
          primary key (service_id, version)
        )`.execute(db);
      await sql`
        insert into ${t('service_versions')} (service_id, version, definition, last_published_at)
        select id, 1, jsonb_build_object('openapi', config - 'kind', 'credentials', credential_schema), now()
        from ${t('services')} where kind = 'openapi' and source = 'admin'`.execute(db);
      await sql`update ${t('services')} set live_version = 1 where kind = 'openapi' and source = 'admin'`.execute(db);
      await sql`alter table ${t('request_log')} add column service_version integer`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('request_log')} drop column if exists service_version`.execute(db);
      await sql`drop table if exists ${t('service_versions')}`.execute(db);
      await sql`alter table ${t('services')} drop column if exists live_version`.execute(db);
      await sql`alter table ${t('services')} drop column if exists owner_id`.execute(db);
    },
  };
}
