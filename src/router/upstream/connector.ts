import type { Logger } from 'pino';
import type { PlatformDatabase } from '../../db/index.js';
import type { Principal } from '../../gateway/index.js';
import type { Vault } from '../../vault/index.js';
import type {
  DefinedServerFactory,
  HttpServiceConfig,
  RawUpstreamRequest,
  RawUpstreamResponse,
  ResolvedService,
  UpstreamConnectOptions,
  UpstreamConnector,
  UpstreamLease,
  UpstreamObserver,
} from '../contracts.js';
import { BuiltinConnector, type BuiltinLookup } from './builtin.js';
import { builtinContextFor } from './builtin-context.js';
import { UpstreamError } from './errors.js';
import { HttpBalancer, type HttpBalancerOptions } from './http-balancer.js';
import { StdioForwarder } from './stdio-forwarder.js';
import type { ReplicaRing } from './replicas.js';
import { SharedInstanceHealth } from './shared-health.js';
import { StdioPool, type StdioPoolOptions } from './stdio-pool.js';

export interface UpstreamConnectorDeps {
  /** Builtin server factories by name (`BuiltinServiceConfig.server`). */
  builtins: BuiltinLookup;
  /** Builds the SDK server of an `openapi` service (the builder's runtime, handed over by app.ts). */
  openapi?: DefinedServerFactory;
  stdio: Omit<StdioPoolOptions, 'logger'>;
  http: Omit<HttpBalancerOptions, 'logger'>;
  /** Builtins served out of process: name → instance URLs (BUILTIN_REMOTE_INSTANCES). */
  builtinRemote?: Record<string, string[]>;
  builtinSharedSecret?: string;
  /** Ownership of stdio children across replicas; closed with the connector. */
  replicas: ReplicaRing;
  /** Seals replica-to-replica tokens; without it (tests, single process) stdio is always served locally. */
  vault?: Vault;
  /** Shares http instance health through `service_instances` (shared-health.ts). */
  database?: PlatformDatabase;
  /** Connect bound towards another replica (forwarded stdio leases). */
  forwardConnectTimeoutMs?: number;
  /** The replicas' `KEEP_ALIVE_TIMEOUT_MS`: how long an owner keeps a forwarder's idle connection. */
  replicaKeepAliveMs?: number;
  logger?: Logger;
  /** Metrics hooks (instance health, stdio pool size); wired by the composition root. */
  observer?: UpstreamObserver;
}

/** The connector plus the parts the composition root manages (shutdown, admin view, discovery). */
export interface PlatformUpstream extends UpstreamConnector {
  readonly stdio: StdioPool;
  readonly http: HttpBalancer;
  /**
   * Which replica owns a (user, service) stdio child: `replicas.ownerOf(stdioOwnershipKey(user, service))`.
   * `connect()` serves a stdio lease locally when this replica owns it, else through the owner (stdio-forwarder.ts).
   */
  readonly replicas: ReplicaRing;
  /** Serves every kind on this replica, stdio included: what the owner's internal endpoint uses (never forwards). */
  readonly local: UpstreamConnector;
  /** Health of http instances shared with other replicas and the admin API, when a database is given. */
  readonly sharedHealth: SharedInstanceHealth | undefined;
  close(): Promise<void>;
}

/** Headers for an http upstream: the user's credentials per `inject.header` (+ `template`), nothing else. */
export function credentialHeaders(service: ResolvedService): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const field of service.definition.credentialSchema) {
    const value = service.credentials[field.name];
    if (value === undefined || !('header' in field.inject)) continue;
    const rendered = field.inject.template ? field.inject.template.split('{value}').join(value) : value;
    if (/[\r\n]/.test(rendered)) continue;
    headers[field.inject.header.toLowerCase()] = rendered;
  }
  return headers;
}

/** Asks the user to reconnect: the JSON-RPC error names the service and the way back. */
function reconnectRequired(slug: string): UpstreamError {
  return new UpstreamError(
    'upstream_reconnect_required',
    `The OAuth connection to service "${slug}" was refused and could not be refreshed; reconnect it (GET /v1/services/${slug}/oauth/start, or "Connect" in the portal)`,
  );
}

/**
 * An http service connected by OAuth: the current access token (refreshed before expiry by the
 * catalog), and on a 401 one refresh and one retry; then the user is asked to reconnect.
 */
async function acquireWithOAuth(service: ResolvedService, acquire: (headers: Record<string, string>) => Promise<UpstreamLease>): Promise<UpstreamLease> {
  const authorization = service.authorization;
  const slug = service.definition.slug;
  const withToken = async (token: Record<string, string> | undefined) => {
    if (!token) throw reconnectRequired(slug);
    return { ...credentialHeaders(service), ...token };
  };
  const refused = (err: unknown) => err instanceof UpstreamError && err.upstreamCode === 'upstream_unauthorized';
  const unreachable = (err: unknown): never => {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError('upstream_unavailable', (err as Error).message);
  };
  if (!authorization) throw reconnectRequired(slug);
  const first = await withToken(await authorization.headers().catch(unreachable));
  try {
    return await acquire(first);
  } catch (err) {
    if (!refused(err)) throw err;
  }
  const second = await withToken(await authorization.afterRejection(first).catch(unreachable));
  try {
    return await acquire(second);
  } catch (err) {
    throw refused(err) ? reconnectRequired(slug) : err;
  }
}

export function createUpstreamConnector(deps: UpstreamConnectorDeps): PlatformUpstream {
  const logger = deps.logger?.child({ component: 'router.upstream' });
  const observer = deps.observer;
  const stdio = new StdioPool({ ...deps.stdio, logger, observer });
  const http = new HttpBalancer({ ...deps.http, logger, observer });
  const builtin = new BuiltinConnector({
    lookup: deps.builtins,
    remote: deps.builtinRemote,
    sharedSecret: deps.builtinSharedSecret,
    balancer: http,
    timeoutMs: deps.http.timeoutMs,
  });
  const forwarder =
    deps.vault && deps.replicas.kind !== 'single'
      ? new StdioForwarder({
          vault: deps.vault,
          replicas: deps.replicas,
          connectTimeoutMs: deps.forwardConnectTimeoutMs ?? 5_000,
          startTimeoutMs: deps.stdio.startTimeoutMs,
          ownerKeepAliveMs: deps.replicaKeepAliveMs,
          logger,
        })
      : undefined;
  const sharedHealth = deps.database
    ? new SharedInstanceHealth({
        database: deps.database,
        balancer: http,
        replicaId: () => deps.replicas.self.id,
        intervalMs: deps.http.healthIntervalMs,
        logger,
      })
    : undefined;
  const connect = (principal: Principal, service: ResolvedService, options: UpstreamConnectOptions | undefined, forward: boolean): Promise<UpstreamLease> => {
    const config = service.definition.config;
    switch (config.kind) {
      case 'stdio': {
        const local = () => stdio.acquire(principal.userId, service, options);
        return forward && forwarder ? forwarder.connect(principal, service, options, local) : local();
      }
      case 'http': {
        const httpConfig: HttpServiceConfig = config;
        // An OAuth service's client is not pooled: its token changes, and a 401 must surface at connect (acquireWithOAuth).
        const reuse = !service.authorization;
        const acquire = (headers: Record<string, string>) => http.acquire(service.definition.id, { ...httpConfig, label: service.definition.slug }, headers, options, { owner: principal.userId, reuse });
        return service.authorization ? acquireWithOAuth(service, acquire) : acquire(credentialHeaders(service));
      }
      case 'builtin':
        return builtin.connect(principal, service, options);
      case 'openapi': {
        // In process like a builtin: a server built from the definition, bound to this caller.
        if (!deps.openapi) return Promise.reject(new UpstreamError('upstream_unavailable', `openapi services are not enabled in this process`));
        return builtin.serveInProcess(deps.openapi(service, builtinContextFor(principal, service)), service.definition.slug, options);
      }
    }
  };
  return {
    stdio,
    http,
    replicas: deps.replicas,
    sharedHealth,
    local: { connect: (principal, service, options) => connect(principal, service, options, false) },
    connect(principal: Principal, service: ResolvedService, options?: UpstreamConnectOptions): Promise<UpstreamLease> {
      return connect(principal, service, options, true);
    },
    acceptsRaw(service: ResolvedService, route: 'stateless' | 'session' = 'stateless'): boolean {
      const config = service.definition.config;
      // OAuth services take the SDK path, where a 401 is refreshed and retried (acquireWithOAuth).
      if (config.kind !== 'http' || config.oauth || config.transport !== 'streamable-http') return false;
      return route === 'session' || http.hasModernInstance(service.definition.id);
    },
    async sendRaw(principal: Principal, service: ResolvedService, request: RawUpstreamRequest): Promise<RawUpstreamResponse | undefined> {
      const config = service.definition.config;
      if (config.kind !== 'http' || config.oauth) return undefined;
      // Upstream sessions are the user's own (the same key as `connect`'s: `owner`).
      return http.sendRaw(service.definition.id, { ...config, label: service.definition.slug }, credentialHeaders(service), request, { owner: principal.userId });
    },
    endSession(key: string): void {
      void http.endSession(key);
    },
    async close() {
      await sharedHealth?.close();
      await Promise.all([stdio.close(), http.close(), deps.replicas.close(), forwarder?.close()]);
    },
  };
}
