import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Redis } from '../../db/index.js';
import type { Vault } from '../../vault/index.js';
import { LEGACY_PROTOCOL_VERSIONS } from '../upstream/index.js';

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
 * DELETE ends a session: its ID hash is written to Redis (TTL = the session lifetime) and published
 * to every replica, which remembers it locally. Without Redis the revocation is in-process.
 *
 * Opening costs two AES-GCM decryptions, a JSON parse and a schema check; a session sends many
 * requests, so the opened state is remembered per replica, keyed by the exact ID string (any other
 * string, even one that decrypts to the same state, is opened afresh). Only what the sealed ID
 * itself says is remembered: the lifetime is checked on every request, and so is the revocation,
 * against what this replica knows: an end on this replica at once; an end on another replica when
 * its message arrives (milliseconds). Redis itself (`EXISTS`) is asked when this replica opens an
 * ID it has not checked in the last `REVOCATION_RECHECK_MS`, or has not since its subscription
 * (re)connected, and on every request while the subscription is down. So a session's requests cost
 * no Redis round trip in the steady state, and a lost message delays an end by at most
 * `REVOCATION_RECHECK_MS`.
 */

const SESSION_CONTEXT = 'mcp-session';
/** Opened sessions remembered per replica (oldest dropped first). */
const OPENED_MAX = 10_000;
/** How long a replica trusts its "not ended" answer for a session without asking Redis (the bound on a lost end message). */
export const REVOCATION_RECHECK_MS = 3_000;
/** Ended sessions remembered per replica before expired ones are swept. */
const REVOKED_MAX = 100_000;

const sealedSession = z.object({
  v: z.literal(1),
  /** user id */
  u: z.string(),
  /** endpoint key: a service slug, or '*' for the aggregate */
  e: z.string(),
  /** negotiated protocol version (settledLegacyVersion of the client's) */
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

interface Opened {
  state: SessionState;
  revocationKey: string;
  /** When Redis last said this session was not ended (0 = never asked). */
  checkedAt: number;
}

export class SessionStore {
  private readonly revokedLocally = new Map<string, number>();
  private readonly endListeners = new Set<(sessionIdHash: string) => void>();
  /** Session ID → its verified state; an ID is only ever in here after it opened successfully. */
  private readonly opened = new Map<string, Opened>();
  private readonly channel: string;
  private subscriber: Redis | undefined;
  /** Since when the end messages of other replicas arrive (0 = not subscribed now). */
  private listeningSince = 0;

  constructor(private readonly opts: SessionStoreOptions) {
    this.channel = `${String(opts.redis?.options.keyPrefix ?? '')}mcp-session-ended`;
    if (opts.redis) {
      // Pub/sub needs a connection of its own; it reconnects and re-subscribes by itself.
      const sub = opts.redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      sub.on('error', () => undefined);
      sub.on('message', (_channel: string, key: string) => {
        if (!key.startsWith(REVOCATION_PREFIX)) return;
        this.rememberRevoked(key);
        this.announceEnd(key);
      });
      // Whatever was published while the subscription was down is missed: re-ask Redis for every session.
      sub.on('close', () => (this.listeningSince = 0));
      sub.on('ready', () => void this.listen(sub));
      this.subscriber = sub;
    }
  }

  private async listen(sub: Redis): Promise<void> {
    try {
      await sub.subscribe(this.channel);
      this.listeningSince = Date.now();
    } catch {
      this.listeningSince = 0;
    }
  }

  async close(): Promise<void> {
    this.listeningSince = 0;
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

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
    if (await this.isRevoked(entry)) return undefined;
    return state;
  }

  private unseal(sessionId: string): Opened | undefined {
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
    const entry: Opened = { state, revocationKey: revocationKey(sessionId), checkedAt: 0 };
    this.opened.set(sessionId, entry);
    return entry;
  }

  async revoke(sessionId: string): Promise<void> {
    this.opened.delete(sessionId);
    const key = revocationKey(sessionId);
    this.rememberRevoked(key);
    this.announceEnd(key);
    const redis = this.opts.redis;
    if (redis) {
      // The key first: a replica that misses the message finds it when it re-asks.
      await redis.pipeline().set(key, '1', 'EX', this.opts.ttlSeconds).publish(this.channel, key).exec().catch(() => undefined);
    }
  }

  /**
   * Called with the SHA-256 (base64url) of the ID of every session that ends: by DELETE here, or on
   * another replica when its message arrives (what the session kept elsewhere, such as its upstream
   * sessions, ends with it).
   */
  onEnd(listener: (sessionIdHash: string) => void): void {
    this.endListeners.add(listener);
  }

  private announceEnd(key: string): void {
    const hash = key.slice(REVOCATION_PREFIX.length);
    for (const listener of this.endListeners) {
      try {
        listener(hash);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private rememberRevoked(key: string): void {
    const now = Date.now();
    if (this.revokedLocally.size >= REVOKED_MAX) {
      for (const [k, until] of this.revokedLocally) if (until <= now) this.revokedLocally.delete(k);
    }
    this.revokedLocally.set(key, now + this.opts.ttlSeconds * 1000);
  }

  private async isRevoked(entry: Opened): Promise<boolean> {
    const key = entry.revocationKey;
    const local = this.revokedLocally.get(key);
    if (local !== undefined) {
      if (local > Date.now()) return true;
      this.revokedLocally.delete(key);
    }
    if (!this.opts.redis) return false;
    const now = Date.now();
    // Asked since the subscription (re)started, and recently: the end messages cover the rest.
    if (this.listeningSince && entry.checkedAt >= this.listeningSince && now - entry.checkedAt < REVOCATION_RECHECK_MS) return false;
    // Redis unreachable: the sealed ID stays valid (fail open on revocation only; authentication still applies).
    let hit: number;
    try {
      hit = await this.opts.redis.exists(key);
    } catch {
      return false;
    }
    if (hit === 1) {
      this.rememberRevoked(key);
      return true;
    }
    entry.checkedAt = now;
    return false;
  }
}

const REVOCATION_PREFIX = 'mcp-session-ended:';

function revocationKey(sessionId: string): string {
  return `${REVOCATION_PREFIX}${createHash('sha256').update(sessionId).digest('base64url')}`;
}

/**
 * The revision a 2025-era `initialize` settles on, as the SDK server answers it: the client's when
 * the platform speaks it, else the newest. It is what the session's state keeps, so the client's
 * later `MCP-Protocol-Version` headers match it and its upstream sessions speak it.
 */
export function settledLegacyVersion(requested: unknown): string {
  return typeof requested === 'string' && LEGACY_PROTOCOL_VERSIONS.includes(requested) ? requested : (LEGACY_PROTOCOL_VERSIONS[0] ?? '');
}
