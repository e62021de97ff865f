import { sql } from 'kysely';
import type { Principal, QuotaDecision, QuotaRefusal, RateLimiter } from '../gateway/index.js';
import type { StampedUsageEvent } from './meter.js';
import { monthOf, secondsUntil, utcDay, type Period } from './period.js';
import type { Plan, PlanStore } from './plans.js';
import { isPlatformUserId } from './tables.js';

/**
 * Quotas (docs/billing.md, "Quotas"): the monthly call quota, the per-service quotas and the
 * per-minute limit of the user's plan, checked before anything is forwarded.
 *
 * Each replica keeps, per user, the plan and this month's counts as the database had them when
 * last read (at most `cacheTtlMs` ago, plus one read's time: an expired state is read again beside
 * the call that found it, which goes on with the old counts), plus the calls this replica metered
 * since. So a check costs no round trip (only a user's first call in a month, or after a plan
 * change, waits for a read), a replica sees its own calls at once, and the calls of other replicas
 * within `cacheTtlMs`: a hard limit can be passed by at most what other replicas answered in that window
 * (and by the calls of one user in flight at the same moment).
 */
export interface QuotaOptions {
  store: PlanStore;
  /** The clock (tests move it across a month's end; production: the system clock). */
  now: () => Date;
  cacheTtlMs: number;
  /** A per-minute limiter of `perMinute` calls (the gateway's store: Redis when configured). */
  minuteLimiter: (perMinute: number) => RateLimiter;
  /**
   * The calls this replica recorded that the database does not hold yet (the embedded journal's), per
   * service: added to what a read finds. Undefined: every recorded call is committed before it counts.
   */
  unwritten?: (userId: string, period: Period) => Map<string, number>;
  /** Writes what is recorded and not yet in the database, before the API's read (`usage`), so that it is exact. */
  writeRecorded?: () => Promise<unknown>;
}

interface UserQuotaState {
  plan: Plan | undefined;
  period: Period;
  used: number;
  perService: Map<string, number>;
  loadedAt: number;
}

/** How many users' states a replica keeps; the oldest go first. */
const MAX_CACHED_USERS = 50_000;

export class Quotas {
  private readonly states = new Map<string, UserQuotaState | Promise<UserQuotaState>>();
  private readonly limiters = new Map<number, RateLimiter>();
  /** Users whose counts are being read again in the background. */
  private readonly revalidating = new Set<string>();

  constructor(private readonly opts: QuotaOptions) {}

  async admit(principal: Principal, service: string | undefined): Promise<QuotaDecision> {
    const now = this.opts.now();
    const state = await this.state(principal.userId, now);
    const plan = state.plan;
    if (!plan) return {};
    const monthly = plan.monthly_calls;
    if (monthly !== null && state.used >= monthly) return { refuse: this.refusal('monthly_calls', plan, state.used, monthly, state.period.end, now) };
    const serviceLimit = service === undefined ? undefined : plan.service_quotas[service];
    const serviceUsed = service === undefined ? 0 : (state.perService.get(service) ?? 0);
    if (serviceLimit !== undefined && serviceUsed >= serviceLimit) {
      return { refuse: this.refusal(`service_calls:${service}`, plan, serviceUsed, serviceLimit, state.period.end, now) };
    }
    let release: (() => Promise<void>) | undefined;
    if (plan.per_minute !== null) {
      const limiter = this.minuteLimiter(plan.per_minute);
      const decision = await limiter.consume(principal.userId);
      if ('retryAfterSeconds' in decision) {
        return { refuse: this.refusal('per_minute', plan, plan.per_minute, plan.per_minute, new Date(now.getTime() + decision.retryAfterSeconds * 1000), now) };
      }
      // Only calls that go on are charged: one refused later (tool policy, unknown tool) gets its point back.
      release = () => limiter.consume(principal.userId, -1).then(() => undefined);
    }
    const decided: QuotaDecision = release ? { release } : {};
    // The soft limit: this call is within the quota, and takes it to (or past) the warning share.
    const soft = plan.soft_limit_percent / 100;
    if (monthly !== null && state.used + 1 >= monthly * soft) return { ...decided, warning: warningOf('monthly_calls', state.used + 1, monthly, state.period.end) };
    if (serviceLimit !== undefined && serviceUsed + 1 >= serviceLimit * soft) return { ...decided, warning: warningOf(`service_calls:${service}`, serviceUsed + 1, serviceLimit, state.period.end) };
    return decided;
  }

  /** Calls this replica metered (the writer's `onCounted`): counted at once in the cached states. */
  counted(events: StampedUsageEvent[], by = 1): void {
    for (const e of events) {
      const state = this.states.get(e.userId);
      if (!state || state instanceof Promise || e.at < state.period.start || e.at >= state.period.end) continue;
      state.used = Math.max(0, state.used + by);
      state.perService.set(e.service, Math.max(0, (state.perService.get(e.service) ?? 0) + by));
    }
  }

  /** Calls counted at once that the database then did not take (a retry of a key written before): counted back. */
  uncounted(events: StampedUsageEvent[]): void {
    this.counted(events, -1);
  }

  /** The user's plan changed (or the plan did): read again on the next call. */
  forget(userId?: string): void {
    if (userId === undefined) this.states.clear();
    else this.states.delete(userId);
  }

  /** The caller's quota as the API shows it, read from the database now. */
  async usage(userId: string): Promise<{ plan: Plan | undefined; period: Period; used: number; perService: Map<string, number> }> {
    await this.opts.writeRecorded?.();
    return this.load(userId, this.opts.now(), true);
  }

  private async state(userId: string, now: Date): Promise<UserQuotaState> {
    const cached = this.states.get(userId);
    if (cached instanceof Promise) return cached;
    if (cached && now >= cached.period.start && now < cached.period.end) {
      if (Date.now() - cached.loadedAt < this.opts.cacheTtlMs) return cached;
      // Expired: this call goes on with the counts it has (this replica's own calls are in them) and
      // the read happens beside it, so a busy user's calls never wait for the database; the next
      // calls see the fresh counts. With no cache (cacheTtlMs 0) every call waits for its read.
      if (this.opts.cacheTtlMs > 0) {
        this.revalidate(userId, cached, now);
        return cached;
      }
    }
    const loading = this.load(userId, now);
    this.states.set(userId, loading);
    try {
      const state = await loading;
      this.states.delete(userId); // re-inserted last: the map's order is the eviction order
      this.states.set(userId, state);
      if (this.states.size > MAX_CACHED_USERS) this.states.delete(this.states.keys().next().value!);
      return state;
    } catch (err) {
      if (this.states.get(userId) === loading) this.states.delete(userId);
      throw err;
    }
  }

  /** Reads a user's counts again in the background (one read at a time per user); a failed read keeps the old ones. */
  private revalidate(userId: string, stale: UserQuotaState, now: Date): void {
    if (this.revalidating.has(userId)) return;
    this.revalidating.add(userId);
    this.load(userId, now)
      .then((fresh) => {
        // Only if nothing replaced the state meanwhile (a plan change, a month's end).
        if (this.states.get(userId) !== stale) return;
        this.states.delete(userId); // re-inserted last: the map's order is the eviction order
        this.states.set(userId, fresh);
      })
      .catch(() => {
        stale.loadedAt = Date.now() - this.opts.cacheTtlMs / 2; // try again after half the TTL
      })
      .finally(() => this.revalidating.delete(userId));
  }

  /** The user's plan and this month's counts; without a plan the counts are read only for the API (`always`). */
  private async load(userId: string, now: Date, always = false): Promise<UserQuotaState> {
    const period = monthOf(now);
    const loadedAt = Date.now();
    const { plan } = await this.opts.store.planOf(userId);
    if ((!plan && !always) || !isPlatformUserId(userId)) return { plan, period, used: 0, perService: new Map(), loadedAt };
    // The month's counters (one row per service), not the month's daily rows, plus the events written
    // and not yet rolled up into them (usage_pending, a fraction of a second's): one statement, one
    // snapshot, so an event is in exactly one of the two (the rollup moves it atomically).
    const { schema } = this.opts.store.database;
    const { rows } = await sql<{ service: string; calls: string }>`
      select service, sum(calls)::text as calls from (
        select service, calls from ${sql.table(`${schema}.usage_monthly`)} where user_id = ${userId} and month = ${utcDay(period.start)}::date
        union all
        select service, count(*) from ${sql.table(`${schema}.usage_pending`)}
        where user_id = ${userId} and occurred_at >= ${period.start.toISOString()}::timestamptz and occurred_at < ${period.end.toISOString()}::timestamptz
        group by service
      ) c group by service`.execute(this.opts.store.db);
    const perService = new Map(rows.map((r) => [r.service, Number(r.calls)]));
    // Read after the statement: an event committed meanwhile is no longer unwritten, so none counts twice.
    for (const [service, n] of this.opts.unwritten?.(userId, period) ?? []) perService.set(service, (perService.get(service) ?? 0) + n);
    let used = 0;
    for (const n of perService.values()) used += n;
    return { plan, period, used, perService, loadedAt };
  }

  private minuteLimiter(perMinute: number): RateLimiter {
    let limiter = this.limiters.get(perMinute);
    if (!limiter) this.limiters.set(perMinute, (limiter = this.opts.minuteLimiter(perMinute)));
    return limiter;
  }

  private refusal(quota: string, plan: Plan, used: number, limit: number, resetsAt: Date, now: Date): QuotaRefusal {
    const what = quota === 'monthly_calls' ? `${limit} calls per month` : quota === 'per_minute' ? `${limit} calls per minute` : `${limit} calls per month to ${quota.slice('service_calls:'.length)}`;
    return {
      quota,
      plan: plan.id,
      used,
      limit,
      resetsAt,
      retryAfterSeconds: secondsUntil(resetsAt, now),
      message: `Quota exceeded: ${quota} of plan ${plan.id} (${what}) is used up until ${resetsAt.toISOString()}`,
    };
  }
}

/** The `Quota-Warning` header: `<quota>; used=<n>; limit=<n>; resets=<ISO time>`. */
function warningOf(quota: string, used: number, limit: number, resets: Date): string {
  return `${quota}; used=${used}; limit=${limit}; resets=${resets.toISOString()}`;
}

