import type { Logger } from 'pino';
import type { Redis } from '../db/index.js';
import { errors } from './errors.js';
import { markRedisFailures } from './redis-failures.js';

/**
 * Fixed-window rate-limit counters. With Redis the counters are shared by every replica (keys
 * `rl:<name>:<key>` under the connection's prefix: a string counter that expires with its window,
 * the layout rate-limiter-flexible used, so replicas of either version count together); without
 * it each process counts for itself.
 *
 * One `consume` counts several keys at once: in Redis that is ONE script call (one round trip), so
 * the per-IP, per-user and per user+service limits of one MCP request cost one round trip. Keys are
 * counted in order and counting stops after the first key over its limit, exactly as consuming
 * them one after another and stopping at the first refusal would.
 *
 * A key seen over its limit is remembered on this replica until its window ends (a fixed window's
 * count only grows until it expires), so further requests on that key are refused without asking
 * Redis: abuse costs no round trips.
 *
 * What happens while Redis is unreachable is the `redisDown` policy:
 *   - `memory` (default): in-memory insurance counters with the same limits take over, per replica;
 *   - `open`: requests pass uncounted;
 *   - `closed`: requests are refused with 503.
 */
export type RedisDownPolicy = 'memory' | 'open' | 'closed';

export type RateLimitDecision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number; policy: string }
  | { allowed: false; limit: number; remaining: 0; resetSeconds: number; retryAfterSeconds: number; policy: string }
  /** Redis is down and the policy is `open`: nothing was counted. */
  | { allowed: true; uncounted: true };

export interface RateLimiter {
  readonly name: string;
  readonly points: number;
  readonly durationSeconds: number;
  /** The store that counts for this limiter; `store.consume` counts several limiters' keys at once. */
  readonly store: RateLimitStore;
  /** Counts one request against `key`. Throws a 503 ApiError under the `closed` policy when Redis is down. */
  consume(key: string, cost?: number): Promise<RateLimitDecision>;
}

export interface RateLimitCheck {
  limiter: RateLimiter;
  key: string;
  cost?: number;
}

export interface RateLimitStore {
  limiter(name: string, points: number, durationSeconds: number): RateLimiter;
  /**
   * Counts the checks in order, in one Redis round trip, and stops after the first refusal: the
   * result has one decision per counted check, so it is shorter than `checks` when one was refused
   * before the end. Every limiter must belong to this store. Throws a 503 ApiError under the
   * `closed` policy when Redis is down.
   */
  consume(checks: readonly RateLimitCheck[]): Promise<RateLimitDecision[]>;
  /** True when counts go to Redis right now (Redis configured and connected). */
  readonly shared: boolean;
  /** The refusal this replica already knows for `key` (seen over its limit in the current window), without counting. */
  knownRefusal(limiter: RateLimiter, key: string): RateLimitDecision | undefined;
}

export interface RateLimitStoreOptions {
  /** Shared store; omit for per-process memory counters. */
  redis?: Redis | undefined;
  redisDown?: RedisDownPolicy;
  logger?: Logger;
}

export interface RateLimiterOptions extends RateLimitStoreOptions {
  /** Key space, e.g. `ip`, `user`, `user-service`; part of the Redis key. */
  name: string;
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
}

/** A limiter on a store of its own (several limiters that should count together share `createRateLimitStore`). */
export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  return createRateLimitStore(opts).limiter(opts.name, opts.points, opts.durationSeconds);
}

/**
 * KEYS: the counters; ARGV: cost, points, window (ms) per key. Counts each key (INCRBY, and the
 * window's expiry when the key is new), stopping after the first one over its limit; returns
 * count and milliseconds left in the window for every counted key.
 */
const CONSUME_SCRIPT = `
local out = {}
for i = 1, #KEYS do
  local j = (i - 1) * 3
  local count = redis.call('INCRBY', KEYS[i], ARGV[j + 1])
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[j + 3])
    ttl = tonumber(ARGV[j + 3])
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
  if count > tonumber(ARGV[j + 2]) then break end
end
return out
`;
const SCRIPT_COMMAND = 'rateLimitConsume';
type ScriptedRedis = Redis & { [SCRIPT_COMMAND](...args: Array<string | number>): Promise<number[]> };

/** Keys remembered as over their limit (per replica); beyond this, expired ones are swept, then all dropped. */
const MAX_KNOWN_REFUSALS = 10_000;

interface Limits {
  name: string;
  points: number;
  durationMs: number;
  policyHeader: string;
}

class Limiter implements RateLimiter {
  readonly limits: Limits;
  constructor(
    readonly store: Store,
    readonly name: string,
    readonly points: number,
    readonly durationSeconds: number,
  ) {
    this.limits = { name, points, durationMs: durationSeconds * 1000, policyHeader: `${points};w=${durationSeconds}` };
  }
  async consume(key: string, cost = 1): Promise<RateLimitDecision> {
    const [decision] = await this.store.consume([{ limiter: this, key, cost }]);
    return decision!;
  }
}

function decide(limits: Limits, count: number, msLeft: number): RateLimitDecision {
  const resetSeconds = Math.max(1, Math.ceil(msLeft / 1000));
  if (count <= limits.points) {
    return { allowed: true, limit: limits.points, remaining: Math.max(0, limits.points - count), resetSeconds, policy: limits.policyHeader };
  }
  return { allowed: false, limit: limits.points, remaining: 0, resetSeconds, retryAfterSeconds: resetSeconds, policy: limits.policyHeader };
}

/** Fixed windows in process memory: the store without Redis, and the insurance of the `memory` policy. */
class MemoryWindows {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private ops = 0;

  consume(checks: readonly RateLimitCheck[]): RateLimitDecision[] {
    const now = Date.now();
    if ((++this.ops & 1023) === 0) this.sweep(now);
    const out: RateLimitDecision[] = [];
    for (const check of checks) {
      const { limits } = check.limiter as Limiter;
      const id = `${limits.name}:${check.key}`;
      let w = this.windows.get(id);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + limits.durationMs };
        this.windows.set(id, w);
      }
      w.count += check.cost ?? 1;
      const decision = decide(limits, w.count, w.resetAt - now);
      out.push(decision);
      if (!decision.allowed) break;
    }
    return out;
  }

  private sweep(now: number): void {
    for (const [id, w] of this.windows) if (w.resetAt <= now) this.windows.delete(id);
  }
}

class Store implements RateLimitStore {
  private readonly policy: RedisDownPolicy;
  private readonly memory = new MemoryWindows();
  /** Redis mode, policy `memory`: counts while Redis is unreachable. */
  private readonly insurance = new MemoryWindows();
  /** `<name>:<key>` → when its window ends (epoch ms): keys seen over their limit in Redis. */
  private readonly refused = new Map<string, number>();
  private readonly redis: ScriptedRedis | undefined;
  private warned = false;

  constructor(private readonly opts: RateLimitStoreOptions) {
    this.policy = opts.redisDown ?? 'memory';
    if (opts.redis) {
      const redis = opts.redis as ScriptedRedis;
      if (typeof redis[SCRIPT_COMMAND] !== 'function') redis.defineCommand(SCRIPT_COMMAND, { lua: CONSUME_SCRIPT });
      // The shared connection's failures reaching the error handler are answered as Redis's (edge.ts).
      markRedisFailures(redis);
      this.redis = redis;
    }
  }

  get shared(): boolean {
    return this.redis?.status === 'ready';
  }

  limiter(name: string, points: number, durationSeconds: number): RateLimiter {
    return new Limiter(this, name, points, durationSeconds);
  }

  knownRefusal(limiter: RateLimiter, key: string): RateLimitDecision | undefined {
    if (!this.redis) return undefined;
    const { limits } = limiter as Limiter;
    const id = `${limits.name}:${key}`;
    const until = this.refused.get(id);
    if (until === undefined) return undefined;
    const left = until - Date.now();
    if (left <= 0) {
      this.refused.delete(id);
      return undefined;
    }
    return decide(limits, limits.points + 1, left);
  }

  async consume(checks: readonly RateLimitCheck[]): Promise<RateLimitDecision[]> {
    for (const c of checks) {
      if (c.limiter.store !== this) throw new Error(`rate limiter ${c.limiter.name} belongs to another store`);
    }
    if (!checks.length) return [];
    if (!this.redis) return this.memory.consume(checks);
    if (this.redis.status !== 'ready') return this.down(checks, new Error(`Redis is ${this.redis.status}`));
    // Keys already known to be over their limit need no round trip: count up to the first one, then refuse it.
    let upTo = checks.length;
    let refusal: RateLimitDecision | undefined;
    for (let i = 0; i < checks.length; i++) {
      refusal = this.knownRefusal(checks[i]!.limiter, checks[i]!.key);
      if (refusal) {
        upTo = i;
        break;
      }
    }
    const counted = upTo === checks.length ? checks : checks.slice(0, upTo);
    let out: RateLimitDecision[] = [];
    if (counted.length) {
      const args: Array<string | number> = [counted.length];
      for (const c of counted) args.push(`rl:${c.limiter.name}:${c.key}`);
      for (const c of counted) {
        const { limits } = c.limiter as Limiter;
        args.push(c.cost ?? 1, limits.points, limits.durationMs);
      }
      let reply: number[];
      try {
        reply = await this.redis[SCRIPT_COMMAND](...args);
      } catch (err) {
        return this.down(checks, err as Error);
      }
      this.warned = false;
      out = this.fromReply(counted, reply);
    }
    if (refusal && out.length === counted.length && !out.some((d) => !d.allowed)) out.push(refusal);
    return out;
  }

  private fromReply(checks: readonly RateLimitCheck[], reply: number[]): RateLimitDecision[] {
    const out: RateLimitDecision[] = [];
    const now = Date.now();
    for (let i = 0; i * 2 < reply.length && i < checks.length; i++) {
      const { limits } = checks[i]!.limiter as Limiter;
      const count = Number(reply[i * 2]);
      const msLeft = Number(reply[i * 2 + 1]);
      const decision = decide(limits, count, msLeft);
      if (!decision.allowed) this.remember(`${limits.name}:${checks[i]!.key}`, now + msLeft);
      out.push(decision);
    }
    return out;
  }

  private remember(id: string, until: number): void {
    if (this.refused.size >= MAX_KNOWN_REFUSALS) {
      const now = Date.now();
      for (const [k, t] of this.refused) if (t <= now) this.refused.delete(k);
      if (this.refused.size >= MAX_KNOWN_REFUSALS) this.refused.clear();
    }
    this.refused.set(id, until);
  }

  /** Redis unreachable: the policy answers. */
  private down(checks: readonly RateLimitCheck[], err: Error): RateLimitDecision[] {
    if (!this.warned) {
      this.opts.logger?.warn(
        { 'rate_limit.name': checks.map((c) => c.limiter.name).join(','), 'rate_limit.redis_down': this.policy, err: { message: err.message } },
        'rate limit store unavailable',
      );
      this.warned = true;
    }
    if (this.policy === 'memory') return this.insurance.consume(checks);
    if (this.policy === 'closed') throw errors.unavailable('Rate limiting is unavailable; try again shortly');
    return checks.map((): RateLimitDecision => ({ allowed: true, uncounted: true }));
  }
}

export function createRateLimitStore(opts: RateLimitStoreOptions = {}): RateLimitStore {
  return new Store(opts);
}
