import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * OAuth connections to upstream providers (docs/oauth.md, "Connecting upstream providers"):
 * the pending authorization requests (`state`, single-use, short-lived, in the database so any
 * replica can finish the callback) and each user's tokens per service, sealed by the vault.
 * `version` makes a refresh compare-and-set, so two replicas never spend one refresh token twice.
 */
export function upstreamOAuth({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('upstream_oauth_states')} (
          state_hash text primary key,
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          service_id uuid not null references ${t('services')} (id) on delete cascade,
          sealed_verifier text not null,
          redirect_uri text not null,
          expires_at timestamptz not null,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`
        create table ${t('upstream_oauth_tokens')} (
          id uuid primary key default gen_random_uuid(),
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          service_id uuid not null references ${t('services')} (id) on delete cascade,
          sealed text not null,
          key_id text not null,
          expires_at timestamptz,
          version integer not null default 1,
          refreshing_until timestamptz,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          constraint upstream_oauth_tokens_user_service unique (user_id, service_id)
        )`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('upstream_oauth_tokens')}`.execute(db);
      await sql`drop table if exists ${t('upstream_oauth_states')}`.execute(db);
    },
  };
}
