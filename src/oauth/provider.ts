import type { Kysely } from 'kysely';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../db/index.js';
import { DatabaseAdapter } from './adapter.js';
import type { ClientMetadataFetch } from './client-documents.js';
import { MCP_SCOPE, mcpResource, redirectUriProblem } from './mcp-resources.js';
import { PlatformSigningKey } from './signing-key.js';
import type { PlatformTokenKeys } from './signing.js';

export interface ProviderSettings {
  /** The authorization server's issuer: the platform's PUBLIC_URL (metadata at its root, RFC 8414). */
  issuer: string;
  db: Kysely<Database>;
  keys: PlatformTokenKeys;
  cookieKeys: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  dynamicRegistration: boolean;
  /** Fetches a Client ID Metadata Document through the egress guard (client-documents.ts). */
  fetchClientDocument: ClientMetadataFetch;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-Proto/Host (the platform's TRUST_PROXY). */
  proxy: boolean;
}

/**
 * Loaded by index.ts on the first request that needs it: oidc-provider and Koa are ~250 modules
 * that an idle platform does not use (docs/benchmarks.md, "Memory").
 *
 * The OAuth 2.1 authorization server for MCP clients, on panva's oidc-provider (docs/oauth.md):
 * code flow with PKCE S256 only, resource indicators mapped to MCP resources, JWT access tokens
 * signed with the platform's ES256 key, refresh rotation, DCR, revocation, CIMD.
 */
export function createProvider(settings: ProviderSettings): Provider {
  const { issuer, db } = settings;
  const configuration: Configuration = {
    adapter: (name: string) => new DatabaseAdapter(db, name),
    clients: [],
    jwks: { keys: [new PlatformSigningKey(settings.keys) as never] },
    cookies: { keys: settings.cookieKeys },
    responseTypes: ['code'],
    // 'mcp' is also the resource scope; listed here so that clients may register it (RFC 7591 `scope`).
    scopes: ['openid', 'offline_access', MCP_SCOPE],
    claims: { openid: ['sub'] },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    allowOmittingSingleRegisteredRedirectUri: false,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'ES256',
    },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    ttl: {
      AccessToken: settings.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      RefreshToken: settings.refreshTokenTtlSeconds,
      Grant: settings.refreshTokenTtlSeconds,
      Interaction: 600,
      Session: 600,
      IdToken: 600,
    },
    routes: {
      authorization: '/oauth/authorize',
      token: '/oauth/token',
      registration: '/oauth/register',
      revocation: '/oauth/revoke',
      jwks: '/oauth/jwks',
      userinfo: '/oauth/userinfo',
      end_session: '/oauth/session/end',
      introspection: '/oauth/introspect',
      pushed_authorization_request: '/oauth/par',
      code_verification: '/oauth/device',
      device_authorization: '/oauth/device/auth',
      backchannel_authentication: '/oauth/backchannel',
      challenge: '/oauth/challenge',
    },
    interactions: { url: (_ctx, interaction) => `/oauth/consent/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      introspection: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      // A token is revoked only by the client it was issued to (public clients: by client_id).
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      registration: { enabled: settings.dynamicRegistration, initialAccessToken: false, idFactory: undefined },
      resourceIndicators: {
        enabled: true,
        // MCP: the client names the resource; without one nothing is issued.
        defaultResource: () => {
          throw new errors.InvalidTarget('the resource parameter (RFC 8707) is required: the MCP server URL, e.g. ' + `${issuer}/mcp/{service}`);
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          const audience = mcpResource(issuer, resource);
          if (!audience) throw new errors.InvalidTarget(`${resource} is not an MCP resource of this platform`);
          return {
            scope: MCP_SCOPE,
            audience,
            accessTokenTTL: settings.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
      clientIdMetadataDocument: {
        enabled: true,
        ack: 'draft-02',
        allowClient: (_ctx: unknown, client: { redirectUris: string[] }) => client.redirectUris.every((uri) => redirectUriProblem(uri) === undefined),
      } as never,
      externalSigningSupport: { enabled: true, ack: 'experimental-01' } as never,
    },
    // Every outbound fetch (Client ID Metadata Documents) goes through the platform's egress guard.
    fetch: (url, options) => settings.fetchClientDocument(String(url), options as RequestInit),
    formats: {
      customizers: {
        // The grant lets the gateway refuse a token whose grant was revoked (Connected apps, reuse).
        jwt: (_ctx, token, jwt) => {
          if ('grantId' in token) jwt.payload.gid = token.grantId;
        },
      },
    },
    extraClientMetadata: {
      properties: [],
    },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    renderError: (ctx, out) => renderError(ctx, out),
    discovery: { service_documentation: `${issuer}/docs/oauth` },
  };
  const provider = new Provider(issuer, configuration);
  provider.proxy = settings.proxy;
  return provider;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Errors that cannot go back to a verified redirect_uri are shown here, never redirected (no open redirect). */
function renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string | undefined }): void {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  ctx.set('Cache-Control', 'no-store');
  ctx.body = `<!doctype html><html><head><meta charset="utf-8"><title>Authorization error</title></head><body><h1>Authorization error</h1><p><code>${escapeHtml(out.error)}</code></p><p>${escapeHtml(out.error_description ?? '')}</p></body></html>`;
}
