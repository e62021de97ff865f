import {
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type ClientCapabilities,
  type EventStore,
  type Server,
} from '@modelcontextprotocol/server';
import type { SessionEventLog } from './event-store.js';
import type { LiveSessions } from './live.js';
import type { StreamResumption } from './resume.js';
import { settledLegacyVersion, type SessionState, type SessionStore } from './sealed-sessions.js';

/**
 * 2025-era serving (initialize, `Mcp-Session-Id`, GET streams, DELETE) on any replica.
 *
 * Every request gets a fresh relay `Server` and transport. `initialize` seals the session state
 * into the new session ID; any later request opens it, replays `initialize` into the fresh pair
 * in-process (nothing goes upstream or to the client), and then serves the real request. So no
 * replica holds state another replica would need.
 */

export interface LegacyServeInput {
  request: Request;
  parsedBody: unknown;
  authInfo: AuthInfo;
  userId: string;
  endpointKey: string;
  /** Builds the relay for this request (capabilities of the client, when known; the session's ID and protocol revision). */
  buildServer: (clientCapabilities: ClientCapabilities | undefined, standalone: boolean, sessionId: string, protocolVersion: string) => Promise<Server>;
  sessions: SessionStore;
  live: LiveSessions;
  /** The sessions' shared event log (resumability). */
  events: SessionEventLog;
  resumption: StreamResumption;
  maxRequestBodySize: number;
  /** The open GET streams of this replica, ended when it drains (the client re-opens GET elsewhere). */
  streams: GetStreams;
}

/**
 * The open 2025-era GET (standalone SSE) streams of this replica. A GET stream never ends by
 * itself, so on shutdown it would hold the drain until SHUTDOWN_TIMEOUT_MS. The 2025 revisions let
 * a client re-open GET at any time (SDK clients do, after `retry` or their backoff), so `drain()`
 * ends each one at once, and a GET that still arrives during the drain is ended as soon as it is
 * opened: the client comes back through the load balancer to a replica that stays.
 */
export class GetStreams {
  private readonly open = new Set<() => void>();
  private ending = false;

  get draining(): boolean {
    return this.ending;
  }

  /** Registers a stream's end; returns its removal (called when the stream ends otherwise). */
  add(end: () => void): () => void {
    if (this.ending) {
      queueMicrotask(end);
      return () => undefined;
    }
    this.open.add(end);
    return () => void this.open.delete(end);
  }

  size(): number {
    return this.open.size;
  }

  drain(): void {
    this.ending = true;
    const ends = [...this.open];
    this.open.clear();
    for (const end of ends) end();
  }
}

export async function serveLegacySessionful(input: LegacyServeInput): Promise<Response | undefined> {
  const { request, parsedBody } = input;
  const sessionId = request.headers.get('mcp-session-id');
  const initParams = initializeParams(parsedBody);

  if (request.method === 'POST' && initParams) {
    if (sessionId) return jsonRpcError(400, -32600, 'Invalid Request: initialize must not carry an Mcp-Session-Id');
    const protocolVersion = settledLegacyVersion(initParams.protocolVersion);
    const newId = input.sessions.seal({ u: input.userId, e: input.endpointKey, p: protocolVersion, i: initParams });
    const server = await input.buildServer(initParams.capabilities as ClientCapabilities | undefined, false, newId, protocolVersion);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => newId,
      maxRequestBodySize: input.maxRequestBodySize,
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request, { parsedBody, authInfo: input.authInfo });
    const unregister = transport.sessionId ? input.live.add(transport.sessionId, transport) : () => undefined;
    return closeWhenDone(
      response,
      async () => {
        unregister();
        await server.close();
      },
      request.signal,
    );
  }

  if (!sessionId) return undefined; // no session: the caller serves it statelessly
  const state = await input.sessions.open(sessionId);
  if (!state || state.u !== input.userId || state.e !== input.endpointKey) {
    return jsonRpcError(404, -32001, 'Session not found');
  }
  if (request.method === 'DELETE') {
    await input.sessions.revoke(sessionId);
    input.resumption.resumed(sessionId);
    return new Response(null, { status: 200 });
  }

  if (request.method === 'POST' && onlyResponses(parsedBody)) {
    // The answer to a server→client request: to the transport awaiting it, here or on another replica.
    return input.live.deliver(sessionId, request, parsedBody);
  }

  const standalone = request.method === 'GET';
  const server = await input.buildServer(state.i.capabilities as ClientCapabilities | undefined, standalone, sessionId, state.p);
  // Only the GET stream is resumable: a POST stream that drops cancels its call (nothing to resume),
  // so POST exchanges write nothing to the log.
  const events = standalone ? mutable(input.events.forSession(sessionId)) : undefined;
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => sessionId,
    eventStore: events?.store,
    maxRequestBodySize: input.maxRequestBodySize,
  });
  await server.connect(transport);
  try {
    // The replayed handshake is not part of the session's stream: nothing of it goes to the log.
    if (events) events.muted = true;
    await replayHandshake(transport, request.url, state);
  } catch {
    await server.close().catch(() => undefined);
    return jsonRpcError(500, -32603, 'Could not restore the session');
  } finally {
    if (events) events.muted = false;
  }
  const response = await transport.handleRequest(request, { parsedBody, authInfo: input.authInfo });
  const unregister = input.live.add(sessionId, transport);
  const close = async () => {
    unregister();
    await server.close();
  };
  if (standalone && response.ok) {
    // This stream is the session's again: a lingering one (here or elsewhere) stops recording.
    input.resumption.resumed(sessionId);
    // A client that leaves the GET stream may come back with Last-Event-ID: keep recording meanwhile.
    let lingering = false;
    let ended = false;
    const linger = async () => {
      if (lingering) return;
      lingering = true;
      forget();
      // Ended by the drain: this replica goes away, the client re-opens GET on another one, which
      // replays from the shared event log; nothing stays here to record.
      if (ended) return close();
      const stop = input.resumption.linger(sessionId, () => void close().catch(() => undefined));
      // A session ended (DELETE) before the stream was seen to drop has nothing to resume.
      if (!(await input.sessions.open(sessionId))) stop();
    };
    const forget = input.streams.add(() => {
      ended = true;
      void close().catch(() => undefined);
    });
    return closeWhenDone(response, linger, request.signal);
  }
  return closeWhenDone(response, close, request.signal);
}

/** An event store that can be switched off (for the in-process handshake replay). */
function mutable(store: EventStore): { store: EventStore; muted: boolean } {
  const holder: { store: EventStore; muted: boolean } = {
    muted: false,
    store: {
      storeEvent: async (streamId, message) => (holder.muted ? 'muted' : store.storeEvent(streamId, message)),
      getStreamIdForEventId: (eventId) => store.getStreamIdForEventId!(eventId),
      replayEventsAfter: (lastEventId, send) => store.replayEventsAfter(lastEventId, send),
    } satisfies EventStore,
  };
  return holder;
}

function onlyResponses(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return (
    messages.length > 0 &&
    messages.every((m) => !!m && typeof m === 'object' && !('method' in m) && ('result' in m || 'error' in m))
  );
}

function initializeParams(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const msg = body as { method?: unknown; params?: unknown };
  if (msg.method !== 'initialize' || !msg.params || typeof msg.params !== 'object') return undefined;
  return msg.params as Record<string, unknown>;
}

async function replayHandshake(
  transport: WebStandardStreamableHTTPServerTransport,
  url: string,
  state: SessionState,
): Promise<void> {
  // The body is given as parsedBody, so the transport never reads the Request's own body.
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await transport.handleRequest(new Request(url, { method: 'POST', headers }), {
    parsedBody: { jsonrpc: '2.0', id: '__session_restore__', method: 'initialize', params: state.i },
  });
  await init.text();
  if (init.status !== 200) throw new Error(`restore failed: ${init.status}`);
  // `notifications/initialized` is not replayed: it changes no state of the transport or of the
  // SDK Server (it only calls `oninitialized`, which the relay does not set), and replaying it
  // cost a third HTTP exchange through the transport on every request of a session.
}

/** Closes the per-request server once the response body has been sent (or abandoned). */
function closeWhenDone(response: Response, close: () => Promise<void>, signal?: AbortSignal): Response {
  let closed = false;
  const done = () => {
    if (closed) return;
    closed = true;
    void close().catch(() => undefined);
  };
  // A client that goes away ends the exchange at once (an idle GET stream would otherwise wait for its next frame).
  if (signal) {
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  }
  if (!response.body) {
    done();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done: finished } = await reader.read();
        if (finished) {
          controller.close();
          done();
        } else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
        done();
      }
    },
    cancel(reason) {
      void reader.cancel(reason).catch(() => undefined);
      done();
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers });
}
