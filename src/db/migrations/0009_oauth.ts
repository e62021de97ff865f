import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * OAuth authorization server (src/oauth): one table for everything oidc-provider persists through its
 * Adapter (registered clients, grants, authorization codes, refresh tokens, interactions, sessions),
 * so any replica serves any step of a flow. `account_id` and `client_id` are copied out of the
 * payload for the "Connected apps" listings; `grant_id` lets a grant's revocation remove every token.
 */
export function oauth({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  const i = (name: string) => sql.id(name);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table ${t('oauth_payloads')} (
        model text not null,
        id text not null,
        payload jsonb not null,
        grant_id text,
        uid text,
        account_id text,
        client_id text,
        expires_at timestamptz,
        consumed_at timestamptz,
        created_at timestamptz not null default now(),
        primary key (model, id)
      )`.execute(db);
      await sql`create index ${i('oauth_payloads_grant_id')} on ${t('oauth_payloads')} (grant_id) where grant_id is not null`.execute(db);
      await sql`create index ${i('oauth_payloads_uid')} on ${t('oauth_payloads')} (uid) where uid is not null`.execute(db);
      await sql`create index ${i('oauth_payloads_account')} on ${t('oauth_payloads')} (model, account_id) where account_id is not null`.execute(db);
      await sql`create index ${i('oauth_payloads_expires_at')} on ${t('oauth_payloads')} (expires_at) where expires_at is not null`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('oauth_payloads')}`.execute(db);
    },
  };
}
