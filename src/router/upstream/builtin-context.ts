import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { BuiltinContext, ResolvedService } from '../contracts.js';
import type { Principal } from '../../gateway/index.js';

/**
 * How a builtin running in another process learns who is calling. The platform seals the
 * `BuiltinContext` (identity + that user's credentials) with AES-256-GCM under a key derived from
 * BUILTIN_SHARED_SECRET and sends it in one header. Sealing authenticates the platform (only a holder
 * of the secret can produce a context the builtin accepts) and keeps credentials unreadable on the
 * wire and in proxies' logs. The sealed blob names the builtin (audience) and expires after
 * `ttlSeconds` so a captured header cannot be replayed elsewhere or later.
 *
 *   X-MCP-Platform-Context: v1.<iv b64url>.<ciphertext+tag b64url>
 */
export const BUILTIN_CONTEXT_HEADER = 'x-mcp-platform-context';

interface SealedPayload {
  aud: string;
  exp: number;
  ctx: BuiltinContext;
}

function keyFor(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'mcp-platform builtin-context v1', 32));
}

export function builtinContextFor(principal: Principal, service: ResolvedService): BuiltinContext {
  const credentials: Record<string, string> = {};
  for (const field of service.definition.credentialSchema) {
    const value = service.credentials[field.name];
    if (value === undefined) continue;
    credentials['context' in field.inject ? field.inject.context : field.name] = value;
  }
  return { user: { id: principal.userId, email: principal.email, role: principal.role }, credentials };
}

export function sealBuiltinContext(secret: string, audience: string, context: BuiltinContext, ttlSeconds = 60): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret), iv);
  const payload: SealedPayload = { aud: audience, exp: Math.floor(Date.now() / 1000) + ttlSeconds, ctx: context };
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** The context if the header is genuine, for this builtin, and fresh; undefined otherwise. */
export function openBuiltinContext(secret: string, audience: string, header: string | undefined): BuiltinContext | undefined {
  if (!header || header.length > 64 * 1024) return undefined;
  const [version, ivText, bodyText] = header.split('.');
  if (version !== 'v1' || !ivText || !bodyText) return undefined;
  try {
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== 12 || body.length < 17) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret), iv);
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    const payload = JSON.parse(plain) as SealedPayload;
    if (payload.aud !== audience || typeof payload.exp !== 'number' || payload.exp < Date.now() / 1000) return undefined;
    return payload.ctx;
  } catch {
    return undefined;
  }
}
