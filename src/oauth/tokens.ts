import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
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

  constructor(
    private readonly base: BearerVerifier,
    private readonly opts: OAuthTokenVerifierOptions,
  ) {}

  async verify(token: string, ctx: VerifyContext): Promise<Principal> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return this.base.verify(token, ctx);
    }
    if (iss !== this.opts.issuer) return this.base.verify(token, ctx);
    if (!ctx.resource) throw new CredentialRejected('wrong_audience', 'OAuth access tokens are accepted by the MCP endpoints only');
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
        audience: ctx.resource,
        clockTolerance: this.opts.clockSkewSeconds,
        requiredClaims: ['sub', 'exp', 'client_id', 'gid'],
      }));
    } catch (err) {
      throw rejection(err);
    }
    if (typeof payload.gid !== 'string' || typeof payload.sub !== 'string' || typeof payload.client_id !== 'string') {
      throw new CredentialRejected('malformed', 'The token lacks its grant, subject or client');
    }
    const state = await this.grantState(payload.gid);
    if (state.refused) {
      const messages = { session_revoked: 'The grant of this token has been revoked', user_disabled: 'This account is disabled', user_not_found: 'The user of this token does not exist' };
      throw new CredentialRejected(state.refused, messages[state.refused]);
    }
    if (state.userId !== payload.sub) throw new CredentialRejected('session_not_found', 'The grant of this token belongs to another user');
    return { userId: state.userId, role: state.role, email: state.email, via: 'oauth', oauthClientId: payload.client_id };
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
