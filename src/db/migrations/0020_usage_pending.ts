import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The usage rollup's queue (docs/billing.md, "Write-before-answer, rolled up behind"):
 * - `usage_pending`: one row per usage event inserted and not yet counted, written in the same
 *   statement as its `usage_events` row. The rollup deletes a batch of them and raises the daily and
 *   monthly counters (and writes the outbox's `usage.recorded`) by exactly the rows it deleted, in one
 *   statement: a row is counted by the transaction that deleted it, so once, on whichever replica.
 *   No index and no key: the rollup claims rows by `ctid` (`for update skip locked`), and the quota
 *   check counts a user's rows by a scan of a table that holds only the last fraction of a second's
 *   events. No foreign key either: a deleted user's rows are dropped by the rollup.
 */
export function usagePending({ schema }: MigrationContext) {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table ${t('usage_pending')} (
          user_id uuid not null,
          service text not null,
          units integer not null,
          status text not null,
          latency_ms integer not null,
          occurred_at timestamptz not null
        )`.execute(db);
      // The write a call's answer waits for, as a function: PL/pgSQL keeps the plan of its statement
      // for the session, so a batch is not parsed and planned again each time (on embedded PGlite,
      // in WebAssembly, that was most of a small batch's cost).
      const s = sql.id(schema);
      await sql`
        create function ${s}.usage_write(keys text[], user_ids uuid[], services text[], versions text[], tools text[],
                                         units integer[], statuses text[], latencies integer[], ats timestamptz[])
        returns setof text language plpgsql as $body$
        begin
          return query
          with ins as (
            insert into ${s}.usage_events as e (event_key, user_id, service, listing_version, tool, units, status, latency_ms, occurred_at)
            select r.event_key, r.user_id, r.service, r.listing_version, r.tool, r.units, r.status, r.latency_ms, r.occurred_at
            from unnest(keys, user_ids, services, versions, tools, units, statuses, latencies, ats)
                 as r(event_key, user_id, service, listing_version, tool, units, status, latency_ms, occurred_at)
            -- A user deleted meanwhile has nothing left to bill; the join keeps its events from failing the whole batch.
            join ${s}.users u on u.id = r.user_id
            on conflict (event_key) do nothing
            returning e.event_key, e.user_id, e.service, e.units, e.status, e.latency_ms, e.occurred_at
          ), queued as (
            insert into ${s}.usage_pending (user_id, service, units, status, latency_ms, occurred_at)
            select ins.user_id, ins.service, ins.units, ins.status, ins.latency_ms, ins.occurred_at from ins
          )
          select ins.event_key from ins;
        end
        $body$`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      // Events still queued would go uncounted: refuse (a platform that ran rolls its queue up when it stops).
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${t('usage_pending')}`.execute(db);
      if ((rows[0]?.n ?? 0) > 0) throw new Error(`usage_pending still holds ${rows[0]!.n} events not yet counted: start the platform once to roll them up, then migrate down`);
      await sql`drop function if exists ${sql.id(schema)}.usage_write`.execute(db);
      await sql`drop table if exists ${t('usage_pending')}`.execute(db);
    },
  };
}
