import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from '../db/index.js';
import { errors } from './errors.js';

/**
 * Fixed-window rate limits on rate-limiter-flexible. With Redis the counters are shared by every
 * replica; without it each process counts for itself. What happens while Redis is unreachable is
 * the `redisDown` policy:
 *   - `memory` (default): an in-memory insurance limiter with the same limits takes over, per replica;
 *   - `open`: requests pass uncounted;
 *   - `closed`: requests are refused with 503.
 *
 * `createRateLimiter` builds a limiter for any key space (IP, user, user+service, ...);
 * `rateLimit` turns one into Express middleware with a key function.
 */
export type RedisDownPolicy = 'memory' | 'open' | 'closed';

export interface RateLimiterOptions {
  /** Key space, e.g. `ip`, `user`, `user-service`; part of the Redis key. */
  name: string;
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
  /** Shared store; omit for a per-process memory limiter. */
  redis?: Redis | undefined;
  redisDown?: RedisDownPolicy;
  logger?: Logger;
}

export type RateLimitDecision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number; policy: string }
  | { allowed: false; limit: number; remaining: 0; resetSeconds: number; retryAfterSeconds: number; policy: string }
  /** Redis is down and the policy is `open`: nothing was counted. */
  | { allowed: true; uncounted: true };

export interface RateLimiter {
  readonly name: string;
  readonly points: number;
  readonly durationSeconds: number;
  /** Counts one request against `key`. Throws a 503 ApiError under the `closed` policy when Redis is down. */
  consume(key: string, cost?: number): Promise<RateLimitDecision>;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const policy = opts.redisDown ?? 'memory';
  const limits = { points: opts.points, duration: opts.durationSeconds, keyPrefix: `rl:${opts.name}` };
  const policyHeader = `${opts.points};w=${opts.durationSeconds}`;
  let store: RateLimiterAbstract;
  if (opts.redis) {
    store = new RateLimiterRedis({
      ...limits,
      storeClient: opts.redis,
      // Fail over at once while the connection is down instead of waiting on a timeout.
      rejectIfRedisNotReady: true,
      ...(policy === 'memory' ? { insuranceLimiter: new RateLimiterMemory(limits) } : {}),
    });
  } else {
    store = new RateLimiterMemory(limits);
  }
  let warned = false;

  const fromRes = (res: RateLimiterRes, allowed: boolean): RateLimitDecision => {
    const resetSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    if (allowed) {
      return { allowed: true, limit: opts.points, remaining: Math.max(0, res.remainingPoints), resetSeconds, policy: policyHeader };
    }
    return {
      allowed: false,
      limit: opts.points,
      remaining: 0,
      resetSeconds,
      retryAfterSeconds: resetSeconds,
      policy: policyHeader,
    };
  };

  return {
    name: opts.name,
    points: opts.points,
    durationSeconds: opts.durationSeconds,
    async consume(key, cost = 1) {
      try {
        const res = await store.consume(key, cost);
        warned = false;
        return fromRes(res, true);
      } catch (err) {
        if (err instanceof RateLimiterRes) return fromRes(err, false);
        // The store failed (Redis unreachable). `memory` never gets here: the insurance limiter answered.
        if (!warned) {
          opts.logger?.warn(
            { 'rate_limit.name': opts.name, 'rate_limit.redis_down': policy, err: { message: (err as Error).message } },
            'rate limit store unavailable',
          );
          warned = true;
        }
        if (policy === 'closed') throw errors.unavailable('Rate limiting is unavailable; try again shortly');
        return { allowed: true, uncounted: true };
      }
    },
  };
}

/**
 * Writes the RateLimit-* headers (IETF draft, `RateLimit-Policy: <limit>;w=<seconds>`). When
 * several limiters apply to one request, the headers show the one closest to its limit.
 */
function setHeaders(res: Response, d: Exclude<RateLimitDecision, { uncounted: true }>): void {
  const current = res.getHeader('RateLimit-Remaining');
  if (current !== undefined && Number(current) < d.remaining) return;
  res.setHeader('RateLimit-Limit', String(d.limit));
  res.setHeader('RateLimit-Remaining', String(d.remaining));
  res.setHeader('RateLimit-Reset', String(d.resetSeconds));
  res.setHeader('RateLimit-Policy', d.policy);
}

/**
 * Express middleware: counts the request under `key(req)` (no key = not limited here) and answers
 * 429 + Retry-After when the budget is spent.
 */
export function rateLimit(limiter: RateLimiter, key: (req: Request) => string | undefined): RequestHandler {
  return async (req, res, next) => {
    const k = key(req);
    if (k === undefined) return next();
    const decision = await limiter.consume(k);
    if ('uncounted' in decision) return next();
    setHeaders(res, decision);
    if (!decision.allowed) {
      const err = errors.rateLimited(decision.retryAfterSeconds);
      return next(err);
    }
    next();
  };
}

/** Per client IP (respecting `trust proxy`), for everything but the health probes. */
export function ipRateLimit(limiter: RateLimiter, exemptPaths: string[] = ['/healthz', '/readyz']): RequestHandler {
  const exempt = new Set(exemptPaths);
  return rateLimit(limiter, (req) => (exempt.has(req.path) ? undefined : (req.ip ?? req.socket.remoteAddress ?? 'unknown')));
}

/** Per authenticated user; mount after `authenticate`. Requests without a principal pass through. */
export function userRateLimit(limiter: RateLimiter): RequestHandler {
  return rateLimit(limiter, (req) => req.principal?.userId);
}
