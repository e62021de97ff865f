import { z } from 'zod';
import type { Principal } from '../../gateway/index.js';
import type { Vault } from '../../vault/index.js';

/**
 * Replica-to-replica authentication of a forwarded stdio lease. The forwarding replica seals a
 * short-lived token with the platform's Vault (every replica holds the master key): who the caller
 * is (principal essentials, never a credential or the user's bearer token), which service, which
 * replica it is for (audience) and when it expires. The owner opens it and resolves the service for
 * that principal itself, so credentials are read fresh from the catalog on the owner.
 *
 *   X-MCP-Replica-Token: <Vault sealed value, context `router-forward`>
 */
export const FORWARD_TOKEN_HEADER = 'x-mcp-replica-token';
const CONTEXT = 'router-forward';
const MAX_TOKEN_LENGTH = 8192;

const tokenSchema = z.strictObject({
  v: z.literal(1),
  /** audience: the owner replica's id */
  aud: z.string().min(1),
  /** issuer: the forwarding replica's id (for logs) */
  iss: z.string().min(1),
  /** expiry, epoch seconds */
  exp: z.number(),
  principal: z.strictObject({
    userId: z.string().min(1),
    role: z.enum(['user', 'admin']),
    email: z.string().nullable(),
    via: z.enum(['jwt', 'api_key', 'external_jwt', 'oauth']),
    sessionId: z.string().optional(),
    apiKeyId: z.string().optional(),
    services: z.array(z.string()).optional(),
  }),
  service: z.strictObject({ id: z.string().min(1), slug: z.string().min(1) }),
});

export type ForwardClaims = z.infer<typeof tokenSchema>;

export function sealForwardToken(
  vault: Vault,
  input: { audience: string; issuer: string; principal: Principal; service: { id: string; slug: string } },
  ttlSeconds = 60,
): string {
  const p = input.principal;
  const claims: ForwardClaims = {
    v: 1,
    aud: input.audience,
    iss: input.issuer,
    exp: Math.floor(Date.now() / 1000) + ttlSeconds,
    // Only what the catalog needs to decide "may this principal use this service".
    principal: {
      userId: p.userId,
      role: p.role,
      email: p.email,
      via: p.via,
      ...(p.sessionId !== undefined ? { sessionId: p.sessionId } : {}),
      ...(p.apiKeyId !== undefined ? { apiKeyId: p.apiKeyId } : {}),
      ...(p.services !== undefined ? { services: p.services } : {}),
    },
    service: { id: input.service.id, slug: input.service.slug },
  };
  return vault.seal(JSON.stringify(claims), CONTEXT);
}

/** The claims if the token is genuine (sealed by a holder of the master key), for `audience`, and fresh. */
export function openForwardToken(vault: Vault, audience: string, token: string | null | undefined): ForwardClaims | undefined {
  if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
  try {
    const parsed = tokenSchema.safeParse(JSON.parse(vault.openString(token, CONTEXT)));
    if (!parsed.success) return undefined;
    const claims = parsed.data;
    if (claims.aud !== audience || claims.exp < Date.now() / 1000) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

/**
 * True when the token is genuine and fresh but names another replica: the request reached this
 * replica at an address the sender took for another one (a successor listening on the port of the
 * replica it replaced, before the sender's replica list caught up). Nothing is processed; the owner
 * answers 421 so that the sender leases from the next owner instead of failing the call.
 */
export function isMisdirectedForwardToken(vault: Vault, audience: string, token: string | null | undefined): boolean {
  if (!token || token.length > MAX_TOKEN_LENGTH) return false;
  try {
    const parsed = tokenSchema.safeParse(JSON.parse(vault.openString(token, CONTEXT)));
    return parsed.success && parsed.data.aud !== audience && parsed.data.exp >= Date.now() / 1000;
  } catch {
    return false;
  }
}

export function principalOf(claims: ForwardClaims): Principal {
  return { ...claims.principal };
}
