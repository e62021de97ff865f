import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { UserCache, type UserCacheOptions } from './user-cache.js';

/** How long (and for how many users) installs may be served from memory. */
export type InstallCacheOptions = UserCacheOptions;

/**
 * Which services that need installing (`services.install_required`: marketplace listings) each user
 * has installed. Read on the MCP path only for such services, from a per-user cache invalidated
 * like the credentials' (this replica at once, the others through `onChange`, at worst the TTL).
 */
export class InstallStore {
  private readonly cache: UserCache<ReadonlySet<string>>;
  onChange: (userId: string) => void = () => undefined;

  constructor(
    private readonly db: Kysely<Database>,
    opts: InstallCacheOptions,
  ) {
    this.cache = new UserCache(opts);
  }

  invalidate(userId?: string): void {
    this.cache.invalidate(userId);
  }

  /** The IDs of the services the user installed. */
  forUser(userId: string): Promise<ReadonlySet<string>> {
    return this.cache.get(userId, async () => {
      const rows = await this.db.selectFrom('service_installs').select('service_id').where('user_id', '=', userId).execute();
      return new Set(rows.map((r) => r.service_id));
    });
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
