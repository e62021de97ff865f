import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, PlatformDatabase } from '../db/index.js';
import type { CallMetering, RateLimiter } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import { UsageWriter } from './meter.js';
import { PlanStore } from './plans.js';
import { Quotas } from './quota.js';
import { billingRouter } from './routes.js';
import { PriceBook } from './statements.js';

export { billingOpenApi } from './openapi.js';
export type { Plan } from './plans.js';
export type { QuotaView } from './routes.js';
export type { Statement } from './statements.js';

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
  /** A per-minute limiter for plans' `per_minute` (the gateway's rate-limit store). */
  minuteLimiter: (perMinute: number) => RateLimiter;
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
  /** Writes the queued events (bounded), then stops. */
  close(timeoutMs?: number): Promise<void>;
}

/** What auth's admin route needs to give a user a plan, without importing billing. */
export interface UserPlanAssigner {
  assign(trx: Kysely<Database>, userId: string, planId: string | null): Promise<string | null>;
  /** After the transaction committed: the user's quota is read again. */
  changed(userId: string): void;
}

export function createBilling(opts: BillingOptions): Billing {
  const now = opts.now ?? (() => new Date());
  const store = new PlanStore(opts.database, opts.defaultPlan);
  const quotas = new Quotas({ store, now, cacheTtlMs: opts.quotaCacheMs, minuteLimiter: opts.minuteLimiter });
  const writer = new UsageWriter({
    database: opts.database,
    logger: opts.logger,
    batchSize: opts.batchSize,
    writeBoundMs: opts.writeBoundMs,
    onInserted: (events) => quotas.counted(events),
  });
  const prices = new PriceBook(store.db, now);
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
    router: billingRouter({ store, quotas, prices, audit: opts.audit }),
    userPlans: {
      assign: (trx, userId, planId) => store.assign(trx, userId, planId),
      changed: (userId) => quotas.forget(userId),
    },
    get queuedEvents() {
      return writer.depth;
    },
    close: (timeoutMs = 10_000) => writer.close(Date.now() + timeoutMs),
  };
}
