import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/index.js';
import type { SealedColumn, Vault } from '../vault/index.js';
import { sealedUserServiceColumn } from './sealed-column.js';
import { UserCache, type UserCacheOptions } from './user-cache.js';

/** The vault context that binds a sealed credential to its row: a copy on another row fails to open. */
export const credentialContext = (userId: string, serviceId: string) => `credential:${userId}:${serviceId}`;

/** How long (and for how many users) decrypted credentials may be served from memory. */
export type CredentialCacheOptions = UserCacheOptions;

type UserCredentials = Map<string, Record<string, string>>;

/**
 * Per-user credentials, sealed with the vault (AES-256-GCM envelope, per-record data key, key id).
 * Reads are served from a small in-process cache of decrypted values: at most `maxUsers` users,
 * each entry at most `ttlMs` old. Writes through this store invalidate at once in this process;
 * other replicas learn through `onChange` (Redis pub/sub when configured), or at worst after
 * `ttlMs`.
 */
export class CredentialStore {
  private readonly cache: UserCache<UserCredentials>;
  onChange: (userId: string) => void = () => undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
    opts: CredentialCacheOptions,
    private readonly logger?: Logger,
  ) {
    this.cache = new UserCache(opts);
  }

  get cachedUsers(): number {
    return this.cache.size;
  }

  invalidate(userId?: string): void {
    this.cache.invalidate(userId);
  }

  /** Every service's decrypted credentials for one user, keyed by service id. */
  forUser(userId: string): Promise<UserCredentials> {
    return this.cache.get(userId, async () => {
      const rows = await this.db
        .selectFrom('user_credentials')
        .select(['service_id', 'sealed'])
        .where('user_id', '=', userId)
        .execute();
      const creds: UserCredentials = new Map();
      for (const row of rows) {
        try {
          creds.set(row.service_id, JSON.parse(this.vault.openString(row.sealed, credentialContext(userId, row.service_id))) as Record<string, string>);
        } catch (err) {
          // Unknown master key or tampered row: treat as not connected, and say so (never the value).
          this.logger?.warn({ 'user.id': userId, 'service.id': row.service_id, err: { message: (err as Error).message } }, 'stored credential cannot be opened');
        }
      }
      return creds;
    });
  }

  async get(userId: string, serviceId: string): Promise<Record<string, string> | undefined> {
    return (await this.forUser(userId)).get(serviceId);
  }

  /** Stores (or replaces) one user's values for one service. */
  async put(userId: string, serviceId: string, values: Record<string, string>): Promise<'stored' | 'replaced'> {
    const sealed = this.vault.seal(JSON.stringify(values), credentialContext(userId, serviceId));
    const row = await this.db
      .insertInto('user_credentials')
      .values({ user_id: userId, service_id: serviceId, sealed, key_id: this.vault.activeKeyId })
      .onConflict((oc) =>
        oc.columns(['user_id', 'service_id']).doUpdateSet({
          sealed,
          key_id: this.vault.activeKeyId,
          updated_at: sql<Date>`now()`,
        }),
      )
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .executeTakeFirstOrThrow();
    this.invalidate(userId);
    this.onChange(userId);
    return row.inserted ? 'stored' : 'replaced';
  }

  async delete(userId: string, serviceId: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('user_credentials')
      .where('user_id', '=', userId)
      .where('service_id', '=', serviceId)
      .executeTakeFirst();
    this.invalidate(userId);
    this.onChange(userId);
    return Number(res.numDeletedRows) > 0;
  }

  /** When the value was last written (for the masked GET); undefined when none is stored. */
  async updatedAt(userId: string, serviceId: string): Promise<Date | undefined> {
    const row = await this.db
      .selectFrom('user_credentials')
      .select('updated_at')
      .where('user_id', '=', userId)
      .where('service_id', '=', serviceId)
      .executeTakeFirst();
    return row?.updated_at;
  }
}

/** Shows that a secret is set without revealing it: `••••abcd` for long values, `••••` otherwise. */
export function maskSecret(value: string): string {
  return value.length >= 16 ? `••••${value.slice(-4)}` : '••••';
}

/** The sealed user credentials, for the vault's key rotation (`resealColumn`). */
export function sealedCredentials(db: Kysely<Database>): SealedColumn {
  return sealedUserServiceColumn(db, 'user_credentials', credentialContext);
}
