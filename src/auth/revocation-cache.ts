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
 *   - without Redis, or if a message is lost, an entry lives at most `ttlMs` (default 3 s).
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

  /** Subscribes to other replicas' invalidations (no-op without Redis). */
  async start(): Promise<void> {
    if (!this.redis) return;
    const sub = this.redis.duplicate({ keyPrefix: '', enableOfflineQueue: true, lazyConnect: true });
    sub.on('error', () => undefined); // connectRedis already reports Redis health
    sub.on('message', (_channel: string, message: string) => {
      try {
        const msg = JSON.parse(message) as { userId?: string; key?: string };
        this.dropLocal(msg);
      } catch {
        /* ignore malformed message */
      }
    });
    try {
      await sub.connect();
      await sub.subscribe(this.channel);
      this.subscriber = sub;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'auth invalidation channel unavailable; cache TTL bounds staleness');
      sub.disconnect();
    }
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
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
