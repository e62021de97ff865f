import http from 'node:http';
import path from 'node:path';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import { apiOpenApi, buildOpenApiDocument, openApiRouter, operationsOpenApi, operationsRouter } from './api/index.js';
import { platformVersion, type Config } from './config/index.js';
import { connectRedis, migrate, openDatabase, waitForRedis, type PlatformDatabase, type Redis } from './db/index.js';
import {
  createRateLimitStore,
  edgeMiddleware,
  errorHandler,
  ipRateLimit,
  notFound,
  requestLane,
  userRateLimit,
  type OpenApiPaths,
  type RateLimiter,
} from './gateway/index.js';
import { authOpenApi, createAuthService, type AuthService } from './auth/index.js';
import { authenticate, createEgressGuard, errors, requireRole, trackConnections, type EgressGuard } from './gateway/index.js';
import { createLogger, createLoggingService, createTracing, loggingOpenApi, tracedDialect, type LoggingService, type Tracing } from './logging/index.js';
import {
  catalogOpenApi,
  catalogRouter,
  createCatalog,
  UPSTREAM_OAUTH_CALLBACK_PATH,
  upstreamOAuthOpenApi,
  upstreamOAuthRouter,
  type CatalogComponent,
} from './catalog/index.js';
import {
  createInternalStdioEndpoint,
  exemptReplicaTraffic,
  createMcpRouter,
  countingRefusals,
  createUpstreamConnector,
  DatabaseReplicaDirectory,
  mcpRateLimits,
  principalFromBearer,
  RedisReplicaDirectory,
  ReplicaRing,
  SingleReplicaDirectory,
  listUpstreamTools,
  upstreamAdminOpenApi,
  upstreamAdminRouter,
  type BuiltinServerFactory,
  type McpRateLimit,
  type McpRouterDeps,
  type PlatformUpstream,
} from './router/index.js';
import { createOAuthServer, oauthOpenApi, sealedCookieKeys, type EgressFetcher } from './oauth/index.js';
import { createBuiltinServers, type BuiltinServer } from './services/index.js';
import { BUILDER_BODY_PREFIX, builderOpenApi, builderRouter, createOpenApiRuntime } from './builder/index.js';
import { billingOpenApi, builtServiceOwners, createBilling, type Billing } from './billing/index.js';
import { analyticsOpenApi, createAnalytics, providerAnalyticsOpenApi } from './analytics/index.js';
import { loadVault, resealColumn, type RotationCount, type RotationFailure, type Vault } from './vault/index.js';
import { webAppRouter, webOpenApi, type WebAppOptions } from './web/index.js';
import { accountExportOpenApi, accountExportRouter } from './ops/index.js';
import { createMarketplace, marketplaceOpenApi, NpmInstaller } from './marketplace/index.js';

/**
 * Composition root: builds every component from config and wires them together. Nothing else
 * constructs components, and no component imports this file.
 */
export interface Platform {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: PlatformDatabase;
  readonly vault: Vault;
  readonly redis: Redis | undefined;
  /** MCP service registry + per-user credentials; `catalog.catalog` is the router's ServiceCatalog. */
  readonly catalog: CatalogComponent;
  /** Builtin MCP servers by name (the catalog's `builtin.server`), bound to their dependencies. */
  readonly builtins: Record<string, BuiltinServer>;
  /** MCP Router upstream side: connects to stdio/http/builtin services (src/router/upstream). */
  readonly upstream: PlatformUpstream;
  /** The SSRF guard for every outbound URL (instance URLs, and user- or provider-supplied ones). */
  readonly egress: EgressGuard;
  readonly app: express.Express;
  /** The gateway's limiters; `user` is mounted after authentication, `limiter()` builds more (e.g. per user+service). */
  readonly rateLimits: PlatformRateLimits;
  readonly server: http.Server;
  /** Logging Service: request log, audit sink (`logging.audit`), metrics, error tracker. */
  readonly logging: LoggingService;
  /** Auth Service: verifier for other mounts, bootstrap, CLI helpers. */
  readonly auth: AuthService;
  /** Metering, plans and quotas (docs/billing.md); undefined with BILLING_METERING=false. */
  readonly billing: Billing | undefined;
  /**
   * CLI `rotate-keys`: re-seals every sealed value under the vault's active master key, column by
   * column (the catalog's user credentials, auth's signing keys; src/vault/rotation.ts).
   */
  rotateKeys(onFailure?: (failure: RotationFailure) => void): Promise<RotationReport>;
  /** Starts listening on HOST:PORT (or the given port, 0 for any). */
  listen(port?: number): Promise<AddressInfo>;
  /** Graceful: stop accepting, let in-flight requests finish within the bound, close pools. */
  close(): Promise<void>;
}

/** What `rotate-keys` prints: the active key ID and a count per sealed column. */
export interface RotationReport {
  active_key_id: string;
  credentials: RotationCount;
  signing_keys: RotationCount;
  /** Users' upstream OAuth tokens (docs/oauth.md). */
  oauth_tokens: RotationCount;
  /** The OAuth server's cookie keys (one platform_state row). */
  oauth_cookie_keys: RotationCount;
}

export interface PlatformRateLimits {
  ip: RateLimiter;
  user: RateLimiter;
  /** Per-user middleware; requests without a principal pass. Mount after `authenticate`. */
  userMiddleware: express.RequestHandler;
  /** Another limiter on the same store and Redis-down policy. */
  limiter(name: string, pointsPerMinute: number): RateLimiter;
}

export interface PlatformOptions {
  logger?: Logger;
  /** Run migrations before serving (the default; `serve` always does). */
  migrate?: boolean;
  /** Where the one-time bootstrap admin credential is printed (default: stderr). */
  announce?: (text: string) => void;
  /**
   * Overrides of the MCP endpoint's parts (catalog, upstream connector, authentication, rate
   * limits); each defaults to the real component. Tests use it for fixture services.
   */
  mcp?: Partial<Pick<McpRouterDeps, 'catalog' | 'connector' | 'authenticate' | 'rateLimit'>>;
  /**
   * Where the OAuth client IDs and secrets that the catalog names (`http.oauth.client_id_env`, …)
   * are read; default `process.env` (their names come from the catalog, so src/config cannot list them).
   */
  providerEnv?: Readonly<Record<string, string | undefined>>;
  /** Builtin MCP servers by name, for `builtin` services (tests may add their own). */
  builtins?: Record<string, BuiltinServerFactory>;
  /** Create the first admin on start (default true; the `create-admin` CLI turns it off). */
  bootstrapAdmin?: boolean;
  /** Outbound fetches of user-supplied URLs (OAuth Client ID Metadata Documents); default: the egress guard. */
  egress?: EgressFetcher;
  /** Where the built web app is (default web/dist); tests serve a build of their own. */
  web?: Pick<WebAppOptions, 'distDir'>;
  /** The clock quotas count months by (tests cross a month's end with it); default the system clock. Not settable from the environment. */
  clock?: () => Date;
}

export async function createPlatform(config: Config, opts: PlatformOptions = {}): Promise<Platform> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const { vault, generatedKeyPath, createdKey } = await loadVault({
    encryptionKey: config.PLATFORM_ENCRYPTION_KEY,
    previousKeys: config.PLATFORM_ENCRYPTION_KEYS_PREVIOUS,
    dataDir: config.DATA_DIR,
    embedded: config.embedded,
  });
  if (generatedKeyPath) {
    logger.warn(
      { file: generatedKeyPath, created: createdKey },
      'PLATFORM_ENCRYPTION_KEY is not set: using a master key stored in DATA_DIR. Back this file up, or set PLATFORM_ENCRYPTION_KEY for production',
    );
  }

  // ---- tracing (OpenTelemetry, off unless OTEL_TRACES_EXPORTER=otlp): first, so DB statements get spans ----
  const tracing = await createTracing({ config, logger, serviceVersion: platformVersion() });
  let database: PlatformDatabase;
  try {
    database = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      schema: config.DATABASE_SCHEMA,
      poolMax: config.DATABASE_POOL_MAX,
      logger,
      wrapDialect: tracing.enabled ? tracedDialect : undefined,
    });
  } catch (err) {
    await tracing.shutdown();
    throw err;
  }
  // Cleanups run first to last; spans are flushed after everything else has closed.
  const cleanups: Array<() => Promise<unknown>> = [() => database.close(), () => tracing.shutdown()];
  const cleanupNames: string[] = ['database', 'tracing'];
  const onClose = (name: string, cleanup: () => Promise<unknown>) => {
    cleanups.unshift(cleanup);
    cleanupNames.unshift(name);
  };
  try {
    if (opts.migrate !== false) {
      const { applied } = await migrate(database);
      if (applied.length) logger.info({ applied }, 'database migrated');
    }

    let redis: Redis | undefined;
    if (config.REDIS_URL) {
      redis = await connectRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
      onClose('redis', async () => redis?.quit().catch(() => redis?.disconnect()));
      await waitForRedis(redis).catch((err: Error) => logger.warn({ err: { message: err.message } }, 'starting without Redis'));
    }

    // ---- logging: request log, audit chain, metrics, error groups ----
    const logging = createLoggingService({ database, logger, config, dbPool: () => database.poolStats() });
    await logging.start();
    onClose('logging', () => logging.close(Math.max(config.SHUTDOWN_TIMEOUT_MS, 5_000)));
    // ---- end logging ----
    // One SSRF guard for every URL the platform fetches or connects to (docs/gateway.md).
    const egress = createEgressGuard({ allow: config.EGRESS_ALLOW });
    onClose('egress', () => egress.close());
    // --- MCP service catalog, credentials, builtin servers ---
    // Builtins we ship, plus any a caller (tests) adds.
    const builtins: Record<string, BuiltinServer> = { ...createBuiltinServers({ db: database.db }), ...(opts.builtins ?? {}) };
    const catalog = await createCatalog({
      database,
      vault,
      redis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      logger,
      catalogFile: config.CATALOG_FILE === 'none' ? '' : config.CATALOG_FILE,
      builtinNames: new Set(Object.keys(builtins)),
      serviceCacheTtlMs: config.CATALOG_CACHE_TTL_MS,
      credentialCacheTtlMs: config.CREDENTIAL_CACHE_TTL_MS,
      credentialCacheMaxUsers: config.CREDENTIAL_CACHE_MAX_USERS,
      upstreamOAuth: {
        egress,
        env: opts.providerEnv ?? process.env,
        redirectUri: `${config.PUBLIC_URL}/v1${UPSTREAM_OAUTH_CALLBACK_PATH}`,
        audit: logging.audit,
      },
    });
    onClose('catalog', () => catalog.close());
    // --- end catalog ---
    // --- MCP Router, upstream side: stdio pool, http balancer, builtins ---
    // Stdio ownership across replicas: heartbeats in Redis, else the database (PGlite is one process).
    const replicas = new ReplicaRing(
      redis ? new RedisReplicaDirectory(redis) : config.embedded ? new SingleReplicaDirectory() : new DatabaseReplicaDirectory(database),
      {
        id: config.REPLICA_ID,
        address: config.REPLICA_ADDRESS ?? `http://${replicaHost(config.HOST)}:${config.PORT}`,
        heartbeatMs: config.REPLICA_HEARTBEAT_MS,
        ttlMs: config.REPLICA_TTL_MS,
        logger,
        // Announced by listen(): not before this process takes connections.
        announce: false,
      },
    );
    await replicas.refresh();
    const openApiRuntime = createOpenApiRuntime({ egress, timeoutMs: config.BUILDER_CALL_TIMEOUT_MS, maxResponseBytes: config.BUILDER_RESPONSE_MAX_BYTES });
    const upstream = createUpstreamConnector({
      replicas,
      vault, // seals replica-to-replica tokens for forwarded stdio leases
      database, // shares http instance health (service_instances)
      builtins: (name) => (Object.hasOwn(builtins, name) ? builtins[name] : undefined),
      // `openapi` services: the builder's runtime; their API calls go through the egress guard ('public').
      openapi: (service, context) => openApiRuntime.server(service, context),
      stdio: {
        maxProcesses: config.STDIO_MAX_PROCESSES,
        maxPerUser: config.STDIO_MAX_PER_USER,
        idleTimeoutMs: config.STDIO_IDLE_TIMEOUT_MS,
        startTimeoutMs: config.STDIO_START_TIMEOUT_MS,
        killGraceMs: config.STDIO_KILL_GRACE_MS,
        maxMessageBytes: config.MCP_MAX_RESPONSE_BYTES,
      },
      http: {
        strategy: config.HTTP_BALANCING,
        timeoutMs: config.HTTP_UPSTREAM_TIMEOUT_MS,
        healthIntervalMs: config.HTTP_HEALTH_INTERVAL_MS,
        healthTimeoutMs: config.HTTP_HEALTH_TIMEOUT_MS,
        ejectAfterFailures: config.HTTP_EJECT_AFTER_FAILURES,
        ejectBaseMs: config.HTTP_EJECT_BASE_MS,
        ejectMaxMs: config.HTTP_EJECT_MAX_MS,
        sessionIdleMs: config.HTTP_UPSTREAM_SESSION_IDLE_MS,
        sessionsMax: config.HTTP_UPSTREAM_SESSIONS_MAX,
        maxResponseBytes: config.MCP_MAX_RESPONSE_BYTES,
        // Checked again at connection time, resolution pinned per connection (DNS rebinding). An
        // origin a marketplace provider supplied is held to the 'public' policy (docs/marketplace.md).
        connector: (connectOptions) => {
          const instance = egress.connector('instance', connectOptions);
          const strict = egress.connector('public', connectOptions);
          return (target, callback) => {
            const key = `${target.hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${target.port || (target.protocol === 'https:' ? '443' : '80')}`;
            (catalog.registry.strictOrigins.has(key) ? strict : instance)(target, callback);
          };
        },
      },
      replicaKeepAliveMs: config.KEEP_ALIVE_TIMEOUT_MS,
      builtinRemote: config.BUILTIN_REMOTE_INSTANCES,
      builtinSharedSecret: config.BUILTIN_SHARED_SECRET,
      logger,
      // Upstream facts into the metrics sink (the router never imports logging).
      observer: {
        instanceHealth(service, instance, status) {
          logging.metrics.setUpstreamHealth(service, instance, status === 'healthy');
          logging.metrics.setCircuitState(service, instance, status === 'healthy' ? 'closed' : status === 'ejected' ? 'open' : 'half_open');
        },
        instanceRemoved: (service, instance) => logging.metrics.removeUpstreamInstance(service, instance),
        stdioPoolSize: (service, size) => logging.metrics.setStdioPoolSize(service, size),
        stdioChildCrashed: (service) => logging.metrics.stdioChildCrashed(service),
      },
    });
    onClose('upstream', () => upstream.close());
    logging.metrics.readUpstreamClients(() => upstream.http.clientTotals());

    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', config.TRUST_PROXY);
    app.set('query parser', 'simple');

    // --- gateway: rate limits, operations probes, OpenAPI ---
    // One store for every limiter: the limits of one request can be counted in one Redis round trip.
    const rateLimitStore = createRateLimitStore({ redis, redisDown: config.RATE_LIMIT_REDIS_DOWN, logger });
    const limiter = (name: string, pointsPerMinute: number) => rateLimitStore.limiter(name, pointsPerMinute, 60);
    const ipLimiter = limiter('ip', config.RATE_LIMIT_IP_PER_MINUTE);
    const userLimiter = limiter('user', config.RATE_LIMIT_USER_PER_MINUTE);
    const rateLimits: PlatformRateLimits = {
      ip: ipLimiter,
      user: userLimiter,
      userMiddleware: userRateLimit(userLimiter),
      limiter,
    };
    // --- billing: metering (write-before-answer), plans and quotas (docs/billing.md) ---
    // Set once the marketplace exists (it is built after billing, which hands it prices).
    const late: { marketplaceOwners?: (providerId?: string) => Promise<Array<{ provider_id: string; service: string }>> } = {};
    const billing = config.BILLING_METERING
      ? createBilling({
          database,
          logger,
          audit: logging.audit,
          defaultPlan: config.BILLING_DEFAULT_PLAN,
          quotaCacheMs: config.BILLING_QUOTA_CACHE_MS,
          batchSize: config.BILLING_METER_BATCH_SIZE,
          writeBoundMs: config.BILLING_METER_WRITE_BOUND_MS,
          // Embedded PGlite: a call is answered once its event is in the journal beside the data (docs/billing.md).
          journalDir: database.kind === 'pglite' ? path.join(config.DATA_DIR, 'usage-journal') : undefined,
          minuteLimiter: (perMinute) => limiter(`plan-minute-${perMinute}`, perMinute),
          egress,
          webhook:
            config.BILLING_WEBHOOK_URL && config.BILLING_WEBHOOK_SECRET
              ? {
                  url: config.BILLING_WEBHOOK_URL,
                  secret: config.BILLING_WEBHOOK_SECRET,
                  maxAttempts: config.BILLING_WEBHOOK_MAX_ATTEMPTS,
                  backoffMs: config.BILLING_WEBHOOK_BACKOFF_MS,
                  pollMs: config.BILLING_WEBHOOK_POLL_MS,
                  timeoutMs: config.BILLING_WEBHOOK_TIMEOUT_MS,
                }
              : undefined,
          metrics: logging.metrics,
          finaliseSchedule: config.BILLING_FINALISE_SCHEDULE ? { graceMs: config.BILLING_FINALISE_GRACE_MS, checkMs: config.BILLING_FINALISE_CHECK_MS } : undefined,
          now: opts.clock,
          // A provider's services for payouts: those they built, and their approved marketplace listings.
          serviceOwnership: async (db, providerId) => [...(await builtServiceOwners(db, providerId)), ...((await late.marketplaceOwners?.(providerId)) ?? [])],
        })
      : undefined;
    if (billing) onClose('billing', () => billing.close(config.SHUTDOWN_TIMEOUT_MS));
    // --- end billing ---
    // Every component that serves REST routes adds its OpenAPI fragment here.
    const openApiFragments: OpenApiPaths[] = [operationsOpenApi, apiOpenApi];

    const edge = edgeMiddleware({
      logger,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      // The builder reads its own bodies after authentication, up to BUILDER_IMPORT_MAX_BYTES.
      ownBodyPrefixes: [BUILDER_BODY_PREFIX],
      corsOrigins: config.CORS_ORIGINS,
      // Replica-to-replica stdio forwarding (valid replica token) is not one client: not IP-limited.
      // On /mcp the IP is counted with the MCP endpoint's own limits, in one round trip (rate-limit.ts).
      beforeBody: [
        tracing.middleware(
          'rate-limit',
          exemptReplicaTraffic(
            { vault, replicaId: () => upstream.replicas.self.id },
            ipRateLimit(ipLimiter, ['/healthz', '/readyz'], { defer: (req) => req.path === '/mcp' || req.path.startsWith('/mcp/') }),
          ),
          { 'rate_limit.scope': 'ip' },
        ),
      ],
    });
    // What every request meets first: its server span (tracing on only) before anything else, then the edge.
    const front = [...(tracing.serverSpans ? [tracing.serverSpans] : []), ...edge];
    app.use(front);
    // Mounted on their own paths, not as routers every request enters: a `/mcp` call only tests the paths.
    app.get(['/healthz', '/readyz'], operationsRouter({ database: () => database.ping(), redis: redis ? () => redis.ping() : undefined }));
    app.get(
      '/v1/openapi.json',
      openApiRouter(() =>
        buildOpenApiDocument({ fragments: openApiFragments, publicUrl: config.PUBLIC_URL, version: platformVersion() }),
      ),
    );
    // --- end gateway block ---
    // ---- logging: trace context, HTTP metrics, REST request-log rows, /metrics ----
    app.use(logging.middleware);
    if (logging.metricsHandler) app.get('/metrics', logging.metricsHandler);
    // ---- end logging ----

    // Component routers are mounted below; each pushes its fragment into openApiFragments.

    // --- auth: /auth/v1 (GoTrue subset), Bearer authentication for /v1, api-keys, admin users ---
    const audit = logging.audit;
    const auth = await createAuthService({ config, database, vault, redis, logger, audit, announce: opts.announce, userPlans: billing?.userPlans });
    onClose('auth', () => auth.close());
    if (opts.bootstrapAdmin !== false) await auth.bootstrap();
    // --- OAuth authorization server for MCP clients: /.well-known/oauth-authorization-server, /oauth/* ---
    const oauth = await createOAuthServer({
      config,
      database,
      vault,
      logger,
      audit,
      keys: auth.tokenKeys,
      userVerifier: auth.verifier,
      egress: opts.egress ?? egress,
      registrationLimiter: limiter('oauth-register', config.OAUTH_REGISTRATIONS_PER_IP_PER_MINUTE),
    });
    onClose('oauth', () => oauth.close());
    // --- end OAuth ---
    // --- MCP endpoints: /mcp, /mcp/{service}, /.well-known/oauth-protected-resource[/mcp…] ---
    // Mounted before the REST routers: the hot path does not walk their route tables.
    const mcp = createMcpRouter({
      config,
      logger,
      vault,
      redis,
      catalog: opts.mcp?.catalog ?? catalog.catalog,
      connector: opts.mcp?.connector ?? upstream,
      authenticate: countingRefusals(tracing.traced('auth', opts.mcp?.authenticate ?? principalFromBearer(oauth.mcpVerifier(auth.verifier), config.PUBLIC_URL))),
      rateLimit: tracedMcpRateLimit(
        tracing,
        opts.mcp?.rateLimit ?? mcpRateLimits(userLimiter, limiter('mcp-user-service', config.MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE)),
      ),
      metering: billing?.metering,
    });
    onClose('mcp', () => mcp.close());
    app.use(mcp.router);
    app.use(mcp.errorHandler);
    openApiFragments.push(mcp.openapi);
    // --- end MCP endpoints ---
    app.use(oauth.router);
    openApiFragments.push(oauthOpenApi);
    app.use('/auth/v1', auth.gotrueRouter, auth.gotrueErrors);
    app.use(
      '/v1',
      tracing.middleware('auth', authenticate(auth.verifier, { publicPaths: ['/openapi.json', UPSTREAM_OAUTH_CALLBACK_PATH] })),
      tracing.middleware('rate-limit', rateLimits.userMiddleware, { 'rate_limit.scope': 'user' }),
    );
    openApiFragments.push(authOpenApi);
    app.use('/v1/api-keys', auth.apiKeysRouter);
    app.use('/v1/me/sessions', auth.ownSessionsRouter);
    app.use('/v1/admin/users', requireRole('admin'), auth.adminUsersRouter);
    app.use('/v1/oauth/grants', oauth.grantsRouter);
    app.use('/v1/admin/oauth/grants', requireRole('admin'), oauth.adminGrantsRouter);
    // --- end auth ---

    // --- catalog routes: /v1/services…, /v1/admin/services… (authenticated by the /v1 mount above) ---
    app.use('/v1/admin/services', requireRole('admin'));
    if (catalog.upstreamOAuth) {
      app.use(upstreamOAuthRouter({ catalog: catalog.catalog, oauth: catalog.upstreamOAuth, audit, portalServicesUrl: `${config.PUBLIC_URL}/services` }));
      openApiFragments.push(upstreamOAuthOpenApi);
    }
    app.use(
      catalogRouter({
        catalog: catalog.catalog,
        audit,
        builtinNames: new Set(Object.keys(builtins)),
        egress,
        // The admin services view lists a service's live tools through the router's connector.
        listTools: (caller, service) => listUpstreamTools(upstream, caller, service, config.MCP_UPSTREAM_TIMEOUT_MS),
      }),
    );
    openApiFragments.push(catalogOpenApi);
    // --- end catalog routes ---
    // --- billing routes: /v1/admin/plans…, /v1/usage/quota, /v1/admin/users/{id}/quota ---
    if (billing) {
      app.use(billing.router);
      openApiFragments.push(billingOpenApi);
    }
    // --- builder: /v1/builder/* (admins, and users with BUILDER_USERS=true; checked by the router) ---
    app.use(
      builderRouter({
        egress,
        catalog: catalog.catalog,
        audit,
        runtime: openApiRuntime,
        builderUsers: config.BUILDER_USERS,
        importMaxBytes: config.BUILDER_IMPORT_MAX_BYTES,
        importTimeoutMs: config.BUILDER_IMPORT_TIMEOUT_MS,
      }),
    );
    openApiFragments.push(builderOpenApi);
    // --- end builder ---
    // --- marketplace: /v1/marketplace/…, /v1/admin/marketplace/… (docs/marketplace.md) ---
    const marketplace = createMarketplace({
      database,
      catalog: catalog.catalog,
      egress,
      audit,
      // An approved listing's price becomes billing's per-call price for its service.
      prices: billing?.prices,
      // npm listings (MARKETPLACE_NPM): installed per listing version, run over stdio under limits.
      npm: config.MARKETPLACE_NPM
        ? new NpmInstaller({
            root: path.resolve(config.MARKETPLACE_PACKAGES_DIR ?? path.join(config.DATA_DIR, 'marketplace-packages')),
            registry: config.MARKETPLACE_NPM_REGISTRY,
            cpuSeconds: config.MARKETPLACE_STDIO_CPU_SECONDS,
            memoryMb: config.MARKETPLACE_STDIO_MEMORY_MB,
            installTimeoutMs: 300_000,
          })
        : undefined,
      // Builder listings: the review lists the tools of the server the router would run for the definition.
      builder: {
        server: (slug, openapi) =>
          openApiRuntime.server(
            { definition: { id: slug, slug, title: slug, description: '', kind: 'openapi', enabled: true, roles: ['user', 'admin'], toolPolicy: {}, credentialSchema: [], config: openapi }, credentials: {} },
            { user: { id: 'marketplace-review' }, credentials: {} },
          ),
      },
      inspectTimeoutMs: config.MARKETPLACE_INSPECT_TIMEOUT_MS,
    });
    late.marketplaceOwners = (providerId) => marketplace.marketplace.serviceOwners(providerId);
    // npm listings' versions that no longer serve (e.g. their service deleted while the platform was down): removed once idle.
    if (config.MARKETPLACE_NPM) void marketplace.marketplace.retirePackages().catch((err: Error) => logger.warn({ err: { message: err.message } }, 'marketplace: package directories not tidied'));
    app.use('/v1/admin/marketplace', requireRole('admin'));
    app.use(marketplace.router);
    openApiFragments.push(marketplaceOpenApi);
    // --- end marketplace ---

    // --- MCP Router: stdio ownership across replicas, the owner's side (internal; not in OpenAPI) ---
    const internalStdio = createInternalStdioEndpoint({
      vault,
      replicaId: () => upstream.replicas.self.id,
      catalog: opts.mcp?.catalog ?? catalog.catalog, // the same catalog as the MCP endpoints
      local: upstream.local,
      logger,
      requestTimeoutMs: config.MCP_UPSTREAM_TIMEOUT_MS,
      maxRequestBodySize: config.BODY_LIMIT_BYTES,
    });
    onClose('internalStdio', () => internalStdio.close());
    app.use(internalStdio.router);
    // --- end stdio ownership ---
    // ---- logging: /v1/logs, /v1/usage, /v1/admin/{logs,usage,audit,errors} (after authenticate) ----
    app.use(logging.router);
    openApiFragments.push(loggingOpenApi);
    // ---- analytics: /v1/admin/analytics/* over the request log's rollups (docs/analytics.md) ----
    const analytics = createAnalytics({ database, defaultPlan: config.BILLING_DEFAULT_PLAN, now: opts.clock });
    app.use('/v1/admin/analytics', requireRole('admin'), analytics.adminRouter);
    // A marketplace provider's own figures: the same queries over their listings' services, users as pseudonyms.
    app.use(
      '/v1/provider/analytics',
      analytics.scopedRouter(async (req) => {
        if (!req.principal) throw errors.unauthorized();
        return { services: await marketplace.marketplace.providerServices(req.principal.userId), identifyUsers: false };
      }),
    );
    openApiFragments.push(analyticsOpenApi, providerAnalyticsOpenApi);
    // ---- the user's own data export: GET /v1/me/export (src/ops, shared with the export-user CLI) ----
    app.use(accountExportRouter({ database, audit }));
    openApiFragments.push(accountExportOpenApi);
    // --- MCP Router, upstream side: admin view of the pool, instance health and replicas ---
    app.use('/v1/admin/router', requireRole('admin'), upstreamAdminRouter(upstream));
    openApiFragments.push(upstreamAdminOpenApi);
    // --- web app: the portal at / (after every API router; never answers their prefixes) ---
    app.use(webAppRouter({ ...opts.web, publishableKey: config.AUTH_PUBLISHABLE_KEY }));
    openApiFragments.push(webOpenApi);
    app.use(notFound);
    const platformErrors = errorHandler(logger, config.BODY_LIMIT_BYTES, {
      onUnexpectedError: (err, req) => logging.captureError(err, 'http', req),
    });
    app.use(platformErrors);

    // `/mcp` and `/mcp/{service}` take a lane: the middleware they meet in the app, in the same
    // order, without the router's walk over the app's other layers (gateway/lane.ts).
    const mcpLane = requestLane(
      app,
      [...front, ...logging.middleware, ...mcp.endpoint],
      [mcp.errorHandler, platformErrors],
    );

    const server = http.createServer(
      {
        requestTimeout: config.REQUEST_TIMEOUT_MS,
        headersTimeout: config.HEADERS_TIMEOUT_MS,
        keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
        // How often Node checks the header/request timeouts (default 30 s would let slow clients linger).
        connectionsCheckingInterval: Math.min(1_000, config.HEADERS_TIMEOUT_MS),
      },
      (req, res) => {
        const route = mcp.route(req.url);
        if (route) mcpLane(req, res, route);
        else app(req, res);
      },
    );
    const connections = trackConnections(server);

    let closing: Promise<void> | undefined;
    const platform: Platform = {
      config,
      logger,
      database,
      vault,
      redis,
      catalog,
      builtins,
      upstream,
      egress,
      app,
      rateLimits,
      server,
      logging,
      auth,
      billing,
      async rotateKeys(onFailure) {
        return {
          active_key_id: vault.activeKeyId,
          credentials: await resealColumn(vault, catalog.sealedCredentials, onFailure),
          signing_keys: await resealColumn(vault, auth.sealedSigningKeys, onFailure),
          oauth_tokens: await resealColumn(vault, catalog.sealedOAuthTokens, onFailure),
          oauth_cookie_keys: await resealColumn(vault, sealedCookieKeys(database.db), onFailure),
        };
      },
      listen(port = config.PORT) {
        return new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, config.HOST, () => {
            server.off('error', reject);
            const address = server.address() as AddressInfo;
            // Now the others may forward here (at the real port when it was 0).
            void upstream.replicas.join(config.REPLICA_ADDRESS ? undefined : `http://${replicaHost(config.HOST)}:${address.port}`).then(() => resolve(address));
          });
        });
      },
      close() {
        closing ??= (async () => {
          // Leave the stdio ownership ring at once (the others stop forwarding new leases here at
          // their next refresh) and end forwarded sessions as their requests finish, so that
          // their GET streams do not hold the drain until SHUTDOWN_TIMEOUT_MS cuts everything.
          internalStdio.drain();
          // End public 2025-era GET streams too: the clients re-open them through the balancer.
          mcp.drain();
          void upstream.replicas.close();
          const drainStart = Date.now();
          await new Promise<void>((resolve) => {
            if (!server.listening) return resolve();
            const force = setTimeout(() => {
              logger.warn({ connections: internalStdio.sessions() }, 'shutdown bound reached: closing remaining connections');
              server.closeAllConnections();
            }, config.SHUTDOWN_TIMEOUT_MS);
            force.unref();
            // What still holds the drain, every 5 s (a slow drain is then explained in the log).
            const progress = setInterval(() => {
              logger.info({ ...connections.holding(), forwardedStdioSessions: internalStdio.sessions() }, 'draining');
            }, 5_000);
            progress.unref();
            logger.info({ ...connections.holding(), forwardedStdioSessions: internalStdio.sessions() }, 'drain started');
            // No new connections, and each open one closed where no request can be on its way.
            void connections.drain().then(() => {
              clearTimeout(force);
              clearInterval(progress);
              resolve();
            });
          });
          logger.info({ 'shutdown.drain_ms': Date.now() - drainStart }, 'connections drained');
          // A slow step of the shutdown is named in the log (what held a replica's exit).
          for (const [i, cleanup] of cleanups.entries()) {
            const started = Date.now();
            await cleanup().catch(() => undefined);
            const ms = Date.now() - started;
            if (ms > 1_000 && cleanupNames[i] !== 'database' && cleanupNames[i] !== 'tracing') logger.info({ 'shutdown.step': cleanupNames[i] ?? i, 'shutdown.step_ms': ms }, 'slow shutdown step');
          }
        })();
        return closing;
      },
    };
    return platform;
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}

/** The MCP endpoint's rate-limit hooks, each inside a `rate-limit` span (the same object when tracing is off). */
function tracedMcpRateLimit(tracing: Tracing, limits: McpRateLimit): McpRateLimit {
  if (!tracing.enabled) return limits;
  return {
    // The per-user count; with Redis it also carries the edge's deferred IP count and a tools/call's user+service count.
    perRequest: tracing.traced('rate-limit', (p, exchange) => limits.perRequest(p, exchange), { 'rate_limit.scope': 'user' }),
    perService: tracing.traced('rate-limit', (p, slug) => limits.perService(p, slug), { 'rate_limit.scope': 'user-service' }),
  };
}

/** MCP Router: the host other replicas reach this one at, when REPLICA_ADDRESS is not set. */
function replicaHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host.includes(':') ? `[${host}]` : host;
}
