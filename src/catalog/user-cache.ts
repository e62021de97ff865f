export interface UserCacheOptions {
  /** How long a user's entry may be served from memory; 0 disables the cache. */
  ttlMs: number;
  /** Most users held at once (least recently loaded dropped first). */
  maxUsers: number;
}

/**
 * A small per-user, in-process cache of what a store loads from the database: at most `maxUsers`
 * users, each entry at most `ttlMs` old. Invalidating a user bumps its epoch, so a load racing a
 * write never caches the old value.
 */
export class UserCache<T> {
  private readonly entries = new Map<string, { at: number; value: T }>();
  private readonly epochs = new Map<string, number>();

  constructor(private readonly opts: UserCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  invalidate(userId?: string): void {
    if (userId === undefined) {
      this.entries.clear();
      this.epochs.clear();
      return;
    }
    this.entries.delete(userId);
    this.epochs.set(userId, (this.epochs.get(userId) ?? 0) + 1);
  }

  /** The user's cached value while fresh; otherwise `load()`'s, kept unless invalidated meanwhile. */
  async get(userId: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(userId);
    if (hit && Date.now() - hit.at < this.opts.ttlMs) return hit.value;
    const epoch = this.epochs.get(userId) ?? 0;
    const started = Date.now();
    const value = await load();
    if (this.opts.ttlMs > 0 && (this.epochs.get(userId) ?? 0) === epoch) {
      this.entries.delete(userId);
      this.entries.set(userId, { at: started, value });
      while (this.entries.size > this.opts.maxUsers) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
    }
    return value;
  }
}
