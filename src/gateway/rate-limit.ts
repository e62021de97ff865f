import type { Request, RequestHandler, Response } from 'express';
import { errors } from './errors.js';
import type { RateLimitCheck, RateLimitDecision, RateLimiter } from './rate-limit-store.js';

/**
 * Rate limits as Express middleware, over the counters of rate-limit-store.ts. `rateLimit` turns a
 * limiter into middleware with a key function; `ipRateLimit` and `userRateLimit` are the two the
 * gateway mounts.
 *
 * A route that counts limits of its own later in the request (the MCP endpoints: per user and per
 * user + service) can have the edge's per-IP count deferred to that point (`defer`), so that all
 * the limits of one request cost one Redis round trip (`consumeWithDeferred`). The deferral never
 * lets a request through uncounted:
 *   - it applies only while Redis is connected (otherwise the edge counts at once and the
 *     Redis-down policy answers as always);
 *   - a key this replica already knows to be over its limit is refused at the edge, with no
 *     round trip, before the body is read;
 *   - a request the route does not count is counted when its response ends (the MCP endpoint
 *     counts a request without valid credentials before its 401; what the Host/Origin check or
 *     the body parser refuses, 403/400/413, is counted after the answer, which then carries no
 *     RateLimit-* headers).
 * What the deferral changes: the first over-limit requests of a window on a replica (those in
 * flight when the count crosses the limit, at most the replica's concurrent requests from that
 * key) read their body and authenticate before they are refused; the answer is the same 429.
 */

interface Deferred {
  checks: RateLimitCheck[];
}
const deferred = new WeakMap<Request, Deferred>();

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

/** Sets the headers of an edge decision; the 429 error (gateway shape, Retry-After) when it refuses. */
function edgeOutcome(res: Response, decision: RateLimitDecision): Error | undefined {
  if ('uncounted' in decision) return undefined;
  setHeaders(res, decision);
  return decision.allowed ? undefined : errors.rateLimited(decision.retryAfterSeconds);
}

function defer(req: Request, res: Response, check: RateLimitCheck): void {
  const entry = deferred.get(req);
  if (entry) {
    entry.checks.push(check);
    return;
  }
  deferred.set(req, { checks: [check] });
  res.once('close', () => {
    const left = deferred.get(req);
    if (!left) return;
    deferred.delete(req);
    // Refused before the route counted it: count it now, so it still spends the budget.
    void consumeAll(left.checks).catch(() => undefined);
  });
}

/** Consumes checks of one store in one call, of several stores one store after another. */
async function consumeAll(checks: RateLimitCheck[]): Promise<RateLimitDecision[]> {
  const store = checks[0]?.limiter.store;
  if (!store) return [];
  if (checks.every((c) => c.limiter.store === store)) return store.consume(checks);
  const out: RateLimitDecision[] = [];
  for (const c of checks) {
    const [d] = await c.limiter.store.consume([c]);
    out.push(d!);
    if (!d!.allowed) break;
  }
  return out;
}

/**
 * Counts the edge's deferred checks of this request (if any) and then `checks`, in one round trip
 * when they share a store. A refusal by a deferred check throws the edge's own 429 (the gateway
 * error shape with Retry-After; its RateLimit-* headers set), as if the edge had refused it.
 * Returns the decisions of `checks`: shorter than `checks` when one of them refused (the ones
 * after it were not counted). Throws a 503 ApiError under the `closed` Redis-down policy.
 */
export async function consumeWithDeferred(req: Request, res: Response, checks: RateLimitCheck[]): Promise<RateLimitDecision[]> {
  const edge = deferred.get(req)?.checks ?? [];
  deferred.delete(req);
  const decisions = await consumeAll(edge.length ? [...edge, ...checks] : checks);
  for (let i = 0; i < edge.length && i < decisions.length; i++) {
    const refused = edgeOutcome(res, decisions[i]!);
    if (refused) throw refused;
  }
  return decisions.slice(edge.length);
}

export interface RateLimitOptions {
  /**
   * Requests whose count a later handler makes together with its own limits
   * (`consumeWithDeferred`), while the store is Redis and connected. Requests this returns false
   * for are counted at once.
   */
  defer?: (req: Request) => boolean;
}

/**
 * Express middleware: counts the request under `key(req)` (no key = not limited here) and answers
 * 429 + Retry-After when the budget is spent.
 */
export function rateLimit(limiter: RateLimiter, key: (req: Request) => string | undefined, opts: RateLimitOptions = {}): RequestHandler {
  return async (req, res, next) => {
    const k = key(req);
    if (k === undefined) return next();
    if (opts.defer && limiter.store.shared && opts.defer(req)) {
      const known = limiter.store.knownRefusal(limiter, k);
      if (known) return next(edgeOutcome(res, known));
      defer(req, res, { limiter, key: k });
      return next();
    }
    let decision: RateLimitDecision;
    try {
      decision = await limiter.consume(k);
    } catch (err) {
      return next(err);
    }
    next(edgeOutcome(res, decision));
  };
}

/** Per client IP (respecting `trust proxy`), for everything but the health probes. */
export function ipRateLimit(limiter: RateLimiter, exemptPaths: string[] = ['/healthz', '/readyz'], opts: RateLimitOptions = {}): RequestHandler {
  const exempt = new Set(exemptPaths);
  return rateLimit(limiter, (req) => (exempt.has(req.path) ? undefined : clientIp(req)), opts);
}

/**
 * `req.ip`. Without trusted proxies (`trust proxy` false, the default) that is the socket's
 * address, read here directly: Express's getter parses X-Forwarded-For through the trust rules on
 * every read before it answers the same.
 */
function clientIp(req: Request): string {
  if (req.app?.get('trust proxy') === false) return req.socket.remoteAddress ?? 'unknown';
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Per authenticated user; mount after `authenticate`. Requests without a principal pass through. */
export function userRateLimit(limiter: RateLimiter): RequestHandler {
  return rateLimit(limiter, (req) => req.principal?.userId);
}
