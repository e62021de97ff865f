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
