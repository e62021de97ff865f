import { sql } from 'kysely';
import { z } from 'zod';
import { monthOf, utcDay } from './period.js';
import { fromMicros } from './statements.js';
import type { BillingDb } from './tables.js';

/**
 * Provider payout reports (docs/billing.md, "Provider payouts"): per provider and month, the calls
 * and the revenue of the services the provider owns.
 *
 * Which services a provider owns is a function (`ServiceOwnership`), so that the report does not
 * depend on where ownership is kept. Today the one mapping in the platform is a built service's
 * owner (`services.owner_id`, `builtServiceOwners`); marketplace listings (issue 16 part 1, with a
 * `provider_id`) plug in by handing their own function.
 *
 * Revenue of a month: for users whose statement of the month is final, the finalised lines (the
 * prices as they were); for the others, the usage at today's prices (as their open statement).
 */
export interface OwnedService {
  provider_id: string;
  service: string;
}

/** The services each provider owns (all providers, or only `providerId`). */
export type ServiceOwnership = (db: BillingDb, providerId?: string) => Promise<OwnedService[]>;

/** A built service's owner is its provider (`services.owner_id`). */
export const builtServiceOwners: ServiceOwnership = async (db, providerId) => {
  let q = db.selectFrom('services').select(['owner_id as provider_id', 'slug as service']).where('owner_id', 'is not', null);
  if (providerId) q = q.where('owner_id', '=', providerId);
  return (await q.execute()).map((r) => ({ provider_id: r.provider_id!, service: r.service }));
};

export const payoutQuery = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM'),
  format: z.enum(['json', 'csv']).default('json'),
});

export interface PayoutLine {
  service: string;
  calls: number;
  /** null: calls of the service that had no price (not billed). */
  currency: string | null;
  revenue: string | null;
}

export interface PayoutReport {
  period: { start: string; end: string };
  providers: Array<{ provider_id: string; lines: PayoutLine[]; totals: Array<{ currency: string; revenue: string }> }>;
}

export async function payoutReport(db: BillingDb, schema: string, month: string, owned: OwnedService[]): Promise<PayoutReport> {
  const period = monthOf(new Date(`${month}-01T00:00:00.000Z`));
  const report: PayoutReport = { period: { start: period.start.toISOString(), end: period.end.toISOString() }, providers: [] };
  if (!owned.length) return report;
  const services = [...new Set(owned.map((o) => o.service))];
  const first = utcDay(period.start);
  const t = (name: string) => sql.table(`${schema}.${name}`);
  const rows = await sql<{ service: string; currency: string | null; calls: string; micros: string | null }>`
    select service, currency, sum(calls)::text as calls, sum(micros)::text as micros from (
      select l.service, l.currency, l.calls, l.amount_micros as micros
      from ${t('statement_lines')} l join ${t('statements')} s on s.id = l.statement_id
      where s.month = ${first}::date and l.service in (${sql.join(services)})
      union all
      select d.service, p.currency, d.calls, d.calls * p.price_per_call_micros
      from ${t('usage_daily')} d left join ${t('service_prices')} p on p.service = d.service
      where d.day >= ${first}::date and d.day < ${utcDay(period.end)}::date and d.service in (${sql.join(services)})
        and not exists (select 1 from ${t('statements')} s where s.user_id = d.user_id and s.month = ${first}::date)
    ) x
    group by service, currency
    order by service, currency nulls last`.execute(db);
  const byService = new Map<string, PayoutLine[]>();
  for (const r of rows.rows) {
    const line: PayoutLine = { service: r.service, calls: Number(r.calls), currency: r.currency, revenue: r.currency === null || r.micros === null ? null : fromMicros(BigInt(r.micros)) };
    byService.set(r.service, [...(byService.get(r.service) ?? []), line]);
  }
  const providers = new Map<string, string[]>();
  for (const o of owned) providers.set(o.provider_id, [...(providers.get(o.provider_id) ?? []), o.service]);
  for (const [provider_id, slugs] of [...providers].sort(([a], [b]) => a.localeCompare(b))) {
    const lines = slugs.sort().flatMap((s) => byService.get(s) ?? []);
    const totals = new Map<string, bigint>();
    for (const l of lines) if (l.currency && l.revenue) totals.set(l.currency, (totals.get(l.currency) ?? 0n) + BigInt(l.revenue.replace('.', '')));
    report.providers.push({ provider_id, lines, totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, micros]) => ({ currency, revenue: fromMicros(micros) })) });
  }
  return report;
}

/** `provider_id,service,calls,revenue,currency`, a line per service and currency, then `TOTAL` per provider and currency (CRLF). */
export function payoutCsv(report: PayoutReport): string {
  const lines = ['provider_id,service,calls,revenue,currency'];
  for (const p of report.providers) {
    for (const l of p.lines) lines.push([p.provider_id, l.service, l.calls, l.revenue ?? '', l.currency ?? ''].join(','));
    for (const t of p.totals) lines.push([p.provider_id, 'TOTAL', '', t.revenue, t.currency].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
