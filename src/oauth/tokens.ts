import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type CryptoKey } from 'jose';
import { sql, type Kysely } from 'kysely';
import type { Database, PlatformRole } from '../db/index.js';
import { CredentialRejected, type BearerVerifier, type Principal, type VerifyContext } from '../gateway/index.js';
import type { PlatformTokenKeys } from './signing.js';

export interface OAuthTokenVerifierOptions {
  /** The authorization server's issuer (PUBLIC_URL): the `iss` of the tokens this verifier takes. */
  issuer: string;
  keys: PlatformTokenKeys;
  db: Kysely<Database>;
  clockSkewSeconds: number;
  /** How long a grant's state (live, user, role) is cached per replica; revocation here clears it at once. */
  cacheTtlMs: number;
}

interface GrantState {
  userId: string;
  role: PlatformRole;
  email: string | null;
  refused?: 'session_revoked' | 'user_disabled' | 'user_not_found';
  until: number;
}

/**
 * The gateway's `BearerVerifier` for the MCP endpoint: OAuth access tokens of the platform's
 * authorization server (ES256 JWT, `typ: at+jwt`, signed with the platform's own keys) are checked
 * here — audience exactly the MCP resource being called, grant still live, user enabled — and every
 * other credential goes to the Auth Service's verifier unchanged.
 */
export class OAuthTokenVerifier implements BearerVerifier {
  private readonly grants = new Map<string, GrantState>();
  /** Token → its `iss`, so a request does not decode its token to know which verifier takes it. */
  private readonly issuers = new Map<string, unknown>();
  /** OAuth access tokens whose signature and claims checked out, for one resource (see `verify`). */
  private readonly verified = new Map<string, VerifiedAccessToken>();

  constructor(
    private readonly base: BearerVerifier,
    private readonly opts: OAuthTokenVerifierOptions,
  ) {}

  /**
   * A token verified once is remembered (by its exact string, for the resource it was verified
   * for) until the earlier of its `exp` and one minute, and only while its signing key is still
   * the one published under its `kid`, as the Auth Service's own tokens are (src/auth/access-tokens.ts):
   * an ES256 verification costs more than the rest of a request. The grant (revocation, user
   * disabled or gone) is checked on every request, as before: `grantState`, cached for the
   * revocation cache's TTL and dropped at once by a revocation here.
   */
  async verify(token: string, ctx: VerifyContext): Promise<Principal> {
    let iss = this.issuers.get(token);
    if (iss === undefined) {
      try {
        iss = decodeJwt(token).iss ?? null;
      } catch {
        return this.base.verify(token, ctx);
      }
      remember(this.issuers, token, iss);
    }
    if (iss !== this.opts.issuer) return this.base.verify(token, ctx);
    if (!ctx.resource) throw new CredentialRejected('wrong_audience', 'OAuth access tokens are accepted by the MCP endpoints only');
    const claims = await this.verifiedClaims(token, ctx.resource);
    const state = await this.grantState(claims.gid);
    if (state.refused) {
      const messages = { session_revoked: 'The grant of this token has been revoked', user_disabled: 'This account is disabled', user_not_found: 'The user of this token does not exist' };
      throw new CredentialRejected(state.refused, messages[state.refused]);
    }
    if (state.userId !== claims.sub) throw new CredentialRejected('session_not_found', 'The grant of this token belongs to another user');
    return { userId: state.userId, role: state.role, email: state.email, via: 'oauth', oauthClientId: claims.clientId };
  }

  private async verifiedClaims(token: string, resource: string): Promise<VerifiedAccessToken['claims']> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.resource === resource && hit.until > Date.now() && (await this.opts.keys.publicKey(hit.kid)) === hit.key) return hit.claims;
      this.verified.delete(token);
    }
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new CredentialRejected('malformed', 'The token is not a well-formed JWT');
    }
    const key = kid ? await this.opts.keys.publicKey(kid) : undefined;
    if (!key) throw new CredentialRejected('unknown_key', 'The token was not signed by a key this platform publishes');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        issuer: this.opts.issuer,
        audience: resource,
        clockTolerance: this.opts.clockSkewSeconds,
        requiredClaims: ['sub', 'exp', 'client_id', 'gid'],
      }));
    } catch (err) {
      throw rejection(err);
    }
    if (typeof payload.gid !== 'string' || typeof payload.sub !== 'string' || typeof payload.client_id !== 'string') {
      throw new CredentialRejected('malformed', 'The token lacks its grant, subject or client');
    }
    const claims = { gid: payload.gid, sub: payload.sub, clientId: payload.client_id };
    remember(this.verified, token, { claims, resource, kid: kid!, key, until: Math.min(Date.now() + VERIFIED_TTL_MS, (payload.exp ?? 0) * 1000) });
    return claims;
  }

  /** Forgets a grant's cached state (after a revocation on this replica). */
  forget(grantId: string): void {
    this.grants.delete(grantId);
  }

  private async grantState(grantId: string): Promise<GrantState> {
    const cached = this.grants.get(grantId);
    if (cached && cached.until > Date.now()) return cached;
    const row = await this.opts.db
      .selectFrom('oauth_payloads as g')
      .leftJoin('users as u', (join) => join.on(sql<string>`u.id::text`, '=', sql.ref('g.account_id')))
      .select(['g.account_id', 'u.id as user_id', 'u.role', 'u.email', 'u.disabled_at'])
      .where('g.model', '=', 'Grant')
      .where('g.id', '=', grantId)
      .where((eb) => eb.or([eb('g.expires_at', 'is', null), eb('g.expires_at', '>', sql<Date>`now()`)]))
      .executeTakeFirst();
    const until = Date.now() + this.opts.cacheTtlMs;
    let state: GrantState;
    if (!row) state = { userId: '', role: 'user', email: null, refused: 'session_revoked', until };
    else if (!row.user_id || !row.role) state = { userId: '', role: 'user', email: null, refused: 'user_not_found', until };
    else state = { userId: row.user_id, role: row.role, email: row.email ?? null, until, ...(row.disabled_at ? { refused: 'user_disabled' as const } : {}) };
    if (this.opts.cacheTtlMs > 0) {
      if (this.grants.size > 10_000) this.grants.clear();
      this.grants.set(grantId, state);
    }
    return state;
  }
}

interface VerifiedAccessToken {
  claims: { gid: string; sub: string; clientId: string };
  /** The MCP resource (audience) it was verified for. */
  resource: string;
  kid: string;
  key: CryptoKey;
  until: number;
}

/** How long a verified signature is remembered; bounded by the token's own `exp`. */
const VERIFIED_TTL_MS = 60_000;
/** Entries per cache; when full, the expired go first, then the oldest. */
const CACHE_MAX = 10_000;

function remember<V>(cache: Map<string, V>, token: string, value: V): void {
  if (cache.size >= CACHE_MAX) {
    const now = Date.now();
    for (const [k, v] of cache) if (typeof (v as { until?: unknown })?.until === 'number' && (v as { until: number }).until <= now) cache.delete(k);
    while (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  }
  cache.set(token, value);
}

function rejection(err: unknown): CredentialRejected {
  if (err instanceof CredentialRejected) return err;
  if (err instanceof joseErrors.JWTExpired) return new CredentialRejected('expired', 'The token has expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new CredentialRejected('wrong_audience', 'The token was issued for another MCP resource');
    if (err.claim === 'iss') return new CredentialRejected('wrong_issuer', 'The token is from another issuer');
    if (err.claim === 'nbf' || err.claim === 'iat') return new CredentialRejected('not_yet_valid', 'The token is not valid yet');
    return new CredentialRejected('malformed', `The token's ${err.claim} claim is missing or invalid`);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new CredentialRejected('bad_signature', 'The token signature is invalid');
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new CredentialRejected('unsupported_algorithm', 'The token uses an algorithm that is not allowed');
  return new CredentialRejected('malformed', 'The token is not a valid access token');
}
