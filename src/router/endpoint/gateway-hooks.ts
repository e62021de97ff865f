import type { Request, Response } from 'express';
import {
  bearerToken,
  consumeWithDeferred,
  CredentialRejected,
  type BearerVerifier,
  type Principal,
  type RateLimitCheck,
  type RateLimitDecision,
  type RateLimiter,
} from '../../gateway/index.js';
import { splitName } from './names.js';

/**
 * The gateway's parts as the MCP endpoint's hooks: its rate limiters (per user, per user + service,
 * with the per-IP count the edge deferred) and its bearer verification. app.ts builds them and hands
 * them to `createMcpRouter`; the endpoint itself only sees `McpRateLimit` and `authenticate`.
 */

/** Thrown by a rate-limit hook to refuse a request (429 with Retry-After at the HTTP edge). */
export class McpRateLimited extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly scope: 'user' | 'service',
  ) {
    super('Rate limit exceeded');
  }
}

/** The HTTP exchange a per-request count belongs to: `slug` is the service of `/mcp/{slug}`, undefined at the aggregate `/mcp`. */
export interface McpHttpExchange {
  req: Request;
  res: Response;
  slug: string | undefined;
}

/** Rate limits of the MCP endpoints: per user (each HTTP request) and per user + service (each forwarded request). */
export interface McpRateLimit {
  /**
   * Counts one HTTP request: the per-IP count the edge deferred to here, the per-user limit, and,
   * for a `tools/call` whose service the URL or the tool name tells, that user + service forward,
   * all in one round trip. Throws McpRateLimited('user'), or the edge's own 429 (an ApiError) when
   * the IP is over its limit. A user + service refusal is not thrown here: the forward reports it.
   */
  perRequest(principal: Principal, exchange: McpHttpExchange): Promise<void>;
  /** Before one upstream request: the user + service limit (paid already when `perRequest` counted it). */
  perService(principal: Principal, serviceSlug: string): Promise<void>;
}

/** A user + service forward counted ahead by `perRequest`, spent by the first matching `perService`. */
interface Prepaid {
  slug: string;
  decision: RateLimitDecision;
  spent: boolean;
}

/**
 * The gateway's limiters as the MCP rate-limit hook (`user` and `userService` on one store).
 *
 * A `tools/call` addressed to a service is charged to that user + service when it arrives, in the
 * same round trip as the IP and user limits, and the forward then spends that charge instead of
 * counting again. The charge belongs to the request: the forward finds it through the principal
 * object of the request (the one handed to the relay and the fast path), and it is dropped when
 * the response ends. A call that is then not forwarded (its tool refused by the tool policy, an
 * unknown tool or session) has still spent one from that user + service budget.
 */
export function mcpRateLimits(user: RateLimiter, userService: RateLimiter): McpRateLimit {
  const prepaid = new WeakMap<Principal, Prepaid[]>();
  const refuse = (d: RateLimitDecision | undefined, scope: 'user' | 'service') => {
    if (d && !('uncounted' in d) && !d.allowed) throw new McpRateLimited(d.retryAfterSeconds, scope);
  };
  return {
    async perRequest(principal, { req, res, slug }) {
      const forward = toolCallService(req, slug);
      const checks: RateLimitCheck[] = [{ limiter: user, key: principal.userId }];
      if (forward !== undefined) checks.push({ limiter: userService, key: `${principal.userId}:${forward}` });
      const [perUser, perService] = await consumeWithDeferred(req, res, checks);
      refuse(perUser, 'user');
      if (forward === undefined || !perService) return;
      const entry: Prepaid = { slug: forward, decision: perService, spent: false };
      const list = prepaid.get(principal);
      if (list) list.push(entry);
      else prepaid.set(principal, [entry]);
      res.once('close', () => {
        const left = prepaid.get(principal);
        if (!left) return;
        const i = left.indexOf(entry);
        if (i >= 0) left.splice(i, 1);
        if (!left.length) prepaid.delete(principal);
      });
    },
    async perService(principal, slug) {
      const paid = prepaid.get(principal)?.find((p) => p.slug === slug && !p.spent);
      if (paid) {
        paid.spent = true;
        return refuse(paid.decision, 'service');
      }
      refuse(await userService.consume(`${principal.userId}:${slug}`), 'service');
    },
  };
}

/** The service a single `tools/call` POST is addressed to: the endpoint's, or at the aggregate the tool name's prefix. */
export function toolCallService(req: Request, slug: string | undefined): string | undefined {
  if (req.method !== 'POST') return undefined;
  const body = req.body as { method?: unknown; params?: { name?: unknown } } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.method !== 'tools/call') return undefined;
  if (slug !== undefined) return slug;
  return typeof body.params?.name === 'string' ? splitName(body.params.name)?.slug : undefined;
}

/**
 * The MCP endpoint's `authenticate`, counting the edge's deferred per-IP check of a request that
 * carries no valid credentials before it is answered 401: its RateLimit-* headers are set, and an
 * IP over its limit gets the edge's 429 instead, as when the edge counted it first.
 */
export function countingRefusals(authenticate: (req: Request) => Promise<Principal | undefined>): (req: Request) => Promise<Principal | undefined> {
  return async (req) => {
    const principal = await authenticate(req);
    if (!principal && req.res) await consumeWithDeferred(req, req.res, []);
    return principal;
  };
}

/** The gateway's bearer verification (JWT or API key) as the MCP endpoint's `authenticate`. */
export function principalFromBearer(verifier: BearerVerifier, publicUrl: string): (req: Request) => Promise<Principal | undefined> {
  return async (req) => {
    const token = bearerToken(req);
    if (!token) return undefined;
    // The resource this request calls: an OAuth access token must have been issued for exactly it.
    const service = typeof req.params.service === 'string' ? req.params.service : undefined;
    const resource = `${publicUrl}/mcp${service ? `/${service}` : ''}`;
    try {
      // `ip` read only by a verifier that needs it (Express derives it through the trust-proxy rules on every read).
      return await verifier.verify(token, {
        get ip() {
          return req.ip;
        },
        requestId: String(req.id),
        resource,
      });
    } catch (err) {
      if (err instanceof CredentialRejected) return undefined;
      throw err;
    }
  };
}
