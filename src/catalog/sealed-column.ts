import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { SealedColumn } from '../vault/index.js';

/** Tables that hold one sealed value per (user, service), bound to its row by a vault context. */
export type UserServiceSealedTable = 'user_credentials' | 'upstream_oauth_tokens';

/**
 * A sealed per-(user, service) column, for the vault's key rotation (`resealColumn`, CLI
 * `rotate-keys`): pages by id, and re-seals by compare-and-set on the sealed value, so a write
 * that lands meanwhile (a credential saved, a token refreshed: both seal under the active key)
 * wins over the rotation.
 */
export function sealedUserServiceColumn(
  db: Kysely<Database>,
  table: UserServiceSealedTable,
  context: (userId: string, serviceId: string) => string,
): SealedColumn {
  return {
    table,
    async page(after, limit) {
      const rows = await db
        .selectFrom(table)
        .select(['id', 'user_id', 'service_id', 'sealed'])
        .where('id', '>', after ?? '00000000-0000-0000-0000-000000000000')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, sealed: r.sealed, context: context(r.user_id, r.service_id) }));
    },
    async replace(row, resealed, keyId) {
      const res = await db.updateTable(table).set({ sealed: resealed, key_id: keyId }).where('id', '=', row.id).where('sealed', '=', row.sealed).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
  };
}
