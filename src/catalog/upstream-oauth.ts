import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import * as oauth from 'oauth4webapi';
import type { Logger } from 'pino';
import type { Database } from '../db/index.js';
import type { AuditSink } from '../logging/index.js';
import type { SealedColumn, Vault } from '../vault/index.js';
import type { ServiceDefinition, UpstreamAuthorization, UpstreamOAuthConfig } from './service-definition.js';
import type { ProviderClients } from './upstream-oauth-client.js';
import { sealedUserServiceColumn } from './sealed-column.js';

/**
 * Users' OAuth connections to upstream providers: the code flow with PKCE (state kept in the
 * database, single-use, short-lived, so any replica finishes it), the tokens sealed by the vault
 * per (user, service), refresh before expiry and after a 401, single-flight across replicas
 * (a claim on the row's `version`, compare-and-set), and disconnect with RFC 7009 revocation.
 * The refresh token never leaves this file: not in a log line, a response or an error.
 */

const tokenContext = (userId: string, serviceId: string) => `oauth_token:${userId}:${serviceId}`;
const stateContext = (stateHash: string) => `oauth_state:${stateHash}`;
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

interface StoredTokens {
  access_token: string;
  refresh_token?: string;
  token_type: string;
}

interface TokenRow {
  id: string;
  version: number;
  expiresAt: Date | null;
  tokens: StoredTokens;
}

/** Why a connection attempt was refused, as the portal's page explains it (`/services/oauth-refused?reason=`). */
export type OAuthFlowRefusal = 'no_state' | 'unknown_state' | 'expired' | 'service_unavailable' | 'provider_refused' | 'code_refused' | 'not_oauth';

/** A refused or broken authorization flow: the callback answers 400 with this message. */
export class OAuthFlowError extends Error {
  override name = 'OAuthFlowError';
  constructor(
    message: string,
    readonly reason: OAuthFlowRefusal,
    /** The provider's own error code (`access_denied`…), checked to be a plain token. */
    readonly providerError?: string,
  ) {
    super(message);
  }
}

export interface UpstreamOAuthOptions {
  db: Kysely<Database>;
  vault: Vault;
  providers: ProviderClients;
  /** The platform's callback URL registered with every provider. */
  redirectUri: string;
  logger: Logger;
  audit?: AuditSink;
  stateTtlMs?: number;
  /** Refresh when the access token expires within this (default 60 s). */
  refreshMarginMs?: number;
  /** How long one replica holds the refresh of a row before another may take it over (default 30 s). */
  refreshClaimMs?: number;
}

export function oauthConfigOf(definition: ServiceDefinition): UpstreamOAuthConfig | undefined {
  return definition.config.kind === 'http' ? definition.config.oauth : undefined;
}

function render(inject: UpstreamOAuthConfig['inject'], token: string): Record<string, string> {
  return { [inject.header.toLowerCase()]: inject.template ? inject.template.split('{value}').join(token) : token };
}

export class UpstreamOAuth {
  private readonly inflight = new Map<string, Promise<TokenRow | undefined>>();
  private readonly stateTtlMs: number;
  private readonly marginMs: number;
  private readonly claimMs: number;

  constructor(private readonly o: UpstreamOAuthOptions) {
    this.stateTtlMs = o.stateTtlMs ?? 10 * 60_000;
    this.marginMs = o.refreshMarginMs ?? 60_000;
    this.claimMs = o.refreshClaimMs ?? 30_000;
  }

  /** Step 1: the provider's authorization URL, with PKCE S256 and a state bound to this user. */
  async start(userId: string, service: ServiceDefinition): Promise<{ authorizationUrl: string; expiresIn: number }> {
    const config = oauthConfigOf(service);
    if (!config) throw new OAuthFlowError(`Service "${service.slug}" is not connected by OAuth`, 'not_oauth');
    const p = await this.o.providers.forService(service.id, config);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const stateHash = sha256(state);
    await this.o.db.deleteFrom('upstream_oauth_states').where('expires_at', '<', sql<Date>`now()`).execute();
    await this.o.db
      .insertInto('upstream_oauth_states')
      .values({
        state_hash: stateHash,
        user_id: userId,
        service_id: service.id,
        sealed_verifier: this.o.vault.seal(verifier, stateContext(stateHash)),
        redirect_uri: this.o.redirectUri,
        expires_at: new Date(Date.now() + this.stateTtlMs),
      })
      .execute();
    const url = new URL(p.as.authorization_endpoint ?? '');
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', p.client.client_id);
    url.searchParams.set('redirect_uri', this.o.redirectUri);
    if (config.scopes.length) url.searchParams.set('scope', config.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return { authorizationUrl: url.href, expiresIn: Math.floor(this.stateTtlMs / 1000) };
  }

  /**
   * Step 2, the callback: the state is taken (deleted) first, so it works once; then the code is
   * exchanged and the tokens are sealed. `find` gives the service by id (it may have changed).
   */
  async finish(params: URLSearchParams, find: (serviceId: string) => Promise<ServiceDefinition | undefined>): Promise<{ userId: string; service: ServiceDefinition }> {
    const state = params.get('state');
    if (!state) throw new OAuthFlowError('The callback has no state', 'no_state');
    const row = await this.o.db.deleteFrom('upstream_oauth_states').where('state_hash', '=', sha256(state)).returningAll().executeTakeFirst();
    if (!row) throw new OAuthFlowError('Unknown or already used state: start the connection again', 'unknown_state');
    if (new Date(row.expires_at).getTime() < Date.now()) throw new OAuthFlowError('The connection attempt expired: start it again', 'expired');
    const service = await find(row.service_id);
    const config = service && oauthConfigOf(service);
    if (!service || !config || !service.enabled) throw new OAuthFlowError('The service is no longer available', 'service_unavailable');
    const p = await this.o.providers.forService(service.id, config);
    let callback: URLSearchParams;
    try {
      callback = oauth.validateAuthResponse(p.as, p.client, params, state);
    } catch (err) {
      const code = err instanceof oauth.AuthorizationResponseError ? err.error : 'invalid_response';
      const plain = /^[\w.-]{1,64}$/.test(code) ? code : 'error';
      throw new OAuthFlowError(`The provider did not authorize the connection (${plain})`, 'provider_refused', plain);
    }
    const verifier = this.o.vault.openString(row.sealed_verifier, stateContext(row.state_hash));
    let result: oauth.TokenEndpointResponse;
    try {
      const res = await oauth.authorizationCodeGrantRequest(p.as, p.client, p.auth, callback, row.redirect_uri, verifier, p.options);
      result = await oauth.processAuthorizationCodeResponse(p.as, p.client, res);
    } catch (err) {
      this.o.logger.warn({ 'service.slug': service.slug, err: { name: (err as Error).name, code: (err as { error?: string }).error } }, 'upstream OAuth code exchange failed');
      throw new OAuthFlowError('The provider refused the authorization code', 'code_refused');
    }
    await this.store(row.user_id, service.id, result);
    return { userId: row.user_id, service };
  }

  async isConnected(userId: string, serviceId: string): Promise<boolean> {
    const row = await this.o.db.selectFrom('upstream_oauth_tokens').select('id').where('user_id', '=', userId).where('service_id', '=', serviceId).executeTakeFirst();
    return row !== undefined;
  }

  /** The connector's handle on one (user, service) connection. */
  authorization(userId: string, service: ServiceDefinition): UpstreamAuthorization {
    const config = oauthConfigOf(service);
    if (!config) throw new Error(`service ${service.slug} has no oauth`);
    return {
      headers: async () => {
        let row = await this.load(userId, service.id);
        if (row && row.expiresAt && row.expiresAt.getTime() - Date.now() < this.marginMs) row = await this.refresh(userId, service, row);
        return row ? render(config.inject, row.tokens.access_token) : undefined;
      },
      afterRejection: async (rejected) => {
        const row = await this.load(userId, service.id);
        if (!row) return undefined;
        const current = render(config.inject, row.tokens.access_token);
        // Another request (or replica) refreshed since: use its token rather than refreshing again.
        if (Object.entries(current).some(([k, v]) => rejected[k] !== v)) return current;
        const refreshed = await this.refresh(userId, service, row);
        return refreshed ? render(config.inject, refreshed.tokens.access_token) : undefined;
      },
    };
  }

  /** Disconnect: revoke at the provider (RFC 7009) when it can, then delete the row. False when none. */
  async disconnect(userId: string, service: ServiceDefinition): Promise<{ deleted: boolean; revoked: boolean }> {
    const row = await this.load(userId, service.id);
    if (!row) return { deleted: false, revoked: false };
    let revoked = false;
    const config = oauthConfigOf(service);
    if (config) {
      try {
        const p = await this.o.providers.forService(service.id, config);
        if (p.as.revocation_endpoint) {
          // The refresh token first: revoking it ends the grant; then the access token.
          for (const token of [row.tokens.refresh_token, row.tokens.access_token]) {
            if (!token) continue;
            await oauth.processRevocationResponse(await oauth.revocationRequest(p.as, p.client, p.auth, token, p.options));
          }
          revoked = true;
        }
      } catch (err) {
        this.o.logger.warn({ 'service.slug': service.slug, err: { name: (err as Error).name } }, 'upstream OAuth revocation failed; deleting the connection anyway');
      }
    }
    await this.o.db.deleteFrom('upstream_oauth_tokens').where('id', '=', row.id).execute();
    return { deleted: true, revoked };
  }

  private async store(userId: string, serviceId: string, result: oauth.TokenEndpointResponse): Promise<void> {
    const tokens: StoredTokens = { access_token: result.access_token, token_type: result.token_type, ...(result.refresh_token ? { refresh_token: result.refresh_token } : {}) };
    const sealed = this.o.vault.seal(JSON.stringify(tokens), tokenContext(userId, serviceId));
    const expiresAt = typeof result.expires_in === 'number' ? new Date(Date.now() + result.expires_in * 1000) : null;
    await this.o.db
      .insertInto('upstream_oauth_tokens')
      .values({ user_id: userId, service_id: serviceId, sealed, key_id: this.o.vault.activeKeyId, expires_at: expiresAt })
      .onConflict((oc) =>
        oc.columns(['user_id', 'service_id']).doUpdateSet({
          sealed,
          key_id: this.o.vault.activeKeyId,
          expires_at: expiresAt,
          version: sql<number>`upstream_oauth_tokens.version + 1`,
          refreshing_until: null,
          updated_at: sql<Date>`now()`,
        }),
      )
      .execute();
  }

  private async load(userId: string, serviceId: string): Promise<TokenRow | undefined> {
    const row = await this.o.db
      .selectFrom('upstream_oauth_tokens')
      .select(['id', 'version', 'expires_at', 'sealed'])
      .where('user_id', '=', userId)
      .where('service_id', '=', serviceId)
      .executeTakeFirst();
    if (!row) return undefined;
    try {
      const tokens = JSON.parse(this.o.vault.openString(row.sealed, tokenContext(userId, serviceId))) as StoredTokens;
      return { id: row.id, version: row.version, expiresAt: row.expires_at ? new Date(row.expires_at) : null, tokens };
    } catch (err) {
      this.o.logger.warn({ 'user.id': userId, 'service.id': serviceId, err: { message: (err as Error).message } }, 'stored OAuth tokens cannot be opened');
      return undefined;
    }
  }

  /** One refresh per row at a time: in this process by a shared promise, across replicas by a claim on `version`. */
  private refresh(userId: string, service: ServiceDefinition, seen: TokenRow): Promise<TokenRow | undefined> {
    const key = `${seen.id}:${seen.version}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const work = this.refreshOnce(userId, service, seen).finally(() => this.inflight.delete(key));
    this.inflight.set(key, work);
    return work;
  }

  private async refreshOnce(userId: string, service: ServiceDefinition, seen: TokenRow): Promise<TokenRow | undefined> {
    const db = this.o.db;
    const claimed = await db
      .updateTable('upstream_oauth_tokens')
      .set({ refreshing_until: sql<Date>`now() + ${`${this.claimMs} milliseconds`}::interval` })
      .where('id', '=', seen.id)
      .where('version', '=', seen.version)
      .where((eb) => eb.or([eb('refreshing_until', 'is', null), eb('refreshing_until', '<', sql<Date>`now()`)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return this.awaitOtherRefresh(userId, service.id, seen);
    const config = oauthConfigOf(service);
    const refreshToken = seen.tokens.refresh_token;
    if (!config || !refreshToken) {
      await this.drop(userId, service, seen, 'no_refresh_token');
      return undefined;
    }
    const p = await this.o.providers.forService(service.id, config);
    let result: oauth.TokenEndpointResponse;
    try {
      const res = await oauth.refreshTokenGrantRequest(p.as, p.client, p.auth, refreshToken, p.options);
      result = await oauth.processRefreshTokenResponse(p.as, p.client, res);
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant') {
        await this.drop(userId, service, seen, 'invalid_grant');
        return undefined;
      }
      await db.updateTable('upstream_oauth_tokens').set({ refreshing_until: null }).where('id', '=', seen.id).where('version', '=', seen.version).execute();
      this.o.logger.warn({ 'service.slug': service.slug, err: { name: (err as Error).name } }, 'upstream OAuth refresh failed');
      throw new Error(`The OAuth provider of service "${service.slug}" could not be reached to refresh the token`);
    }
    const tokens: StoredTokens = { access_token: result.access_token, token_type: result.token_type, ...((result.refresh_token ?? refreshToken) ? { refresh_token: result.refresh_token ?? refreshToken } : {}) };
    const expiresAt = typeof result.expires_in === 'number' ? new Date(Date.now() + result.expires_in * 1000) : null;
    const updated = await db
      .updateTable('upstream_oauth_tokens')
      .set({
        sealed: this.o.vault.seal(JSON.stringify(tokens), tokenContext(userId, service.id)),
        key_id: this.o.vault.activeKeyId,
        expires_at: expiresAt,
        version: seen.version + 1,
        refreshing_until: null,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', seen.id)
      .where('version', '=', seen.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return this.load(userId, service.id); // disconnected meanwhile
    this.o.logger.info({ 'service.slug': service.slug, 'user.id': userId }, 'upstream OAuth token refreshed');
    return { id: seen.id, version: seen.version + 1, expiresAt, tokens };
  }

  /** Another replica holds the refresh: wait for its new version (or the row's removal). */
  private async awaitOtherRefresh(userId: string, serviceId: string, seen: TokenRow): Promise<TokenRow | undefined> {
    for (let waited = 0; waited < this.claimMs; waited += 100) {
      await sleep(100);
      const row = await this.load(userId, serviceId);
      if (!row || row.version !== seen.version) return row;
    }
    throw new Error('The OAuth token refresh of another replica did not finish');
  }

  /**
   * The provider refused the refresh token (rotated, revoked, expired): the user must reconnect.
   * The refusal is audited BEFORE the row goes: a concurrent request (here or on another replica)
   * that finds the row gone tells the user to reconnect at once, and by then the trail must
   * already hold the reason. (Deleting first left a window in which the user had been told and
   * the audit row did not exist yet: test/upstream-oauth.test.ts, "audited before".)
   */
  private async drop(userId: string, service: ServiceDefinition, seen: TokenRow, reason: string): Promise<void> {
    this.o.logger.warn({ 'service.slug': service.slug, 'user.id': userId, reason }, 'upstream OAuth connection dropped: the user must reconnect');
    await this.o.audit
      ?.record({ action: 'upstream_oauth.refresh_refused', outcome: 'failure', actorId: null, targetType: 'service', targetId: service.id, details: { service: service.slug, user: userId, reason } })
      .catch(() => undefined);
    await this.o.db.deleteFrom('upstream_oauth_tokens').where('id', '=', seen.id).where('version', '=', seen.version).execute();
  }
}

/** The sealed upstream OAuth tokens, for the vault's key rotation (`resealColumn`, CLI `rotate-keys`). */
export function sealedOAuthTokens(db: Kysely<Database>): SealedColumn {
  return sealedUserServiceColumn(db, 'upstream_oauth_tokens', tokenContext);
}
