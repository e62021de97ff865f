import { createHash } from 'node:crypto';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  isLegacyRequest,
  legacyStatelessFallback,
  type AuthInfo,
  type ClientCapabilities,
  type McpRequestContext,
  type Notification,
} from '@modelcontextprotocol/server';
import express, { type ErrorRequestHandler, type Request as ExpressRequest, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Redis } from '../../db/index.js';
import type { CallMetering, LaneRoute, OpenApiPaths, Principal } from '../../gateway/index.js';
import type { Vault } from '../../vault/index.js';
import type { ResolvedService, ServiceCatalog, Unusable, UpstreamConnector } from '../contracts.js';
import { isShortened, isValidSlug, splitName } from './names.js';
import { boundStream } from './stream-budget.js';
import { callTimeouts } from './call-timeouts.js';
import { McpCallLog, type RelayEvent } from './observe.js';
import type { SessionFacts } from './call-plan.js';
import { createFastPath } from './fast-call.js';
import { serveLifecycle } from './session-lifecycle.js';
import { createRelayServer } from './relay.js';
import { SessionEventLog } from './event-store.js';
import { UserEventBus } from './listen-bus.js';
import { LiveSessions } from './live.js';
import { StreamResumption } from './resume.js';
import { GetStreams, jsonRpcError, serveLegacySessionful } from './sessionful.js';
import { SessionStore } from './sealed-sessions.js';
import { McpRateLimited, type McpRateLimit } from './gateway-hooks.js';
import { meteredObserve, quotaApplies, refusedByQuota } from './metering.js';

export type McpConfig = Pick<
  Config,
  | 'PUBLIC_URL'
  | 'AUTH_ISSUER'
  | 'HOST'
  | 'CORS_ORIGINS'
  | 'BODY_LIMIT_BYTES'
  | 'MCP_SESSION_TTL_SECONDS'
  | 'MCP_UPSTREAM_TIMEOUT_MS'
  | 'MCP_UPSTREAM_MAX_CALL_MS'
  | 'MCP_ALLOWED_HOSTS'
  | 'MCP_ALLOWED_ORIGINS'
  | 'MCP_STREAM_RESUME_WINDOW_SECONDS'
  | 'MCP_PASSTHROUGH'
  | 'MCP_STREAM_MAX_BUFFERED_BYTES'
>;

export interface McpRouterDeps {
  config: McpConfig;
  logger: Logger;
  vault: Vault;
  redis?: Redis;
  catalog: ServiceCatalog;
  connector: UpstreamConnector;
  /**
   * Establishes the caller from the request (Bearer JWT or API key). Resolves undefined when the
   * request carries no valid credentials. The gateway's authenticate middleware plugs in here.
   */
  authenticate: (req: ExpressRequest) => Promise<Principal | undefined>;
  /** Rate limits: per user on each HTTP request, per user + service on each forwarded upstream request. */
  rateLimit?: McpRateLimit;
  /** Plans' quotas before a tools/call is forwarded, and its usage event before it is answered (docs/billing.md). */
  metering?: CallMetering;
}

export interface McpRouter {
  /** The OAuth protected-resource metadata routes (GET), mounted on the app. */
  router: express.Router;
  /**
   * `/mcp` and `/mcp/{service}` (any method, a trailing slash allowed, case-insensitive, as Express
   * routed them): the route a request's URL names, or undefined. The app serves these on a lane
   * (gateway/lane.ts), `endpoint` after its edge and logging middleware.
   */
  route(url: string | undefined): LaneRoute | undefined;
  endpoint: RequestHandler[];
  /** Mount after the router and before the platform error handler: JSON-RPC errors for /mcp bodies. */
  errorHandler: ErrorRequestHandler;
  openapi: OpenApiPaths;
  /** Shutdown, first step: end the open 2025-era GET streams (clients re-open them on another replica). */
  drain(): void;
  close(): Promise<void>;
}

interface Target {
  principal: Principal;
  services: ResolvedService[];
  aggregate: boolean;
  endpointKey: string;
  /** This HTTP exchange's request-log collector (observe.ts), and meter (metering.ts). */
  observe?: (event: RelayEvent) => void | Promise<void>;
  /** Services whose per user + service charge the fast path paid before handing the call to the relay. */
  handedOver?: Set<string>;
  /** This exchange's client stopped reading its SSE answer past the budget (stream-budget.ts): cut it off. */
  stalled: (bufferedBytes: number) => void;
}

const AUTH_EXTRA_KEY = 'mcpTarget';
const MODERN_REVISION = '2026-07-28';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const PRM_PATH = '/.well-known/oauth-protected-resource';

export function createMcpRouter(deps: McpRouterDeps): McpRouter {
  const { config, logger } = deps;
  const sessions = new SessionStore({ vault: deps.vault, redis: deps.redis, ttlSeconds: config.MCP_SESSION_TTL_SECONDS });
  const live = new LiveSessions(deps.redis, logger);
  // A 2025-era session that ends (DELETE, here or on another replica) ends the upstream sessions kept for it.
  sessions.onEnd((hash) => deps.connector.endSession?.(sessionKeyForHash(hash)));
  const events = new SessionEventLog({ redis: deps.redis, ttlSeconds: config.MCP_SESSION_TTL_SECONDS });
  const resumption = new StreamResumption(deps.redis, config.MCP_STREAM_RESUME_WINDOW_SECONDS * 1000, logger);
  const bus = new UserEventBus(deps.redis, logger);
  const getStreams = new GetStreams();
  const maxRequestBodySize = config.BODY_LIMIT_BYTES;
  const allowedHosts = allowedHostnames(config);
  const allowedOrigins = new Set([new URL(config.PUBLIC_URL).origin, ...config.CORS_ORIGINS, ...config.MCP_ALLOWED_ORIGINS].filter((o) => o !== '*'));
  const anyOrigin = config.CORS_ORIGINS.includes('*') || config.MCP_ALLOWED_ORIGINS.includes('*');
  // A platform published on a loopback address (development) also accepts loopback origins on any port.
  const loopbackPlatform = LOOPBACK.has(new URL(config.PUBLIC_URL).hostname);
  const originAllowed = (origin: string): boolean => {
    if (anyOrigin || allowedOrigins.has(origin)) return true;
    if (!loopbackPlatform) return false;
    try {
      return LOOPBACK.has(new URL(origin).hostname);
    } catch {
      return false;
    }
  };

  const buildServer = (
    target: Target,
    clientCapabilities: ClientCapabilities | undefined,
    standalone = false,
    extra: { sessionKey?: string; protocolVersion?: string; listenSink?: (slug: string, n: Notification) => void; listenResources?: string[] } = {},
  ) =>
    createRelayServer({
      ...extra,
      principal: target.principal,
      services: target.services,
      aggregate: target.aggregate,
      connector: deps.connector,
      logger,
      clientCapabilities,
      standalone,
      requestTimeoutMs: config.MCP_UPSTREAM_TIMEOUT_MS,
      maxCallMs: config.MCP_UPSTREAM_MAX_CALL_MS,
      beforeForward: deps.rateLimit ? (service) => chargeOnce(target, service) : undefined,
      observe: target.observe,
    });

  // The charge of a call is paid once, whichever path forwards it.
  const chargeOnce = async (target: Target, service: ResolvedService): Promise<void> => {
    if (target.handedOver?.delete(service.definition.slug)) return;
    await deps.rateLimit!.perService(target.principal, service.definition.slug);
  };

  const targetOf = (ctx: { authInfo?: AuthInfo }): Target => {
    const target = ctx.authInfo?.extra?.[AUTH_EXTRA_KEY] as Target | undefined;
    if (!target) throw new Error('MCP request without a resolved target');
    return target;
  };
  const factory = (ctx: McpRequestContext) => buildServer(targetOf(ctx), undefined, false, { protocolVersion: MODERN_REVISION });
  const onerror = (err: Error) => logger.debug({ err: { message: err.message } }, 'mcp transport');

  // A listen stream holds the upstream connections of its endpoint; their change events go onto the user's bus.
  const listenScope = (target: Target, parsedBody: unknown) => ({
    userId: target.principal.userId,
    endpointKey: target.endpointKey,
    watch: () => {
      const server = buildServer(target, undefined, false, {
        listenSink: (slug, n) => bus.publishFor(target.principal.userId, slug, n),
        listenResources: listenedResources(parsedBody),
      });
      return () => void server.close().catch(() => undefined);
    },
  });

  // 2026-07-28 (per-request envelope) traffic; 2025-era traffic is routed to our sessionful leg.
  const modern = createMcpHandler(factory, { legacy: 'reject', onerror, maxRequestBodySize, bus });
  const legacyStateless = legacyStatelessFallback(factory, onerror, { maxRequestBodySize });

  const dispatch = async (request: Request, options?: { authInfo?: AuthInfo; parsedBody?: unknown }): Promise<Response> => {
    const authInfo = options?.authInfo;
    const target = authInfo ? targetOf({ authInfo }) : undefined;
    if (!authInfo || !target) return jsonRpcError(500, -32603, 'Internal error');
    // An SSE answer holds at most MCP_STREAM_MAX_BUFFERED_BYTES for a client that does not read it.
    return boundStream(await dispatchTo(target, authInfo, request, options?.parsedBody), { maxBytes: config.MCP_STREAM_MAX_BUFFERED_BYTES, onStalled: target.stalled });
  };
  const dispatchTo = async (target: Target, authInfo: AuthInfo, request: Request, parsedBody: unknown): Promise<Response> => {
    if (!(await isLegacyRequest(request, parsedBody, { maxRequestBodySize }))) {
      return bus.run(listenScope(target, parsedBody), () => modern.fetch(request, { authInfo, parsedBody }));
    }
    if (request.method === 'POST' && Array.isArray(parsedBody) && !parsedBody.every((m) => m && typeof m === 'object' && !('method' in m))) {
      return jsonRpcError(400, -32600, 'Invalid Request: JSON-RPC batches are not supported');
    }
    const served = await serveLegacySessionful({
      request,
      parsedBody,
      authInfo,
      userId: target.principal.userId,
      endpointKey: target.endpointKey,
      buildServer: async (caps, standalone, sessionId, protocolVersion) => buildServer(target, caps, standalone, { sessionKey: sessionKeyOf(sessionId), protocolVersion }),
      sessions,
      live,
      events,
      resumption,
      maxRequestBodySize,
      streams: getStreams,
    });
    if (served) return served;
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    return legacyStateless(request, { authInfo, parsedBody });
  };
  const nodeHandler = toNodeHandler({ fetch: dispatch }, { maxRequestBodySize, onerror });
  const fastPath = config.MCP_PASSTHROUGH
    ? createFastPath({
        connector: deps.connector,
        logger,
        timeouts: callTimeouts(config.MCP_UPSTREAM_TIMEOUT_MS, config.MCP_UPSTREAM_MAX_CALL_MS),
        beforeForward: deps.rateLimit ? (principal, service) => deps.rateLimit!.perService(principal, service.definition.slug) : undefined,
      })
    : undefined;

  /**
   * The 2025-era session a POST names, opened (cached per replica; expiry and DELETE are checked
   * every time): undefined without one, null when the fast path must not serve it (unknown,
   * ended, or another user's or endpoint's session: the SDK path answers those).
   */
  const sessionFacts = async (req: ExpressRequest, userId: string, slug: string): Promise<SessionFacts | undefined | null> => {
    const id = req.headers['mcp-session-id'];
    if (id === undefined) return undefined;
    if (typeof id !== 'string' || req.method !== 'POST') return null;
    const state = await sessions.open(id);
    if (!state || state.u !== userId || state.e !== slug) return null;
    const capabilities = state.i.capabilities;
    return {
      id,
      key: sessionKeyOf(id),
      protocolVersion: state.p,
      clientInfo: state.i.clientInfo,
      capabilities: capabilities && typeof capabilities === 'object' && !Array.isArray(capabilities) ? (capabilities as Record<string, unknown>) : {},
    };
  };

  const resourceFor = (slug: string | undefined) => `${config.PUBLIC_URL}/mcp${slug ? `/${slug}` : ''}`;
  const metadataUrlFor = (slug: string | undefined) => `${config.PUBLIC_URL}${PRM_PATH}/mcp${slug ? `/${slug}` : ''}`;

  const guard: RequestHandler = (req, res, next) => {
    const host = req.headers.host;
    if (!host || !allowedHosts.has(hostnameOf(host))) {
      res.status(403).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Forbidden: Host not allowed' }, id: null });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin)) {
      res.status(403).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Forbidden: Origin not allowed' }, id: null });
      return;
    }
    next();
  };

  const serve: RequestHandler = async (req, res, next) => {
    try {
      const service = req.params.service;
      const slug = service === undefined ? undefined : String(service);
      const aggregate = slug === undefined;
      const principal = await deps.authenticate(req);
      if (!principal) {
        const hadToken = typeof req.headers.authorization === 'string' && req.headers.authorization.length > 0;
        res.setHeader(
          'WWW-Authenticate',
          `Bearer resource_metadata="${metadataUrlFor(slug)}"${hadToken ? ', error="invalid_token", error_description="The access token is invalid or expired"' : ''}`,
        );
        res.status(401).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Unauthorized: a valid Bearer token is required' }, id: null });
        return;
      }
      if (deps.rateLimit) {
        try {
          await deps.rateLimit.perRequest(principal, { req, res, slug });
        } catch (err) {
          if (err instanceof McpRateLimited) {
            res.setHeader('Retry-After', String(err.retryAfterSeconds));
            res.status(429).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Rate limit exceeded' }, id: null });
            return;
          }
          throw err;
        }
      }
      let services: ResolvedService[];
      if (slug !== undefined) {
        const service = isValidSlug(slug) ? await deps.catalog.resolve(principal, slug) : undefined;
        if (!service) {
          const why = isValidSlug(slug) && deps.catalog.whyUnusable ? await deps.catalog.whyUnusable(principal, slug) : { reason: 'not_found' as const };
          const { status, message } = unusableAnswer(slug, why);
          res.status(status).json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
          return;
        }
        services = [service];
      } else {
        services = (await deps.catalog.listUsable(principal)).filter((s) => isValidSlug(s.definition.slug));
      }
      // Quotas after the service is resolved: a call to a service that does not exist (or that this user
      // cannot use) gets its own answer, not a quota refusal; on /mcp, a name no usable service claims
      // is an unknown tool, not usage.
      let releaseQuota: (() => Promise<void>) | undefined;
      if (deps.metering && quotaApplies(req, slug, services)) {
        const admitted = await refusedByQuota(deps.metering, principal, req, res, slug);
        if (admitted.refused) return;
        releaseQuota = admitted.release;
      }
      // The logging middleware reads this when the response finishes: one row per JSON-RPC request.
      const calls = new McpCallLog(services, aggregate);
      res.locals.mcpCalls = calls;
      const observe = deps.metering ? meteredObserve(calls, deps.metering, principal, req, releaseQuota) : calls.observe;
      const stalled = (bufferedBytes: number) => {
        logger.warn({ 'user.id': principal.userId, 'mcp.endpoint': slug ?? '*', bufferedBytes, maxBytes: config.MCP_STREAM_MAX_BUFFERED_BYTES }, 'mcp: client not reading its stream: cut off');
        res.destroy();
      };
      const target: Target = { principal, services, aggregate, endpointKey: slug ?? '*', observe, stalled };
      const authInfo: AuthInfo = { token: '', clientId: principal.userId, scopes: [], extra: { [AUTH_EXTRA_KEY]: target } };
      (req as ExpressRequest & { auth?: AuthInfo }).auth = authInfo;
      if (await serveLifecycle(req, res, { sessions, resumption }, { userId: principal.userId, endpointKey: target.endpointKey, services, aggregate, observe })) return;
      const routed = fastPath && (slug !== undefined ? { service: services[0]! } : aggregateToolTarget(req.body, services));
      if (routed) {
        const session = await sessionFacts(req, principal.userId, slug ?? '*');
        const handOver = (service: ResolvedService) => (target.handedOver ??= new Set()).add(service.definition.slug);
        const budget = { maxBytes: config.MCP_STREAM_MAX_BUFFERED_BYTES, onStalled: stalled };
        if (session !== null && (await fastPath(req, res, { principal, observe, session, handOver, budget, ...routed }))) return;
      }
      await nodeHandler(req, res, req.body);
    } catch (err) {
      next(err);
    }
  };

  const router = express.Router();
  const metadata: RequestHandler = (req, res) => {
    const slug = typeof req.params.service === 'string' ? req.params.service : undefined;
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      resource: resourceFor(slug),
      // The platform's OAuth authorization server (src/oauth): its issuer is PUBLIC_URL (RFC 8414 metadata at the root).
      authorization_servers: [config.PUBLIC_URL],
      scopes_supported: ['mcp'],
      bearer_methods_supported: ['header'],
      resource_name: slug ? `MCP service ${slug}` : 'MCP Online Platform',
    });
  };
  router.get(PRM_PATH, metadata);
  router.get(`${PRM_PATH}/mcp`, metadata);
  router.get(`${PRM_PATH}/mcp/:service`, metadata);

  const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (!req.path.startsWith('/mcp') || res.headersSent) return next(err);
    const type = (err as { type?: string } | undefined)?.type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not valid JSON' }, id: null });
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ jsonrpc: '2.0', error: { code: -32000, message: `Payload too large: the limit is ${maxRequestBodySize} bytes` }, id: null });
      return;
    }
    next(err);
  };

  return {
    router,
    route: mcpRoute,
    endpoint: [guard, serve],
    errorHandler,
    openapi: openapiPaths(),
    drain() {
      getStreams.drain();
    },
    async close() {
      await modern.close().catch(() => undefined);
      await Promise.all([live.close(), resumption.close(), bus.close(), sessions.close()]);
    },
  };
}

/** The service and upstream tool name a `tools/call` on the aggregate names (not a shortened name: that needs a listing, the relay's job). */
function aggregateToolTarget(body: unknown, services: ResolvedService[]): { service: ResolvedService; aggregate: { slug: string; upstreamName: string } } | undefined {
  const message = body as { method?: unknown; params?: { name?: unknown } } | undefined;
  if (!message || typeof message !== 'object' || message.method !== 'tools/call' || typeof message.params?.name !== 'string') return undefined;
  const encoded = message.params.name;
  const parts = splitName(encoded);
  if (!parts || isShortened(parts.slug, encoded)) return undefined;
  const service = services.find((s) => s.definition.slug === parts.slug);
  return service ? { service, aggregate: { slug: parts.slug, upstreamName: parts.name } } : undefined;
}

/** `/mcp`, `/mcp/{service}`, a trailing slash, any case: what Express's `/mcp` and `/mcp/:service` routes matched. */
const MCP_PATH = /^\/mcp(?:\/([^/?#]+))?\/?(?:[?#]|$)/i;

export function mcpRoute(url: string | undefined): LaneRoute | undefined {
  const match = url ? MCP_PATH.exec(url) : null;
  if (!match) return undefined;
  if (match[1] === undefined) return { path: '/mcp', params: {} };
  let service = match[1];
  try {
    service = decodeURIComponent(service);
  } catch {
    // Not valid percent-encoding: no service has such a name; the endpoint answers 404.
  }
  return { path: '/mcp/:service', params: { service } };
}

function sessionKeyOf(sessionId: string): string {
  return sessionKeyForHash(createHash('sha256').update(sessionId).digest('base64url'));
}

/** The key a 2025-era session's relays and upstream sessions share, from the SHA-256 of its ID. */
function sessionKeyForHash(hash: string): string {
  return `session:${hash}`;
}

/** The resource URIs a `subscriptions/listen` request asks updates for. */
function listenedResources(body: unknown): string[] | undefined {
  const params = (body as { method?: unknown; params?: { notifications?: { resourceSubscriptions?: unknown } } } | undefined);
  if (params?.method !== 'subscriptions/listen') return undefined;
  const uris = params.params?.notifications?.resourceSubscriptions;
  return Array.isArray(uris) ? uris.filter((u): u is string => typeof u === 'string').slice(0, 100) : undefined;
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1).toLowerCase();
  return host.split(':')[0]!.toLowerCase();
}

function allowedHostnames(config: McpConfig): Set<string> {
  const out = new Set<string>(['localhost', '127.0.0.1', '[::1]']);
  out.add(new URL(config.PUBLIC_URL).hostname.toLowerCase());
  if (config.HOST !== '0.0.0.0' && config.HOST !== '::') out.add(config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST);
  for (const h of config.MCP_ALLOWED_HOSTS) out.add(h.toLowerCase());
  return out;
}

function openapiPaths(): OpenApiPaths {
  const mcpOp = (summary: string) => ({
    tags: ['mcp'],
    summary,
    description:
      'MCP Streamable HTTP endpoint. Serves 2026-07-28 clients (per-request envelope, server/discover, subscriptions/listen) and 2025-11-25/2025-06-18 clients (initialize, Mcp-Session-Id) on the same URL. See docs/mcp.md.',
    security: [{ bearerAuth: [] }],
    responses: {
      '200': { description: 'JSON-RPC response (application/json) or stream (text/event-stream)' },
      '202': { description: 'Notification or response accepted' },
      '401': { description: 'Missing or invalid token; WWW-Authenticate carries resource_metadata' },
      '403': { description: 'Origin or Host not allowed; or the service is outside the API key\'s scope, disabled, or needs the caller\'s credentials (the message says which)' },
      '404': { description: 'Unknown service, or session not found' },
      '503': { description: 'The service\'s definition has a problem an administrator must fix' },
    },
  });
  const withService = (summary: string) => ({
    ...mcpOp(summary),
    parameters: [{ name: 'service', in: 'path' as const, required: true, schema: { type: 'string' } }],
  });
  const prm = {
    tags: ['mcp'],
    summary: 'OAuth 2.0 Protected Resource Metadata (RFC 9728)',
    security: [],
    responses: { '200': { description: 'Protected resource metadata' } },
  };
  return {
    '/mcp': {
      post: mcpOp('MCP aggregate of every usable service: send a JSON-RPC message'),
      get: mcpOp('MCP aggregate: open the 2025-era server-to-client stream'),
      delete: mcpOp('MCP aggregate: end a 2025-era session'),
    },
    '/mcp/{service}': {
      post: withService('MCP endpoint of one service: send a JSON-RPC message'),
      get: withService('MCP endpoint of one service: open the 2025-era server-to-client stream'),
      delete: withService('MCP endpoint of one service: end a 2025-era session'),
    },
    [PRM_PATH]: { get: prm },
    [`${PRM_PATH}/mcp`]: { get: prm },
    [`${PRM_PATH}/mcp/{service}`]: { get: { ...prm, parameters: [{ name: 'service', in: 'path' as const, required: true, schema: { type: 'string' } }] } },
  } as OpenApiPaths;
}

/** The HTTP status and message for a service the caller cannot use, naming the cause and the fix. */
function unusableAnswer(slug: string, why: Unusable): { status: number; message: string } {
  switch (why.reason) {
    case 'not_found':
      return { status: 404, message: `Service ${slug} not found` };
    case 'key_scope':
      return {
        status: 403,
        message: `This API key may use only ${why.scope.join(', ') || 'no service'}; ${slug} is outside its scope. Use a key whose scope includes ${slug}, or one without a service scope.`,
      };
    case 'disabled':
      return { status: 403, message: `Service ${slug} is disabled on this platform; an administrator can enable it.` };
    case 'unavailable':
      return why.unpublished
        ? { status: 503, message: `Service ${slug} has no published version yet; an administrator publishes one in the builder (POST /v1/builder/services/{id}/versions/{version}/publish).` }
        : { status: 503, message: `Service ${slug} is not available: its definition has a problem an administrator must fix.` };
    case 'needs_credentials':
      return { status: 403, message: `Service ${slug} needs your credentials first: connect it on the portal's Services page, or with PUT /v1/services/${slug}/credentials.` };
  }
}
