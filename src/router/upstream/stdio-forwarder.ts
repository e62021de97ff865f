import { Client, StreamableHTTPClientTransport, type FetchLike } from '@modelcontextprotocol/client';
import type { Logger } from 'pino';
import { Agent, Client as HttpClient, type Dispatcher, fetch as undiciFetch } from 'undici';
import type { Principal } from '../../gateway/index.js';
import type { Vault } from '../../vault/index.js';
import type { ResolvedService, UpstreamConnectOptions, UpstreamLease } from '../contracts.js';
import { configure, UPSTREAM_CLIENT_INFO } from './client.js';
import { hasCauseCode, isStaleSocket, isUpstreamErrorCode, UpstreamError } from './errors.js';
import { FORWARD_TOKEN_HEADER, sealForwardToken } from './forward-token.js';
import { stdioOwnershipKey, type Replica, type ReplicaRing } from './replicas.js';

/**
 * Stdio ownership forwarding, at the connector. A (user, service) stdio child lives only on the
 * replica that owns the key (rendezvous hashing, replicas.ts). When another replica owns it,
 * `connect()` returns a lease whose Client speaks Streamable HTTP (2025-11-25, one session per lease)
 * to the owner's internal endpoint `/internal/router/stdio/{slug}`; the owner relays that session
 * to its LOCAL stdio lease and never forwards again (one hop). Because this sits under the
 * connector, /mcp/{service} and the aggregate /mcp are covered alike.
 *
 * Every HTTP request of the session carries a fresh token (forward-token.ts) sealed for the owner.
 * When the owner cannot be reached (connection refused, or no connection within the connect
 * timeout: nothing was sent), it is marked unreachable, the owner is recomputed, and the connect
 * is tried once more (locally if this replica is now the owner).
 */
export const INTERNAL_STDIO_PATH = '/internal/router/stdio';

/** Header on the owner's error answers: the connector error code, so the forwarder can rethrow it. */
export const UPSTREAM_CODE_HEADER = 'x-mcp-upstream-code';

/** Header on the 503 a shutting-down owner answers to `initialize`: taken as "owner unreachable". */
export const DRAINING_HEADER = 'x-mcp-replica-draining';

export interface StdioForwarderOptions {
  vault: Vault;
  replicas: ReplicaRing;
  /** Bound on connecting to the owner and on its answer to `initialize` (which starts the child). */
  connectTimeoutMs: number;
  startTimeoutMs: number;
  /**
   * The owners' `KEEP_ALIVE_TIMEOUT_MS` (the replicas share their configuration). A pooled
   * connection is dropped by this side well before the owner would close it idle, so a request is
   * never written on a connection the owner is closing. The owner's hint (`Keep-Alive: timeout`)
   * says the same, but an SSE answer (`Connection: keep-alive` set by the SDK) carries none.
   */
  ownerKeepAliveMs?: number;
  logger?: Logger;
}

/** How long this side keeps an idle connection to an owner that closes it after `ownerKeepAliveMs`. */
function forwarderKeepAliveMs(ownerKeepAliveMs: number): number {
  // undici's own margin on a hinted timeout is 2 s, and its timers tick about once a second.
  return Math.max(Math.floor(ownerKeepAliveMs / 2), ownerKeepAliveMs - 2_000);
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface ForwardState {
  /** The owner answered a request of this lease (initialize first). */
  sent: boolean;
  /** Nothing reached the owner: refused, or it is draining. */
  unreachable: boolean;
  /** The owner no longer knows the lease's session (404: it drained it, or restarted). */
  sessionGone: boolean;
  refused?: UpstreamError;
  /** What each HTTP request of the lease got so far (the last few), for the failure's log line. */
  trail: string[];
}

class OwnerUnreachable extends Error {
  override name = 'OwnerUnreachable';
}

export class StdioForwarder {
  private readonly agent: Agent;

  constructor(private readonly options: StdioForwarderOptions) {
    this.agent = new Agent({
      keepAliveTimeout: forwarderKeepAliveMs(options.ownerKeepAliveMs ?? 5_000),
      connections: 128,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /** The lease for (principal, service): local when this replica owns it, else through the owner. */
  async connect(
    principal: Principal,
    service: ResolvedService,
    options: UpstreamConnectOptions | undefined,
    local: () => Promise<UpstreamLease>,
  ): Promise<UpstreamLease> {
    const ring = this.options.replicas;
    const key = stdioOwnershipKey(principal.userId, service.definition.id);
    // Three owners at most: during a rolling restart the first two may both be going away.
    for (let attempt = 0; attempt < 3; attempt++) {
      const owner = ring.ownerOf(key);
      if (owner.id === ring.self.id) return local();
      try {
        return await this.remote(owner, principal, service, options);
      } catch (err) {
        if (!(err instanceof OwnerUnreachable)) throw err;
        this.options.logger?.warn({ replica: owner.id, service: service.definition.slug }, 'stdio owner unreachable; recomputing the owner');
        ring.markUnreachable(owner.id);
      }
    }
    throw new UpstreamError('upstream_unavailable', 'The replica that runs this service for you could not be reached; try again shortly');
  }

  private async remote(owner: Replica, principal: Principal, service: ResolvedService, options: UpstreamConnectOptions | undefined): Promise<UpstreamLease> {
    const slug = service.definition.slug;
    const state: ForwardState = { sent: false, unreachable: false, sessionGone: false, trail: [] };
    const fetch = this.fetchFor(owner, principal, service, state);
    const transport = new StreamableHTTPClientTransport(new URL(`${owner.address}${INTERNAL_STDIO_PATH}/${slug}`), { fetch });
    // Default (legacy) negotiation: initialize + Mcp-Session-Id, so server→client requests of the
    // child (sampling, elicitation, roots) travel on the SSE answer and come back to the same session.
    const client = new Client(UPSTREAM_CLIENT_INFO, { capabilities: {} });
    configure(client, options);
    try {
      await client.connect(transport, { timeout: this.options.startTimeoutMs + this.options.connectTimeoutMs, signal: options?.signal });
    } catch (err) {
      await client.close().catch(() => undefined);
      if (options?.signal?.aborted) throw new UpstreamError('upstream_cancelled', 'The request was cancelled');
      // The owner answered `initialize`, then ended the session before the handshake was done (it
      // began to drain, or died): nothing of the caller's was sent yet, so lease from the next owner.
      if (state.unreachable || state.sessionGone) throw new OwnerUnreachable(owner.id);
      if (state.refused) throw state.refused;
      this.options.logger?.warn({ replica: owner.id, service: slug, err: describeError(err), requests: state.trail }, 'forwarded stdio connect failed');
      throw new UpstreamError('upstream_unavailable', `The service ${slug} could not be reached through its owner replica; try again shortly`);
    }
    let released = false;
    return {
      client,
      instance: `replica:${owner.id}`,
      release: async () => {
        if (released) return;
        released = true;
        await transport.terminateSession().catch(() => undefined);
        await client.close().catch(() => undefined);
      },
    };
  }

  /** A fresh token per HTTP request; connect-phase failures and the owner's connector errors are noted. */
  private fetchFor(
    owner: Replica,
    principal: Principal,
    service: ResolvedService,
    state: ForwardState,
  ): FetchLike {
    return async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('authorization');
      headers.delete('cookie');
      headers.set(
        FORWARD_TOKEN_HEADER,
        sealForwardToken(this.options.vault, {
          audience: owner.id,
          issuer: this.options.replicas.self.id,
          principal,
          service: { id: service.definition.id, slug: service.definition.slug },
        }),
      );
      const what = `${init?.method ?? 'GET'} ${rpcMethod(init?.body)}`.trim();
      const note = (outcome: string) => {
        state.trail.push(`${what}: ${outcome}`);
        if (state.trail.length > 8) state.trail.shift();
      };
      let response: Response;
      try {
        const send = async (dispatcher: Dispatcher) =>
          (await undiciFetch(input, {
            ...(init as Record<string, unknown>),
            headers: Object.fromEntries(headers.entries()),
            dispatcher,
          })) as unknown as Response;
        // Sent again on a connection of its own: the pool might hand out another stale socket.
        const sendOnNewConnection = async () => {
          const client = new HttpClient(new URL(owner.address).origin, { connect: { timeout: this.options.connectTimeoutMs }, headersTimeout: 0, bodyTimeout: 0 });
          try {
            return await send(client);
          } finally {
            // Closes once the answer (an SSE stream included) is done.
            void client.close().catch(() => undefined);
          }
        };
        try {
          response = await send(this.agent);
        } catch (err) {
          // A kept-alive socket that failed (reset, or closed by the owner) once the request was
          // handed to it: undici re-dispatches by itself a request it had not begun to write, so
          // the owner may have read this one, and processed it. Only a request whose second
          // delivery is harmless is sent again (see `harmlessTwice`); any other is answered as
          // unknown below, never sent twice (issue 11). A closed client (UND_ERR_CLOSED) wrote nothing.
          if (!isStaleSocket(err) || init?.signal?.aborted) throw err;
          if (!hasCauseCode(err, NOT_WRITTEN_CODES) && !harmlessTwice(init)) throw err;
          note(`stale socket (${errorCodes(err)}), sent again`);
          response = await sendOnNewConnection();
        }
        if (response.status === 408 && !init?.signal?.aborted) {
          // Node's own answer on a connection it expired before reading a request from it: a
          // connection that stays without a request for HEADERS_TIMEOUT_MS is cut with a bare
          // 408 (the forwarder's pool keeps such connections: one opened for a request that was
          // aborted before it was written, e.g. a released lease's GET stream). A request written
          // on it as the owner's check runs gets that 408. The owner's application never saw
          // the request, so it is sent once more, on a new connection.
          note('408 (the owner expired the connection before reading the request), sent again');
          this.options.logger?.info({ replica: owner.id, service: service.definition.slug, request: what }, 'forwarded request got the owner\'s 408 on a pooled connection; sent again on a new connection');
          await response.body?.cancel().catch(() => undefined);
          response = await sendOnNewConnection();
        }
      } catch (err) {
        note(`failed (${errorCodes(err)})`);
        if (isStaleSocket(err) && !hasCauseCode(err, NOT_WRITTEN_CODES) && !init?.signal?.aborted && !harmlessTwice(init)) {
          // The request may have reached the owner: not sent again (nor through a renewed lease).
          this.options.logger?.warn(
            { replica: owner.id, service: service.definition.slug, request: what, err: { codes: errorCodes(err) } },
            'forwarded request lost its connection after it was sent; not sent again (it may have been processed)',
          );
          throw new UpstreamError(
            'upstream_unavailable',
            `The connection to the replica that runs ${service.definition.slug} for you was lost after the request was sent; it was not sent again, as it may have been carried out`,
          );
        }
        if (!state.sent && isConnectPhase(err)) state.unreachable = true;
        else if (state.sent && isConnectPhase(err) && init?.method === 'POST') {
          // The owner of an open lease is gone (it shut down): nothing was sent, so answer as a
          // forgotten session would; the relay then leases again, from the next owner.
          this.options.replicas.markUnreachable(owner.id);
          state.sessionGone = true;
          return sessionNotFound();
        }
        throw err;
      }
      if (!state.sent && response.status === 503 && response.headers.get(DRAINING_HEADER)) {
        // The owner is shutting down and takes no new session: as good as unreachable.
        state.unreachable = true;
        await response.body?.cancel().catch(() => undefined);
        throw new OwnerUnreachable(owner.id);
      }
      if (response.status === 421) {
        // Another replica listens at the owner's address (its successor on the same port, before
        // this replica's list caught up): it processed nothing. Lease from the next owner; on an
        // open lease, answer as a forgotten session would, so the caller leases again.
        note('421 (another replica at the owner\'s address)');
        await response.body?.cancel().catch(() => undefined);
        this.options.replicas.markUnreachable(owner.id);
        if (!state.sent) {
          state.unreachable = true;
          throw new OwnerUnreachable(owner.id);
        }
        if (init?.method === 'POST') {
          state.sessionGone = true;
          return sessionNotFound();
        }
      }
      state.sent = true;
      note(String(response.status));
      if (response.status === 404 && init?.method === 'POST') state.sessionGone = true;
      const code = response.headers.get(UPSTREAM_CODE_HEADER);
      if (!response.ok && code && isUpstreamErrorCode(code)) {
        const body = (await response.clone().json().catch(() => undefined)) as { error?: { message?: unknown } } | undefined;
        const message = typeof body?.error?.message === 'string' ? body.error.message : 'The service is unavailable';
        state.refused = new UpstreamError(code, message);
      }
      return response;
    };
  }

  async close(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}


/** What an owner answers for a session it does not know: the relay then leases again. */
function sessionNotFound(): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }), {
    status: 404,
    headers: { 'content-type': 'application/json' },
  });
}

/** Errors raised before anything of the request was written (the client was already closed). */
const NOT_WRITTEN_CODES = new Set(['UND_ERR_CLOSED']);

/**
 * Requests the owner may receive twice without harm, so they are sent again when their socket
 * fails after they were handed to it: the GET stream and the DELETE of a session (idempotent), and
 * the handshake, `initialize` and `notifications/initialized` (a second one runs nothing of the
 * caller's; a first session, if it was opened, is closed by the owner after 10 minutes without
 * requests). Never a `tools/call` or any other JSON-RPC message.
 */
function harmlessTwice(init: RequestInit | undefined): boolean {
  const method = init?.method ?? 'GET';
  if (method === 'GET' || method === 'DELETE') return true;
  if (method !== 'POST' || typeof init?.body !== 'string') return false;
  // The message's own method (parsed: a tool's arguments may hold the same words).
  try {
    const message = JSON.parse(init.body) as unknown;
    const method = Array.isArray(message) ? undefined : (message as { method?: unknown } | null)?.method;
    return method === 'initialize' || method === 'notifications/initialized';
  } catch {
    return false;
  }
}

function isConnectPhase(err: unknown): boolean {
  return hasCauseCode(err, UNREACHABLE_CODES);
}

/** The JSON-RPC method of a request body (for the log), or '' for none. */
function rpcMethod(body: unknown): string {
  if (typeof body !== 'string') return '';
  return /"method":"([^"]{1,64})"/.exec(body)?.[1] ?? '';
}

/** The codes (or names) of an error and its causes, outermost first: `TypeError > UND_ERR_SOCKET`. */
function errorCodes(err: unknown): string {
  const out: string[] = [];
  let current: unknown = err;
  for (let i = 0; i < 6 && current; i++) {
    const e = current as { code?: unknown; name?: unknown };
    out.push(typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : typeof current);
    current = (current as { cause?: unknown }).cause;
  }
  return out.join(' > ');
}

/** Name, message, HTTP status (SDK errors) and the cause chain of a failed handshake, for the log. */
function describeError(err: unknown): Record<string, unknown> {
  const e = err as { name?: unknown; message?: unknown; status?: unknown };
  return {
    name: typeof e?.name === 'string' ? e.name : typeof err,
    message: typeof e?.message === 'string' ? e.message.slice(0, 300) : String(err).slice(0, 300),
    ...(typeof e?.status === 'number' ? { status: e.status } : {}),
    codes: errorCodes(err),
  };
}
