import type { Request } from 'express';
import { bearerToken, CredentialRejected, type BearerVerifier, type Principal, type RateLimiter } from '../../gateway/index.js';

/** Thrown by a rate-limit hook to refuse a request (429 with Retry-After at the HTTP edge). */
export class McpRateLimited extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly scope: 'user' | 'service',
  ) {
    super('Rate limit exceeded');
  }
}

/** Rate limits of the MCP endpoints: per user (each HTTP request) and per user + service (each forwarded request). */
export interface McpRateLimit {
  perUser(principal: Principal): Promise<void>;
  perService(principal: Principal, serviceSlug: string): Promise<void>;
}

/** The gateway's limiters as the MCP rate-limit hook. */
export function mcpRateLimits(user: RateLimiter, userService: RateLimiter): McpRateLimit {
  return {
    async perUser(principal) {
      const d = await user.consume(principal.userId);
      if (!d.allowed) throw new McpRateLimited(d.retryAfterSeconds, 'user');
    },
    async perService(principal, slug) {
      const d = await userService.consume(`${principal.userId}:${slug}`);
      if (!d.allowed) throw new McpRateLimited(d.retryAfterSeconds, 'service');
    },
  };
}

/** The gateway's bearer verification (JWT or API key) as the MCP endpoint's `authenticate`. */
export function principalFromBearer(verifier: BearerVerifier): (req: Request) => Promise<Principal | undefined> {
  return async (req) => {
    const token = bearerToken(req);
    if (!token) return undefined;
    try {
      return await verifier.verify(token, { ip: req.ip, requestId: String(req.id) });
    } catch (err) {
      if (err instanceof CredentialRejected) return undefined;
      throw err;
    }
  };
}
