import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

export function foundation({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('users')} (
          id uuid primary key default gen_random_uuid(),
          email text,
          encrypted_password text,
          role text not null default 'user' check (role in ('user', 'admin')),
          user_metadata jsonb not null default '{}'::jsonb,
          app_metadata jsonb not null default '{}'::jsonb,
          external_issuer text,
          external_subject text,
          email_confirmed_at timestamptz,
          last_sign_in_at timestamptz,
          disabled_at timestamptz,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          constraint users_external_identity unique (external_issuer, external_subject)
        )`.execute(db);
      await sql`create unique index users_email_key on ${t('users')} (lower(email))`.execute(db);
      await sql`create index users_created_at_idx on ${t('users')} (created_at, id)`.execute(db);

      await sql`
        create table ${t('sessions')} (
          id uuid primary key default gen_random_uuid(),
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          user_agent text,
          ip text,
          created_at timestamptz not null default now(),
          refreshed_at timestamptz,
          not_after timestamptz not null,
          revoked_at timestamptz,
          revoked_reason text
        )`.execute(db);
      await sql`create index sessions_user_id_idx on ${t('sessions')} (user_id)`.execute(db);

      await sql`
        create table ${t('refresh_tokens')} (
          id bigint generated always as identity primary key,
          session_id uuid not null references ${t('sessions')} (id) on delete cascade,
          token_hash text not null unique,
          parent_id bigint,
          revoked_at timestamptz,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index refresh_tokens_session_idx on ${t('refresh_tokens')} (session_id)`.execute(db);

      await sql`
        create table ${t('api_keys')} (
          id uuid primary key default gen_random_uuid(),
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          name text not null,
          prefix text not null,
          key_hash text not null unique,
          services text[],
          expires_at timestamptz,
          last_used_at timestamptz,
          revoked_at timestamptz,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index api_keys_user_idx on ${t('api_keys')} (user_id, created_at)`.execute(db);

      await sql`
        create table ${t('signing_keys')} (
          kid text primary key,
          alg text not null,
          public_jwk jsonb not null,
          private_jwk_sealed text not null,
          active boolean not null default false,
          created_at timestamptz not null default now(),
          retired_at timestamptz
        )`.execute(db);
      await sql`create unique index signing_keys_one_active on ${t('signing_keys')} (active) where active`.execute(db);

      await sql`
        create table ${t('platform_state')} (
          key text primary key,
          value jsonb not null,
          updated_at timestamptz not null default now()
        )`.execute(db);
    },
  };
}
