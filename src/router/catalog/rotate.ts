import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { Vault } from '../../vault/index.js';
import { credentialContext } from './credentials.js';

/**
 * Re-encryption of every sealed value under the vault's active master key (the `rotate-keys`
 * command). Start it with the new key in PLATFORM_ENCRYPTION_KEY and the old one(s) in
 * PLATFORM_ENCRYPTION_KEYS_PREVIOUS; once it reports no failures, the old keys can be dropped.
 *
 * Each row is rewritten only if it still holds the value that was read (compare-and-set), so a
 * concurrent write — which seals under the active key anyway — is never overwritten. Safe to
 * run again: rows already under the active key are counted as unchanged.
 */

/** Vault context of auth's signing keys (`signing_keys.private_jwk_sealed`). */
export const signingKeyContext = (kid: string) => `signing_key:${kid}`;

export interface RotationCount {
  total: number;
  rotated: number;
  unchanged: number;
  failed: number;
}

export interface RotationReport {
  active_key_id: string;
  credentials: RotationCount;
  signing_keys: RotationCount;
}

const PAGE = 500;

export async function rotateKeys(
  db: Kysely<Database>,
  vault: Vault,
  onFailure: (what: { table: string; id: string; keyId: string | undefined; reason: string }) => void = () => undefined,
): Promise<RotationReport> {
  const credentials: RotationCount = { total: 0, rotated: 0, unchanged: 0, failed: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db
      .selectFrom('user_credentials')
      .select(['id', 'user_id', 'service_id', 'sealed'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (!rows.length) break;
    after = rows[rows.length - 1]!.id;
    for (const row of rows) {
      credentials.total++;
      const keyId = Vault.keyIdOf(row.sealed);
      if (keyId === vault.activeKeyId) {
        credentials.unchanged++;
        continue;
      }
      let resealed: string;
      try {
        resealed = vault.reseal(row.sealed, credentialContext(row.user_id, row.service_id));
      } catch (err) {
        credentials.failed++;
        onFailure({ table: 'user_credentials', id: row.id, keyId, reason: (err as Error).message });
        continue;
      }
      const res = await db
        .updateTable('user_credentials')
        .set({ sealed: resealed, key_id: vault.activeKeyId })
        .where('id', '=', row.id)
        .where('sealed', '=', row.sealed)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) credentials.rotated++;
      else credentials.unchanged++; // rewritten or deleted meanwhile, by a writer using the active key
    }
  }

  const signing: RotationCount = { total: 0, rotated: 0, unchanged: 0, failed: 0 };
  const keys = await db.selectFrom('signing_keys').select(['kid', 'private_jwk_sealed']).orderBy('kid').execute();
  for (const row of keys) {
    signing.total++;
    const keyId = Vault.keyIdOf(row.private_jwk_sealed);
    if (keyId === vault.activeKeyId) {
      signing.unchanged++;
      continue;
    }
    let resealed: string;
    try {
      resealed = vault.reseal(row.private_jwk_sealed, signingKeyContext(row.kid));
    } catch (err) {
      signing.failed++;
      onFailure({ table: 'signing_keys', id: row.kid, keyId, reason: (err as Error).message });
      continue;
    }
    const res = await db
      .updateTable('signing_keys')
      .set({ private_jwk_sealed: resealed })
      .where('kid', '=', row.kid)
      .where('private_jwk_sealed', '=', row.private_jwk_sealed)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) signing.rotated++;
    else signing.unchanged++;
  }
  return { active_key_id: vault.activeKeyId, credentials, signing_keys: signing };
}
