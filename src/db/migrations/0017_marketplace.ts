import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The marketplace (docs/marketplace.md, issue 16 part 1):
 * - `services.install_required` and `service_installs` (the catalog's): a service that only the
 *   users who installed it see and call (a marketplace listing's live version);
 * - `marketplace_providers`: the provider role (applied for, or granted; approved by an admin);
 * - `marketplace_listings` and `marketplace_listing_versions`: what a provider submits, each version
 *   reviewed (with what the platform saw when it connected) before it becomes the live one;
 * - `marketplace_ratings`: one rating and review per user and listing, editable.
 */
export function marketplace({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('services')} add column install_required boolean not null default false`.execute(db);
      await sql`
        create table ${t('service_installs')} (
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          service_id uuid not null references ${t('services')} (id) on delete cascade,
          created_at timestamptz not null default now(),
          primary key (user_id, service_id)
        )`.execute(db);
      await sql`create index service_installs_service on ${t('service_installs')} (service_id)`.execute(db);
      await sql`
        create table ${t('marketplace_providers')} (
          user_id uuid primary key references ${t('users')} (id) on delete cascade,
          display_name text not null,
          note text not null default '',
          status text not null check (status in ('pending', 'approved', 'rejected', 'revoked')),
          reason text,
          decided_by uuid references ${t('users')} (id) on delete set null,
          decided_at timestamptz,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`
        create table ${t('marketplace_listings')} (
          id uuid primary key default gen_random_uuid(),
          provider_id uuid not null references ${t('users')} (id) on delete cascade,
          slug text not null unique check (slug ~ '^[a-z][a-z0-9-]{0,62}$'),
          kind text not null check (kind in ('http', 'npm')),
          service_id uuid references ${t('services')} (id) on delete set null,
          live_version integer,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index marketplace_listings_provider on ${t('marketplace_listings')} (provider_id)`.execute(db);
      await sql`
        create table ${t('marketplace_listing_versions')} (
          listing_id uuid not null references ${t('marketplace_listings')} (id) on delete cascade,
          version integer not null,
          title text not null,
          description text not null default '',
          icon_url text,
          categories text[] not null default '{}',
          links jsonb not null default '[]'::jsonb,
          price_per_call_micros bigint check (price_per_call_micros >= 0),
          currency text not null default 'USD',
          source jsonb not null,
          credentials jsonb not null default '[]'::jsonb,
          changelog text not null default '',
          state text not null check (state in ('pending', 'approved', 'rejected', 'superseded')),
          inspection jsonb,
          inspected_at timestamptz,
          reason text,
          submitted_by uuid references ${t('users')} (id) on delete set null,
          reviewed_by uuid references ${t('users')} (id) on delete set null,
          reviewed_at timestamptz,
          created_at timestamptz not null default now(),
          primary key (listing_id, version)
        )`.execute(db);
      await sql`create index marketplace_versions_pending on ${t('marketplace_listing_versions')} (state) where state = 'pending'`.execute(db);
      await sql`
        create table ${t('marketplace_ratings')} (
          listing_id uuid not null references ${t('marketplace_listings')} (id) on delete cascade,
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          rating integer not null check (rating between 1 and 5),
          body text not null default '',
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (listing_id, user_id)
        )`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('marketplace_ratings')}`.execute(db);
      await sql`drop table if exists ${t('marketplace_listing_versions')}`.execute(db);
      await sql`drop table if exists ${t('marketplace_listings')}`.execute(db);
      await sql`drop table if exists ${t('marketplace_providers')}`.execute(db);
      await sql`drop table if exists ${t('service_installs')}`.execute(db);
      await sql`alter table ${t('services')} drop column if exists install_required`.execute(db);
    },
  };
}
