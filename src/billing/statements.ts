import { sql } from 'kysely';
import { z } from 'zod';
import { errors } from '../gateway/index.js';
import { monthOf, utcDay } from './period.js';
import type { BillingDb } from './tables.js';

/**
 * Prices per call per service and monthly statements (docs/billing.md, "Prices and statements").
 * Amounts are integers in millionths of the currency unit (micros) until they are printed, so a
 * statement's line items add up to its total exactly.
 */

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const priceParams = z.strictObject({ service: z.string().regex(SLUG, 'a service slug') });
export const priceBody = z.strictObject({
  /** A decimal string, at most 6 places: "0.002". */
  price_per_call: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'a decimal with at most 6 places, e.g. "0.002"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. USD').default('USD'),
});
export const statementQuery = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM').optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export interface Price {
  service: string;
  price_per_call: string;
  currency: string;
  updated_at: string;
}

export interface StatementLine {
  service: string;
  calls: number;
  /** null: the service has no price (not billed). */
  unit_price: string | null;
  amount: string | null;
  currency: string | null;
}

export interface Statement {
  user_id: string;
  period: { start: string; end: string };
  line_items: StatementLine[];
  totals: Array<{ currency: string; amount: string }>;
}

export const toMicros = (decimal: string): bigint => {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
};
export const fromMicros = (micros: bigint): string => `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;

export class PriceBook {
  constructor(
    private readonly db: BillingDb,
    private readonly now: () => Date,
  ) {}

  async list(): Promise<Price[]> {
    const rows = await this.db.selectFrom('service_prices').selectAll().orderBy('service').execute();
    return rows.map((r) => ({ service: r.service, price_per_call: fromMicros(BigInt(r.price_per_call_micros)), currency: r.currency, updated_at: new Date(r.updated_at).toISOString() }));
  }

  /** Sets a service's price; resolves with the price before (undefined: none). */
  async set(service: string, body: z.infer<typeof priceBody>): Promise<{ before: Price | undefined; after: Price }> {
    const before = (await this.list()).find((p) => p.service === service);
    const micros = Number(toMicros(body.price_per_call));
    const row = await this.db
      .insertInto('service_prices')
      .values({ service, price_per_call_micros: micros, currency: body.currency })
      .onConflict((oc) => oc.column('service').doUpdateSet({ price_per_call_micros: micros, currency: body.currency, updated_at: sql<Date>`now()` }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return { before, after: { service, price_per_call: fromMicros(BigInt(row.price_per_call_micros)), currency: row.currency, updated_at: new Date(row.updated_at).toISOString() } };
  }

  async remove(service: string): Promise<Price> {
    const before = (await this.list()).find((p) => p.service === service);
    if (!before) throw errors.notFound('Price');
    await this.db.deleteFrom('service_prices').where('service', '=', service).execute();
    return before;
  }

  /** A user's statement for a calendar month (default: this month, so far), priced at today's prices. */
  async statement(userId: string, month: string | undefined): Promise<Statement> {
    const period = monthOf(month ? new Date(`${month}-01T00:00:00.000Z`) : this.now());
    const rows = await this.db
      .selectFrom('usage_daily')
      .leftJoin('service_prices', 'service_prices.service', 'usage_daily.service')
      .select([
        'usage_daily.service as service',
        sql<string>`sum(usage_daily.calls)::text`.as('calls'),
        sql<string | null>`max(service_prices.price_per_call_micros)::text`.as('micros'),
        sql<string | null>`max(service_prices.currency)`.as('currency'),
      ])
      .where('usage_daily.user_id', '=', userId)
      .where('usage_daily.day', '>=', utcDay(period.start))
      .where('usage_daily.day', '<', utcDay(period.end))
      .groupBy('usage_daily.service')
      .orderBy('usage_daily.service')
      .execute();
    const totals = new Map<string, bigint>();
    const line_items = rows.map((r): StatementLine => {
      const calls = BigInt(r.calls);
      if (r.micros === null || r.currency === null) return { service: r.service, calls: Number(calls), unit_price: null, amount: null, currency: null };
      const amount = calls * BigInt(r.micros);
      totals.set(r.currency, (totals.get(r.currency) ?? 0n) + amount);
      return { service: r.service, calls: Number(calls), unit_price: fromMicros(BigInt(r.micros)), amount: fromMicros(amount), currency: r.currency };
    });
    return {
      user_id: userId,
      period: { start: period.start.toISOString(), end: period.end.toISOString() },
      line_items,
      totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount: fromMicros(amount) })),
    };
  }
}

/** The statement as CSV: one line per service, then one `TOTAL` line per currency. */
export function statementCsv(s: Statement): string {
  const lines = ['service,calls,unit_price,amount,currency'];
  for (const l of s.line_items) lines.push([l.service, l.calls, l.unit_price ?? '', l.amount ?? '', l.currency ?? ''].join(','));
  for (const t of s.totals) lines.push(['TOTAL', '', '', t.amount, t.currency].join(','));
  return `${lines.join('\r\n')}\r\n`;
}
