import { Vault } from './vault.js';

/**
 * Re-encryption of sealed values under the vault's active master key (the `rotate-keys` command).
 * Start it with the new key in PLATFORM_ENCRYPTION_KEY and the old one(s) in
 * PLATFORM_ENCRYPTION_KEYS_PREVIOUS; once it reports no failures, the old keys can be dropped.
 *
 * The vault knows no table: each component that keeps sealed values hands rotation a
 * `SealedColumn` (its rows with the context each was sealed under, and a compare-and-set write),
 * and `app.ts` runs `resealColumn` over each (the catalog's user credentials, auth's signing keys).
 * A row is rewritten only if it still holds the value that was read, so a concurrent write (which
 * seals under the active key anyway) is never overwritten. Safe to run again: rows already under the
 * active key are counted as unchanged.
 */

/** One sealed value and the context it was sealed under. */
export interface SealedRow {
  id: string;
  sealed: string;
  context: string;
}

/** A column of sealed values, as the component that owns its table exposes it to rotation. */
export interface SealedColumn {
  /** The table's name, for failure reports. */
  readonly table: string;
  /** Up to `limit` rows with an id greater than `after` (undefined: from the first), ordered by id. */
  page(after: string | undefined, limit: number): Promise<SealedRow[]>;
  /** Writes `resealed` (under `keyId`) if the row still holds `row.sealed`; true when it did. */
  replace(row: SealedRow, resealed: string, keyId: string): Promise<boolean>;
}

export interface RotationCount {
  total: number;
  rotated: number;
  unchanged: number;
  failed: number;
}

export interface RotationFailure {
  table: string;
  id: string;
  keyId: string | undefined;
  reason: string;
}

const PAGE = 500;

/** Re-seals every value of `column` that is not under the active master key. */
export async function resealColumn(
  vault: Vault,
  column: SealedColumn,
  onFailure: (failure: RotationFailure) => void = () => undefined,
): Promise<RotationCount> {
  const count: RotationCount = { total: 0, rotated: 0, unchanged: 0, failed: 0 };
  let after: string | undefined;
  for (;;) {
    const rows = await column.page(after, PAGE);
    if (!rows.length) return count;
    after = rows[rows.length - 1]!.id;
    for (const row of rows) {
      count.total++;
      const keyId = Vault.keyIdOf(row.sealed);
      if (keyId === vault.activeKeyId) {
        count.unchanged++;
        continue;
      }
      let resealed: string;
      try {
        resealed = vault.reseal(row.sealed, row.context);
      } catch (err) {
        count.failed++;
        onFailure({ table: column.table, id: row.id, keyId, reason: (err as Error).message });
        continue;
      }
      if (await column.replace(row, resealed, vault.activeKeyId)) count.rotated++;
      else count.unchanged++; // rewritten or deleted meanwhile, by a writer using the active key
    }
  }
}
