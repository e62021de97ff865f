import { randomBytes } from 'node:crypto';
import type { CryptoKey, JSONWebKeySet } from 'jose';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { SealedColumn, Vault } from '../vault/index.js';

/**
 * The platform's own ES256 keys (auth's SigningKeys), as app.ts hands them to this component:
 * OAuth access tokens are signed with the active key and verified against the published ones, so
 * every replica checks them the way it checks the platform's other tokens.
 */
export interface PlatformTokenKeys {
  /** The key that signs now; it changes after `rotate-signing-key` (picked up within a minute). */
  active(): { kid: string; privateKey: CryptoKey };
  /** A published public key by kid (retired keys stay while their tokens can live). */
  publicKey(kid: string): Promise<CryptoKey | undefined>;
  /** Every published public key: `/oauth/jwks` serves these (oidc-provider's own view of its one key lags a rotation). */
  jwks(): JSONWebKeySet;
}

const COOKIE_KEYS_STATE = 'oauth.cookie_keys';
const COOKIE_KEYS_CONTEXT = 'oauth:cookie_keys';

/**
 * The keys that sign oidc-provider's cookies (interaction, resume): the same on every replica, so
 * created once (first replica wins) and kept sealed by the vault in `platform_state`.
 */
export async function cookieKeys(db: Kysely<Database>, vault: Vault): Promise<string[]> {
  const read = async () => {
    const row = await db.selectFrom('platform_state').select('value').where('key', '=', COOKIE_KEYS_STATE).executeTakeFirst();
    const sealed = (row?.value as { sealed?: unknown } | undefined)?.sealed;
    return typeof sealed === 'string' ? (JSON.parse(vault.openString(sealed, COOKIE_KEYS_CONTEXT)) as string[]) : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  const fresh = [randomBytes(32).toString('base64url')];
  await db
    .insertInto('platform_state')
    .values({ key: COOKIE_KEYS_STATE, value: JSON.stringify({ sealed: vault.seal(JSON.stringify(fresh), COOKIE_KEYS_CONTEXT) }) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await read()) ?? fresh;
}

/** The sealed cookie keys as a column `rotate-keys` re-seals (one row: the platform_state entry). */
export function sealedCookieKeys(db: Kysely<Database>): SealedColumn {
  return {
    table: 'platform_state (oauth.cookie_keys)',
    async page(after) {
      if (after !== undefined) return [];
      const row = await db.selectFrom('platform_state').select('value').where('key', '=', COOKIE_KEYS_STATE).executeTakeFirst();
      const sealed = (row?.value as { sealed?: unknown } | undefined)?.sealed;
      return typeof sealed === 'string' ? [{ id: COOKIE_KEYS_STATE, sealed, context: COOKIE_KEYS_CONTEXT }] : [];
    },
    async replace(row, resealed) {
      // Compare-and-set on the sealed value, as the other columns do: a concurrent rotation wins once.
      const res = await db
        .updateTable('platform_state')
        .set({ value: JSON.stringify({ sealed: resealed }) })
        .where('key', '=', COOKIE_KEYS_STATE)
        .where(sql<boolean>`value->>'sealed' = ${row.sealed}`)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
  };
}
