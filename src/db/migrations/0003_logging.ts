import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Logging Service tables:
 *  - request_log: one row per MCP/REST request, range-partitioned by day on `time`. Partitions
 *    are created ahead (and on demand) by the logging maintenance job; retention drops them.
 *  - audit_log: append-only, hash-chained security record. A trigger refuses UPDATE/DELETE/TRUNCATE
 *    and the owner's own UPDATE/DELETE/TRUNCATE privileges are revoked where PostgreSQL allows it.
 *  - error_groups: unexpected errors grouped by fingerprint.
 */
export function logging({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('request_log')} (
          id bigserial not null,
          time timestamptz not null,
          kind text not null check (kind in ('mcp', 'rest')),
          request_id text not null,
          trace_id text,
          user_id uuid,
          api_key_id uuid,
          service text,
          upstream_instance text,
          method text not null,
          target text,
          route text,
          protocol_version text,
          status text not null check (status in ('ok', 'error')),
          http_status integer,
          rpc_error_code integer,
          latency_ms double precision not null,
          upstream_latency_ms double precision,
          bytes_in integer,
          bytes_out integer,
          rate_limited boolean not null default false,
          payload jsonb,
          primary key (time, id)
        ) partition by range (time)`.execute(db);
      await sql`create index request_log_user_idx on ${t('request_log')} (user_id, time desc, id desc)`.execute(db);
      await sql`create index request_log_service_idx on ${t('request_log')} (service, target, time desc)`.execute(db);
      await sql`create index request_log_time_idx on ${t('request_log')} (time desc, id desc)`.execute(db);
      await sql`create index request_log_errors_idx on ${t('request_log')} (time desc) where status = 'error'`.execute(db);

      await sql`
        create table ${t('audit_log')} (
          seq bigint primary key,
          time timestamptz not null,
          action text not null,
          outcome text not null check (outcome in ('success', 'failure')),
          actor_id text,
          target_type text,
          target_id text,
          ip text,
          user_agent text,
          request_id text,
          details jsonb not null default '{}'::jsonb,
          prev_hash text not null,
          hash text not null
        )`.execute(db);
      await sql`create index audit_log_time_idx on ${t('audit_log')} (time desc, seq desc)`.execute(db);
      await sql`create index audit_log_actor_idx on ${t('audit_log')} (actor_id, time desc)`.execute(db);
      await sql`create index audit_log_action_idx on ${t('audit_log')} (action, time desc)`.execute(db);
      await sql`
        create function ${t('audit_log_append_only')}() returns trigger language plpgsql as $$
        begin
          raise exception 'audit_log is append-only: % refused', tg_op using errcode = '42501';
        end
        $$`.execute(db);
      await sql`
        create trigger audit_log_no_update_delete before update or delete on ${t('audit_log')}
        for each row execute function ${t('audit_log_append_only')}()`.execute(db);
      await sql`
        create trigger audit_log_no_truncate before truncate on ${t('audit_log')}
        for each statement execute function ${t('audit_log_append_only')}()`.execute(db);
      // The app role owns the table; it can still drop its own UPDATE/DELETE privileges. A
      // superuser bypasses grants (the trigger still applies), so failure here is not fatal.
      const qualified = `${schema}.audit_log`;
      await sql`
        do $$ begin
          execute format('revoke update, delete, truncate on %s from public, current_user', ${sql.lit(qualified)});
        exception when others then
          raise notice 'could not revoke audit_log privileges: %', sqlerrm;
        end $$`.execute(db);

      await sql`
        create table ${t('error_groups')} (
          fingerprint text primary key,
          type text not null,
          message text not null,
          top_frame text,
          source text not null,
          count bigint not null,
          first_seen timestamptz not null,
          last_seen timestamptz not null,
          sample_request_id text
        )`.execute(db);
      await sql`create index error_groups_last_seen_idx on ${t('error_groups')} (last_seen desc)`.execute(db);
    },
  };
}
