import { Router, type RequestHandler } from 'express';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { PlatformDatabase } from '../db/index.js';
import { rateLimit, type BearerVerifier, type OpenApiPaths, type RateLimiter } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import type { Vault } from '../vault/index.js';
import { sweepExpired } from './adapter.js';
import { auditProviderEvents } from './audit-events.js';
import { clientDocumentFetch, type EgressFetcher } from './client-documents.js';
import { consentRouter } from './consent.js';
import { grantsRouters } from './grants.js';
import { MCP_SCOPE, redirectUriProblem } from './mcp-resources.js';
import type { ProviderSettings } from './provider.js';
import { cookieKeys, type PlatformTokenKeys } from './signing.js';
import { OAuthTokenVerifier } from './tokens.js';

export { oauthOpenApi } from './openapi.js';
export type { EgressFetcher } from './client-documents.js';
export type { PlatformTokenKeys } from './signing.js';
export { sealedCookieKeys } from './signing.js';

export type OAuthConfig = Pick<
  Config,
  | 'PUBLIC_URL'
  | 'TRUST_PROXY'
  | 'AUTH_CLOCK_SKEW_SECONDS'
  | 'AUTH_REVOCATION_CACHE_TTL_MS'
  | 'OAUTH_DYNAMIC_REGISTRATION'
  | 'OAUTH_ACCESS_TOKEN_TTL_SECONDS'
  | 'OAUTH_REFRESH_TOKEN_TTL_SECONDS'
>;

export interface OAuthServerDeps {
  config: OAuthConfig;
  database: PlatformDatabase;
  vault: Vault;
  logger: Logger;
  audit: AuditSink;
  /** The platform's ES256 keys (auth): OAuth access tokens are signed and verified with them. */
  keys: PlatformTokenKeys;
  /** The Auth Service's verifier: who the signed-in portal user giving consent is. */
  userVerifier: BearerVerifier;
  /** The gateway's egress guard: Client ID Metadata Documents are fetched through it. */
  egress: EgressFetcher;
  /** Per-IP limiter for Dynamic Client Registration. */
  registrationLimiter: RateLimiter;
}

export interface OAuthServer {
  /** `/.well-known/oauth-authorization-server`, OpenID discovery, `/oauth/*`: mount before the web app. */
  readonly router: Router;
  /** `/v1/oauth/grants` (behind `authenticate`). */
  readonly grantsRouter: Router;
  /** `/v1/admin/oauth/grants` (behind `authenticate` + `requireRole('admin')`). */
  readonly adminGrantsRouter: Router;
  /** Wraps a verifier so that the MCP endpoint also takes OAuth access tokens, for their resource only. */
  mcpVerifier(base: BearerVerifier): BearerVerifier;
  /** The issuer (`authorization_servers` of the RFC 9728 documents). */
  readonly issuer: string;
  close(): Promise<void>;
}

/** Paths oidc-provider answers; everything else passes by it. */
const PROVIDER_PATHS = /^\/(?:\.well-known\/(?:oauth-authorization-server|openid-configuration)$|oauth\/(?:authorize(?:\/[^/]+)?|token|register(?:\/[^/]+)?|revoke)$)/;

/** The OAuth 2.1 authorization server for MCP clients (docs/oauth.md). */
export async function createOAuthServer(deps: OAuthServerDeps): Promise<OAuthServer> {
  const { config, database, logger } = deps;
  const db = database.db;
  const issuer = config.PUBLIC_URL;
  const keys = await cookieKeys(db, deps.vault);
  const settings: ProviderSettings = {
    issuer,
    db,
    keys: deps.keys,
    cookieKeys: keys,
    accessTokenTtlSeconds: config.OAUTH_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.OAUTH_REFRESH_TOKEN_TTL_SECONDS,
    dynamicRegistration: config.OAUTH_DYNAMIC_REGISTRATION,
    fetchClientDocument: clientDocumentFetch(deps.egress),
    proxy: config.TRUST_PROXY !== false,
  };
  const log = logger.child({ 'service.component': 'oauth' });
  // oidc-provider (with Koa, ~250 modules) is loaded by the first request that needs it, not at start:
  // an idle platform does not carry it (docs/benchmarks.md, "Memory").
  let loading: Promise<{ provider: Provider; callback: ReturnType<Provider['callback']> }> | undefined;
  const loadProvider = () =>
    (loading ??= import('./provider.js').then(({ createProvider }) => {
      const provider = createProvider(settings);
      auditProviderEvents(provider, deps.audit, log);
      return { provider, callback: provider.callback() };
    }));
  const tokenVerifier = (base: BearerVerifier) =>
    new OAuthTokenVerifier(base, { issuer, keys: deps.keys, db, clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS, cacheTtlMs: config.AUTH_REVOCATION_CACHE_TTL_MS });
  const verifiers: OAuthTokenVerifier[] = [];

  const toProvider: RequestHandler = (req, res, next) => {
    if (!PROVIDER_PATHS.test(req.path)) return next();
    // The admin switch: without registration the path is not the authorization server's (the platform's 404).
    if (!config.OAUTH_DYNAMIC_REGISTRATION && req.path.startsWith('/oauth/register')) return next();
    // Pages and answers of the authorization server are never framed (clickjacking of consent).
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('X-Frame-Options', 'DENY');
    loadProvider().then(({ callback }) => callback(req, res), next);
  };
  const register: RequestHandler[] = [
    rateLimit(deps.registrationLimiter, (req) => (req.method === 'POST' && req.path === '/oauth/register' ? (req.ip ?? 'unknown') : undefined)),
    (req, res, next) => {
      if (req.method !== 'POST' || req.path !== '/oauth/register' || !config.OAUTH_DYNAMIC_REGISTRATION) return next();
      // OAuth 2.1 + RFC 8252: https, or loopback http on any port; checked before the library sees the body.
      const uris = (req.body as { redirect_uris?: unknown } | undefined)?.redirect_uris;
      const problems = Array.isArray(uris) ? uris.map((u) => (typeof u === 'string' ? redirectUriProblem(u) : 'is not a string')).filter(Boolean) : [];
      if (problems.length) {
        res.status(400).json({ error: 'invalid_redirect_uri', error_description: `every redirect URI ${problems[0]}` });
        return;
      }
      next();
    },
  ];

  // A client that asks for no scope gets the one scope there is (MCP: scope is optional for clients).
  const defaultScope: RequestHandler = (req, _res, next) => {
    if (req.method === 'GET' && req.path === '/oauth/authorize' && req.query.scope === undefined && req.query.request_uri === undefined) {
      req.url += `${req.url.includes('?') ? '&' : '?'}scope=${MCP_SCOPE}`;
    }
    next();
  };

  const router = Router();
  // The platform's published keys, which sign OAuth access tokens too (the same set as /auth/v1/.well-known/jwks.json).
  router.get('/oauth/jwks', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(deps.keys.jwks());
  });
  router.use(defaultScope);
  router.use(register);
  router.use(consentRouter({ provider: async () => (await loadProvider()).provider, db, verifier: deps.userVerifier, audit: deps.audit, csrfSecret: keys[0]! }));
  router.use(toProvider);

  const grants = grantsRouters({ db, audit: deps.audit, onRevoked: (id) => verifiers.forEach((v) => v.forget(id)) });
  const sweep = setInterval(() => {
    sweepExpired(db).catch((err: Error) => log.warn({ err: { message: err.message } }, 'oauth sweep failed'));
  }, 3_600_000);
  sweep.unref();

  return {
    router,
    grantsRouter: grants.user,
    adminGrantsRouter: grants.admin,
    issuer,
    mcpVerifier(base) {
      const verifier = tokenVerifier(base);
      verifiers.push(verifier);
      return verifier;
    },
    async close() {
      clearInterval(sweep);
    },
  };
}

export type { OpenApiPaths };
