import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { SealedColumn, Vault } from '../vault/index.js';

export const ACCESS_TOKEN_ALG = 'ES256';

/** The vault context that binds a sealed private key to its `kid`. */
export const signingKeyContext = (kid: string): string => `signing_key:${kid}`;

export interface ActiveSigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * The ES256 keys that sign access tokens. Generated once (the first replica to start wins; the
 * others read its key); the private JWK is sealed with the Vault, the public one is in the JWKS.
 * Retired keys stay in the JWKS while tokens they signed can still be valid (access-token lifetime
 * plus clock skew), then drop out of it and are no longer accepted.
 */
export class SigningKeys {
  private active: ActiveSigningKey | undefined;
  private publicKeys = new Map<string, { key: CryptoKey; jwk: JWK; retiredAt: Date | null }>();
  private lastReload = 0;
  private reloading: Promise<void> | undefined;
  /** An unknown `kid` triggers at most one reload per this interval (a rotation by another process). */
  static readonly RELOAD_INTERVAL_MS = 10_000;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
    /** How long a retired key keeps verifying: the longest an access token it signed can live. */
    private readonly retiredKeyLifetimeMs: number,
  ) {}

  /** Loads the active key, generating it if there is none yet. */
  async init(): Promise<void> {
    let row = await this.db.selectFrom('signing_keys').selectAll().where('active', '=', true).executeTakeFirst();
    if (!row) {
      await this.insertNewKey();
      row = await this.db.selectFrom('signing_keys').selectAll().where('active', '=', true).executeTakeFirstOrThrow();
    }
    await this.useActive(row.kid, row.private_jwk_sealed);
    await this.reloadPublic();
  }

  /**
   * Retires the active key (it stays in the JWKS so that tokens it signed keep verifying) and makes
   * a new one active. Replicas pick the new key up within RELOAD_INTERVAL_MS of seeing its kid, and
   * sign with it after `refreshActive()` (called periodically) or a restart.
   */
  async rotate(): Promise<{ retired: string | undefined; active: string }> {
    const retired = this.active?.kid;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ active: false, retired_at: new Date() }).where('active', '=', true).execute();
      await this.insertNewKey(trx);
    });
    await this.refreshActive();
    await this.reloadPublic();
    return { retired, active: this.signingKey.kid };
  }

  /** Switches to the active key in the database if another process rotated it. */
  async refreshActive(): Promise<void> {
    const row = await this.db.selectFrom('signing_keys').select(['kid', 'private_jwk_sealed']).where('active', '=', true).executeTakeFirst();
    if (row && row.kid !== this.active?.kid) {
      await this.useActive(row.kid, row.private_jwk_sealed);
      await this.reloadPublic();
    }
  }

  private async useActive(kid: string, sealed: string): Promise<void> {
    const privateJwk = JSON.parse(this.vault.openString(sealed, signingKeyContext(kid))) as JWK;
    this.active = { kid, privateKey: (await importJWK(privateJwk, ACCESS_TOKEN_ALG)) as CryptoKey };
  }

  private async insertNewKey(db: Kysely<Database> = this.db): Promise<void> {
    const kid = randomBytes(12).toString('base64url');
    const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALG };
    await db
      .insertInto('signing_keys')
      .values({
        kid,
        alg: ACCESS_TOKEN_ALG,
        public_jwk: JSON.stringify(publicJwk),
        private_jwk_sealed: this.vault.seal(JSON.stringify(privateJwk), signingKeyContext(kid)),
        active: true,
      })
      .onConflict((oc) => oc.doNothing()) // another replica created one at the same moment
      .execute();
  }

  /** Re-reads the published keys (after a rotation by another replica). */
  async reloadPublic(): Promise<void> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'alg', 'public_jwk', 'retired_at'])
      .where('alg', '=', ACCESS_TOKEN_ALG)
      .orderBy('created_at', 'desc')
      .execute();
    const map = new Map<string, { key: CryptoKey; jwk: JWK; retiredAt: Date | null }>();
    for (const row of rows) {
      const retiredAt = row.retired_at ? new Date(row.retired_at) : null;
      if (this.expired(retiredAt)) continue;
      const stored = row.public_jwk as JWK;
      const jwk: JWK = { kty: stored.kty, crv: stored.crv, x: stored.x, y: stored.y, kid: row.kid, alg: ACCESS_TOKEN_ALG, use: 'sig', key_ops: ['verify'] };
      const key = (await importJWK({ kty: stored.kty, crv: stored.crv, x: stored.x, y: stored.y }, ACCESS_TOKEN_ALG)) as CryptoKey;
      map.set(row.kid, { key, jwk, retiredAt });
    }
    this.publicKeys = map;
  }

  private expired(retiredAt: Date | null): boolean {
    return retiredAt !== null && Date.now() - retiredAt.getTime() > this.retiredKeyLifetimeMs;
  }

  get signingKey(): ActiveSigningKey {
    if (!this.active) throw new Error('signing keys not initialised');
    return this.active;
  }

  /** The public key for `kid`; an unknown kid re-reads the published keys, at most once per interval. */
  async publicKey(kid: string): Promise<CryptoKey | undefined> {
    const known = this.publicKeys.get(kid);
    if (known) return this.expired(known.retiredAt) ? undefined : known.key;
    if (Date.now() - this.lastReload >= SigningKeys.RELOAD_INTERVAL_MS) {
      this.lastReload = Date.now();
      this.reloading ??= this.reloadPublic().finally(() => (this.reloading = undefined));
    }
    if (this.reloading) await this.reloading.catch(() => undefined);
    const loaded = this.publicKeys.get(kid);
    return loaded && !this.expired(loaded.retiredAt) ? loaded.key : undefined;
  }

  get publicJwks(): JSONWebKeySet {
    return { keys: [...this.publicKeys.values()].filter((k) => !this.expired(k.retiredAt)).map((k) => k.jwk) };
  }
}

/** The sealed private signing keys, for the vault's key rotation (`resealColumn`). */
export function sealedSigningKeys(db: Kysely<Database>): SealedColumn {
  return {
    table: 'signing_keys',
    async page(after, limit) {
      let query = db.selectFrom('signing_keys').select(['kid', 'private_jwk_sealed']).orderBy('kid').limit(limit);
      if (after !== undefined) query = query.where('kid', '>', after);
      const rows = await query.execute();
      return rows.map((r) => ({ id: r.kid, sealed: r.private_jwk_sealed, context: signingKeyContext(r.kid) }));
    },
    async replace(row, resealed) {
      const res = await db
        .updateTable('signing_keys')
        .set({ private_jwk_sealed: resealed })
        .where('kid', '=', row.id)
        .where('private_jwk_sealed', '=', row.sealed)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
  };
}
