import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { monthOf, utcDay } from './period.js';
import { finaliseMonth, type FinaliseResult, type PriceBook } from './statements.js';
import type { BillingDb } from './tables.js';

/**
 * The statement scheduler (docs/billing.md, "Finalised statements"): once the previous month has
 * been closed for `graceMs` (usage held back by a database outage lands first), one replica
 * finalises its statements, once.
 *
 * Every replica checks every `checkMs`; the one whose insert into `billing_month_closes` creates the
 * month's row does it. A claim whose holder died before finishing (no `finished_at` after
 * `leaseMs`) is taken over by the next check of any replica; finalising is per user and insert-once
 * (`finaliseMonth`), so a takeover, or two holders at once, finalise nothing twice.
 */
export interface MonthCloserOptions {
  db: BillingDb;
  schema: string;
  prices: PriceBook;
  logger: Logger;
  /** The clock months are closed by (tests move it across a month's end). */
  now: () => Date;
  /** BILLING_FINALISE_GRACE_MS: how long after a month's end its statements are finalised. */
  graceMs: number;
  /** BILLING_FINALISE_CHECK_MS: how often each replica looks. */
  checkMs: number;
  /** How long a claim that has not finished is left to its holder. */
  leaseMs?: number;
  /** With the outbox on: each statement's `statement.finalized` event. */
  announce: boolean;
  /**
   * Counts the usage queued before `before` (the usage rollup's `flush`); resolves with what is still
   * queued. The month is finalised only when nothing of it is left queued.
   */
  rollUp?: (before: Date) => Promise<number>;
}

const DEFAULT_LEASE_MS = 30 * 60_000;

export class MonthCloser {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** This replica, in the claim row (for an operator reading the table). */
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly log: Logger;

  constructor(private readonly opts: MonthCloserOptions) {
    this.log = opts.logger.child({ 'event.dataset': 'mcp-platform.billing' });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick().catch(() => undefined), this.opts.checkMs);
    this.timer.unref();
  }

  /**
   * One check: finalises the previous month if it is due and this replica wins the claim. Resolves
   * with what it finalised, or undefined (not due yet, or claimed by another replica or earlier).
   * A check while one runs waits for it and returns undefined.
   */
  async tick(): Promise<FinaliseResult | undefined> {
    if (this.running) {
      await this.running.catch(() => undefined);
      return undefined;
    }
    const run = this.closePrevious();
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async closePrevious(): Promise<FinaliseResult | undefined> {
    const now = this.opts.now();
    const current = monthOf(now);
    if (now.getTime() < current.start.getTime() + this.opts.graceMs) return undefined;
    const previous = monthOf(new Date(current.start.getTime() - 1));
    // The counters the statements read are raised behind the writes: the month's queued events first.
    const left = (await this.opts.rollUp?.(current.start)) ?? 0;
    if (left > 0) {
      this.log.warn({ 'usage_pending.left': left }, 'usage of the closed month is still queued; finalising at the next check');
      return undefined;
    }
    const month = utcDay(previous.start);
    const staleBefore = new Date(now.getTime() - (this.opts.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
    const closes = sql.table(`${this.opts.schema}.billing_month_closes`);
    const claimed = await sql<{ month: string }>`
      insert into ${closes} (month, claimed_by, claimed_at) values (${month}::date, ${this.holder}, ${now.toISOString()}::timestamptz)
      on conflict (month) do update set claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
        where ${closes}.finished_at is null and ${closes}.claimed_at < ${staleBefore}::timestamptz
      returning month::text`.execute(this.opts.db);
    if (!claimed.rows.length) return undefined;
    const label = month.slice(0, 7);
    try {
      const result = await finaliseMonth(this.opts.prices, this.opts.db, now, { month: label }, this.opts.announce);
      await this.opts.db
        .updateTable('billing_month_closes')
        .set({ finished_at: this.opts.now(), finalized: result.finalized, already_final: result.already_final })
        .where('month', '=', month)
        .where('claimed_by', '=', this.holder)
        .execute();
      this.log.info({ month: label, finalized: result.finalized, already_final: result.already_final }, 'statements of the closed month finalised');
      return result;
    } catch (err) {
      // The claim stays unfinished: after the lease, any replica's check takes it over.
      this.log.error({ err: { message: (err as Error).message }, month: label }, 'finalising the closed month failed; retried after the lease');
      throw err;
    }
  }
}
