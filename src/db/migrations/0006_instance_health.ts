import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * MCP Router (upstream side): shared instance health. The http balancer of every replica writes
 * ejections and restores into `service_instances` (status, consecutive_failures, last_checked_at)
 * plus when the status last changed and which replica reported it, so other replicas and the admin
 * API see it.
 */
export function instanceHealth({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('service_instances')} add column status_changed_at timestamptz`.execute(db);
      await sql`alter table ${t('service_instances')} add column status_reported_by text`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${t('service_instances')} drop column if exists status_reported_by`.execute(db);
      await sql`alter table ${t('service_instances')} drop column if exists status_changed_at`.execute(db);
    },
  };
}
