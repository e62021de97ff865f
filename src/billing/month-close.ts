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
 * finalises its statements, once. It catches up: every past month from the first with usage that
 * has no finished close is finalised, oldest first, at most `maxMonthsPerRun` a check (a platform
 * that was down for longer than a month closes the months it missed on its next checks).
 *
 * Every replica checks every `checkMs`; the one whose insert into `billing_month_closes` creates the
 * month's row does it. A claim whose holder died before finishing (no `finished_at` after
 * `leaseMs`) is taken over by the next check of any replica; a holder whose claim or finalising
 * failed takes its own claim again at its next check (logged with the month and the holder).
 * Finalising is per user and insert-once
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
   * queued. A month is finalised only when nothing of it is left queued.
   */
  rollUp?: (before: Date) => Promise<number>;
  /** How many months one check finalises at most (catching up after an outage); the rest wait for the next check. */
  maxMonthsPerRun?: number;
}

const DEFAULT_LEASE_MS = 30 * 60_000;
const DEFAULT_MAX_MONTHS_PER_RUN = 3;

/** Failures already logged with their month (the timer's catch does not log them again). */
const logged = new WeakSet<object>();

/** `YYYY-MM-01` of the month `n` months after the one starting at `start`. */
const monthStart = (start: Date, n: number): Date => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1));

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
    this.timer ??= setInterval(
      () =>
        void this.tick().catch((err: unknown) => {
          // A failure closeMonth logged with its month is not logged twice; any other (the roll-up, the due months' query) is.
          if (!logged.has(err as object)) this.log.error({ err: { message: (err as Error)?.message }, 'billing.holder': this.holder }, 'month close check failed; retried at the next check');
        }),
      this.opts.checkMs,
    );
    this.timer.unref();
  }

  /**
   * One check: finalises the past months that are due (ended, the last one `graceMs` ago or more),
   * not finished yet and not claimed by a live holder, oldest first, at most `maxMonthsPerRun`.
   * Resolves with what it finalised, one result a month, or [] (nothing due, or all claimed by
   * another replica or earlier). A check while one runs waits for it and returns [].
   */
  async tick(): Promise<FinaliseResult[]> {
    if (this.running) {
      await this.running.catch(() => undefined);
      return [];
    }
    const run = this.closeDue();
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

  /**
   * The months to look at, oldest first, up to the last one due: from the first month in
   * `billing_month_closes` (one row a month: a small table), or, before any close was recorded, from
   * the first month with usage (the previous month at the latest); without those whose close has finished.
   */
  private async dueMonths(now: Date): Promise<string[]> {
    const current = monthOf(now);
    // The previous month waits for its grace; older ones are long past theirs.
    const lastDue = monthStart(current.start, now.getTime() < current.start.getTime() + this.opts.graceMs ? -2 : -1);
    const closes = await this.opts.db
      .selectFrom('billing_month_closes')
      .select([sql<string>`month::text`.as('month'), 'finished_at'])
      .orderBy('month')
      .execute();
    let firstText = closes[0]?.month;
    if (firstText === undefined) {
      const first = await this.opts.db.selectFrom('usage_daily').select(sql<string | null>`min(day)::text`.as('day')).executeTakeFirst();
      firstText = first?.day ?? undefined;
    }
    // Never later than the previous month (closed even without usage, as the admin call would).
    const previous = monthStart(current.start, -1);
    const recorded = firstText ? monthOf(new Date(`${firstText.slice(0, 10)}T00:00:00.000Z`)).start : previous;
    const done = new Set(closes.filter((c) => c.finished_at !== null).map((c) => c.month.slice(0, 10)));
    const months: string[] = [];
    for (let m = recorded < previous ? recorded : previous; m <= lastDue; m = monthStart(m, 1)) {
      if (!done.has(utcDay(m))) months.push(utcDay(m));
    }
    return months;
  }

  private async closeDue(): Promise<FinaliseResult[]> {
    const now = this.opts.now();
    const limit = this.opts.maxMonthsPerRun ?? DEFAULT_MAX_MONTHS_PER_RUN;
    // The counters the statements read (and the first month with usage) are raised behind the
    // writes: the ended months' queued events are counted first.
    const left = (await this.opts.rollUp?.(monthOf(now).start)) ?? 0;
    if (left > 0) {
      this.log.warn({ 'usage_pending.left': left }, 'usage of an ended month is still queued; finalising at the next check');
      return [];
    }
    const results: FinaliseResult[] = [];
    for (const month of await this.dueMonths(now)) {
      if (results.length >= limit) break;
      const result = await this.closeMonth(month, now);
      if (result) results.push(result);
    }
    return results;
  }

  /** Claims `month` (`YYYY-MM-01`) and finalises it; undefined when another replica holds a live claim. */
  private async closeMonth(month: string, now: Date): Promise<FinaliseResult | undefined> {
    const staleBefore = new Date(now.getTime() - (this.opts.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
    const closes = sql.table(`${this.opts.schema}.billing_month_closes`);
    const label = month.slice(0, 7);
    // This replica's own unfinished claim is taken again at once (its checks run one at a time): a
    // claim whose statement failed after it was written, or whose finalising failed, is retried at
    // the next check, not after the lease.
    const claimed = await sql<{ month: string }>`
      insert into ${closes} (month, claimed_by, claimed_at) values (${month}::date, ${this.holder}, ${now.toISOString()}::timestamptz)
      on conflict (month) do update set claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
        where ${closes}.finished_at is null and (${closes}.claimed_at < ${staleBefore}::timestamptz or ${closes}.claimed_by = ${this.holder})
      returning month::text`
      .execute(this.opts.db)
      .catch((err: unknown) => {
        this.log.error({ err: { message: (err as Error)?.message }, month: label, 'billing.holder': this.holder }, 'claiming the closed month failed; retried at the next check');
        if (err && typeof err === 'object') logged.add(err);
        throw err;
      });
    if (!claimed.rows.length) return undefined;
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
      // The claim stays unfinished: this replica's next check takes it again, any other's after the lease.
      this.log.error({ err: { message: (err as Error).message }, month: label, 'billing.holder': this.holder }, 'finalising the closed month failed; retried at the next check');
      if (err && typeof err === 'object') logged.add(err);
      throw err;
    }
  }
}
