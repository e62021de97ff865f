import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * MCP service registry (services + http instances with shared health), per-user sealed
 * credentials, and the builtin `notes` service's table (full-text search via a generated tsvector).
 */
export function services({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('services')} (
          id uuid primary key default gen_random_uuid(),
          slug text not null unique check (slug ~ '^[a-z][a-z0-9-]{0,62}$'),
          title text not null,
          description text not null default '',
          kind text not null check (kind in ('builtin', 'stdio', 'http')),
          config jsonb not null,
          credential_schema jsonb not null default '[]'::jsonb,
          roles text[] not null default array['user', 'admin']::text[],
          tool_policy jsonb not null default '{}'::jsonb,
          enabled boolean not null default true,
          payload_capture text not null default 'metadata' check (payload_capture in ('off', 'metadata', 'full')),
          source text not null default 'admin' check (source in ('catalog', 'admin')),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create table ${t('service_instances')} (
          id uuid primary key default gen_random_uuid(),
          service_id uuid not null references ${t('services')} (id) on delete cascade,
          url text not null,
          source text not null default 'admin' check (source in ('catalog', 'admin')),
          status text not null default 'unknown' check (status in ('unknown', 'healthy', 'unhealthy')),
          last_checked_at timestamptz,
          consecutive_failures integer not null default 0,
          created_at timestamptz not null default now(),
          constraint service_instances_url_unique unique (service_id, url)
        )`.execute(db);

      await sql`
        create table ${t('user_credentials')} (
          id uuid primary key default gen_random_uuid(),
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          service_id uuid not null references ${t('services')} (id) on delete cascade,
          sealed text not null,
          key_id text not null,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          constraint user_credentials_user_service unique (user_id, service_id)
        )`.execute(db);
      await sql`create index user_credentials_key_idx on ${t('user_credentials')} (key_id)`.execute(db);

      await sql`
        create table ${t('notes')} (
          id uuid primary key default gen_random_uuid(),
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          title text not null,
          body text not null default '',
          tags text[] not null default '{}'::text[],
          tsv tsvector generated always as (
            setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
            setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
          ) stored,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index notes_tsv_idx on ${t('notes')} using gin (tsv)`.execute(db);
      await sql`create index notes_user_idx on ${t('notes')} (user_id, updated_at desc)`.execute(db);
      await sql`create index notes_tags_idx on ${t('notes')} using gin (tags)`.execute(db);
    },
  };
}
