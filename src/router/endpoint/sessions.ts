import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Redis } from '../../db/index.js';
import type { Vault } from '../../vault/index.js';

/**
 * 2025-era sessions (`Mcp-Session-Id`) without sticky load balancing.
 *
 * The session's whole state is what `initialize` established: who, which endpoint, the negotiated
 * protocol version, the client's capabilities and identity. It is sealed into the session ID with
 * the Vault (AES-256-GCM envelope, bound to the context `mcp-session`), so every replica holding
 * the master key can open it and rebuild the session without a lookup. A tampered or foreign ID
 * fails authentication; an ID of another user opens but names another user and is refused as
 * "Session not found" (404) without revealing anything.
 *
 * DELETE ends a session: its ID hash is written to Redis (TTL = the session lifetime) and checked
 * on every request, so every replica sees the end. Without Redis the revocation is in-process.
 *
 * Opening costs two AES-GCM decryptions, a JSON parse and a schema check; a session sends many
 * requests, so the opened state is remembered per replica, keyed by the exact ID string (any other
 * string, even one that decrypts to the same state, is opened afresh). Only what the sealed ID
 * itself says is remembered: the lifetime and the revocation are still checked on every request.
 */

const SESSION_CONTEXT = 'mcp-session';
/** Opened sessions remembered per replica (oldest dropped first). */
const OPENED_MAX = 10_000;

const sealedSession = z.object({
  v: z.literal(1),
  /** user id */
  u: z.string(),
  /** endpoint key: a service slug, or '*' for the aggregate */
  e: z.string(),
  /** negotiated protocol version */
  p: z.string(),
  /** the client's initialize params (capabilities, clientInfo, protocolVersion) */
  i: z.record(z.string(), z.unknown()),
  /** issued at, epoch seconds */
  t: z.number(),
  /** random nonce so two sessions never share an ID */
  n: z.string(),
});

export type SessionState = z.infer<typeof sealedSession>;

export interface SessionStoreOptions {
  vault: Vault;
  redis?: Redis;
  /** Session lifetime in seconds. */
  ttlSeconds: number;
}

export class SessionStore {
  private readonly revokedLocally = new Map<string, number>();
  /** Session ID → its verified state; an ID is only ever in here after it opened successfully. */
  private readonly opened = new Map<string, { state: SessionState; revocationKey: string }>();

  constructor(private readonly opts: SessionStoreOptions) {}

  seal(state: Omit<SessionState, 'v' | 't' | 'n'>): string {
    const full: SessionState = {
      v: 1,
      ...state,
      t: Math.floor(Date.now() / 1000),
      n: randomBytes(9).toString('base64url'),
    };
    return this.opts.vault.seal(JSON.stringify(full), SESSION_CONTEXT);
  }

  /** The session's state, or undefined when the ID is not ours, tampered, expired or ended. */
  async open(sessionId: string): Promise<SessionState | undefined> {
    const entry = this.opened.get(sessionId) ?? this.unseal(sessionId);
    if (!entry) return undefined;
    const { state } = entry;
    if (state.t + this.opts.ttlSeconds < Date.now() / 1000) {
      this.opened.delete(sessionId);
      return undefined;
    }
    if (await this.isRevoked(entry.revocationKey)) return undefined;
    return state;
  }

  private unseal(sessionId: string): { state: SessionState; revocationKey: string } | undefined {
    if (sessionId.length > 8192 || !/^[\x21-\x7e]+$/.test(sessionId)) return undefined;
    let state: SessionState;
    try {
      const parsed = sealedSession.safeParse(JSON.parse(this.opts.vault.openString(sessionId, SESSION_CONTEXT)));
      if (!parsed.success) return undefined;
      state = parsed.data;
    } catch {
      return undefined;
    }
    if (this.opened.size >= OPENED_MAX) this.opened.delete(this.opened.keys().next().value!);
    const entry = { state, revocationKey: revocationKey(sessionId) };
    this.opened.set(sessionId, entry);
    return entry;
  }

  async revoke(sessionId: string): Promise<void> {
    this.opened.delete(sessionId);
    const key = revocationKey(sessionId);
    this.revokedLocally.set(key, Date.now() + this.opts.ttlSeconds * 1000);
    if (this.opts.redis) {
      await this.opts.redis.set(key, '1', 'EX', this.opts.ttlSeconds).catch(() => undefined);
    }
  }

  private async isRevoked(key: string): Promise<boolean> {
    const local = this.revokedLocally.get(key);
    if (local !== undefined) {
      if (local > Date.now()) return true;
      this.revokedLocally.delete(key);
    }
    if (!this.opts.redis) return false;
    // Redis unreachable: the sealed ID stays valid (fail open on revocation only; authentication still applies).
    const hit = await this.opts.redis.exists(key).catch(() => 0);
    return hit === 1;
  }
}

function revocationKey(sessionId: string): string {
  return `mcp-session-ended:${createHash('sha256').update(sessionId).digest('base64url')}`;
}
