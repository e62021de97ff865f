import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { CredentialRejected } from '../gateway/index.js';
import { ACCESS_TOKEN_ALG, type SigningKeys } from './signing-keys.js';
import { appMetadata, type UserRow } from './users.js';

export const ACCESS_TOKEN_AUDIENCE = 'authenticated';

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  expiresAt: number;
}

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  session_id: string;
  email?: string;
  role?: string;
}

interface VerifiedToken {
  claims: AccessTokenClaims;
  kid: string;
  key: CryptoKey;
  until: number;
}

/** How long a verified signature is remembered; bounded by the token's own `exp`. */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

/**
 * Mints and checks the platform's own access tokens (ES256, Supabase-shaped claims).
 *
 * A token whose signature and claims checked out is remembered (by its exact string) until the
 * earlier of its `exp` and one minute, and only while its signing key is still the one published
 * under its `kid`: an ES256 verification costs more than the rest of a request. Revocation is not
 * part of this: the caller checks the session on every request (RevocationCache).
 */
export class AccessTokens {
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
    private readonly clockSkewSeconds: number,
  ) {}

  async issue(user: UserRow, sessionId: string, method: string, authTime: number): Promise<IssuedAccessToken> {
    const now = Math.floor(Date.now() / 1000);
    const { kid, privateKey } = this.keys.signingKey;
    const token = await new SignJWT({
      email: user.email ?? '',
      phone: '',
      app_metadata: appMetadata(user),
      user_metadata: user.user_metadata ?? {},
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method, timestamp: authTime }],
      session_id: sessionId,
      is_anonymous: false,
    })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(user.id)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .sign(privateKey);
    return { token, expiresIn: this.ttlSeconds, expiresAt: now + this.ttlSeconds };
  }

  /**
   * Verifies signature (ES256 only, key chosen by `kid` from our own keys), `iss`, `aud`,
   * `exp` and `nbf` with the configured skew. Session revocation is checked by the caller.
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.until > Date.now() && (await this.keys.publicKey(hit.kid)) === hit.key) return hit.claims;
      this.verified.delete(token);
    }
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== ACCESS_TOKEN_ALG) {
        throw new CredentialRejected('unsupported_algorithm', `Access tokens must be signed with ${ACCESS_TOKEN_ALG}`);
      }
      kid = header.kid;
    } catch (err) {
      if (err instanceof CredentialRejected) throw err;
      throw new CredentialRejected('malformed', 'The token is not a well-formed JWT');
    }
    const key = kid ? await this.keys.publicKey(kid) : undefined;
    if (!key) throw new CredentialRejected('unknown_key', 'The token was not signed by a key this platform publishes');
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: this.issuer,
        audience: ACCESS_TOKEN_AUDIENCE,
        clockTolerance: this.clockSkewSeconds,
        requiredClaims: ['sub', 'exp', 'iat', 'session_id'],
      });
      if (typeof payload.session_id !== 'string' || typeof payload.sub !== 'string') {
        throw new CredentialRejected('malformed', 'The token lacks sub or session_id');
      }
      const claims = payload as AccessTokenClaims;
      this.remember(token, { claims, kid: kid!, key, until: Math.min(Date.now() + VERIFIED_TTL_MS, (claims.exp ?? 0) * 1000) });
      return claims;
    } catch (err) {
      const rejection = rejectionFromJose(err);
      if (rejection.reason !== 'wrong_issuer') throw rejection;
      // Signed by our own key but for another issuer: the platform's public URL changed since it
      // was issued (PORT or PUBLIC_URL). Say so; the issuer is public (it is in the JWKS document's URL).
      throw new CredentialRejected(
        'wrong_issuer',
        `The token was issued by this platform under another address; it now issues tokens as ${this.issuer}. ` +
          'Sign in again for a new token. If the platform is reached at another URL than it thinks, set PUBLIC_URL to that URL.',
      );
    }
  }

  private remember(token: string, entry: VerifiedToken): void {
    if (this.verified.size >= VERIFIED_MAX) {
      const now = Date.now();
      for (const [t, e] of this.verified) if (e.until <= now) this.verified.delete(t);
      // Still full: drop the oldest (insertion order).
      while (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, entry);
  }
}

/** Maps jose's verification errors to a stable, non-leaky reason. */
export function rejectionFromJose(err: unknown): CredentialRejected {
  if (err instanceof CredentialRejected) return err;
  if (err instanceof joseErrors.JWTExpired) return new CredentialRejected('expired', 'The token has expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return new CredentialRejected('not_yet_valid', 'The token is not valid yet');
    if (err.claim === 'aud') return new CredentialRejected('wrong_audience', 'The token is for another audience');
    if (err.claim === 'iss') return new CredentialRejected('wrong_issuer', 'The token is from another issuer');
    if (err.claim === 'iat') return new CredentialRejected('not_yet_valid', 'The token was issued in the future');
    return new CredentialRejected('malformed', `The token's ${err.claim} claim is missing or invalid`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return new CredentialRejected('unsupported_algorithm', 'The token uses an algorithm that is not allowed');
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new CredentialRejected('bad_signature', 'The token signature is invalid');
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) {
    return new CredentialRejected('unknown_key', 'The token was not signed by a published key');
  }
  return new CredentialRejected('malformed', 'The token is not a valid JWT');
}
