import { randomInt, randomUUID } from 'node:crypto';
import {
  ProtocolError,
  ProtocolErrorCode,
  SdkHttpError,
  Server,
  type ClientCapabilities,
  type Notification,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { Principal } from '../../gateway/index.js';
import { traceUpstreamCall } from '../../tracing/index.js';
import type { ResolvedService, UpstreamConnector, UpstreamLease } from '../contracts.js';
import { decodeUpstreamName, rewriteUris } from './aggregate.js';
import { withoutHopMeta } from './call-plan.js';
import { SERVER_INFO } from './answer-writer.js';
import { callTimeouts, sdkTimeoutOptions, type CallTimeouts } from './call-timeouts.js';
import { routerFor, type RelayEndpoint } from './client-routing.js';
import { encodeName, encodeUri, splitUri } from './names.js';
import { ObservedServer, type RelayEvent } from './observe.js';
import { toolAllowed } from '../../catalog/index.js';
import { policyRefusal, upstreamError, UpstreamSessionGone } from './upstream-errors.js';

/**
 * The relay: a low-level SDK `Server` whose request handlers forward each request to the upstream
 * `Client` of the right service and hand the upstream's result back unchanged (apart from the
 * aggregate's name prefixes and the tool policy). One instance serves one HTTP exchange (2026-07-28)
 * or one request of a 2025-era session; upstream connections are leased lazily and given back
 * when the instance closes.
 */

export interface RelayOptions {
  principal: Principal;
  /** One service for `/mcp/{service}`; every usable service for `/mcp`. */
  services: ResolvedService[];
  aggregate: boolean;
  connector: UpstreamConnector;
  logger: Logger;
  /** The downstream client's declared capabilities, when known (2025-era sessions). */
  clientCapabilities?: ClientCapabilities;
  /** Called before each forwarded request (per user + service rate limit hook). */
  beforeForward?: (service: ResolvedService) => Promise<void>;
  /** The longest silence of the upstream during a request, in ms (call-timeouts.ts). */
  requestTimeoutMs: number;
  /** The longest a request may last however chatty the upstream is (default: 10 minutes, never below `requestTimeoutMs`). */
  maxCallMs?: number;
  /** Facts for the request log: each forwarded request and each request's outcome (observe.ts); an outcome's promise is awaited before the answer (metering). */
  observe?: (event: RelayEvent) => void | Promise<void>;
  /**
   * Identifies the downstream 2025-era session (its relays share it, and the upstream session an
   * http service keeps for it); absent: this relay alone, with no upstream session kept for it.
   */
  sessionKey?: string;
  /** The protocol revision the downstream client speaks (the upstream is offered the same era). */
  protocolVersion?: string;
  /**
   * Makes this relay a `subscriptions/listen` watcher: it holds the upstream connections and hands
   * their change events (by service slug, names as the upstream sent them) to the sink.
   */
  listenSink?: (slug: string, notification: Notification) => void;
  /** Resource URIs (as the client names them) a listen watcher subscribes to upstream. */
  listenResources?: string[];
}

type Params = Record<string, unknown> | undefined;
type AnyResult = Record<string, unknown>;

const DEFAULT_MAX_CALL_MS = 600_000;
/** All listen watchers of a user share one key: an upstream change event is published once. */
const LISTEN_SESSION_KEY = 'listen';

/** What the relay declares to its clients, a new object each time (session-lifecycle.ts answers `initialize` with the same). */
export function relayCapabilities() {
  return {
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { subscribe: true, listChanged: true },
    completions: {},
    logging: {},
  };
}

/** The relay's `instructions`: the aggregate's naming rules, or the one service's description. */
export function relayInstructions(aggregate: boolean, services: ResolvedService[]): string | undefined {
  return aggregate
    ? 'Aggregate of your MCP services. Tools and prompts are named <service>__<name>; resource URIs are <service>+<uri>.'
    : services[0]?.definition.description;
}

export function createRelayServer(opts: RelayOptions & { standalone?: boolean }): Server {
  const server = new ObservedServer(SERVER_INFO, {
    capabilities: relayCapabilities(),
    instructions: relayInstructions(opts.aggregate, opts.services),
  }, opts.observe);
  // One 2025-era session is served by many short-lived instances (one per HTTP request, on any
  // replica); a random start keeps their server→client request IDs unique within the session.
  (server as unknown as { _requestMessageId: number })._requestMessageId = randomInt(1, 2 ** 47);
  const relay = new Relay(server, opts);
  relay.install();
  // A 2025-era GET stream carries upstream notifications that arrive outside any request.
  if (opts.standalone || opts.listenSink) relay.warm();
  return server;
}

class Relay {
  private readonly leases = new Map<string, Promise<UpstreamLease>>();
  private readonly endpoints = new Map<string, RelayEndpoint>();
  private readonly sessionKey: string;
  private readonly timeouts: CallTimeouts;
  private closed = false;

  constructor(
    private readonly server: Server,
    private readonly opts: RelayOptions & { standalone?: boolean },
  ) {
    this.sessionKey = opts.sessionKey ?? `relay:${randomUUID()}`;
    this.timeouts = callTimeouts(opts.requestTimeoutMs, opts.maxCallMs ?? DEFAULT_MAX_CALL_MS);
  }

  install(): void {
    const s = this.server;
    s.onclose = () => {
      this.closed = true;
      void this.releaseAll();
    };

    s.setRequestHandler('tools/list', (req, ctx) => this.listTools(req.params, ctx) as never);
    s.setRequestHandler('tools/call', (req, ctx) => this.callTool(req.params as Params, ctx) as never);
    s.setRequestHandler('prompts/list', (req, ctx) => this.listNamed('prompts/list', 'prompts', req.params, ctx) as never);
    s.setRequestHandler('prompts/get', (req, ctx) => this.forwardNamed('prompts/get', req.params as Params, ctx) as never);
    s.setRequestHandler('resources/list', (req, ctx) => this.listResources('resources/list', 'resources', 'uri', req.params, ctx) as never);
    s.setRequestHandler('resources/templates/list', (req, ctx) =>
      this.listResources('resources/templates/list', 'resourceTemplates', 'uriTemplate', req.params, ctx) as never,
    );
    s.setRequestHandler('resources/read', (req, ctx) => this.forwardUri('resources/read', req.params as Params, ctx) as never);
    s.setRequestHandler('resources/subscribe', (req, ctx) => this.forwardUri('resources/subscribe', req.params as Params, ctx) as never);
    s.setRequestHandler('resources/unsubscribe', (req, ctx) => this.forwardUri('resources/unsubscribe', req.params as Params, ctx) as never);
    s.setRequestHandler('completion/complete', (req, ctx) => this.complete(req.params as Params, ctx) as never);
    s.setRequestHandler('logging/setLevel', (req, ctx) => this.setLevel(req.params as Params, ctx) as never);
  }

  // ---- upstream leases ----------------------------------------------------------------------

  warm(): void {
    for (const service of this.opts.services) {
      void this.lease(service)
        .then((lease) => this.subscribeListened(service, lease))
        .catch(() => undefined);
    }
  }

  /** A listen watcher asks the upstream for updates of the resources the client listens to. */
  private async subscribeListened(service: ResolvedService, lease: UpstreamLease): Promise<void> {
    if (!this.opts.listenSink || !this.opts.listenResources?.length) return;
    if (!lease.client.getServerCapabilities()?.resources?.subscribe) return;
    for (const requested of this.opts.listenResources) {
      let uri: string | undefined = requested;
      if (this.opts.aggregate) {
        const parts = splitUri(requested);
        uri = parts?.slug === service.definition.slug ? parts.uri : undefined;
      }
      if (uri === undefined) continue;
      await lease.client.request({ method: 'resources/subscribe', params: { uri } }, { timeout: this.timeouts.idleMs }).catch(() => undefined);
    }
  }

  private lease(service: ResolvedService, ctx?: ServerContext): Promise<UpstreamLease> {
    const slug = service.definition.slug;
    let pending = this.leases.get(slug);
    if (!pending) {
      pending = this.opts.connector
        .connect(this.opts.principal, service, {
          signal: ctx?.mcpReq.signal,
          protocolVersion: this.opts.protocolVersion,
          session: this.opts.listenSink ? undefined : this.opts.sessionKey,
          // A stdio child (and its client) is shared by all sessions of the user.
          configureClient: (client) => routerFor(client).configure(this.opts.clientCapabilities ?? {}, service.definition.config.kind === 'stdio'),
        })
        .then((lease) => {
          const detach = routerFor(lease.client).attach(this.endpointFor(service));
          const release = lease.release.bind(lease);
          const attached: UpstreamLease = {
            client: lease.client,
            instance: lease.instance,
            release: async () => {
              detach();
              await release();
            },
          };
          if (this.closed) void attached.release().catch(() => undefined);
          return attached;
        });
      this.leases.set(slug, pending);
      pending.catch(() => this.leases.delete(slug));
    }
    return pending.catch((err: unknown) => {
      throw upstreamError(err, service, this.opts.logger);
    });
  }

  private async releaseAll(): Promise<void> {
    const all = [...this.leases.values()];
    this.leases.clear();
    for (const p of all) {
      await p.then((l) => l.release()).catch(() => undefined);
    }
  }

  /** The endpoint this relay attaches to a service's upstream client (client-routing.ts). */
  private endpointFor(service: ResolvedService): RelayEndpoint {
    const slug = service.definition.slug;
    let endpoint = this.endpoints.get(slug);
    if (!endpoint) {
      const sink = this.opts.listenSink;
      endpoint = {
        sessionKey: sink ? LISTEN_SESSION_KEY : this.sessionKey,
        kind: sink ? 'listen' : this.opts.standalone ? 'standalone' : 'request',
        capabilities: this.opts.clientCapabilities ?? {},
        deliver: async (n, ctx) => {
          if (sink) sink(slug, n);
          else await this.forwardNotification(this.rewriteNotification(n, service), ctx);
        },
      };
      this.endpoints.set(slug, endpoint);
    }
    return endpoint;
  }

  private rewriteNotification(n: Notification, service: ResolvedService): Notification {
    if (!this.opts.aggregate || !n.params) return n;
    if (n.method === 'notifications/resources/updated' && typeof n.params.uri === 'string') {
      return { ...n, params: { ...n.params, uri: encodeUri(service.definition.slug, n.params.uri) } };
    }
    return n;
  }

  private async forwardNotification(n: Notification, ctx?: ServerContext): Promise<void> {
    try {
      if (ctx) await ctx.mcpReq.notify(n);
      else await this.server.notification(n as never);
    } catch {
      // The downstream stream may be gone; a notification is best effort.
    }
  }

  private async forward(
    service: ResolvedService,
    method: string,
    params: Params,
    ctx: ServerContext,
    opts: { inputRequired?: boolean } = {},
  ): Promise<AnyResult> {
    await this.opts.beforeForward?.(service).catch((err: unknown) => {
      throw upstreamError(err, service, this.opts.logger);
    });
    const progressToken = ctx.mcpReq._meta?.progressToken;
    const upstreamParams = withoutHopMeta(params);
    let lease = await this.lease(service, ctx);
    try {
      return await this.send(lease, service, method, upstreamParams, progressToken, ctx, opts);
    } catch (err) {
      if (!(err instanceof UpstreamSessionGone)) throw err;
      // The upstream forgot the session (404, e.g. it restarted, or a stdio owner drained it): a
      // new session, replaying only `initialize`; the request was not processed, so it is sent
      // once more. Twice at most: in a rolling restart the next owner may be going away too.
      let gone: UpstreamSessionGone = err;
      for (let renewal = 0; renewal < 2; renewal++) {
        lease = await this.renewLease(service, lease, ctx);
        try {
          return await this.send(lease, service, method, upstreamParams, progressToken, ctx, opts);
        } catch (again) {
          if (!(again instanceof UpstreamSessionGone)) throw again;
          gone = again;
        }
      }
      throw upstreamError(gone.cause, service, this.opts.logger);
    }
  }

  private send(
    lease: UpstreamLease,
    service: ResolvedService,
    method: string,
    upstreamParams: Params,
    progressToken: unknown,
    ctx: ServerContext,
    opts: { inputRequired?: boolean },
  ): Promise<AnyResult> {
    return routerFor(lease.client).track(this.endpointFor(service), ctx, async () => {
      const started = performance.now();
      try {
        // Inside the upstream span: its traceparent goes to http upstreams.
        const call = { service: service.definition.slug, instance: lease.instance, method, params: upstreamParams };
        const result = await traceUpstreamCall(call, () => lease.client.request({ method: method as 'tools/call', params: upstreamParams }, {
          signal: ctx.mcpReq.signal,
          ...sdkTimeoutOptions(this.timeouts),
          allowInputRequired: opts.inputRequired === true,
          onprogress:
            progressToken === undefined
              ? undefined
              : (progress) => {
                  void ctx.mcpReq
                    .notify({ method: 'notifications/progress', params: { ...progress, progressToken } } as never)
                    .catch(() => undefined);
                },
        }));
        return result as unknown as AnyResult;
      } catch (err) {
        if (err instanceof SdkHttpError && err.status === 404) throw new UpstreamSessionGone(err);
        throw upstreamError(err, service, this.opts.logger);
      } finally {
        const upstreamMs = performance.now() - started;
        this.opts.observe?.({ type: 'forward', requestId: ctx.mcpReq.id, service, instance: lease.instance, method, params: upstreamParams, upstreamMs });
      }
    });
  }

  /** Gives back a lease whose upstream session is gone and leases again (the connector opens a new session). */
  private async renewLease(service: ResolvedService, stale: UpstreamLease, ctx: ServerContext): Promise<UpstreamLease> {
    const slug = service.definition.slug;
    const pending = this.leases.get(slug);
    if (pending && (await pending.catch(() => undefined)) === stale) this.leases.delete(slug);
    await stale.release().catch(() => undefined);
    return this.lease(service, ctx);
  }

  // ---- services and names -------------------------------------------------------------------

  private single(): ResolvedService {
    const s = this.opts.services[0];
    if (!s) throw new ProtocolError(ProtocolErrorCode.InternalError, 'No service');
    return s;
  }

  private bySlug(slug: string): ResolvedService | undefined {
    return this.opts.services.find((s) => s.definition.slug === slug);
  }

  private async targets(ctx: ServerContext, capability: 'tools' | 'prompts' | 'resources'): Promise<Array<{ service: ResolvedService; lease: UpstreamLease }>> {
    const out: Array<{ service: ResolvedService; lease: UpstreamLease }> = [];
    for (const service of this.opts.services) {
      try {
        const lease = await this.lease(service, ctx);
        const caps = lease.client.getServerCapabilities();
        if (caps && !caps[capability]) continue;
        out.push({ service, lease });
      } catch (err) {
        if (!this.opts.aggregate) throw err;
        // In the aggregate, one unavailable service must not hide the others.
        this.opts.logger.warn({ service: service.definition.slug, err: { message: (err as Error).message } }, 'aggregate: service unavailable for listing');
      }
    }
    return out;
  }

  private async listTools(params: Params, ctx: ServerContext): Promise<AnyResult> {
    if (!this.opts.aggregate) {
      const service = this.single();
      const caps = (await this.lease(service, ctx)).client.getServerCapabilities();
      if (caps && !caps.tools) return { tools: [] };
      const result = await this.forward(service, 'tools/list', params, ctx);
      const tools = (result.tools as Array<{ name: string }>).filter((t) => toolAllowed(service.definition.toolPolicy, t.name));
      return { ...result, tools };
    }
    const tools: unknown[] = [];
    for (const { service } of await this.targets(ctx, 'tools')) {
      for (const t of await this.listAll(service, 'tools/list', 'tools', ctx)) {
        const tool = t as { name: string };
        if (!toolAllowed(service.definition.toolPolicy, tool.name)) continue;
        tools.push({ ...tool, name: encodeName(service.definition.slug, tool.name) });
      }
    }
    return { tools };
  }

  private async listAll(service: ResolvedService, method: string, key: string, ctx: ServerContext): Promise<unknown[]> {
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 64; page++) {
      const result = await this.forward(service, method, cursor ? { cursor } : undefined, ctx);
      items.push(...((result[key] as unknown[] | undefined) ?? []));
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    return items;
  }

  private async callTool(params: Params, ctx: ServerContext): Promise<AnyResult> {
    const name = typeof params?.name === 'string' ? params.name : '';
    const { service, upstreamName } = await this.resolveName(name, 'tools/list', 'tools', ctx, 'Tool');
    if (!toolAllowed(service.definition.toolPolicy, upstreamName)) {
      throw policyRefusal(name);
    }
    const result = await this.forward(service, 'tools/call', { ...params, name: upstreamName }, ctx, { inputRequired: true });
    return this.opts.aggregate ? (rewriteUris(result, service.definition.slug) as AnyResult) : result;
  }

  private async resolveName(
    name: string,
    listMethod: string,
    key: string,
    ctx: ServerContext,
    what: string,
  ): Promise<{ service: ResolvedService; upstreamName: string }> {
    if (!this.opts.aggregate) return { service: this.single(), upstreamName: name };
    const decoded = await decodeUpstreamName(name, (slug) => this.bySlug(slug), (service) => this.listAll(service, listMethod, key, ctx));
    if (!decoded) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${what} ${name} not found`);
    return decoded;
  }

  private async listNamed(method: string, key: string, params: Params, ctx: ServerContext): Promise<AnyResult> {
    if (!this.opts.aggregate) {
      const service = this.single();
      const caps = (await this.lease(service, ctx)).client.getServerCapabilities();
      if (caps && !caps.prompts) return { [key]: [] };
      return this.forward(service, method, params, ctx);
    }
    const items: unknown[] = [];
    for (const { service } of await this.targets(ctx, 'prompts')) {
      for (const p of await this.listAll(service, method, key, ctx)) {
        const item = p as { name: string };
        items.push({ ...item, name: encodeName(service.definition.slug, item.name) });
      }
    }
    return { [key]: items };
  }

  private async forwardNamed(method: string, params: Params, ctx: ServerContext): Promise<AnyResult> {
    const name = typeof params?.name === 'string' ? params.name : '';
    const { service, upstreamName } = await this.resolveName(name, 'prompts/list', 'prompts', ctx, 'Prompt');
    const result = await this.forward(service, method, { ...params, name: upstreamName }, ctx, { inputRequired: true });
    return this.opts.aggregate ? (rewriteUris(result, service.definition.slug) as AnyResult) : result;
  }

  private async listResources(method: string, key: string, field: 'uri' | 'uriTemplate', params: Params, ctx: ServerContext): Promise<AnyResult> {
    if (!this.opts.aggregate) {
      const service = this.single();
      const caps = (await this.lease(service, ctx)).client.getServerCapabilities();
      if (caps && !caps.resources) return { [key]: [] };
      return this.forward(service, method, params, ctx);
    }
    const items: unknown[] = [];
    for (const { service } of await this.targets(ctx, 'resources')) {
      for (const r of await this.listAll(service, method, key, ctx)) {
        const item = r as Record<string, unknown>;
        items.push({ ...item, [field]: encodeUri(service.definition.slug, String(item[field])) });
      }
    }
    return { [key]: items };
  }

  private splitResourceUri(uri: string): { service: ResolvedService; uri: string } {
    if (!this.opts.aggregate) return { service: this.single(), uri };
    const parts = splitUri(uri);
    const service = parts && this.bySlug(parts.slug);
    if (!parts || !service) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource ${uri} not found`, { uri });
    return { service, uri: parts.uri };
  }

  private async forwardUri(method: string, params: Params, ctx: ServerContext): Promise<AnyResult> {
    const { service, uri } = this.splitResourceUri(typeof params?.uri === 'string' ? params.uri : '');
    const result = await this.forward(service, method, { ...params, uri }, ctx, { inputRequired: method === 'resources/read' });
    return this.opts.aggregate ? (rewriteUris(result, service.definition.slug) as AnyResult) : result;
  }

  private async complete(params: Params, ctx: ServerContext): Promise<AnyResult> {
    const ref = (params?.ref ?? {}) as Record<string, unknown>;
    if (!this.opts.aggregate) return this.forward(this.single(), 'completion/complete', params, ctx);
    if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
      const { service, upstreamName } = await this.resolveName(ref.name, 'prompts/list', 'prompts', ctx, 'Prompt');
      return this.forward(service, 'completion/complete', { ...params, ref: { ...ref, name: upstreamName } }, ctx);
    }
    if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
      const { service, uri } = this.splitResourceUri(ref.uri);
      return this.forward(service, 'completion/complete', { ...params, ref: { ...ref, uri } }, ctx);
    }
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Unknown completion reference');
  }

  private async setLevel(params: Params, ctx: ServerContext): Promise<AnyResult> {
    for (const service of this.opts.services) {
      const lease = await this.lease(service, ctx).catch(() => undefined);
      if (!lease?.client.getServerCapabilities()?.logging) continue;
      await this.forward(service, 'logging/setLevel', params, ctx).catch(() => undefined);
    }
    return {};
  }
}
