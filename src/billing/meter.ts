import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { PlatformDatabase } from '../db/index.js';
import type { UsageEvent } from '../gateway/index.js';
import type { UsageJournal } from './journal.js';
import { isPlatformUserId } from './tables.js';

/**
 * The usage writer: write-before-answer with group commit (docs/billing.md, "Metering").
 *
 * `record` resolves once the event is in the database; the router answers the call only then. On
 * embedded PGlite it resolves once the event is in the journal (`UsageJournal`), a file beside the
 * data, and the events go to PGlite behind the answers, in batches every `flushMs`: the same
 * guarantee (an answered call's event is kept, across a crash) without a PGlite statement per call.
 * While
 * one batch is being written, the events that arrive queue up and go together in the next one, so
 * a busy replica writes one statement per round trip, not one per call, and an idle one writes each
 * call at once (no timer to wait for).
 *
 * One statement per batch inserts the events (`on conflict (event_key) do nothing`) and queues each
 * row it really inserted in `usage_pending`: a second write of the same key (this batch retried
 * after an error whose commit did happen, the same call retried by its client on another replica)
 * inserts and queues nothing. The counters (daily, monthly, per user) and the outbox's
 * `usage.recorded` are raised from that queue by `UsageRollup`, in the background and in big
 * batches, exactly once per queued row; the answer waits only for the event and its queue row.
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
   * The embedded store's journal (docs/billing.md, "The journal on embedded PGlite"): each event is
   * appended to it before the call is answered, and inserted behind the answers every `flushMs` (at
   * once when `batchSize` are waiting). Without it, each call waits for its event's commit.
   */
  journal?: { journal: UsageJournal; flushMs: number };
  /** A usage event the database refused for good was dropped (logged; counted in a metric). */
  onDropped?: () => void;
  /** Events now recorded for good (committed, or in the journal): the quota cache counts them. */
  onCounted?: (events: StampedUsageEvent[]) => void;
  /** Journaled events the database did not take (their key was written before, or refused): counted back. */
  onUncounted?: (events: StampedUsageEvent[]) => void;
  /** After a batch's commit, when it inserted events (not only duplicates): the rollup counts them. */
  onInserted?: () => void;
}

/** A usage event with the time it was recorded (the day and month it counts in). */
export type StampedUsageEvent = UsageEvent & { at: Date };

interface Pending {
  event: StampedUsageEvent;
  queuedAt: number;
  release: () => void;
  /** In the journal: its call is answered already, and its file is removed once it is committed. */
  journaled: boolean;
  /** The sealed journal file that holds it (set when its file is sealed). */
  file?: string;
}

const MAX_BACKOFF_MS = 5_000;
/** Rows the rollup counts between two vacuums of the queue on embedded PGlite. */
const VACUUM_EVERY = 20_000;
const answered = Promise.resolve();
const noop = () => undefined;

export class UsageWriter {
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private journalFailed = false;
  /** Keys of the journaled events queued: a retry of one of them (same key) is recorded already. */
  private readonly journaledKeys = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly opts: UsageWriterOptions) {
    this.log = opts.logger.child({ 'event.dataset': 'mcp-platform.usage' });
  }

  /** Events waiting to be written. */
  get depth(): number {
    return this.queue.length;
  }

  /**
   * Resolves when the call may be answered: at once once the event is in the journal, else when it
   * is committed (or the database is known to be away, or `writeBoundMs` passed).
   */
  record(event: StampedUsageEvent): Promise<void> {
    const journal = this.opts.journal;
    if (journal && this.journaledKeys.has(event.key)) return answered;
    if (journal && this.appendToJournal(journal.journal, event)) {
      this.queue.push({ event, queuedAt: Date.now(), release: noop, journaled: true });
      this.journaledKeys.add(event.key);
      this.opts.onCounted?.([event]);
      this.schedule(this.queue.length >= this.opts.batchSize ? 0 : journal.flushMs);
      return answered;
    }
    return new Promise((release) => {
      this.queue.push({ event, queuedAt: Date.now(), release, journaled: false });
      // The last write failed: the database is away, so answer now; the event stays queued.
      if (this.failures > 0) release();
      this.schedule(0);
    });
  }

  /** The journal's events a previous run left (UsageJournal.open): written first, once each by key. */
  recover(leftovers: Array<{ file: string; events: StampedUsageEvent[] }>): void {
    const queuedAt = Date.now();
    for (const { file, events } of leftovers) {
      for (const event of events) {
        if (this.journaledKeys.has(event.key)) continue;
        this.queue.push({ event, queuedAt, release: noop, journaled: true, file });
        this.journaledKeys.add(event.key);
      }
    }
    if (this.queue.length) this.schedule(0);
  }

  /**
   * Calls counted by this replica and not yet in the database (the journal's, waiting for their
   * batch), per service, for one user's period: the quota check adds them to what it reads.
   */
  unwritten(userId: string, start: Date, end: Date): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { event: e } of this.queue) {
      if (e.userId === userId && e.at >= start && e.at < end) counts.set(e.service, (counts.get(e.service) ?? 0) + 1);
    }
    return counts;
  }

  /** Writes everything queued now (the journal's too), within `timeoutMs`; resolves with what is left. */
  async flush(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length && Date.now() < deadline) {
      if (!this.writing) this.schedule(0);
      await Promise.race([this.writing, sleep(Math.max(0, deadline - Date.now()))]);
    }
    return this.queue.length;
  }

  /** Writes what is queued; gives up at `deadline` (epoch ms), logging what is left. */
  async close(deadline = Date.now() + 10_000): Promise<void> {
    await this.flush(Math.max(0, deadline - Date.now()));
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length) {
      const kept = this.queue.filter((p) => p.journaled).length;
      if (kept) this.log.warn({ 'usage_events.kept': kept }, 'usage events not yet written at shutdown stay in the journal; the next start writes them');
      if (kept < this.queue.length) this.log.error({ 'usage_events.lost': this.queue.length - kept }, 'usage events could not be written before shutdown');
      for (const p of this.queue) p.release();
      this.queue = [];
      this.journaledKeys.clear();
    }
    this.opts.journal?.journal.close();
  }

  /** Appends to the journal; false (logged once per failure streak) when it cannot be written. */
  private appendToJournal(journal: UsageJournal, event: StampedUsageEvent): boolean {
    try {
      journal.append(event);
      if (this.journalFailed) this.log.info('the usage journal can be written again');
      this.journalFailed = false;
      return true;
    } catch (err) {
      if (!this.journalFailed) this.log.error({ err: { message: (err as Error).message }, dir: journal.dir }, 'the usage journal cannot be written; calls wait for their usage write to the database instead');
      this.journalFailed = true;
      return false;
    }
  }

  /** Starts a drain in `delayMs` (one timer), or after the running one. */
  private schedule(delayMs: number): void {
    if (this.writing) return; // the running drain schedules the next when it ends
    if (delayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.drain().finally(() => {
        this.writing = undefined;
        if (this.queue.length) this.schedule(this.queue.length >= this.opts.batchSize || !this.opts.journal ? 0 : this.opts.journal.flushMs);
      });
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.schedule(0);
    }, delayMs);
    this.timer.unref();
  }

  /**
   * Writes the queue batch by batch. With a journal it writes what was queued when it started (its
   * file sealed first, so the file can go once they are committed) and the next drain comes
   * `flushMs` later with the next batch; without, it writes until the queue is empty, the callers
   * waiting.
   */
  private async drain(): Promise<void> {
    let left = this.opts.journal ? this.seal(this.opts.journal.journal) : Infinity;
    while (this.queue.length && left > 0) {
      const batch = this.queue.slice(0, Math.min(this.opts.batchSize, left));
      // A statement that hangs (the database unreachable) must not hold the answers past the bound either.
      const guard = setTimeout(() => this.releaseOverdue(), this.opts.writeBoundMs);
      guard.unref();
      try {
        const inserted = await this.insertSplitting(batch.map((p) => p.event));
        this.queue.splice(0, batch.length);
        left -= batch.length;
        this.failures = 0;
        for (const p of batch) p.release();
        const direct = batch.filter((p) => !p.journaled && inserted.has(p.event.key)).map((p) => p.event);
        if (direct.length) this.opts.onCounted?.(direct);
        const notTaken = batch.filter((p) => p.journaled && !inserted.has(p.event.key)).map((p) => p.event);
        if (notTaken.length) this.opts.onUncounted?.(notTaken);
        for (const p of batch) if (p.journaled) this.journaledKeys.delete(p.event.key);
        if (inserted.size) this.opts.onInserted?.();
        this.removeWrittenFiles(batch);
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

  /** Seals the journal's current file; its events (queued, not yet in a file) get it. Resolves how many are queued. */
  private seal(journal: UsageJournal): number {
    if (journal.unsealed > 0) {
      try {
        const file = journal.seal();
        for (const p of this.queue) if (p.journaled && p.file === undefined) p.file = file;
      } catch (err) {
        // Their file stays where it is (read again at the next start, and skipped by key); the events are written all the same.
        this.log.error({ err: { message: (err as Error).message }, dir: journal.dir }, 'the usage journal could not be sealed');
      }
    }
    return this.queue.length;
  }

  /** Removes the journal files whose every event is now committed. */
  private removeWrittenFiles(batch: Pending[]): void {
    const files = new Set(batch.map((p) => p.file).filter((f) => f !== undefined));
    for (const p of this.queue) if (p.file !== undefined) files.delete(p.file);
    for (const f of files) this.opts.journal?.journal.remove(f);
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
   * Inserts the events and queues them for the rollup in one statement: each row the insert really
   * made (not a key written before) gets its `usage_pending` row, which the rollup counts once
   * (`UsageRollup`). The rows travel as one array per column (`unnest`), not as JSON. Resolves with
   * the keys it inserted.
   */
  private async insert(events: StampedUsageEvent[]): Promise<Set<string>> {
    const { db, schema } = this.opts.database;
    const meterable = events.filter((e) => isPlatformUserId(e.userId));
    if (meterable.length < events.length) this.log.warn({ 'usage_events.skipped': events.length - meterable.length }, 'usage events of principals that are not platform users were not metered');
    if (!meterable.length) return new Set();
    const col = <T>(f: (e: StampedUsageEvent) => T): T[] => meterable.map(f);
    // usage_write (migration 0020): inserts the events (`on conflict (event_key) do nothing`, joined to
    // users) and queues each inserted one in usage_pending, in one statement whose plan the session keeps.
    const result = await sql<{ event_key: string }>`
      select k as event_key from ${sql.id(schema)}.usage_write(
        ${col((e) => e.key)}::text[], ${col((e) => e.userId)}::uuid[], ${col((e) => e.service)}::text[],
        ${col((e) => e.listingVersion)}::text[], ${col((e) => e.tool)}::text[], ${col((e) => e.units)}::integer[],
        ${col((e) => e.status)}::text[], ${col((e) => Math.max(0, Math.round(e.latencyMs)))}::integer[],
        ${col((e) => e.at.toISOString())}::timestamptz[]) as k`.execute(db);
    return new Set(result.rows.map((r) => r.event_key));
  }
}

export interface UsageRollupOptions {
  database: PlatformDatabase;
  logger: Logger;
  /** Most queued events one rollup statement counts. */
  batchSize: number;
  /** How long after a write the rollup runs (events written meanwhile go in the same rollup). */
  delayMs: number;
  /** How often a replica looks for queued events with no write of its own (another replica's, left by a crash). */
  sweepMs: number;
  /** Announce the counted usage in the webhook outbox (`usage.recorded`), in the same statement. */
  announce?: boolean;
  /** After a rollup that announced something. */
  onAnnounced?: () => void;
}

/**
 * The usage rollup (docs/billing.md, "Write-before-answer, rolled up behind"): counts the events
 * queued in `usage_pending` into usage_daily, usage_monthly and usage_monthly_user, and announces
 * them in the outbox, off the answer's path and in big batches.
 *
 * One statement per batch deletes up to `batchSize` queued rows, claimed with `for update skip
 * locked`, and raises the counters by exactly the rows it deleted: a row is counted by the one
 * transaction that deleted it. Two replicas rolling up at once claim disjoint rows (a row another
 * has locked is skipped, one it deleted is gone), and a crash anywhere leaves each row either
 * queued (counted by the next rollup, on any replica) or deleted and counted, never in between. No
 * cursor over ids is involved, so events that commit out of order are no concern.
 *
 * Runs `delayMs` after a write of this replica (`kick`), and every `sweepMs` regardless (another
 * replica's leftovers), on the database's background lane (on PGlite behind the calls' writes).
 */
export class UsageRollup {
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private closed = false;
  private sinceVacuum = 0;
  private readonly log: Logger;

  constructor(private readonly opts: UsageRollupOptions) {
    this.log = opts.logger.child({ 'event.dataset': 'mcp-platform.usage' });
  }

  start(): void {
    this.kick(0);
    this.sweeper ??= setInterval(() => this.kick(0), this.opts.sweepMs);
    this.sweeper.unref();
  }

  /** Events were queued: roll up within `delayMs` (one timer however many writes). */
  kick(delayMs = this.opts.delayMs): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delayMs);
    this.timer.unref();
  }

  /**
   * Rolls up until nothing queued before `before` (default: nothing at all) is left, every
   * replica's events, not only this one's, or `timeoutMs` passed. Month closing, the quota API and tests call it; resolves with the
   * rows still queued before `before`.
   */
  async flush(before?: Date, timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // The one run slot: joins a rollup under way, or starts one (never two of this replica's at once).
      await this.run(deadline);
      const left = await this.queuedBefore(before);
      if (left === 0 || Date.now() >= deadline) return left;
      await sleep(20); // rows another replica holds in its rollup: wait for its commit
    }
  }

  /** Stops the timers and counts what is queued (bounded); what is left waits for the next start. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.sweeper);
    await this.running;
    const left = await this.flush(undefined, timeoutMs).catch(() => -1);
    if (left !== 0) this.log.warn({ 'usage_pending.left': left }, 'queued usage events not yet counted at shutdown; the next rollup (any replica) counts them');
  }

  private run(deadline = Infinity): Promise<void> {
    this.running ??= (async () => {
      this.again = false;
      try {
        await this.rollUpAll(deadline);
        this.failures = 0;
      } catch (err) {
        this.failures++;
        this.log.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, failures: this.failures }, 'usage rollup failed; the events stay queued and are retried');
        await sleep(Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(this.failures, 10)));
        this.again = true;
      }
    })().finally(() => {
      this.running = undefined;
      // Written meanwhile: the next rollup after the delay again, so a busy replica rolls up every
      // `delayMs` in one batch rather than back to back in small ones.
      if (this.again) this.kick();
    });
    return this.running;
  }

  /** Rolls up batch after batch while they come back full (until `deadline`, epoch ms). */
  private async rollUpAll(deadline = Infinity): Promise<void> {
    for (;;) {
      const { counted, announced } = await this.rollUpOnce();
      if (counted) this.sinceVacuum += counted;
      if (announced) this.opts.onAnnounced?.();
      if (counted < this.opts.batchSize || Date.now() >= deadline) break;
    }
    // Embedded PGlite runs no autovacuum: the queue's deleted rows would stay in its pages, and every
    // scan of it (the rollup's claim, the quota read) would read them. Vacuumed after every
    // VACUUM_EVERY rows it counted (a few ms on a table that holds at most a batch).
    if (this.opts.database.kind === 'pglite' && this.sinceVacuum >= VACUUM_EVERY) {
      this.sinceVacuum = 0;
      await sql`vacuum ${sql.table(`${this.opts.database.schema}.usage_pending`)}`.execute(this.opts.database.background);
    }
  }

  /**
   * One batch: claims queued rows, deletes them and raises each counter by them, in one statement.
   * Each counter's rows are upserted in key order, the same in every batch, so two replicas' rollups
   * wait for each other rather than deadlock. A deleted user's rows are deleted and not counted.
   */
  private async rollUpOnce(): Promise<{ counted: number; announced: boolean }> {
    const { background, schema } = this.opts.database;
    const pending = sql.table(`${schema}.usage_pending`);
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
        from live
        group by user_id, service, (occurred_at at time zone 'UTC')::date
        returning 1
      )`
      : sql``;
    const result = await sql<{ counted: number; announced: number }>`
      with claimed as (
        delete from ${pending}
        where ctid = any(array(select ctid from ${pending} limit ${this.opts.batchSize} for update skip locked))
        returning user_id, service, units, status, latency_ms, occurred_at
      ), live as (
        select c.* from claimed c join ${users} u on u.id = c.user_id
      ), counted as (
        insert into ${daily} (user_id, service, day, calls, units, errors, latency_ms_sum)
        select user_id, service, (occurred_at at time zone 'UTC')::date, count(*), sum(units),
               count(*) filter (where status = 'error'), sum(latency_ms)
        from live
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
        from live
        group by 1, 2, 3
        order by 1, 2, 3
        on conflict (user_id, month, service) do update set
          calls = ${monthly}.calls + excluded.calls,
          units = ${monthly}.units + excluded.units
      ), monthly_user as (
        insert into ${monthlyUser} (month, user_id, calls, units)
        select date_trunc('month', occurred_at at time zone 'UTC')::date, user_id, count(*), sum(units)
        from live
        group by 1, 2
        order by 2, 1
        on conflict (month, user_id) do update set
          calls = ${monthlyUser}.calls + excluded.calls,
          units = ${monthlyUser}.units + excluded.units
      )${announced}
      select (select count(*) from claimed)::int as counted, ${this.opts.announce ? sql`(select count(*) from announced)::int` : sql`0`} as announced`.execute(background);
    const row = result.rows[0];
    return { counted: row?.counted ?? 0, announced: (row?.announced ?? 0) > 0 };
  }

  private async queuedBefore(before: Date | undefined): Promise<number> {
    const { db, schema } = this.opts.database;
    const until = before ? sql`where occurred_at < ${before.toISOString()}::timestamptz` : sql``;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${schema}.usage_pending`)} ${until}`.execute(db);
    return rows[0]?.n ?? 0;
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
