import type { Logger } from 'pino';
import type { PlatformRole, Redis } from '../db/index.js';

/** What the gateway needs to know about a credential beyond its signature. */
export interface CredentialState {
  userId: string;
  role: PlatformRole;
  email: string | null;
  /** Why it must be refused now, if it must. */
  refused?: 'session_revoked' | 'session_not_found' | 'user_disabled' | 'user_not_found' | 'api_key_invalid';
  /** API key only. */
  apiKeyId?: string;
  services?: string[] | null;
  expiresAt?: number | null;
}

interface Entry {
  state: CredentialState;
  until: number;
}

/**
 * Short-lived cache of session / API-key / user state so that verification does not hit the
 * database on every request. Bound on staleness:
 *   - on this replica, logout, disable, role change and key revocation drop entries at once;
 *   - other replicas drop them when the Redis invalidation message arrives (milliseconds);
 *   - after Redis comes back from an outage (messages may have been lost), every entry is dropped;
 *   - without Redis, an entry lives at most `ttlMs` (default 3 s).
 */
export class RevocationCache {
  private readonly entries = new Map<string, Entry>();
  private subscriber: Redis | undefined;
  private readonly channel: string;
  private static readonly MAX_ENTRIES = 50_000;

  constructor(
    private readonly ttlMs: number,
    private readonly redis: Redis | undefined,
    keyPrefix: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${keyPrefix}auth:invalidate`;
  }

  /**
   * Subscribes to other replicas' invalidations (no-op without Redis). Does not wait for Redis:
   * the subscription is queued and ioredis re-subscribes after every reconnect. While it is not
   * connected, the TTL is the bound.
   */
  start(): void {
    if (!this.redis) return;
    const sub = this.redis.duplicate({ keyPrefix: '', enableOfflineQueue: true, maxRetriesPerRequest: null });
    sub.on('error', () => undefined); // connectRedis already reports Redis health
    sub.on('message', (_channel: string, message: string) => {
      try {
        this.dropLocal(JSON.parse(message) as { userId?: string; key?: string });
      } catch {
        /* ignore a malformed message */
      }
    });
    // Invalidations published while this connection was down are lost: after a reconnect, forget
    // everything cached (the next request of each credential reads the database once).
    let connected = false;
    sub.on('ready', () => {
      if (connected) this.entries.clear();
      connected = true;
    });
    sub.subscribe(this.channel).catch((err: Error) =>
      this.logger.warn({ err: { message: err.message } }, 'auth invalidation channel unavailable; the cache TTL bounds staleness'),
    );
    this.subscriber = sub;
  }

  close(): Promise<void> {
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    return Promise.resolve();
  }

  async get(key: string, load: () => Promise<CredentialState>): Promise<CredentialState> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.state;
    const state = await load();
    if (this.entries.size >= RevocationCache.MAX_ENTRIES) this.evictExpired(now);
    if (this.entries.size < RevocationCache.MAX_ENTRIES) this.entries.set(key, { state, until: now + this.ttlMs });
    return state;
  }

  /** Drops everything cached for a user (here and, through Redis, on every replica). */
  async invalidateUser(userId: string): Promise<void> {
    await this.invalidate({ userId });
  }

  async invalidateKey(key: string): Promise<void> {
    await this.invalidate({ key });
  }

  private async invalidate(msg: { userId?: string; key?: string }): Promise<void> {
    this.dropLocal(msg);
    if (this.redis && this.redis.status === 'ready') {
      await this.redis.publish(this.channel, JSON.stringify(msg)).catch(() => undefined);
    }
  }

  private dropLocal(msg: { userId?: string; key?: string }): void {
    if (msg.key) this.entries.delete(msg.key);
    if (msg.userId) {
      for (const [k, e] of this.entries) if (e.state.userId === msg.userId) this.entries.delete(k);
    }
  }

  private evictExpired(now: number): void {
    for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
  }
}
