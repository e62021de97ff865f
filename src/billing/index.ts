import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, PlatformDatabase } from '../db/index.js';
import type { CallMetering, EgressGuard, RateLimiter } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import { UsageJournal } from './journal.js';
import { UsageRollup, UsageWriter } from './meter.js';
import { PlanStore } from './plans.js';
import { Quotas } from './quota.js';
import { billingRouter } from './routes.js';
import { builtServiceOwners, payoutReport, type ServiceOwnership } from './payouts.js';
import { MonthCloser } from './month-close.js';
import { finaliseMonth, PriceBook } from './statements.js';
import { billingDb } from './tables.js';
import { OutboxAdmin, WebhookOutbox, type WebhookConfig } from './webhooks.js';

export { billingOpenApi } from './openapi.js';
export type { MonthCloser } from './month-close.js';
export type { Plan } from './plans.js';
export type { QuotaView } from './routes.js';
export type { Statement } from './statements.js';
export type { OwnedService, PayoutReport, ServiceOwnership } from './payouts.js';
export { builtServiceOwners } from './payouts.js';
export { SIGNATURE_HEADER, signWebhook, verifyWebhook, type WebhookConfig } from './webhooks.js';

/**
 * Metering, plans and quotas (docs/billing.md). The router reaches it only through the gateway
 * kit's `CallMetering` (admit before forwarding, record before answering), which app.ts hands it.
 */
export interface BillingOptions {
  database: PlatformDatabase;
  logger: Logger;
  audit: AuditSink;
  /** BILLING_DEFAULT_PLAN: the plan of users an admin gave none (undefined: no quota for them). */
  defaultPlan: string | undefined;
  /** BILLING_QUOTA_CACHE_MS */
  quotaCacheMs: number;
  /** BILLING_METER_BATCH_SIZE */
  batchSize: number;
  /** BILLING_METER_WRITE_BOUND_MS */
  writeBoundMs: number;
  /**
   * The usage journal's directory (embedded PGlite: DATA_DIR/usage-journal): calls are answered once
   * their event is in it, and the events are inserted behind the answers. Undefined (PostgreSQL):
   * each call waits for its event's commit.
   */
  journalDir?: string;
  /** A per-minute limiter for plans' `per_minute` (the gateway's rate-limit store). */
  minuteLimiter: (perMinute: number) => RateLimiter;
  /** The webhook outbox (BILLING_WEBHOOK_*); undefined: no events are written or posted. */
  webhook?: WebhookConfig;
  /** The SSRF guard every delivery goes through (policy `instance`). */
  egress: EgressGuard;
  /** Which services each provider owns (payout reports); default: a built service's owner. */
  serviceOwnership?: ServiceOwnership;
  /** Counters (billing_usage_events_dropped_total, billing_webhook_deliveries_total). */
  metrics?: { usageEventDropped(): void; webhookDelivery(outcome: 'delivered' | 'failed' | 'dead'): void };
  /**
   * BILLING_FINALISE_SCHEDULE / _GRACE_MS / _CHECK_MS: finalise the previous month's statements on a
   * schedule; undefined: only by the admin route.
   */
  finaliseSchedule?: { graceMs: number; checkMs: number };
  /** The clock quotas count months by; only tests pass one (PlatformOptions.clock, not reachable from the environment). */
  now?: () => Date;
}

export interface Billing {
  readonly metering: CallMetering;
  /** /v1/admin/plans…, /v1/usage/quota, /v1/admin/users/{id}/quota (mount after authenticate). */
  readonly router: ReturnType<typeof billingRouter>;
  /** auth's `PATCH /v1/admin/users/{id}` `{ "plan" }`: inside its transaction; resolves with the previous plan. */
  readonly userPlans: UserPlanAssigner;
  /** Per-call prices of services, set for marketplace listings when a version is approved (app.ts hands them to the marketplace). */
  readonly prices: { set(service: string, pricePerCall: string, currency: string): Promise<void>; remove(service: string): Promise<void> };
  /** Usage events waiting to be written (for tests and metrics). */
  readonly queuedEvents: number;
  /**
   * Counts the written events queued before `before` (default: all of them) into the counters at once,
   * every replica's (docs/billing.md, "Rolled up behind"); resolves with what is still queued.
   */
  rollUp(before?: Date): Promise<number>;
  /** The statement scheduler (undefined with BILLING_FINALISE_SCHEDULE=false); tests call its `tick`. */
  readonly monthCloser: MonthCloser | undefined;
  /** The outbox's delivery worker (undefined without BILLING_WEBHOOK_URL). */
  readonly webhooks: WebhookOutbox | undefined;
  /** Writes the queued events (bounded), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

/** What auth's admin route needs to give a user a plan, without importing billing. */
export interface UserPlanAssigner {
  assign(trx: Kysely<Database>, userId: string, planId: string | null): Promise<string | null>;
  /** After the transaction committed: the user's quota is read again. */
  changed(userId: string): void;
}

/** Most queued usage events one rollup statement counts. */
const ROLLUP_BATCH_SIZE = 5_000;
/** How long after a write the counters are raised (docs/billing.md: the counters' lag). */
const ROLLUP_DELAY_MS = 200;
/** How long a journaled event waits for the next batch to PGlite (docs/billing.md: the journal): a statement has a fixed cost on PGlite, so fewer, bigger batches. */
const JOURNAL_FLUSH_MS = 1000;
/** How often each replica rolls up with no write of its own (another replica's leftovers after a crash). */
const ROLLUP_SWEEP_MS = 5_000;

export function createBilling(opts: BillingOptions): Billing {
  const now = opts.now ?? (() => new Date());
  const store = new PlanStore(opts.database, opts.defaultPlan);
  const db = billingDb(opts.database);
  const webhooks = opts.webhook
    ? new WebhookOutbox({ db, schema: opts.database.schema, logger: opts.logger, egress: opts.egress, config: opts.webhook, onAttempt: (o) => opts.metrics?.webhookDelivery(o) })
    : undefined;
  const rollup = new UsageRollup({
    database: opts.database,
    logger: opts.logger,
    batchSize: ROLLUP_BATCH_SIZE,
    delayMs: ROLLUP_DELAY_MS,
    sweepMs: ROLLUP_SWEEP_MS,
    announce: Boolean(webhooks),
    onAnnounced: () => webhooks?.kick(),
  });
  const opened = opts.journalDir ? UsageJournal.open(opts.journalDir, opts.logger) : undefined;
  const writer = new UsageWriter({
    database: opts.database,
    logger: opts.logger,
    batchSize: opts.batchSize,
    writeBoundMs: opts.writeBoundMs,
    journal: opened ? { journal: opened.journal, flushMs: JOURNAL_FLUSH_MS } : undefined,
    onDropped: () => opts.metrics?.usageEventDropped(),
    onCounted: (events) => quotas.counted(events),
    onUncounted: (events) => quotas.uncounted(events),
    onInserted: () => rollup.kick(),
  });
  if (opened) writer.recover(opened.leftovers);
  const quotas = new Quotas({
    store,
    now,
    cacheTtlMs: opts.quotaCacheMs,
    minuteLimiter: opts.minuteLimiter,
    // The journal's events not yet in the database count too (none without a journal: a call counts once committed).
    unwritten: opened ? (userId, period) => writer.unwritten(userId, period.start, period.end) : undefined,
    writeRecorded: opened ? () => writer.flush() : undefined,
  });
  /** Everything recorded so far into the counters: the journal's events written, then the queue rolled up. */
  const flushUsage = async (before?: Date): Promise<number> => {
    await writer.flush();
    return rollup.flush(before);
  };
  const prices = new PriceBook(store.db, now);
  const ownership = opts.serviceOwnership ?? builtServiceOwners;
  const monthCloser = opts.finaliseSchedule
    ? new MonthCloser({ db, schema: opts.database.schema, prices, logger: opts.logger, now, announce: Boolean(webhooks), rollUp: flushUsage, ...opts.finaliseSchedule })
    : undefined;
  rollup.start();
  webhooks?.start();
  monthCloser?.start();
  return {
    prices: {
      async set(service, pricePerCall, currency) {
        await prices.set(service, { price_per_call: pricePerCall, currency });
      },
      async remove(service) {
        await prices.remove(service).catch(() => undefined); // none set: nothing to remove
      },
    },
    metering: {
      admit: (principal, service) => quotas.admit(principal, service),
      record: (event) => writer.record({ ...event, at: now() }),
    },
    router: billingRouter({
      store,
      quotas,
      prices,
      audit: opts.audit,
      outbox: new OutboxAdmin(db),
      finalise: async (body) => {
        await flushUsage(); // the counters the statements read: everything recorded first
        return finaliseMonth(prices, db, now(), body, Boolean(webhooks));
      },
      payouts: async (month, providerId) => {
        await flushUsage();
        return payoutReport(db, opts.database.schema, month, await ownership(db, providerId));
      },
      kickOutbox: () => webhooks?.kick(),
      rollUp: () => flushUsage(),
    }),
    userPlans: {
      assign: (trx, userId, planId) => store.assign(trx, userId, planId),
      changed: (userId) => quotas.forget(userId),
    },
    get queuedEvents() {
      return writer.depth;
    },
    rollUp: flushUsage,
    webhooks,
    monthCloser,
    close: async (timeoutMs = 10_000) => {
      await monthCloser?.close();
      const deadline = Date.now() + timeoutMs;
      await writer.close(deadline);
      await rollup.close(Math.max(1_000, deadline - Date.now()));
      await webhooks?.close();
    },
  };
}
