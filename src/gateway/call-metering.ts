import type { Principal } from './principal.js';

/**
 * The seam between the MCP endpoint (src/router) and metering and quotas (src/billing): the router
 * asks `admit` before it forwards a `tools/call` and hands `record` the call's usage event before
 * it writes the answer. The types live in the kit both use, so neither imports the other; app.ts
 * hands billing's implementation to the router (docs/billing.md).
 */

/** One metered `tools/call` (docs/billing.md, "Metering"). */
export interface UsageEvent {
  /**
   * The call's idempotency key: from the client's `Idempotency-Key` header (scoped to the user and
   * the call's tool and arguments), else a UUID the router assigned. Written once, whoever writes it.
   */
  key: string;
  userId: string;
  /** The service slug. */
  service: string;
  /** The marketplace listing version that served it (its live version at call time); null for a service that is no listing's. */
  listingVersion: string | null;
  /** The tool as the upstream names it. */
  tool: string | null;
  units: number;
  status: 'ok' | 'error';
  latencyMs: number;
}

/** A quota that refuses a call: which one, and when its period ends. */
export interface QuotaRefusal {
  /** `monthly_calls`, `service_calls:<slug>` or `per_minute`. */
  quota: string;
  plan: string;
  used: number;
  limit: number;
  /** When the quota resets (the period's end; a minute's end for `per_minute`). */
  resetsAt: Date;
  /** Seconds until `resetsAt` (the `Retry-After` value), at least 1. */
  retryAfterSeconds: number;
  message: string;
}

/** What `admit` decides: refuse, or let through (with a warning once a soft limit is passed). */
export interface QuotaDecision {
  refuse?: QuotaRefusal;
  /** The `Quota-Warning` header's value: a soft limit is passed. */
  warning?: string;
  /**
   * The admitted call was not forwarded after all (refused by the tool policy, an unknown tool or
   * session): gives back what `admit` charged (the plan's per-minute point). Call it at most once.
   */
  release?: () => Promise<void>;
}

export interface CallMetering {
  /** Before anything is forwarded: may this user call (a tool of) this service now? `service` is undefined when the URL and name do not tell. */
  admit(principal: Principal, service: string | undefined): Promise<QuotaDecision>;
  /**
   * The call's usage event, durable when this resolves (the router answers after it); stamped
   * with the time it is recorded (the day and month it counts in). Never rejects: a database that stays down past the write bound is logged and the event kept queued.
   */
  record(event: UsageEvent): Promise<void>;
}
