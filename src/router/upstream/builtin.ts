import { InMemoryTransport, type McpServer } from '@modelcontextprotocol/server';
import type { Principal } from '../../gateway/index.js';
import type { BuiltinServerFactory, BuiltinServiceConfig, ResolvedService, UpstreamConnectOptions, UpstreamLease } from '../contracts.js';
import { builtinContextFor, BUILTIN_CONTEXT_HEADER, sealBuiltinContext } from './builtin-context.js';
import { configure, raceAbort, UpstreamClient } from './client.js';
import { UpstreamError } from './errors.js';
import type { HttpBalancer } from './http-balancer.js';

/** Looks a builtin server factory up by name (`BuiltinServiceConfig.server`). */
export type BuiltinLookup = (name: string) => BuiltinServerFactory | undefined;

export interface BuiltinConnectorOptions {
  lookup: BuiltinLookup;
  /** Builtins served out of process (`mcp-platform serve-builtin`): name → instance URLs. */
  remote?: Record<string, string[]>;
  /** Shared with the out-of-process builtins; required when `remote` is used. */
  sharedSecret?: string;
  balancer?: HttpBalancer;
  timeoutMs: number;
}

/**
 * In process (the default): the factory builds an SDK server bound to this caller's context, and a
 * fresh Client talks to it over an in-memory transport pair. Stateless: each lease is its own
 * server; `release()` closes both ends.
 * Out of process: when the builtin's name has remote instances, the lease goes through the HTTP
 * balancer to those instances, with the caller's context sealed into a header.
 */
export class BuiltinConnector {
  constructor(private readonly options: BuiltinConnectorOptions) {}

  async connect(principal: Principal, service: ResolvedService, options?: UpstreamConnectOptions): Promise<UpstreamLease> {
    const config = service.definition.config as BuiltinServiceConfig;
    const context = builtinContextFor(principal, service);
    const remote = this.options.remote?.[config.server];
    if (remote?.length) {
      if (!this.options.balancer || !this.options.sharedSecret) {
        throw new UpstreamError('upstream_unavailable', `The builtin "${config.server}" is remote but BUILTIN_SHARED_SECRET is not set`);
      }
      return this.options.balancer.acquire(
        `builtin:${config.server}`,
        { instances: remote, transport: 'streamable-http', timeoutMs: this.options.timeoutMs },
        { [BUILTIN_CONTEXT_HEADER]: sealBuiltinContext(this.options.sharedSecret, config.server, context) },
        options,
        // The sealed context is new (random IV, 60 s expiry) on every lease: nothing to reuse.
        { reuse: false },
      );
    }
    const factory = this.options.lookup(config.server);
    if (!factory) throw new UpstreamError('builtin_not_found', `The builtin server "${config.server}" is not available`);
    return this.serveInProcess(factory(context), config.server, options);
  }

  /** A fresh Client talking to `server` over an in-memory pair; `release()` closes both ends. */
  async serveInProcess(server: McpServer, label: string, options?: UpstreamConnectOptions): Promise<UpstreamLease> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new UpstreamClient(this.options.timeoutMs);
    configure(client, options);
    try {
      await server.connect(serverSide);
      await raceAbort(client.connect(clientSide, { timeout: this.options.timeoutMs }), options?.signal, () => new UpstreamError('upstream_cancelled', 'The request was cancelled'));
    } catch (err) {
      await client.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError('upstream_start_failed', `The builtin "${label}" could not be started`);
    }
    let released = false;
    return {
      client,
      instance: `builtin:${label}`,
      release: async () => {
        if (released) return;
        released = true;
        await client.close().catch(() => undefined);
        await server.close().catch(() => undefined);
      },
    };
  }
}
