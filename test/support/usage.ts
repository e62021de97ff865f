import { sql } from 'kysely';
import type { TestPlatform } from './platform.js';

/** Billing's usage events of one service, counted per listing version: `[[version, calls], …]`, in version order. */
export async function callsByListingVersion(t: TestPlatform, service: string): Promise<Array<[string | null, number]>> {
  const rows = await t.platform.database.db
    .selectFrom('usage_events' as never)
    .select(['listing_version' as never, (eb) => eb.fn.countAll<string>().as('calls')])
    .where('service' as never, '=', service as never)
    .groupBy('listing_version' as never)
    .orderBy('listing_version' as never)
    .execute();
  return rows.map((r) => {
    const row = r as { listing_version: string | null; calls: string };
    return [row.listing_version, Number(row.calls)];
  });
}

/** How many usage events billing holds for one user. */
export async function usageEventCount(t: TestPlatform, userId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(`${t.platform.database.schema}.usage_events`)} where user_id = ${userId}`.execute(t.platform.database.db);
  return Number(rows[0]?.n ?? 0);
}
