import { sql } from 'kysely';
import type { TestPlatform } from './platform.js';

/** Billing's usage events of one service, counted per listing version: `[[version, calls], …]`, in version order. */
export async function callsByListingVersion(t: TestPlatform, service: string): Promise<Array<[string | null, number]>> {
  await t.platform.billing?.rollUp(); // on embedded PGlite the events reach the table behind the answers (the journal)
  const { rows } = await sql<{ listing_version: string | null; calls: string }>`
    select listing_version, count(*)::text as calls from ${sql.table(`${t.platform.database.schema}.usage_events`)}
    where service = ${service} group by listing_version order by listing_version`.execute(t.platform.database.db);
  return rows.map((r) => [r.listing_version, Number(r.calls)]);
}

/** How many usage events billing holds for one user. */
export async function usageEventCount(t: TestPlatform, userId: string): Promise<number> {
  await t.platform.billing?.rollUp(); // on embedded PGlite the events reach the table behind the answers (the journal)
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(`${t.platform.database.schema}.usage_events`)} where user_id = ${userId}`.execute(t.platform.database.db);
  return Number(rows[0]?.n ?? 0);
}
