import type { Logger } from 'pino';
import type { Principal } from '../../gateway/index.js';
import type {
  HttpServiceConfig,
  ResolvedService,
  UpstreamConnectOptions,
  UpstreamConnector,
  UpstreamLease,
  UpstreamObserver,
} from '../contracts.js';
import { BuiltinConnector, type BuiltinLookup } from './builtin.js';
import { HttpBalancer, type HttpBalancerOptions } from './http-balancer.js';
import type { ReplicaRing } from './replicas.js';
import { StdioPool, type StdioPoolOptions } from './stdio-pool.js';

export interface UpstreamConnectorDeps {
  /** Builtin server factories by name (`BuiltinServiceConfig.server`). */
  builtins: BuiltinLookup;
  stdio: Omit<StdioPoolOptions, 'logger'>;
  http: Omit<HttpBalancerOptions, 'logger'>;
  /** Builtins served out of process: name → instance URLs (BUILTIN_REMOTE_INSTANCES). */
  builtinRemote?: Record<string, string[]>;
  builtinSharedSecret?: string;
  /** Ownership of stdio children across replicas; closed with the connector. */
  replicas: ReplicaRing;
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
   * The edge serves a stdio request locally when `isLocal`, else forwards it (docs/router.md).
   */
  readonly replicas: ReplicaRing;
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
  return {
    stdio,
    http,
    replicas: deps.replicas,
    connect(principal: Principal, service: ResolvedService, options?: UpstreamConnectOptions): Promise<UpstreamLease> {
      const config = service.definition.config;
      switch (config.kind) {
        case 'stdio':
          return stdio.acquire(principal.userId, service, options);
        case 'http': {
          const httpConfig: HttpServiceConfig = config;
          return http.acquire(service.definition.id, { ...httpConfig, label: service.definition.slug }, credentialHeaders(service), options, { owner: principal.userId });
        }
        case 'builtin':
          return builtin.connect(principal, service, options);
      }
    },
    async close() {
      await Promise.all([stdio.close(), http.close(), deps.replicas.close()]);
    },
  };
}
