import { randomUUID } from 'node:crypto';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { WebStandardStreamableHTTPServerTransport, type ClientCapabilities, type Server } from '@modelcontextprotocol/server';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Vault } from '../../vault/index.js';
import type { ServiceCatalog, UpstreamConnector, UpstreamLease } from '../contracts.js';
import {
  FORWARD_TOKEN_HEADER,
  INTERNAL_STDIO_PATH,
  isUpstreamError,
  isMisdirectedForwardToken,
  openForwardToken,
  principalOf,
  UPSTREAM_CODE_HEADER,
  DRAINING_HEADER,
} from '../upstream/index.js';
import { isValidSlug } from './names.js';
import { createRelayServer } from './relay.js';
import { jsonRpcError } from './sessionful.js';

/**
 * The owner's side of stdio ownership forwarding (the forwarding side is upstream/stdio-forwarder.ts):
 * `POST|GET|DELETE /internal/router/stdio/{slug}`, replica to replica only.
 *
 * - Authentication: a genuine, fresh `X-MCP-Replica-Token` sealed for THIS replica on every
 *   request; anything else (a user's bearer included) is 401 and nothing is started.
 * - `initialize` opens a session: the service is resolved for the token's principal through the
 *   catalog (fresh credentials, role, scope, enabled), and a relay of this replica's LOCAL stdio
 *   lease serves it (a connector error is answered with its status and code).
 *   Never forwarded again: one hop, no loops.
 * - Sessions live in this process (the forwarder always comes back to the same owner); a session
 *   belongs to one (user, service) and idle ones are closed after `idleMs`.
 * Not part of the public API: absent from the OpenAPI document (docs/router.md).
 */
export interface InternalStdioDeps {
  vault: Vault;
  /** This replica's id: the audience tokens must name. */
  replicaId: () => string;
  catalog: ServiceCatalog;
  /** Connects on this replica only (PlatformUpstream.local). */
  local: UpstreamConnector;
  logger: Logger;
  requestTimeoutMs: number;
  maxRequestBodySize: number;
  /** Close a session without open requests after this long (the forwarder died without DELETE). */
  idleMs?: number;
}

interface InternalSession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  userId: string;
  serviceId: string;
  /** Responses still streaming, GET stream included (the idle sweep). */
  open: number;
  /** POST answers still streaming: requests in flight (the drain waits for these only). */
  requests: number;
  lastActive: number;
}

export interface InternalStdioEndpoint {
  router: express.Router;
  /** Open forwarded sessions on this replica. */
  sessions(): number;
  /**
   * Shutdown, first step: refuse new forwarded sessions (503 with `X-MCP-Replica-Draining`, which the
   * forwarder takes as "owner unreachable", so it picks the next owner) and end every session once
   * its requests in flight are answered (its GET stream ends too). The forwarding replica's next
   * request then gets 404 and its relay opens a new session at the new owner, so the drain never
   * has to cut a request.
   */
  drain(): void;
  close(): Promise<void>;
}

export function createInternalStdioEndpoint(deps: InternalStdioDeps): InternalStdioEndpoint {
  const sessions = new Map<string, InternalSession>();
  let draining = false;
  const endWhenIdle = (session: InternalSession) => {
    if (draining && session.requests === 0) void session.server.close().catch(() => undefined);
  };
  const idleMs = deps.idleMs ?? 10 * 60_000;
  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const s of sessions.values()) if (s.open === 0 && s.lastActive < cutoff) void s.server.close().catch(() => undefined);
  }, Math.min(idleMs, 60_000));
  sweep.unref();

  const unauthorized = () => jsonRpcError(401, -32001, 'Unauthorized');

  const dispatch = async (request: Request, options?: { parsedBody?: unknown }): Promise<Response> => {
    const claims = openForwardToken(deps.vault, deps.replicaId(), request.headers.get(FORWARD_TOKEN_HEADER));
    const slug = new URL(request.url).pathname.slice(INTERNAL_STDIO_PATH.length + 1);
    // Slugs are [a-z0-9-]: compared raw, so a malformed escape cannot throw.
    if (!claims && isMisdirectedForwardToken(deps.vault, deps.replicaId(), request.headers.get(FORWARD_TOKEN_HEADER))) {
      return jsonRpcError(421, -32000, 'This replica is not the one the request was addressed to');
    }
    if (!claims || claims.service.slug !== slug) return unauthorized();
    const parsedBody = options?.parsedBody;
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session || session.userId !== claims.principal.userId || session.serviceId !== claims.service.id) {
        return jsonRpcError(404, -32001, 'Session not found');
      }
      // Counted in flight from here, not from its answer: a drain that ends idle sessions must
      // not end this one while the transport is still handling the request.
      const isPost = request.method === 'POST';
      if (isPost) session.requests += 1;
      let response: Response;
      try {
        response = await session.transport.handleRequest(request, { parsedBody });
      } finally {
        if (isPost) session.requests -= 1;
      }
      return track(session, response, isPost, endWhenIdle);
    }
    const init = request.method === 'POST' ? initializeParams(parsedBody) : undefined;
    if (!init) return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    if (draining) {
      const response = jsonRpcError(503, -32000, 'This replica is shutting down');
      response.headers.set(DRAINING_HEADER, '1');
      return response;
    }

    const principal = principalOf(claims);
    const service = isValidSlug(slug) ? await deps.catalog.resolve(principal, slug) : undefined;
    if (!service || service.definition.id !== claims.service.id) return jsonRpcError(404, -32000, `Service ${slug} not found`);
    if (service.definition.kind !== 'stdio') return jsonRpcError(400, -32000, `Service ${slug} is not a stdio service`);
    // The relay leases the local child at once (configured with the forwarder's capabilities), so
    // a full pool or a failed start is answered as such to the forwarding replica.
    let first: Promise<UpstreamLease> | undefined;
    const connector: UpstreamConnector = {
      connect: (p, s, o) => {
        const lease = deps.local.connect(p, s, o);
        first ??= lease;
        return lease;
      },
    };
    const server = createRelayServer({
      principal,
      services: [service],
      aggregate: false,
      connector,
      logger: deps.logger,
      clientCapabilities: init.capabilities as ClientCapabilities | undefined,
      requestTimeoutMs: deps.requestTimeoutMs,
      standalone: true,
    });
    try {
      await first;
    } catch (err) {
      await server.close().catch(() => undefined);
      if (isUpstreamError(err)) {
        const response = jsonRpcError(err.status, err.jsonRpcCode, err.message);
        response.headers.set(UPSTREAM_CODE_HEADER, err.upstreamCode);
        return response;
      }
      throw err;
    }
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: deps.maxRequestBodySize,
      onsessioninitialized: (id) => {
        const session: InternalSession = { transport, server, userId: principal.userId, serviceId: service.definition.id, open: 0, requests: 0, lastActive: Date.now() };
        sessions.set(id, session);
        const previous = server.onclose;
        server.onclose = () => {
          sessions.delete(id);
          previous?.();
        };
      },
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request, { parsedBody });
    if (!transport.sessionId) await server.close().catch(() => undefined);
    const session = transport.sessionId ? sessions.get(transport.sessionId) : undefined;
    return session ? track(session, response, true, endWhenIdle) : response;
  };

  const nodeHandler = toNodeHandler({ fetch: dispatch }, { maxRequestBodySize: deps.maxRequestBodySize });
  const handle: RequestHandler = async (req, res, next) => {
    try {
      await nodeHandler(req, res, req.body);
    } catch (err) {
      next(err);
    }
  };
  const router = express.Router();
  // Matched by prefix, not as a route parameter: Express would decode it (a malformed escape is a 500).
  router.use((req, res, next) => {
    if (!req.path.startsWith(`${INTERNAL_STDIO_PATH}/`) || req.path.indexOf('/', INTERNAL_STDIO_PATH.length + 1) !== -1) return next();
    void handle(req, res, next);
  });

  return {
    router,
    sessions: () => sessions.size,
    drain() {
      draining = true;
      for (const session of sessions.values()) endWhenIdle(session);
    },
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((s) => s.server.close().catch(() => undefined)));
    },
  };
}

/**
 * Wraps a limiter (the gateway's per-IP limit) so that replica-to-replica requests with a genuine,
 * fresh token pass it: forwarded traffic of a busy replica comes from one pod IP and must not be
 * throttled as one client. Everything else, failed tokens included, is limited as before.
 */
export function exemptReplicaTraffic(auth: { vault: Vault; replicaId: () => string }, limit: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith(`${INTERNAL_STDIO_PATH}/`)) {
      const header = req.headers[FORWARD_TOKEN_HEADER];
      if (openForwardToken(auth.vault, auth.replicaId(), Array.isArray(header) ? header[0] : header)) return next();
    }
    return limit(req, res, next);
  };
}

/** Counts the response as open until its body (SSE stream) ends, for the idle sweep and the drain. */
function track(session: InternalSession, response: Response, isRequest: boolean, onIdle: (session: InternalSession) => void): Response {
  session.lastActive = Date.now();
  if (!response.body) {
    onIdle(session);
    return response;
  }
  session.open += 1;
  if (isRequest) session.requests += 1;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    session.open -= 1;
    if (isRequest) session.requests -= 1;
    session.lastActive = Date.now();
    onIdle(session);
  };
  const body = response.body.pipeThrough(new TransformStream({ flush: finish }));
  const reader = body.getReader();
  const stream = new ReadableStream({
    async pull(controller) {
      const { value, done: end } = await reader.read();
      if (end) {
        finish();
        controller.close();
      } else controller.enqueue(value);
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function initializeParams(body: unknown): { capabilities?: unknown } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const msg = body as { method?: unknown; params?: unknown };
  if (msg.method !== 'initialize' || !msg.params || typeof msg.params !== 'object') return undefined;
  return msg.params as { capabilities?: unknown };
}
