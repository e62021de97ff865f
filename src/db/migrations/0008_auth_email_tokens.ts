import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Auth: one-time tokens sent by email (password recovery, sign-up confirmation). Only the sha256
 * of a token is stored; a token is used once (`used_at`) and dies at `expires_at`.
 */
export function authEmailTokens({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('auth_email_tokens')} (
          id uuid primary key default gen_random_uuid(),
          user_id uuid not null references ${t('users')} (id) on delete cascade,
          purpose text not null check (purpose in ('recovery', 'signup')),
          token_hash text not null unique,
          expires_at timestamptz not null,
          used_at timestamptz,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index auth_email_tokens_user_idx on ${t('auth_email_tokens')} (user_id, purpose)`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('auth_email_tokens')}`.execute(db);
    },
  };
}
