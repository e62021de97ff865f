import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { EgressGuard } from '../gateway/index.js';
import type { BillingDb } from './tables.js';

/**
 * The billing webhook outbox (docs/billing.md, "Webhook events").
 *
 * Rows of `billing_events` are written in the transaction of what they announce (the usage batch's
 * statement, a statement's finalisation). Every replica runs a delivery worker: it claims due rows
 * with `for update skip locked` and a lease (`claimed_until`), so two replicas never post the same
 * event at once, and a replica that dies mid-delivery leaves a lease that simply runs out. Each
 * attempt posts the same body with the same `Idempotency-Key` (the event id); only the signature's
 * timestamp is new. A failed attempt is retried after `backoffMs · 2^(attempt-1)` (at most an hour);
 * after `maxAttempts` the event is `dead` until an admin redelivers it.
 */

export type BillingEventType = 'usage.recorded' | 'statement.finalized';
export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface WebhookConfig {
  url: string;
  secret: string;
  maxAttempts: number;
  backoffMs: number;
  pollMs: number;
  timeoutMs: number;
}

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, as Stripe signs its own. */
export const SIGNATURE_HEADER = 'MCP-Platform-Signature';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/**
 * Checks a signature header against a body (what a receiver does; the tests use it). `toleranceS`:
 * how old the timestamp may be (replays older than that are refused).
 */
export function verifyWebhook(secret: string, header: string, body: string, nowS = Math.floor(Date.now() / 1000), toleranceS = 300): boolean {
  const parts = new Map(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1 || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).split('v1=')[1]!, 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An event as the admin API lists it. */
export interface BillingEventView {
  id: string;
  type: BillingEventType;
  created_at: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
  payload: Record<string, unknown>;
}

interface EventRow {
  id: string;
  type: string;
  payload: Record<string, unknown> | string;
  created_at: Date | string;
  state: string;
  attempts: number;
  next_attempt_at: Date | string;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | string | null;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const payloadOf = (p: EventRow['payload']): Record<string, unknown> => (typeof p === 'string' ? (JSON.parse(p) as Record<string, unknown>) : p);

/**
 * The body posted for an event, built from its stored columns only, so that every attempt sends
 * the very same bytes: `{ id, object: "event", type, created, data }` (Stripe's event envelope).
 */
export function eventBody(row: Pick<EventRow, 'id' | 'type' | 'payload' | 'created_at'>): string {
  return JSON.stringify({ id: row.id, object: 'event', type: row.type, created: Math.floor(new Date(row.created_at).getTime() / 1000), data: payloadOf(row.payload) });
}

const MAX_BACKOFF_MS = 3_600_000;
const CLAIM_BATCH = 20;

export interface OutboxOptions {
  db: BillingDb;
  schema: string;
  logger: Logger;
  egress: EgressGuard;
  config: WebhookConfig;
  /** Counted per attempt (billing_webhook_deliveries_total). */
  onAttempt?: (outcome: 'delivered' | 'failed' | 'dead') => void;
}

export class WebhookOutbox {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly opts: OutboxOptions) {
    this.log = opts.logger.child({ 'event.dataset': 'mcp-platform.billing-webhooks' });
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.opts.config.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for due events now (after this replica wrote some). */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work()
      .catch((err: unknown) => this.log.error({ err: { message: (err as Error).message } }, 'billing webhook delivery round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Claims due events and delivers them, until none is due. */
  private async work(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const claimed = await this.claim();
      if (!claimed.length) return;
      await Promise.all(claimed.map((row) => this.deliver(row)));
    }
  }

  private get table() {
    return sql.table(`${this.opts.schema}.billing_events`);
  }

  /** Up to CLAIM_BATCH due events, leased to this replica (skip locked: another replica's claim is skipped, never waited for). */
  private async claim(): Promise<EventRow[]> {
    const leaseMs = this.opts.config.timeoutMs + 30_000;
    const t = this.table;
    const result = await sql<EventRow>`
      update ${t} set claimed_until = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1
      where id in (
        select id from ${t}
        where state = 'pending' and next_attempt_at <= now() and (claimed_until is null or claimed_until < now())
        order by next_attempt_at
        limit ${CLAIM_BATCH}
        for update skip locked)
      returning id, type, payload, created_at, state, attempts, next_attempt_at, last_status, last_error, delivered_at`.execute(this.opts.db);
    return result.rows;
  }

  private async deliver(row: EventRow): Promise<void> {
    const { url, secret, timeoutMs, maxAttempts, backoffMs } = this.opts.config;
    const body = eventBody(row);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.opts.egress.fetch(url, {
        // An operator's endpoint: private addresses allowed, link-local and cloud metadata never (docs/gateway.md).
        policy: 'instance',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'mcp-platform-billing-webhooks',
          'idempotency-key': row.id,
          [SIGNATURE_HEADER.toLowerCase()]: signWebhook(secret, Math.floor(Date.now() / 1000), body),
        },
        body,
        maxBytes: 64 * 1024,
        timeoutMs,
        maxRedirects: 0,
      });
      status = res.status;
      if (status < 200 || status >= 300) error = `the endpoint answered HTTP ${status}`;
    } catch (err) {
      // The receiver's body and our secret never go into the row or the log; the error's message does.
      error = (err as Error).message.slice(0, 500);
    }
    const t = this.table;
    if (!error) {
      await sql`update ${t} set state = 'delivered', delivered_at = now(), claimed_until = null, last_status = ${status}, last_error = null where id = ${row.id}`.execute(this.opts.db);
      this.opts.onAttempt?.('delivered');
      return;
    }
    if (row.attempts >= maxAttempts) {
      await sql`update ${t} set state = 'dead', claimed_until = null, last_status = ${status}, last_error = ${error} where id = ${row.id}`.execute(this.opts.db);
      this.opts.onAttempt?.('dead');
      this.log.error({ 'billing_event.id': row.id, 'billing_event.type': row.type, attempts: row.attempts, error }, 'billing webhook event is dead after its last attempt');
      return;
    }
    const delayMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** (row.attempts - 1));
    await sql`update ${t} set next_attempt_at = now() + ${delayMs} * interval '1 millisecond', claimed_until = null, last_status = ${status}, last_error = ${error} where id = ${row.id}`.execute(this.opts.db);
    this.opts.onAttempt?.('failed');
    this.log.warn({ 'billing_event.id': row.id, attempts: row.attempts, error, retry_in_ms: delayMs }, 'billing webhook delivery failed; retrying');
  }
}

/** The admin API's view of the outbox (works whether or not this replica delivers). */
export class OutboxAdmin {
  constructor(private readonly db: BillingDb) {}

  async list(filter: { state?: DeliveryState; type?: BillingEventType; limit: number; before?: string }): Promise<BillingEventView[]> {
    let q = this.db.selectFrom('billing_events').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.before) q = q.where('created_at', '<', new Date(filter.before));
    return (await q.execute()).map(viewOf);
  }

  async get(id: string): Promise<BillingEventView | undefined> {
    const row = await this.db.selectFrom('billing_events').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? viewOf(row) : undefined;
  }

  /** Back to pending, due now, with a fresh set of attempts; the id (the idempotency key) stays. */
  async redeliver(id: string): Promise<BillingEventView | undefined> {
    const row = await this.db
      .updateTable('billing_events')
      .set({ state: 'pending', attempts: 0, next_attempt_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? viewOf(row) : undefined;
  }
}

function viewOf(r: EventRow): BillingEventView {
  return {
    id: r.id,
    type: r.type as BillingEventType,
    created_at: iso(r.created_at)!,
    state: r.state as DeliveryState,
    attempts: r.attempts,
    next_attempt_at: r.state === 'pending' ? iso(r.next_attempt_at) : null,
    last_status: r.last_status,
    last_error: r.last_error,
    delivered_at: iso(r.delivered_at),
    payload: payloadOf(r.payload),
  };
}
