import type { Client } from '@modelcontextprotocol/client';
import {
  ProtocolError,
  ProtocolErrorCode,
  type ClientCapabilities,
  type Notification,
  type ServerContext,
} from '@modelcontextprotocol/server';

/**
 * Routing of what an upstream sends on its own (notifications, server→client requests) among the
 * downstream sessions that share one upstream `Client`.
 *
 * A stdio child is one process per (user, service) with one `Client`, leased by every session and
 * request of that user at once; a single set of handlers on it would serve whichever session
 * registered last. So each client gets one router, installed once, and every relay attaches an
 * endpoint to it while it holds a lease. The rule (docs/mcp.md, "Routing on shared upstreams"):
 *
 * - progress: by progress token; the SDK hands each token's progress to the request that set it.
 * - server→client requests (sampling, elicitation, roots) and log/other notifications sent while
 *   calls are in flight: the stdio wire carries no related-request ID, so they go to the most recent
 *   in-flight call on this client (one user's calls only, as the child is that user's); requests
 *   skip calls whose client did not declare the capability.
 * - change events (list_changed, resources/updated) and notifications outside any call: once per
 *   session, to the session's stream for them (its GET stream; a listen watcher for 2026-07-28).
 */

export type EndpointKind = 'request' | 'standalone' | 'listen';

export interface RelayEndpoint {
  /** Endpoints of one session share a key; delivery of a change event is once per key. */
  readonly sessionKey: string;
  readonly kind: EndpointKind;
  /** The downstream client's capabilities (for server→client requests). */
  readonly capabilities: ClientCapabilities;
  /** Sends the notification on the request's stream when `ctx` is given, else on the session's stream. */
  deliver(notification: Notification, ctx?: ServerContext): Promise<void>;
}

interface InFlight {
  endpoint: RelayEndpoint;
  /** The SDK server's context of the call; absent on the fast path (fast-call.ts), which never relays server→client requests. */
  ctx: ServerContext | undefined;
  seq: number;
}

const SERVER_TO_CLIENT = ['sampling/createMessage', 'elicitation/create', 'roots/list'] as const;
type ServerToClientMethod = (typeof SERVER_TO_CLIENT)[number];
const CAPABILITY_OF: Record<ServerToClientMethod, keyof ClientCapabilities> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

export const CHANGE_METHODS = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
]);

const MODERN = '2026-07-28';

const routers = new WeakMap<Client, ClientRouter>();

function withoutMeta(n: Notification): Notification {
  if (!n.params || !('_meta' in n.params)) return n;
  const params = { ...n.params };
  delete params._meta;
  return { ...n, params };
}

/** The router of an upstream client, created (and installed on the client) on first use. */
export function routerFor(client: Client): ClientRouter {
  let router = routers.get(client);
  if (!router) {
    router = new ClientRouter(client);
    routers.set(client, router);
  }
  return router;
}

export class ClientRouter {
  private readonly endpoints: RelayEndpoint[] = [];
  private readonly calls: InFlight[] = [];
  private readonly installed = new Set<ServerToClientMethod>();
  private upstreamListen: Promise<{ close(): Promise<void>; closed: Promise<unknown> } | undefined> | undefined;
  private seq = 0;

  constructor(private readonly client: Client) {
    client.fallbackNotificationHandler = async (n: Notification) => this.onNotification(n);
  }

  /**
   * Declares the capabilities a relay wants before the client connects (ignored once connected,
   * see UpstreamClient) and installs the shared handler of each server→client request the client has.
   * A client `shared` by many sessions (a stdio child) declares every server→client request the
   * platform relays, so what it offers does not depend on which session started it; a request is
   * then answered by a session that has the capability, or fails with an error.
   */
  configure(capabilities: ClientCapabilities, shared: boolean): void {
    const wanted: ClientCapabilities = shared ? { sampling: {}, elicitation: {}, roots: {} } : {};
    for (const method of SERVER_TO_CLIENT) {
      const cap = CAPABILITY_OF[method];
      if (capabilities[cap]) (wanted as Record<string, unknown>)[cap] = capabilities[cap];
    }
    if (Object.keys(wanted).length) this.client.registerCapabilities(wanted);
    for (const method of SERVER_TO_CLIENT) {
      if (this.installed.has(method) || !wanted[CAPABILITY_OF[method]]) continue;
      try {
        this.client.setRequestHandler(method, async (request) => this.onRequest(method, request.params as Record<string, unknown>) as never);
        this.installed.add(method);
      } catch {
        // The client connected without this capability: the upstream will not send such requests.
      }
    }
  }

  attach(endpoint: RelayEndpoint): () => void {
    this.endpoints.push(endpoint);
    this.syncUpstreamListen();
    return () => {
      const i = this.endpoints.indexOf(endpoint);
      if (i >= 0) this.endpoints.splice(i, 1);
      this.syncUpstreamListen();
    };
  }

  /**
   * A 2026-07-28 upstream sends change events only on a `subscriptions/listen` stream: one is kept
   * open on this client while any stream endpoint (GET stream, listen watcher) is attached.
   */
  private syncUpstreamListen(): void {
    const wanted = this.endpoints.some((e) => e.kind !== 'request') && this.client.getNegotiatedProtocolVersion() === MODERN;
    if (wanted && !this.upstreamListen) {
      const opening = this.client
        .listen({ toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true })
        .then((sub) => {
          // Reopened by the next attach if the upstream ends it.
          void sub.closed.then(() => {
            if (this.upstreamListen === opening) this.upstreamListen = undefined;
          });
          return sub;
        })
        .catch(() => {
          if (this.upstreamListen === opening) this.upstreamListen = undefined;
          return undefined;
        });
      this.upstreamListen = opening;
    } else if (!wanted && this.upstreamListen) {
      const closing = this.upstreamListen;
      this.upstreamListen = undefined;
      void closing.then((sub) => sub?.close()).catch(() => undefined);
    }
  }

  /** Marks a forwarded request in flight for `endpoint` until `fn` settles. */
  async track<T>(endpoint: RelayEndpoint, ctx: ServerContext | undefined, fn: () => Promise<T>): Promise<T> {
    const entry: InFlight = { endpoint, ctx, seq: ++this.seq };
    this.calls.push(entry);
    try {
      return await fn();
    } finally {
      const i = this.calls.indexOf(entry);
      if (i >= 0) this.calls.splice(i, 1);
    }
  }

  private latestCall(filter: (c: InFlight) => boolean = () => true): InFlight | undefined {
    for (let i = this.calls.length - 1; i >= 0; i--) if (filter(this.calls[i]!)) return this.calls[i];
    return undefined;
  }

  private async onRequest(method: ServerToClientMethod, params: Record<string, unknown>): Promise<unknown> {
    const cap = CAPABILITY_OF[method];
    const call = this.latestCall((c) => c.ctx !== undefined && c.endpoint.capabilities[cap] !== undefined);
    if (!call?.ctx) {
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        this.calls.length ? `The client does not support ${method}` : 'No client request is in flight to relay this request to',
      );
    }
    return call.ctx.mcpReq.send({ method, params } as never);
  }

  private async onNotification(n: Notification): Promise<void> {
    // Progress is routed by token by the SDK (each request's onprogress); cancellation is per request.
    if (n.method === 'notifications/progress' || n.method === 'notifications/cancelled') return;
    if (CHANGE_METHODS.has(n.method)) {
      // The upstream's own listen subscription ID (a 2026-07-28 upstream stamps it) is not the client's business.
      n = withoutMeta(n);
      await Promise.all(this.oncePerSession().map(({ endpoint, ctx }) => endpoint.deliver(n, ctx).catch(() => undefined)));
      return;
    }
    const call = this.latestCall((c) => c.endpoint.kind === 'request');
    if (call) {
      await call.endpoint.deliver(n, call.ctx).catch(() => undefined);
      return;
    }
    const streams = this.oncePerSession().filter(({ endpoint }) => endpoint.kind === 'standalone');
    await Promise.all(streams.map(({ endpoint }) => endpoint.deliver(n).catch(() => undefined)));
  }

  /**
   * One endpoint per session for session-wide events: the newest stream endpoint (GET stream or
   * listen watcher), else the endpoint of the session's most recent in-flight call.
   */
  private oncePerSession(): Array<{ endpoint: RelayEndpoint; ctx?: ServerContext }> {
    const chosen = new Map<string, { endpoint: RelayEndpoint; ctx?: ServerContext; call: boolean }>();
    for (const endpoint of this.endpoints) if (endpoint.kind !== 'request') chosen.set(endpoint.sessionKey, { endpoint, call: false });
    for (const c of this.calls) {
      const prior = chosen.get(c.endpoint.sessionKey);
      if (!prior || prior.call) chosen.set(c.endpoint.sessionKey, { endpoint: c.endpoint, ...(c.ctx ? { ctx: c.ctx } : {}), call: true });
    }
    return [...chosen.values()].map(({ endpoint, ctx }) => ({ endpoint, ...(ctx ? { ctx } : {}) }));
  }
}
