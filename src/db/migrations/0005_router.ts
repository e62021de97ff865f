import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * MCP Router (upstream side): live platform replicas, for rendezvous ownership of stdio children
 * when Redis is not configured. Each replica upserts its row every REPLICA_HEARTBEAT_MS; rows older
 * than REPLICA_TTL_MS are not live.
 */
export function router({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('router_replicas')} (
          id text primary key,
          address text not null,
          started_at timestamptz not null default now(),
          last_seen_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index router_replicas_last_seen_idx on ${t('router_replicas')} (last_seen_at)`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop table if exists ${t('router_replicas')}`.execute(db);
    },
  };
}
