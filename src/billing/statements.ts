import { sql } from 'kysely';
import { z } from 'zod';
import { errors } from '../gateway/index.js';
import { randomUUID } from 'node:crypto';
import { monthOf, utcDay, type Period } from './period.js';
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

export interface PriceChange {
  /** null: the price was removed. */
  price_per_call: string | null;
  currency: string | null;
  valid_from: string;
}

export interface FinaliseResult {
  month: string;
  /** Statements finalised now. */
  finalized: number;
  /** Users whose month was final already. */
  already_final: number;
}

export const finaliseBody = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM'),
  /** One user only (default: every user with usage in the month). */
  user_id: z.uuid().optional(),
});

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
  /** `open`: this month so far, or a past month not yet finalised (priced at today's prices); `final`: the immutable snapshot. */
  status: 'open' | 'final';
  /** The finalised statement's id (null while open). */
  id: string | null;
  finalized_at: string | null;
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
    const row = await this.db.transaction().execute(async (trx) => {
      // The history keeps every price a service had (finalised statements name the row they used).
      await trx.insertInto('service_price_history').values({ service, price_per_call_micros: micros, currency: body.currency }).execute();
      return trx
        .insertInto('service_prices')
        .values({ service, price_per_call_micros: micros, currency: body.currency })
        .onConflict((oc) => oc.column('service').doUpdateSet({ price_per_call_micros: micros, currency: body.currency, updated_at: sql<Date>`now()` }))
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { before, after: { service, price_per_call: fromMicros(BigInt(row.price_per_call_micros)), currency: row.currency, updated_at: new Date(row.updated_at).toISOString() } };
  }

  async remove(service: string): Promise<Price> {
    const before = (await this.list()).find((p) => p.service === service);
    if (!before) throw errors.notFound('Price');
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('service_price_history').values({ service, price_per_call_micros: null, currency: null }).execute();
      await trx.deleteFrom('service_prices').where('service', '=', service).execute();
    });
    return before;
  }

  /** Every price a service had, newest first (a removal has a null price). */
  async history(service: string): Promise<PriceChange[]> {
    const rows = await this.db.selectFrom('service_price_history').selectAll().where('service', '=', service).orderBy('valid_from', 'desc').orderBy('id', 'desc').execute();
    return rows.map((r) => ({
      price_per_call: r.price_per_call_micros === null ? null : fromMicros(BigInt(r.price_per_call_micros)),
      currency: r.currency,
      valid_from: new Date(r.valid_from).toISOString(),
    }));
  }

  /**
   * A user's statement for a calendar month (default: this month, so far): the finalised snapshot
   * when the month was closed, else priced at today's prices.
   */
  async statement(userId: string, month: string | undefined): Promise<Statement> {
    const period = monthOf(month ? new Date(`${month}-01T00:00:00.000Z`) : this.now());
    const final = await this.finalised(userId, period);
    if (final) return final;
    const { priceRows: _, ...open } = await this.open(userId, period, this.db);
    return open;
  }

  /** The finalised statement of a user's month, if there is one. */
  private async finalised(userId: string, period: Period): Promise<Statement | undefined> {
    const head = await this.db.selectFrom('statements').selectAll().where('user_id', '=', userId).where('month', '=', utcDay(period.start)).executeTakeFirst();
    if (!head) return undefined;
    const lines = await this.db.selectFrom('statement_lines').selectAll().where('statement_id', '=', head.id).orderBy('service').execute();
    return {
      user_id: userId,
      status: 'final',
      id: head.id,
      finalized_at: new Date(head.finalized_at).toISOString(),
      period: { start: period.start.toISOString(), end: period.end.toISOString() },
      line_items: lines.map((l) => ({
        service: l.service,
        calls: Number(l.calls),
        unit_price: l.unit_price_micros === null ? null : fromMicros(BigInt(l.unit_price_micros)),
        amount: l.amount_micros === null ? null : fromMicros(BigInt(l.amount_micros)),
        currency: l.currency,
      })),
      totals: typeof head.totals === 'string' ? (JSON.parse(head.totals) as Statement['totals']) : head.totals,
    };
  }

  /** The open statement, read inside `trx` (finalisation). */
  openIn(trx: BillingDb, userId: string, period: Period): ReturnType<PriceBook['open']> {
    return this.open(userId, period, trx);
  }

  /** The month's usage priced at the prices of now (`db`: inside a finalising transaction, its own). */
  private async open(userId: string, period: Period, db: BillingDb): Promise<Statement & { priceRows: Map<string, string | null> }> {
    const rows = await db
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
    const priceRows = new Map<string, string | null>();
    if (rows.length) {
      // The history row behind each price (the newest per service), for the finalised snapshot.
      const latest = await db
        .selectFrom('service_price_history')
        .select(['service', sql<string>`max(id)::text`.as('id')])
        .where('service', 'in', rows.map((r) => r.service))
        .groupBy('service')
        .execute();
      for (const r of latest) priceRows.set(r.service, r.id);
    }
    return {
      user_id: userId,
      status: 'open',
      id: null,
      finalized_at: null,
      priceRows,
      period: { start: period.start.toISOString(), end: period.end.toISOString() },
      line_items,
      totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount: fromMicros(amount) })),
    };
  }
}

/**
 * Finalises months (docs/billing.md, "Finalised statements"): per user, in one transaction, the
 * statement's head and lines (the prices of the moment, with the history row each came from) and,
 * with the outbox on, its `statement.finalized` event. A month is final once: a second call, or
 * another replica at the same time, finds the row (`on conflict do nothing`) and changes nothing.
 */
export async function finaliseMonth(prices: PriceBook, db: BillingDb, now: Date, body: z.infer<typeof finaliseBody>, announce: boolean): Promise<FinaliseResult> {
  const period = monthOf(new Date(`${body.month}-01T00:00:00.000Z`));
  if (period.end > now) throw errors.conflict(`${body.month} has not ended yet (it ends ${period.end.toISOString()})`, 'month_not_ended');
  let users = db
    .selectFrom('usage_daily')
    .select('user_id')
    .distinct()
    .where('day', '>=', utcDay(period.start))
    .where('day', '<', utcDay(period.end));
  if (body.user_id) users = users.where('user_id', '=', body.user_id);
  const result: FinaliseResult = { month: body.month, finalized: 0, already_final: 0 };
  for (const { user_id } of await users.orderBy('user_id').execute()) {
    const done = await db.transaction().execute(async (trx) => {
      const id = randomUUID();
      const open = await prices.openIn(trx, user_id, period);
      const head = await trx
        .insertInto('statements')
        .values({ id, user_id, month: utcDay(period.start), totals: JSON.stringify(open.totals) })
        .onConflict((oc) => oc.columns(['user_id', 'month']).doNothing())
        .returning(['id', 'finalized_at'])
        .executeTakeFirst();
      if (!head) return false;
      await trx
        .insertInto('statement_lines')
        .values(
          open.line_items.map((l) => ({
            statement_id: id,
            service: l.service,
            calls: l.calls,
            unit_price_micros: l.unit_price === null ? null : Number(toMicros(l.unit_price)),
            amount_micros: l.amount === null ? null : toMicros(l.amount).toString(),
            currency: l.currency,
            price_history_id: l.unit_price === null ? null : (open.priceRows.get(l.service) ?? null),
          })),
        )
        .execute();
      if (announce) {
        const { priceRows: _, ...statement } = open;
        await trx
          .insertInto('billing_events')
          .values({
            id: randomUUID(),
            type: 'statement.finalized',
            payload: JSON.stringify({ ...statement, status: 'final', id, finalized_at: new Date(head.finalized_at).toISOString() }),
          })
          .execute();
      }
      return true;
    });
    if (done) result.finalized++;
    else result.already_final++;
  }
  return result;
}

/** The statement as CSV: one line per service, then one `TOTAL` line per currency. */
export function statementCsv(s: Statement): string {
  const lines = ['service,calls,unit_price,amount,currency'];
  for (const l of s.line_items) lines.push([l.service, l.calls, l.unit_price ?? '', l.amount ?? '', l.currency ?? ''].join(','));
  for (const t of s.totals) lines.push(['TOTAL', '', '', t.amount, t.currency].join(','));
  return `${lines.join('\r\n')}\r\n`;
}
