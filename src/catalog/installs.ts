import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

export interface InstallCacheOptions {
  /** How long a user's installed services may be served from memory; 0 disables the cache. */
  ttlMs: number;
  /** Most users held at once (least recently loaded dropped first). */
  maxUsers: number;
}

/**
 * Which services that need installing (`services.install_required`: marketplace listings) each user
 * has installed. Read on the MCP path only for such services, from a per-user cache invalidated
 * like the credentials' (this replica at once, the others through `onChange`, at worst the TTL).
 */
export class InstallStore {
  private readonly cache = new Map<string, { at: number; services: ReadonlySet<string> }>();
  private readonly epochs = new Map<string, number>();
  onChange: (userId: string) => void = () => undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: InstallCacheOptions,
  ) {}

  invalidate(userId?: string): void {
    if (userId === undefined) {
      this.cache.clear();
      this.epochs.clear();
      return;
    }
    this.cache.delete(userId);
    this.epochs.set(userId, (this.epochs.get(userId) ?? 0) + 1);
  }

  /** The IDs of the services the user installed. */
  async forUser(userId: string): Promise<ReadonlySet<string>> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < this.opts.ttlMs) return hit.services;
    const epoch = this.epochs.get(userId) ?? 0;
    const started = Date.now();
    const rows = await this.db.selectFrom('service_installs').select('service_id').where('user_id', '=', userId).execute();
    const services = new Set(rows.map((r) => r.service_id));
    if (this.opts.ttlMs > 0 && (this.epochs.get(userId) ?? 0) === epoch) {
      if (this.cache.size >= this.opts.maxUsers) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(userId, { at: started, services });
    }
    return services;
  }

  /** Resolves true when the row is new. */
  async install(userId: string, serviceId: string): Promise<boolean> {
    const row = await this.db
      .insertInto('service_installs')
      .values({ user_id: userId, service_id: serviceId })
      .onConflict((oc) => oc.columns(['user_id', 'service_id']).doNothing())
      .returning('service_id')
      .executeTakeFirst();
    this.changed(userId);
    return !!row;
  }

  /** Removes the install and the user's stored credentials for the service; resolves true when it was installed. */
  async uninstall(userId: string, serviceId: string): Promise<boolean> {
    const removed = await this.db.transaction().execute(async (trx) => {
      const res = await trx.deleteFrom('service_installs').where('user_id', '=', userId).where('service_id', '=', serviceId).executeTakeFirst();
      await trx.deleteFrom('user_credentials').where('user_id', '=', userId).where('service_id', '=', serviceId).execute();
      return Number(res.numDeletedRows) > 0;
    });
    this.changed(userId);
    return removed;
  }

  /** How many users installed each of the services. */
  async counts(serviceIds: string[]): Promise<Map<string, number>> {
    if (!serviceIds.length) return new Map();
    const rows = await this.db
      .selectFrom('service_installs')
      .select(['service_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('service_id', 'in', serviceIds)
      .groupBy('service_id')
      .execute();
    return new Map(rows.map((r) => [r.service_id, Number(r.n)]));
  }

  private changed(userId: string): void {
    this.invalidate(userId);
    this.onChange(userId);
  }
}
