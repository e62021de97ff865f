import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { Vault } from '../vault/index.js';

export const ACCESS_TOKEN_ALG = 'ES256';

export interface ActiveSigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * The ES256 keys that sign access tokens. Generated once (the first replica to start wins; the
 * others read its key); the private JWK is sealed with the Vault, the public one is in the JWKS.
 * Retired keys stay in the JWKS so that tokens they signed verify until they expire.
 */
export class SigningKeys {
  private active: ActiveSigningKey | undefined;
  private publicKeys = new Map<string, CryptoKey>();
  private jwks: JSONWebKeySet = { keys: [] };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
  ) {}

  static sealContext(kid: string): string {
    return `signing_key:${kid}`;
  }

  /** Loads the active key, generating it if there is none yet. */
  async init(): Promise<void> {
    let row = await this.db.selectFrom('signing_keys').selectAll().where('active', '=', true).executeTakeFirst();
    if (!row) {
      const kid = randomBytes(12).toString('base64url');
      const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALG };
      await this.db
        .insertInto('signing_keys')
        .values({
          kid,
          alg: ACCESS_TOKEN_ALG,
          public_jwk: JSON.stringify(publicJwk),
          private_jwk_sealed: this.vault.seal(JSON.stringify(privateJwk), SigningKeys.sealContext(kid)),
          active: true,
        })
        .onConflict((oc) => oc.doNothing()) // another replica created one at the same moment
        .execute();
      row = await this.db.selectFrom('signing_keys').selectAll().where('active', '=', true).executeTakeFirstOrThrow();
    }
    const privateJwk = JSON.parse(this.vault.openString(row.private_jwk_sealed, SigningKeys.sealContext(row.kid))) as JWK;
    this.active = { kid: row.kid, privateKey: (await importJWK(privateJwk, ACCESS_TOKEN_ALG)) as CryptoKey };
    await this.reloadPublic();
  }

  /** Re-reads the published keys (after a rotation by another replica). */
  async reloadPublic(): Promise<void> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'alg', 'public_jwk', 'retired_at'])
      .where('alg', '=', ACCESS_TOKEN_ALG)
      .orderBy('created_at', 'desc')
      .execute();
    const keys: JWK[] = [];
    const map = new Map<string, CryptoKey>();
    for (const row of rows) {
      const jwk = row.public_jwk as JWK;
      keys.push({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: row.kid, alg: ACCESS_TOKEN_ALG, use: 'sig', key_ops: ['verify'] });
      map.set(row.kid, (await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, ACCESS_TOKEN_ALG)) as CryptoKey);
    }
    this.publicKeys = map;
    this.jwks = { keys };
  }

  get signingKey(): ActiveSigningKey {
    if (!this.active) throw new Error('signing keys not initialised');
    return this.active;
  }

  publicKey(kid: string): CryptoKey | undefined {
    return this.publicKeys.get(kid);
  }

  get publicJwks(): JSONWebKeySet {
    return this.jwks;
  }
}
