import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { PlatformDatabase } from '../db/index.js';
import type { UsageEvent } from '../gateway/index.js';
import { isPlatformUserId } from './tables.js';

/**
 * The usage writer: write-before-answer with group commit (docs/billing.md, "Metering").
 *
 * `record` resolves once the event is in the database; the router answers the call only then. While
 * one batch is being written, the events that arrive queue up and go together in the next one, so
 * a busy replica writes one statement per round trip, not one per call, and an idle one writes each
 * call at once (no timer to wait for).
 *
 * One statement per batch inserts the events (`on conflict (event_key) do nothing`) and raises the
 * daily and monthly counters by exactly the rows it inserted: a second write of the same key (this batch
 * retried after an error whose commit did happen, the same call retried by its client on another
 * replica) inserts nothing and counts nothing. The statement is atomic, so events and counters
 * never disagree.
 *
 * A batch the database refuses for good is split down to its poison event, which alone is dropped
 * (logged, counted in `billing_usage_events_dropped_total`). A batch that fails otherwise stays at
 * the head of the queue and is retried with backoff. A call whose event
 * has waited longer than `writeBoundMs` is answered anyway (the event stays queued and is written
 * when the database is back). Once a write has failed, and until one succeeds, calls are answered
 * at once: the database is known to be away, and a call that can be served without it must not wait
 * out the bound (docs/operations.md, PostgreSQL outage). An outage followed by a crash of this
 * replica before the database returns is the one way an answered call goes unmetered; it is logged.
 */
export interface UsageWriterOptions {
  database: PlatformDatabase;
  logger: Logger;
  /** Most events in one statement. */
  batchSize: number;
  /** How long a call waits for its event to be written before it is answered anyway. */
  writeBoundMs: number;
  /**
   * Announce the inserted usage in the webhook outbox (`billing_events`, type `usage.recorded`), in
   * the same statement: one event per user, service and UTC day of the batch.
   */
  announce?: boolean;
  /** A usage event the database refused for good was dropped (logged; counted in a metric). */
  onDropped?: () => void;
  /** The events a batch really inserted (not duplicates), after the commit: the quota cache counts them. */
  onInserted?: (events: StampedUsageEvent[]) => void;
}

/** A usage event with the time it was recorded (the day and month it counts in). */
export type StampedUsageEvent = UsageEvent & { at: Date };

interface Pending {
  event: StampedUsageEvent;
  queuedAt: number;
  release: () => void;
}

const MAX_BACKOFF_MS = 5_000;

export class UsageWriter {
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private failures = 0;
  private readonly log: Logger;

  constructor(private readonly opts: UsageWriterOptions) {
    this.log = opts.logger.child({ 'event.dataset': 'mcp-platform.usage' });
  }

  /** Events waiting to be written. */
  get depth(): number {
    return this.queue.length;
  }

  record(event: StampedUsageEvent): Promise<void> {
    return new Promise((release) => {
      this.queue.push({ event, queuedAt: Date.now(), release });
      // The last write failed: the database is away, so answer now; the event stays queued.
      if (this.failures > 0) release();
      this.writing ??= this.drain().finally(() => {
        this.writing = undefined;
      });
    });
  }

  /** Writes what is queued; gives up at `deadline` (epoch ms), logging what is left. */
  async close(deadline = Date.now() + 10_000): Promise<void> {
    while (this.queue.length && Date.now() < deadline) {
      if (this.writing) await Promise.race([this.writing, sleep(Math.max(0, deadline - Date.now()))]);
      else this.writing = this.drain().finally(() => (this.writing = undefined));
    }
    if (this.queue.length) {
      this.log.error({ 'usage_events.lost': this.queue.length }, 'usage events could not be written before shutdown');
      for (const p of this.queue) p.release();
      this.queue = [];
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.slice(0, this.opts.batchSize);
      // A statement that hangs (the database unreachable) must not hold the answers past the bound either.
      const guard = setTimeout(() => this.releaseOverdue(), this.opts.writeBoundMs);
      guard.unref();
      try {
        const inserted = await this.insertSplitting(batch.map((p) => p.event));
        this.queue.splice(0, batch.length);
        this.failures = 0;
        for (const p of batch) p.release();
        if (inserted.size && this.opts.onInserted) this.opts.onInserted(batch.map((p) => p.event).filter((e) => inserted.has(e.key)));
      } catch (err) {
        this.failures++;
        this.log.error({ err: { message: (err as Error).message }, 'usage_events.queued': this.queue.length, failures: this.failures }, 'usage events could not be written; retrying');
        // Until a write succeeds again, the calls waiting on this batch go on unwritten (see the class comment).
        for (const p of this.queue) p.release();
        await sleep(Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(this.failures, 10)));
      } finally {
        clearTimeout(guard);
      }
    }
  }

  /**
   * Inserts a batch; when the database refuses it for good (an error that a retry cannot cure, such
   * as a value out of range), halves it and inserts the halves, down to the one poison event, which
   * is dropped, logged and counted (`onDropped`). The rest of the batch is written. Any other error
   * (connection, timeout, serialization) propagates: the whole batch is retried with backoff.
   */
  private async insertSplitting(events: StampedUsageEvent[]): Promise<Set<string>> {
    try {
      return await this.insert(events);
    } catch (err) {
      if (!isPermanentSqlError(err)) throw err;
      if (events.length === 1) {
        const e = events[0]!;
        this.log.error(
          { err: { message: (err as Error).message, code: (err as { code?: string }).code }, 'usage_event.key': e.key, 'user.id': e.userId, service: e.service },
          'a usage event was refused by the database for good; it is dropped (the rest of its batch is written)',
        );
        this.opts.onDropped?.();
        return new Set();
      }
      const half = Math.ceil(events.length / 2);
      const first = await this.insertSplitting(events.slice(0, half));
      const second = await this.insertSplitting(events.slice(half));
      return new Set([...first, ...second]);
    }
  }

  /** Answers the calls whose events have waited past the bound (their events stay queued). */
  private releaseOverdue(): void {
    const now = Date.now();
    for (const p of this.queue) if (now - p.queuedAt >= this.opts.writeBoundMs) p.release();
  }

  /**
   * Inserts the events and raises their counters in one statement: usage_daily (user, service, day),
   * usage_monthly (user, service, month) and usage_monthly_user (user, month), each by the rows the
   * insert really made. Each counter's rows are locked in key order, the same in every batch, so two
   * replicas' batches wait for each other rather than deadlock. Resolves with the keys it inserted.
   */
  private async insert(events: StampedUsageEvent[]): Promise<Set<string>> {
    const { db, schema } = this.opts.database;
    const meterable = events.filter((e) => isPlatformUserId(e.userId));
    if (meterable.length < events.length) this.log.warn({ 'usage_events.skipped': events.length - meterable.length }, 'usage events of principals that are not platform users were not metered');
    if (!meterable.length) return new Set();
    const rows = meterable.map((e) => ({
      event_key: e.key,
      user_id: e.userId,
      service: e.service,
      listing_version: e.listingVersion,
      tool: e.tool,
      units: e.units,
      status: e.status,
      latency_ms: Math.max(0, Math.round(e.latencyMs)),
      occurred_at: e.at.toISOString(),
    }));
    const events_ = sql.table(`${schema}.usage_events`);
    const daily = sql.table(`${schema}.usage_daily`);
    const monthly = sql.table(`${schema}.usage_monthly`);
    const monthlyUser = sql.table(`${schema}.usage_monthly_user`);
    const users = sql.table(`${schema}.users`);
    const outbox = sql.table(`${schema}.billing_events`);
    // Data-modifying CTEs run to completion whether or not the final select reads them.
    const announced = this.opts.announce
      ? sql`, announced as (
        insert into ${outbox} (id, type, payload)
        select gen_random_uuid(), 'usage.recorded', jsonb_build_object(
          'user_id', user_id, 'service', service, 'day', (occurred_at at time zone 'UTC')::date,
          'calls', count(*), 'units', sum(units), 'errors', count(*) filter (where status = 'error'),
          'first_at', min(occurred_at), 'last_at', max(occurred_at))
        from ins
        group by user_id, service, (occurred_at at time zone 'UTC')::date
      )`
      : sql``;
    const result = await sql<{ event_key: string }>`
      with ins as (
        insert into ${events_} (event_key, user_id, service, listing_version, tool, units, status, latency_ms, occurred_at)
        select r.event_key, r.user_id, r.service, r.listing_version, r.tool, r.units, r.status, r.latency_ms, r.occurred_at
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
          event_key text, user_id uuid, service text, listing_version text, tool text,
          units integer, status text, latency_ms integer, occurred_at timestamptz)
        -- A user deleted meanwhile has nothing left to bill; the join keeps its events from failing the whole batch.
        join ${users} u on u.id = r.user_id
        on conflict (event_key) do nothing
        returning event_key, user_id, service, units, status, latency_ms, occurred_at
      ), counted as (
        insert into ${daily} (user_id, service, day, calls, units, errors, latency_ms_sum)
        select user_id, service, (occurred_at at time zone 'UTC')::date, count(*), sum(units),
               count(*) filter (where status = 'error'), sum(latency_ms)
        from ins
        group by 1, 2, 3
        order by 1, 3, 2
        on conflict (user_id, day, service) do update set
          calls = ${daily}.calls + excluded.calls,
          units = ${daily}.units + excluded.units,
          errors = ${daily}.errors + excluded.errors,
          latency_ms_sum = ${daily}.latency_ms_sum + excluded.latency_ms_sum
      ), monthly as (
        insert into ${monthly} (user_id, month, service, calls, units)
        select user_id, date_trunc('month', occurred_at at time zone 'UTC')::date, service, count(*), sum(units)
        from ins
        group by 1, 2, 3
        order by 1, 2, 3
        on conflict (user_id, month, service) do update set
          calls = ${monthly}.calls + excluded.calls,
          units = ${monthly}.units + excluded.units
      ), monthly_user as (
        insert into ${monthlyUser} (month, user_id, calls, units)
        select date_trunc('month', occurred_at at time zone 'UTC')::date, user_id, count(*), sum(units)
        from ins
        group by 1, 2
        order by 2, 1
        on conflict (month, user_id) do update set
          calls = ${monthlyUser}.calls + excluded.calls,
          units = ${monthlyUser}.units + excluded.units
      )${announced}
      select event_key from ins`.execute(db);
    return new Set(result.rows.map((r) => r.event_key));
  }
}

/**
 * SQLSTATE classes that a retry of the same rows cannot cure: 22 (data exception: out of range,
 * invalid text), 23 (integrity constraint), 42 (syntax or access rule), 0A (not supported), 21
 * (cardinality violation). Everything else (08 connection, 40 rollback, 53 resources, 57 operator
 * intervention, errors without a code such as a timeout) is worth retrying.
 */
function isPermanentSqlError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(22|23|42|0A|21)/.test(code);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
