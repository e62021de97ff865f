import { createSecretKey } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { CredentialRejected, type BearerVerifier, type Principal, type VerifyContext } from '../gateway/index.js';
import { ACCESS_TOKEN_AUDIENCE, rejectionFromJose, type AccessTokens } from './access-tokens.js';
import { API_KEY_PREFIX, apiKeyHash } from './api-keys.js';
import type { CredentialState, RevocationCache } from './revocation-cache.js';
import { normaliseEmail } from './users.js';

export interface ExternalSupabase {
  /** `<SUPABASE_URL>/auth/v1`, the `iss` of that project's tokens. */
  issuer?: string | undefined;
  jwksUrl?: URL | undefined;
  jwtSecret?: string | undefined;
}

export interface VerifierOptions {
  db: Kysely<Database>;
  accessTokens: AccessTokens;
  cache: RevocationCache;
  ownIssuer: string;
  clockSkewSeconds: number;
  external: ExternalSupabase;
}

const stateMessage: Record<NonNullable<CredentialState['refused']>, string> = {
  session_revoked: 'The session of this token has been revoked',
  session_not_found: 'The session of this token does not exist',
  user_disabled: 'This account is disabled',
  user_not_found: 'The user of this token does not exist',
  api_key_invalid: 'The API key is invalid, revoked or expired',
};

export function refuse(state: CredentialState): never {
  const reason = state.refused ?? 'session_not_found';
  throw new CredentialRejected(reason, stateMessage[reason]);
}

/**
 * The Auth Service's implementation of the gateway's `BearerVerifier`: our own ES256 JWTs,
 * personal API keys (`mcp_sk_...`), and, when configured, tokens of an external Supabase project.
 */
export class PlatformVerifier implements BearerVerifier {
  private readonly remoteJwks;
  private readonly hsKey;

  constructor(private readonly opts: VerifierOptions) {
    this.remoteJwks = opts.external.jwksUrl ? createRemoteJWKSet(opts.external.jwksUrl, { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 }) : undefined;
    this.hsKey = opts.external.jwtSecret ? createSecretKey(Buffer.from(opts.external.jwtSecret, 'utf8')) : undefined;
  }

  async verify(token: string, _ctx: VerifyContext): Promise<Principal> {
    if (token.startsWith(API_KEY_PREFIX)) return this.verifyApiKey(token);
    // Without an external issuer every JWT is ours: no decoding before the verified-token cache.
    if (!this.hasExternal()) {
      return this.verifyOwn(token);
    }
    let iss: unknown;
    try {
      decodeProtectedHeader(token);
      iss = decodeJwt(token).iss;
    } catch {
      throw new CredentialRejected('malformed', 'The token is neither a JWT nor an API key');
    }
    if (iss === this.opts.ownIssuer || !this.hasExternal()) return this.verifyOwn(token);
    return this.verifyExternal(token);
  }

  /** Our own access token, including the session's revocation and the user's status. */
  async verifyOwn(token: string): Promise<Principal & { sessionId: string }> {
    const claims = await this.opts.accessTokens.verify(token);
    const state = await this.opts.cache.get(`s:${claims.session_id}`, () => this.loadSession(claims.session_id));
    if (state.refused) refuse(state);
    if (state.userId !== claims.sub) throw new CredentialRejected('session_not_found', stateMessage.session_not_found);
    return { userId: state.userId, role: state.role, email: state.email, via: 'jwt', sessionId: claims.session_id };
  }

  private async loadSession(sessionId: string): Promise<CredentialState> {
    if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return { userId: '', role: 'user', email: null, refused: 'session_not_found' };
    const row = await this.opts.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.user_id', 's.revoked_at', 's.not_after', 'u.role', 'u.email', 'u.disabled_at'])
      .where('s.id', '=', sessionId)
      .executeTakeFirst();
    if (!row) return { userId: '', role: 'user', email: null, refused: 'session_not_found' };
    const base = { userId: row.user_id, role: row.role, email: row.email };
    if (row.disabled_at) return { ...base, refused: 'user_disabled' };
    if (row.revoked_at) return { ...base, refused: 'session_revoked' };
    return base;
  }

  private async verifyApiKey(token: string): Promise<Principal> {
    const hash = apiKeyHash(token);
    const state = await this.opts.cache.get(`k:${hash}`, () => this.loadApiKey(hash));
    if (state.refused) refuse(state);
    if (state.expiresAt && state.expiresAt <= Date.now()) refuse({ ...state, refused: 'api_key_invalid' });
    if (state.apiKeyId) await this.touchApiKey(state.apiKeyId);
    return {
      userId: state.userId,
      role: state.role,
      email: state.email,
      via: 'api_key',
      ...(state.apiKeyId ? { apiKeyId: state.apiKeyId } : {}),
      ...(state.services ? { services: state.services } : {}),
    };
  }

  private async loadApiKey(hash: string): Promise<CredentialState> {
    const row = await this.opts.db
      .selectFrom('api_keys as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .select(['k.id', 'k.user_id', 'k.services', 'k.expires_at', 'k.revoked_at', 'u.role', 'u.email', 'u.disabled_at'])
      .where('k.key_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return { userId: '', role: 'user', email: null, refused: 'api_key_invalid' };
    const base: CredentialState = {
      userId: row.user_id,
      role: row.role,
      email: row.email,
      apiKeyId: row.id,
      services: row.services,
      expiresAt: row.expires_at ? new Date(row.expires_at).getTime() : null,
    };
    if (row.disabled_at) return { ...base, refused: 'user_disabled' };
    if (row.revoked_at) return { ...base, refused: 'api_key_invalid' };
    return base;
  }

  private readonly touched = new Map<string, number>();

  /** Records last use, at most once a minute per key per replica (so at most one write a minute). */
  private async touchApiKey(id: string): Promise<void> {
    const now = Date.now();
    if ((this.touched.get(id) ?? 0) > now - 60_000) return;
    this.touched.set(id, now);
    if (this.touched.size > 10_000) this.touched.clear();
    await this.opts.db
      .updateTable('api_keys')
      .set({ last_used_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute()
      .catch(() => undefined);
  }

  private hasExternal(): boolean {
    return Boolean(this.remoteJwks || this.hsKey);
  }

  /** A token of the configured external Supabase project; its user is provisioned on first sight. */
  private async verifyExternal(token: string): Promise<Principal> {
    const { external, clockSkewSeconds } = this.opts;
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new CredentialRejected('malformed', 'The token is not a well-formed JWT');
    }
    let payload: JWTPayload;
    try {
      const common = {
        audience: ACCESS_TOKEN_AUDIENCE,
        clockTolerance: clockSkewSeconds,
        requiredClaims: ['sub', 'exp', 'iss'],
        ...(external.issuer ? { issuer: external.issuer } : {}),
      };
      if (alg === 'HS256' && this.hsKey) {
        ({ payload } = await jwtVerify(token, this.hsKey, { ...common, algorithms: ['HS256'] }));
      } else if (alg !== 'HS256' && this.remoteJwks) {
        ({ payload } = await jwtVerify(token, this.remoteJwks, { ...common, algorithms: ['ES256', 'RS256'] }));
      } else {
        throw new CredentialRejected('unsupported_algorithm', 'The token uses an algorithm that is not allowed');
      }
    } catch (err) {
      throw rejectionFromJose(err);
    }
    const iss = payload.iss;
    const sub = payload.sub;
    if (typeof iss !== 'string' || !iss || iss === this.opts.ownIssuer) {
      throw new CredentialRejected('wrong_issuer', 'The token is from another issuer');
    }
    if (typeof sub !== 'string' || !sub || sub.length > 255) throw new CredentialRejected('malformed', 'The token lacks a subject');
    const email = typeof payload.email === 'string' && payload.email.length <= 254 ? normaliseEmail(payload.email) : null;
    const key = `x:${iss}\u0000${sub}`;
    const state = await this.opts.cache.get(key, () => this.provisionExternal(iss, sub, email));
    if (state.refused) refuse(state);
    return { userId: state.userId, role: state.role, email: state.email, via: 'external_jwt' };
  }

  private async provisionExternal(iss: string, sub: string, email: string | null): Promise<CredentialState> {
    const find = () =>
      this.opts.db
        .selectFrom('users')
        .select(['id', 'role', 'email', 'disabled_at'])
        .where('external_issuer', '=', iss)
        .where('external_subject', '=', sub)
        .executeTakeFirst();
    let row = await find();
    if (!row) {
      // Never link to a local account by email: an external identity gets an account of its own.
      const taken = email
        ? await this.opts.db.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', email).executeTakeFirst()
        : undefined;
      await this.opts.db
        .insertInto('users')
        .values({
          email: taken ? null : email,
          external_issuer: iss,
          external_subject: sub,
          user_metadata: JSON.stringify({}),
          app_metadata: JSON.stringify({ provider: 'supabase', providers: ['supabase'], role: 'user' }),
          email_confirmed_at: new Date(),
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      row = await find();
      if (!row) return { userId: '', role: 'user', email: null, refused: 'user_not_found' };
    }
    const base = { userId: row.id, role: row.role, email: row.email };
    return row.disabled_at ? { ...base, refused: 'user_disabled' } : base;
  }
}
