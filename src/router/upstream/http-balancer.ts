import { ProtocolError, SdkHttpError, SSEClientTransport, StreamableHTTPClientTransport, type FetchLike, type Transport } from '@modelcontextprotocol/client';
import type { Logger } from 'pino';
import { Agent, request as undiciRequest, type buildConnector, type Dispatcher } from 'undici';
import { injectTraceContext } from '../../tracing/index.js';
import type { RawUpstreamRequest, RawUpstreamResponse, UpstreamConnectOptions, UpstreamLease, UpstreamObserver } from '../contracts.js';
import { configure, isLegacyVersion, MODERN_PROTOCOL_VERSION, raceAbort, tolerateMissingResultType, UpstreamClient } from './client.js';
import { isStaleSocket, UpstreamError, type UpstreamErrorCode } from './errors.js';
import { alive, clientKey, discard, IdleClients, SessionClients, type PooledClient } from './http-client-pool.js';
import { capResponseBody } from './response-cap.js';
import { sdkResponse } from './sdk-response.js';

/**
 * Load balancing over the instances of one http service (or of a remote builtin).
 *
 * - Pick: round-robin or least-outstanding over instances that are not ejected; an ejected instance
 *   whose backoff has elapsed is tried last (half-open). A lease pins one upstream MCP session to
 *   one instance (sessions are stateful upstream).
 * - Health: an active probe every `healthIntervalMs` (GET on the MCP endpoint; any answer below 500
 *   within `healthTimeoutMs` is healthy) and passive detection on real traffic (connection errors,
 *   timeouts, 5xx). `ejectAfterFailures` consecutive failures eject the instance for a backoff that
 *   doubles per ejection (`ejectBaseMs` .. `ejectMaxMs`); the next successful probe restores it.
 * - Timeouts: every upstream HTTP request must produce response headers within the timeout; a
 *   caller's AbortSignal aborts the request (the SDK transport's fetch gets it).
 * - Retry: only when the connection was refused (nothing was sent); then the next instance is tried.
 * - Pooling: one undici Agent with keep-alive for all upstream connections, and connected SDK
 *   clients kept between leases when the upstream holds no session for them (http-client-pool.ts).
 * - Headers: only the ones given (the user's credentials per `inject.header`); the caller's own
 *   platform token is never part of them.
 */
export interface HttpBalancerOptions {
  strategy: 'round-robin' | 'least-outstanding';
  timeoutMs: number;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  ejectAfterFailures: number;
  ejectBaseMs: number;
  ejectMaxMs: number;
  /** How long a connected, sessionless upstream client may wait idle for its next lease (default 30 s). */
  idleClientMs?: number;
  /** Most idle clients kept per (instance, credentials) (default 64). */
  idleClientsPerKey?: number;
  /** Most idle clients kept in all (default 2048): many users with distinct credentials stay bounded. */
  idleClientsTotal?: number;
  /** How long the upstream session of a downstream 2025-era session may stay unused before it is ended (default 10 min). */
  sessionIdleMs?: number;
  /** Most upstream sessions kept for downstream sessions (default 10,000). */
  sessionsMax?: number;
  logger?: Logger;
  /** Instance health hook (metrics), called with the pool's label (service slug) per change. */
  observer?: UpstreamObserver;
  /** `MCP_MAX_RESPONSE_BYTES`: upstream answers are cut off beyond it (per SSE event), never buffered whole (response-cap.ts). */
  maxResponseBytes?: number;
  /** Opens every upstream connection (the egress guard's 'instance' policy: lookup checked and pinned). */
  connector?: (options: buildConnector.BuildOptions) => buildConnector.connector;
}

export interface HttpTarget {
  instances: string[];
  transport: 'streamable-http' | 'sse';
  timeoutMs?: number;
  /** Name of the pool for metrics (the service slug); defaults to the pool id. */
  label?: string;
}

export interface InstanceHealth {
  url: string;
  status: 'healthy' | 'ejected' | 'half-open';
  consecutiveFailures: number;
  ejections: number;
  ejectedUntil: string | null;
  outstanding: number;
  leases: number;
  lastCheckedAt: string | null;
  lastError: string | null;
}

interface InstanceState {
  url: string;
  consecutiveFailures: number;
  ejections: number;
  ejectedUntil: number | undefined;
  outstanding: number;
  leases: number;
  lastCheckedAt: number | undefined;
  lastError: string | undefined;
  /** Its last SDK connection negotiated 2026-07-28 with no session: raw requests may go to it (sendRaw). */
  modern: boolean;
  /** Until then, 2025-era clients are bridged to 2026-07-28 at once: it refused the 2025 `initialize` (re-tried after a minute, it may be redeployed). */
  modernOnlyUntil: number;
  /** Last time real traffic got an answer from it (a probe failing meanwhile is not evidence of ill health). */
  lastAnsweredAt: number | undefined;
}

interface PoolState {
  configured: string[];
  registered: Set<string>;
  next: number;
  label: string;
  /** Members already reported to the observer (so each joins the gauges once). */
  reported: Set<string>;
}

export class HttpBalancer {
  /** Requests and their answers (keep-alive, bounded per origin). */
  private readonly agent: Agent;
  /** Long-lived GET streams of upstream sessions: never queued behind, nor queuing, requests. */
  private readonly streams: Agent;
  /** Health probes: never wait for a socket held by traffic. */
  private readonly probes: Agent;
  private readonly sessionClients: SessionClients;
  private readonly instances = new Map<string, InstanceState>();
  private readonly pools = new Map<string, PoolState>();
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  private closed = false;
  private readonly listeners = new Set<(health: InstanceHealth) => void>();
  private readonly idleClients: IdleClients;

  constructor(private readonly options: HttpBalancerOptions) {
    this.idleClients = new IdleClients({
      idleMs: options.idleClientMs ?? 30_000,
      maxPerKey: options.idleClientsPerKey ?? 64,
      maxTotal: options.idleClientsTotal ?? 2048,
    });
    this.sessionClients = new SessionClients({ idleMs: options.sessionIdleMs ?? 600_000, max: options.sessionsMax ?? 10_000 });
    const connector = (timeout: number) => (options.connector ? options.connector({ timeout }) : { timeout });
    const connect = connector(Math.min(options.timeoutMs, 10_000));
    // An answer without a `Keep-Alive: timeout` hint (an SSE answer: the SDKs set `Connection:
    // keep-alive` themselves) keeps its connection 4 s, undici's default: below the 5 s after which
    // Node's and uvicorn's servers close an idle connection, so a call is not written on a
    // connection the upstream is closing (it could not be sent again). A hint is followed, up to 120 s.
    this.agent = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 120_000, connections: 256, connect, headersTimeout: 0, bodyTimeout: 0 });
    this.streams = new Agent({ keepAliveTimeout: 5_000, connect, headersTimeout: 0, bodyTimeout: 0 });
    this.probes = new Agent({ keepAliveTimeout: 30_000, connections: 2, connect: connector(options.healthTimeoutMs) });
    this.timer = setInterval(() => void this.checkAll(), options.healthIntervalMs);
    this.timer.unref();
  }

  /** Adds an instance to a pool at run time (service discovery). */
  register(poolId: string, url: string): void {
    const pool = this.pool(poolId, []);
    pool.registered.add(normalize(url));
    this.state(normalize(url));
    this.reportMembers(pool);
  }

  unregister(poolId: string, url: string): void {
    const pool = this.pools.get(poolId);
    const u = normalize(url);
    if (!pool?.registered.delete(u) || pool.configured.includes(u)) return;
    pool.reported.delete(u);
    this.options.observer?.instanceRemoved?.(pool.label, u);
  }

  /**
   * Called when an instance is ejected or restored, e.g. to persist the status into the catalog's
   * `service_instances` table or publish it to other replicas. Returns the unsubscribe function.
   */
  onHealthChange(listener: (health: InstanceHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(state: InstanceState): void {
    const snapshot = this.snapshot(state);
    this.report(state.url, snapshot.status);
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (err) {
        this.options.logger?.warn({ err: { message: (err as Error).message } }, 'health listener failed');
      }
    }
  }

  /** Tells the observer about an instance's status, once per pool that holds it. */
  private report(url: string, status: InstanceHealth['status']): void {
    const observe = this.options.observer?.instanceHealth;
    if (!observe) return;
    for (const pool of this.pools.values()) if (pool.configured.includes(url) || pool.registered.has(url)) observe(pool.label, url, status);
  }

  /** New members of a pool enter the gauges with their current status. */
  private reportMembers(pool: PoolState): void {
    const observe = this.options.observer?.instanceHealth;
    if (!observe) return;
    for (const url of this.members(pool)) {
      if (pool.reported.has(url)) continue;
      pool.reported.add(url);
      observe(pool.label, url, this.snapshot(this.state(url)).status);
    }
  }

  /**
   * Ejects a known, currently healthy instance because another replica reported it unhealthy
   * (shared-health.ts). Base backoff; no event (the report is not this replica's evidence). This
   * replica's own half-open probe restores it. Returns whether it was ejected.
   */
  adoptEjection(url: string, reason: string): boolean {
    const state = this.instances.get(normalize(url));
    if (!state || state.ejectedUntil !== undefined) return false;
    state.ejections = Math.max(state.ejections, 1);
    state.ejectedUntil = Date.now() + this.options.ejectBaseMs;
    state.lastError = reason;
    this.options.logger?.warn({ instance: state.url, backoffMs: this.options.ejectBaseMs }, 'upstream instance ejected on a shared report');
    this.report(state.url, 'ejected');
    this.dropClientsOf(state.url);
    return true;
  }

  /** Every known instance with its health. */
  health(): Record<string, InstanceHealth[]> {
    const out: Record<string, InstanceHealth[]> = {};
    for (const [id, pool] of this.pools) out[id] = this.members(pool).map((url) => this.snapshot(this.state(url)));
    return out;
  }

  /** Upstream clients this replica keeps per instance URL: for client sessions, and idle in the pool. */
  clientCounts(): Record<string, { sessionClients: number; idleClients: number }> {
    const sessions = this.sessionClients.countByInstance();
    const idle = this.idleClients.countByInstance();
    const out: Record<string, { sessionClients: number; idleClients: number }> = {};
    for (const url of new Set([...sessions.keys(), ...idle.keys()])) out[url] = { sessionClients: sessions.get(url) ?? 0, idleClients: idle.get(url) ?? 0 };
    return out;
  }

  /** Kept clients in all (the `mcp_upstream_clients` gauge, read when scraped). */
  clientTotals(): { session: number; idle: number } {
    return { session: this.sessionClients.size, idle: this.idleClients.size };
  }

  instanceHealth(url: string): InstanceHealth {
    return this.snapshot(this.state(normalize(url)));
  }

  /**
   * Leases a connected client of one instance of the pool.
   *
   * - With `options.session` (a downstream 2025-era session): the session's own client, opened on
   *   its first request and shared by all of them; the upstream session lives until the downstream
   *   one ends (`endSession`), goes idle, or its instance is ejected.
   * - Otherwise an exclusive client from the idle pool of the same `owner` (the user), revision and
   *   headers, or a new one. `reuse: false` when the headers are unique to this lease (a sealed
   *   per-call context): the client is then never kept.
   */
  async acquire(
    poolId: string,
    target: HttpTarget,
    headers: Record<string, string>,
    options?: UpstreamConnectOptions,
    { reuse = true, owner = '' }: { reuse?: boolean; owner?: string } = {},
  ): Promise<UpstreamLease> {
    const held = await this.hold(poolId, target, headers, options, { reuse, owner });
    return this.leaseOf(held.entry, held.done);
  }

  /** The connected client `acquire` leases, and what gives it back (see `acquire`). */
  private async hold(
    poolId: string,
    target: HttpTarget,
    headers: Record<string, string>,
    options: UpstreamConnectOptions | undefined,
    { reuse, owner }: { reuse: boolean; owner: string },
  ): Promise<{ entry: PooledClient; done: () => Promise<void> }> {
    if (this.closed) throw new UpstreamError('upstream_shutting_down', 'The platform is shutting down');
    const pool = this.pool(poolId, target.instances, target.label);
    const legacyVersion = isLegacyVersion(options?.protocolVersion) ? options.protocolVersion : undefined;
    const session = reuse ? options?.session : undefined;
    if (session !== undefined) {
      const key = clientKey('session', session, owner, poolId, target.transport, legacyVersion ?? MODERN_PROTOCOL_VERSION, headers);
      const usable = (entry: PooledClient) => alive(entry) && this.state(entry.instance).ejectedUntil === undefined && this.members(pool).includes(entry.instance);
      const opening = this.sessionClients.acquire(key, session, usable, () => this.open(pool, target, headers, { ...options, signal: undefined }, legacyVersion));
      const entry = await raceAbort(opening, options?.signal, () => new UpstreamError('upstream_cancelled', 'The request was cancelled')).catch((err: unknown) => {
        // The opening goes on for the session's other requests; this one no longer waits for it.
        if (err instanceof UpstreamError && err.upstreamCode === 'upstream_cancelled') void opening.then(() => this.sessionClients.release(key), () => undefined);
        throw err;
      });
      configure(entry.client, options);
      return { entry, done: async () => this.sessionClients.release(key) };
    }
    const candidates = this.order(pool);
    const keyOf = (instance: string) => (reuse ? clientKey('idle', owner, instance, target.transport, legacyVersion ?? MODERN_PROTOCOL_VERSION, headers) : undefined);
    // The balancing strategy picks the instance; an idle client of it saves the handshake.
    const first = candidates[0] ? keyOf(candidates[0].url) : undefined;
    const pooled = first === undefined ? undefined : this.idleClients.take(first);
    if (pooled) {
      pooled.holder.signal = options?.signal;
      configure(pooled.client, options);
      if (!pooled.client.wantsCapabilities) return { entry: pooled, done: () => this.giveBack(first!, pooled) };
      // This lease needs server→client capabilities the pooled client was connected without.
      void discard(pooled);
    }
    const entry = await this.open(pool, target, headers, options, legacyVersion, candidates);
    const key = keyOf(entry.instance);
    return { entry, done: () => (key === undefined ? discard(entry) : this.giveBack(key, entry)) };
  }

  /** Ends the upstream sessions kept for a downstream session (its DELETE, here or on another replica). */
  endSession(session: string): Promise<void> {
    return this.sessionClients.end(session);
  }

  /** Upstream clients kept for downstream sessions (for tests and the admin view). */
  get sessionClientCount(): number {
    return this.sessionClients.size;
  }

  /** A new client connected to the first instance that takes it (the next one only when the connection was refused). */
  private async open(
    pool: PoolState,
    target: HttpTarget,
    headers: Record<string, string>,
    options: UpstreamConnectOptions | undefined,
    legacyVersion: string | undefined,
    candidates = this.order(pool),
  ): Promise<PooledClient> {
    if (!candidates.length) throw new UpstreamError('upstream_unavailable', 'No healthy instance of the service is available; try again shortly');
    const timeoutMs = target.timeoutMs ?? this.options.timeoutMs;
    let lastRefused = false;
    for (const instance of candidates) {
      try {
        try {
          return await this.connectTo(instance, target, headers, timeoutMs, options, legacyVersion);
        } catch (err) {
          // The handshake (probe, initialize) met a kept-alive socket the instance had closed: it
          // carries nothing of the caller's, so it is made once more, on a new connection.
          if (!isStaleSocket(err) || options?.signal?.aborted) throw err;
          this.options.logger?.info({ instance: instance.url, 'error.code': describe(err) }, 'upstream handshake met a closed kept-alive socket; trying again');
          return await this.connectTo(instance, target, headers, timeoutMs, options, legacyVersion);
        }
      } catch (err) {
        if (options?.signal?.aborted) throw new UpstreamError('upstream_cancelled', 'The request was cancelled');
        if (isConnectionRefused(err)) {
          // Nothing reached the instance: safe to try the next one.
          lastRefused = true;
          continue;
        }
        if (err instanceof UpstreamError) throw err;
        if (isTimeout(err)) throw new UpstreamError('upstream_timeout', `The service did not answer within ${timeoutMs} ms`);
        if (err instanceof SdkHttpError && (err.status === 401 || err.status === 403)) {
          throw new UpstreamError('upstream_unauthorized', `The service refused the credentials (HTTP ${err.status}); check your connection's credentials`);
        }
        if (err instanceof SdkHttpError && err.status !== undefined && err.status >= 400 && err.status < 500) {
          throw new UpstreamError('upstream_refused', `The service refused the connection (HTTP ${err.status})`);
        }
        this.options.logger?.warn({ instance: instance.url, err: { message: (err as Error).message }, 'error.code': describe(err) }, 'upstream connect failed');
        throw new UpstreamError('upstream_unavailable', 'The service could not be reached; try again shortly');
      }
    }
    throw new UpstreamError(
      'upstream_unavailable',
      lastRefused ? 'Every instance of the service refused the connection; try again shortly' : 'No instance of the service is available',
    );
  }

  /**
   * Connects a client in the downstream client's era: a 2025-era client's revision is offered
   * first (`initialize`), so the upstream behaves as for that client directly; an upstream that
   * refuses it is bridged with 2026-07-28 (remembered per instance for a minute). A modern-era
   * client probes with `server/discover` and falls back to the newest 2025 revision.
   */
  private async connectTo(
    instance: InstanceState,
    target: HttpTarget,
    headers: Record<string, string>,
    timeoutMs: number,
    options: UpstreamConnectOptions | undefined,
    legacyVersion: string | undefined,
  ): Promise<PooledClient> {
    const era = legacyVersion !== undefined && instance.modernOnlyUntil <= Date.now() ? legacyVersion : undefined;
    const client = new UpstreamClient(timeoutMs, era);
    configure(client, options);
    let streamAnswered: () => void = () => undefined;
    const streamReady = new Promise<void>((resolve) => (streamAnswered = resolve));
    const holder: PooledClient['holder'] = { signal: options?.signal, broken: false, expired: false, streamAnswered };
    const transport = this.transportFor(instance, target.transport, headers, timeoutMs, holder);
    try {
      await client.connect(transport, { timeout: timeoutMs, signal: options?.signal });
      if (client.wantsCapabilities && client.getNegotiatedProtocolVersion() !== MODERN_PROTOCOL_VERSION && transport instanceof StreamableHTTPClientTransport) {
        // The transport opens the session's GET stream right after the handshake. Some servers send
        // what belongs to the first call (a sampling request) wherever a stream is open when the call
        // starts: the first request waits until the stream is answered (or refused), as a direct
        // client on a warm connection would (bounded). A client that declared nothing a server may
        // ask (sampling, elicitation, roots) gets no such request, so its first request does not
        // wait: a round trip to the upstream less on every new session.
        await Promise.race([streamReady, new Promise((r) => setTimeout(r, Math.min(timeoutMs, 2_000)).unref())]);
      }
    } catch (err) {
      await client.close().catch(() => undefined);
      if (era !== undefined && refusedHandshake(err) && !options?.signal?.aborted) {
        // The instance does not speak the client's 2025 revision: bridge with 2026-07-28.
        instance.modernOnlyUntil = Date.now() + 60_000;
        return this.connectTo(instance, target, headers, timeoutMs, options, undefined);
      }
      throw err;
    }
    // A refused `server/discover` probe is negotiation, not a failure of the connected client.
    holder.broken = false;
    this.learnRevision(instance, client, transport);
    tolerateMissingResultType(client, transport, () =>
      this.options.logger?.warn({ instance: instance.url }, 'upstream negotiated 2026-07-28 but answers without resultType; read as complete'),
    );
    return { client, transport, holder, instance: instance.url, idleSince: 0 };
  }

  /** An exclusive client back to the idle pool when it may be reused, else ended (DELETE of its session). */
  private async giveBack(key: string, entry: PooledClient): Promise<void> {
    entry.holder.signal = undefined;
    if (!this.closed && IdleClients.reusable(entry) && this.idleClients.put(key, entry)) return;
    await discard(entry);
  }

  /**
   * One raw 2026-07-28 POST to an instance of the pool that is known to speak it statelessly
   * (learned by `acquire`); undefined when none is, so the caller takes the SDK path. Same rules as
   * the SDK path's fetch of a call: only the given credential headers, health accounting, a retry
   * on the next instance only when the connection was refused, and no deadline of its own (a call
   * is bounded by the caller's timeout rule through `raw.signal`, as the SDK path's calls are).
   */
  async sendRaw(
    poolId: string,
    target: HttpTarget,
    credentials: Record<string, string>,
    raw: RawUpstreamRequest,
    { owner = '' }: { owner?: string } = {},
  ): Promise<RawUpstreamResponse | undefined> {
    if (raw.session) return this.sendOnSession(poolId, target, credentials, raw, raw.session, owner);
    const pool = this.pools.get(poolId);
    if (this.closed || !pool || target.transport !== 'streamable-http') return undefined;
    const candidates = this.order(pool).filter((s) => s.modern);
    if (!candidates.length) return undefined;
    const around = raw.around ?? ((_instance, send) => send());
    for (const instance of candidates) {
      if (raw.signal.aborted) throw new UpstreamError('upstream_cancelled', 'The request was cancelled');
      instance.outstanding += 1;
      try {
        const response = await around(instance.url, () => {
          const headers: Record<string, string> = { ...raw.headers, ...credentials, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
          injectTraceContext(headers);
          return undiciRequest(instance.url, { method: 'POST', headers, body: raw.body, signal: raw.signal, dispatcher: this.agent });
        });
        if (response.statusCode >= 500) this.failure(instance, `HTTP ${response.statusCode}`);
        else this.success(instance);
        const contentType = typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : '';
        return {
          instance: instance.url,
          status: response.statusCode,
          contentType,
          body: this.capped(response.body, contentType),
          discard: () => void response.body.dump().catch(() => undefined),
          demote: () => void (instance.modern = false),
          release: () => undefined,
        };
      } catch (err) {
        const failed = (code: UpstreamErrorCode, message: string) => Object.assign(new UpstreamError(code, message), { instance: instance.url });
        if (raw.signal.aborted) throw failed('upstream_cancelled', 'The request was cancelled');
        this.failure(instance, describe(err));
        // Nothing reached the instance: safe to try the next one.
        if (isConnectionRefused(err)) continue;
        throw failed('upstream_unavailable', 'The service could not be reached; try again shortly');
      } finally {
        instance.outstanding -= 1;
      }
    }
    throw new UpstreamError('upstream_unavailable', 'Every instance of the service refused the connection; try again shortly');
  }

  /**
   * One raw POST of a 2025-era request on an upstream session (`RawUpstreamSession`): the
   * downstream session's own (`session.key`, shared with the SDK relay's requests of that session)
   * or an exclusive one from the idle pool, opened (an `initialize`) when there is none. The
   * request carries the session's `Mcp-Session-Id` and its negotiated `MCP-Protocol-Version`.
   *
   * - 404 to the session: the upstream forgot it (restart, expiry) and did not process the
   *   request, so one new session is opened (replaying only `initialize`) and the request sent
   *   once more; a second 404 is the answer.
   * - Any other answer (401/403/429/5xx included) is the caller's to map: never sent again.
   * - Undefined (nothing sent) when the session negotiated no 2025-era revision (the upstream
   *   speaks only 2026-07-28, or is a 2026-07-28 instance not learned yet): the SDK path serves it.
   * The session is held until the caller's `release()` (the answer read or discarded).
   */
  private async sendOnSession(
    poolId: string,
    target: HttpTarget,
    credentials: Record<string, string>,
    raw: RawUpstreamRequest,
    session: NonNullable<RawUpstreamRequest['session']>,
    owner: string,
  ): Promise<RawUpstreamResponse | undefined> {
    if (this.closed || target.transport !== 'streamable-http') return undefined;
    const options: UpstreamConnectOptions = { signal: raw.signal, protocolVersion: session.protocolVersion, session: session.key, configureClient: session.configureClient };
    const around = raw.around ?? ((_instance, send) => send());
    for (let attempt = 0; ; attempt++) {
      const held = await this.hold(poolId, target, credentials, options, { reuse: true, owner });
      const { entry } = held;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        void held.done().catch(() => undefined);
      };
      const transport = entry.transport;
      const version = entry.client.getNegotiatedProtocolVersion();
      if (!(transport instanceof StreamableHTTPClientTransport) || !isLegacyVersion(version)) {
        release();
        return undefined;
      }
      const instance = this.state(entry.instance);
      const sessionId = transport.sessionId;
      instance.outstanding += 1;
      let response: Awaited<ReturnType<typeof undiciRequest>>;
      const headers: Record<string, string> = {
        ...raw.headers,
        ...credentials,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
      };
      if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
      try {
        response = await around(instance.url, () => {
          injectTraceContext(headers);
          return undiciRequest(instance.url, { method: 'POST', headers, body: raw.body, signal: raw.signal, dispatcher: this.agent });
        });
      } catch (err) {
        // The session's state after a request broken midway is unknown: an exclusive one is not
        // kept (its DELETE ends the request); on a client session's own, a cancelled request is
        // cancelled upstream, as the SDK client does.
        entry.holder.broken = true;
        if (raw.signal.aborted && session.key !== undefined) this.cancelOnSession(instance.url, headers, session.requestId);
        release();
        const failed = (code: UpstreamErrorCode, message: string) => Object.assign(new UpstreamError(code, message), { instance: instance.url });
        if (raw.signal.aborted) throw failed('upstream_cancelled', 'The request was cancelled');
        this.failure(instance, describe(err));
        throw failed('upstream_unavailable', 'The service could not be reached; try again shortly');
      } finally {
        instance.outstanding -= 1;
      }
      if (response.statusCode >= 500) this.failure(instance, `HTTP ${response.statusCode}`);
      else this.success(instance, true);
      if (response.statusCode === 404 && sessionId !== undefined && attempt === 0) {
        // Gone upstream: the next hold opens a new session (the old one needs no DELETE).
        entry.holder.expired = true;
        void response.body.dump().catch(() => undefined);
        release();
        continue;
      }
      if (response.statusCode >= 400) entry.holder.broken = true;
      const contentType = typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : '';
      const body = response.body;
      return {
        instance: instance.url,
        status: response.statusCode,
        contentType,
        body: this.capped(body, contentType),
        discard: () => void body.dump().catch(() => undefined),
        demote: () => undefined,
        release: (outcome = 'complete') => {
          if (outcome === 'broken' && !released) {
            // A client session's upstream session stays: the upstream is told to stop the request,
            // as the SDK client tells it. An exclusive one is not kept (its DELETE ends the request).
            if (session.key !== undefined) this.cancelOnSession(instance.url, headers, session.requestId);
            else entry.holder.broken = true;
          }
          release();
        },
      };
    }
  }

  /** `notifications/cancelled` for a request sent on an upstream session (best effort, never under the call's signal). */
  private cancelOnSession(url: string, headers: Record<string, string>, requestId: string): void {
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'The request was cancelled' } });
    void undiciRequest(url, { method: 'POST', headers, body, dispatcher: this.agent, signal: AbortSignal.timeout(this.options.timeoutMs) })
      .then((r) => r.body.dump())
      .catch(() => undefined);
  }

  /** Whether an instance of the pool that may be tried now is known to speak 2026-07-28 statelessly (see sendRaw). */
  hasModernInstance(poolId: string): boolean {
    const pool = this.pools.get(poolId);
    if (!pool || this.closed) return false;
    const now = Date.now();
    return this.members(pool).some((url) => {
      const s = this.instances.get(url);
      return s !== undefined && s.modern && (s.ejectedUntil === undefined || s.ejectedUntil <= now);
    });
  }

  /** Whether raw 2026-07-28 requests may go to the instance, from what its SDK connection negotiated. */
  private learnRevision(instance: InstanceState, client: UpstreamClient, transport: Transport): void {
    instance.modern =
      transport instanceof StreamableHTTPClientTransport &&
      transport.sessionId === undefined &&
      client.getNegotiatedProtocolVersion() === MODERN_PROTOCOL_VERSION;
  }

  /** A lease of a connected client; `done` gives the client back (idle pool, session) or ends it. */
  private leaseOf(entry: PooledClient, done: () => void | Promise<void>): UpstreamLease {
    const instance = this.state(entry.instance);
    instance.leases += 1;
    let released = false;
    return {
      client: entry.client,
      instance: instance.url,
      release: async () => {
        if (released) return;
        released = true;
        instance.leases -= 1;
        await done();
      },
    };
  }

  /** Connected clients waiting for their next lease (for tests and the admin view). */
  get idleClientCount(): number {
    return this.idleClients.size;
  }

  private transportFor(
    instance: InstanceState,
    kind: HttpTarget['transport'],
    headers: Record<string, string>,
    timeoutMs: number,
    holder: PooledClient['holder'],
  ): Transport {
    const fetch = this.fetchFor(instance, headers, timeoutMs, holder);
    const url = new URL(instance.url);
    if (kind === 'sse') return new SSEClientTransport(url, { fetch });
    return new StreamableHTTPClientTransport(url, { fetch });
  }

  /**
   * The fetch the SDK transport uses: credential headers, cancellation (the request's own signal,
   * and an exclusive lease's), health accounting, and a deadline to the response headers for
   * everything but a call: a call is bounded by the SDK request timeout the endpoint sets (reset by
   * progress), so a slow tool is neither cut short here nor counted against its instance. GET
   * streams go through their own dispatcher, so they never hold the sockets requests and probes need.
   */
  private fetchFor(instance: InstanceState, extraHeaders: Record<string, string>, timeoutMs: number, holder: PooledClient['holder']): FetchLike {
    return async (input, init) => {
      const method = init?.method ?? 'GET';
      // The standalone GET stream is the client's, not the current lease's: only the transport closes it.
      const callerSignal = method === 'GET' ? undefined : holder.signal;
      const headers = new Headers(init?.headers);
      headers.delete('authorization');
      headers.delete('cookie');
      for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
      injectTraceContext(headers); // W3C traceparent of the active upstream-call span (tracing on)
      const controller = new AbortController();
      const onAbort = (reason: unknown) => controller.abort(reason);
      const initSignal = init?.signal ?? undefined;
      const cleanup: Array<() => void> = [];
      for (const signal of [initSignal, callerSignal]) {
        if (!signal) continue;
        if (signal.aborted) controller.abort(signal.reason);
        const listener = () => onAbort(signal.reason);
        signal.addEventListener('abort', listener, { once: true });
        cleanup.push(() => signal.removeEventListener('abort', listener));
      }
      const deadline = isCall(method, init?.body) ? undefined : headersDeadline(controller, timeoutMs);
      instance.outstanding += 1;
      try {
        const answer = await undiciRequest(String(input), {
          method: method as Dispatcher.HttpMethod,
          headers: Object.fromEntries(headers.entries()),
          body: init?.body as string | undefined,
          signal: controller.signal,
          dispatcher: method === 'GET' ? this.streams : this.agent,
        });
        const response = { status: answer.statusCode };
        if (response.status >= 500) this.failure(instance, `HTTP ${response.status}`);
        else this.success(instance, true);
        if (method === 'GET') holder.streamAnswered?.();
        // The upstream no longer knows the session: the client must initialize a new one.
        if (response.status === 404 && headers.has('mcp-session-id')) holder.expired = true;
        // A stateless server's 405 to the optional GET stream is no failure of the client.
        else if (response.status >= 400 && !(response.status === 405 && method === 'GET')) holder.broken = true;
        return await sdkResponse(answer, method, init?.body, this.options.maxResponseBytes);
      } catch (err) {
        // A dropped GET stream is re-opened by the transport; it says nothing of the client's requests.
        if (method !== 'GET') holder.broken = true;
        else holder.streamAnswered?.();
        if (deadline?.fired) {
          this.failure(instance, 'timeout');
          throw new UpstreamTimeout(timeoutMs);
        }
        if (!controller.signal.aborted) this.failure(instance, describe(err));
        throw err;
      } finally {
        deadline?.clear();
        for (const c of cleanup) c();
        instance.outstanding -= 1;
      }
    };
  }

  private capped(body: AsyncIterable<Uint8Array>, contentType: string): AsyncIterable<Uint8Array> {
    const limit = this.options.maxResponseBytes;
    return limit === undefined ? body : capResponseBody(body, contentType, limit);
  }

  private pool(poolId: string, configured: string[], label?: string): PoolState {
    let pool = this.pools.get(poolId);
    const urls = configured.map(normalize);
    if (!pool) {
      pool = { configured: urls, registered: new Set(), next: 0, label: label ?? poolId, reported: new Set() };
      this.pools.set(poolId, pool);
    } else if (urls.length) {
      pool.configured = urls;
    }
    if (label) pool.label = label;
    for (const url of urls) this.state(url);
    if (urls.length) this.reportMembers(pool);
    return pool;
  }

  private members(pool: PoolState): string[] {
    return [...new Set([...pool.configured, ...pool.registered])];
  }

  private state(url: string): InstanceState {
    let state = this.instances.get(url);
    if (!state) {
      state = {
        url,
        consecutiveFailures: 0,
        ejections: 0,
        ejectedUntil: undefined,
        outstanding: 0,
        leases: 0,
        lastCheckedAt: undefined,
        lastError: undefined,
        modern: false,
        modernOnlyUntil: 0,
        lastAnsweredAt: undefined,
      };
      this.instances.set(url, state);
    }
    return state;
  }

  /** Healthy instances in strategy order, then half-open ones (backoff elapsed). */
  private order(pool: PoolState): InstanceState[] {
    const now = Date.now();
    const all = this.members(pool).map((url) => this.state(url));
    const healthy = all.filter((s) => s.ejectedUntil === undefined);
    const halfOpen = all.filter((s) => s.ejectedUntil !== undefined && s.ejectedUntil <= now);
    // Half-open is reached by time passing, not by an event: report it when it is about to be tried.
    for (const s of halfOpen) this.report(s.url, 'half-open');
    let ordered: InstanceState[];
    if (this.options.strategy === 'least-outstanding') {
      ordered = [...healthy].sort((a, b) => a.leases + a.outstanding - (b.leases + b.outstanding));
    } else {
      const start = healthy.length ? pool.next % healthy.length : 0;
      pool.next = (pool.next + 1) % Number.MAX_SAFE_INTEGER;
      ordered = [...healthy.slice(start), ...healthy.slice(0, start)];
    }
    return [...ordered, ...halfOpen];
  }

  /** `traffic`: the answer was to real traffic (not a probe). */
  private success(state: InstanceState, traffic = false): void {
    if (traffic) state.lastAnsweredAt = Date.now();
    state.consecutiveFailures = 0;
    state.lastError = undefined;
    if (state.ejectedUntil !== undefined) {
      this.options.logger?.info({ instance: state.url }, 'upstream instance restored');
      state.ejectedUntil = undefined;
      state.ejections = 0;
      this.emit(state);
    }
  }

  private failure(state: InstanceState, reason: string): void {
    state.consecutiveFailures += 1;
    state.lastError = reason;
    const halfOpenFailed = state.ejectedUntil !== undefined && state.ejectedUntil <= Date.now();
    if (halfOpenFailed || (state.ejectedUntil === undefined && state.consecutiveFailures >= this.options.ejectAfterFailures)) {
      state.ejections += 1;
      const backoff = Math.min(this.options.ejectBaseMs * 2 ** (state.ejections - 1), this.options.ejectMaxMs);
      state.ejectedUntil = Date.now() + backoff;
      this.options.logger?.warn({ instance: state.url, backoffMs: backoff, reason }, 'upstream instance ejected');
      this.emit(state);
      this.dropClientsOf(state.url);
    }
  }

  /** An ejected instance keeps no client: its sessions are ended (DELETE, best effort) and the next requests open elsewhere. */
  private dropClientsOf(url: string): void {
    this.idleClients.sweep(Date.now(), url);
    void this.sessionClients.sweep(Date.now(), url);
  }

  /** One active probe of every known instance; ejected ones only once their backoff has elapsed. */
  async checkAll(): Promise<void> {
    if (this.checking || this.closed) return;
    this.idleClients.sweep();
    void this.sessionClients.sweep();
    this.checking = true;
    try {
      const now = Date.now();
      const urls = new Set<string>();
      for (const pool of this.pools.values()) for (const url of this.members(pool)) urls.add(url);
      await Promise.all(
        [...urls].map((url) => {
          const state = this.state(url);
          if (state.ejectedUntil !== undefined && state.ejectedUntil > now) return undefined;
          return this.probe(state);
        }),
      );
    } finally {
      this.checking = false;
    }
  }

  /**
   * One probe: a GET without a session (no upstream session is ever opened by it), on the probes'
   * own dispatcher. A failed probe of an instance that answered real traffic since the previous
   * probe is not counted: traffic is the better evidence.
   */
  private async probe(state: InstanceState): Promise<void> {
    const previous = state.lastCheckedAt;
    state.lastCheckedAt = Date.now();
    try {
      const signal = AbortSignal.timeout(this.options.healthTimeoutMs);
      const response = await undiciRequest(state.url, {
        method: 'GET',
        headers: { accept: 'text/event-stream, application/json' },
        signal,
        dispatcher: this.probes,
      });
      // Read a (short) refusal to its end, so the probe's connection is kept for the next probe; a
      // stream (some servers open one for a GET without a session) is dropped at once.
      if (String(response.headers['content-type'] ?? '').startsWith('text/event-stream')) response.body.destroy();
      else await response.body.dump({ limit: 65_536, signal }).catch(() => undefined);
      if (response.statusCode < 500) this.success(state);
      else this.probeFailed(state, previous, `probe HTTP ${response.statusCode}`);
    } catch (err) {
      this.probeFailed(state, previous, `probe ${describe(err)}`);
    }
  }

  private probeFailed(state: InstanceState, previousProbe: number | undefined, reason: string): void {
    const answering = state.ejectedUntil === undefined && state.lastAnsweredAt !== undefined && previousProbe !== undefined && state.lastAnsweredAt > previousProbe;
    if (answering) {
      state.lastError = `${reason} (not counted: the instance answers traffic)`;
      return;
    }
    this.failure(state, reason);
  }

  private snapshot(s: InstanceState): InstanceHealth {
    const now = Date.now();
    return {
      url: s.url,
      status: s.ejectedUntil === undefined ? 'healthy' : s.ejectedUntil <= now ? 'half-open' : 'ejected',
      consecutiveFailures: s.consecutiveFailures,
      ejections: s.ejections,
      ejectedUntil: s.ejectedUntil === undefined ? null : new Date(s.ejectedUntil).toISOString(),
      outstanding: s.outstanding,
      leases: s.leases,
      lastCheckedAt: s.lastCheckedAt === undefined ? null : new Date(s.lastCheckedAt).toISOString(),
      lastError: s.lastError ?? null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([this.idleClients.closeAll(), this.sessionClients.closeAll()]);
    // Graceful first (idle keep-alive sockets), then drop whatever is still open (long-lived streams).
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.agent.close().catch(() => undefined);
    const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)));
    await Promise.race([graceful, bounded]);
    clearTimeout(timer);
    await this.agent.destroy().catch(() => undefined);
    await Promise.all([this.streams.destroy().catch(() => undefined), this.probes.destroy().catch(() => undefined)]);
  }
}

/** A POST carrying a JSON-RPC request other than the handshake: bounded by the SDK request timeout, not by the headers deadline. */
function isCall(method: string, body: unknown): boolean {
  return method === 'POST' && typeof body === 'string' && body.includes('"id":') && !HANDSHAKE.test(body);
}
const HANDSHAKE = /"method":"(initialize|server\/discover)"/;

/** The upstream refused the 2025 handshake itself (an HTTP 4xx or a JSON-RPC error), not the network. */
function refusedHandshake(err: unknown): boolean {
  if (err instanceof SdkHttpError) return err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403 && err.status !== 429;
  return err instanceof ProtocolError || (err instanceof Error && /protocol version is not supported/i.test(err.message));
}

/** Aborts `controller` with an `UpstreamTimeout` unless cleared within `timeoutMs` (response headers must arrive by then). */
function headersDeadline(controller: AbortController, timeoutMs: number): { readonly fired: boolean; clear(): void } {
  const state = { fired: false, clear: () => clearTimeout(timer) };
  const timer = setTimeout(() => {
    state.fired = true;
    controller.abort(new UpstreamTimeout(timeoutMs));
  }, timeoutMs);
  return state;
}

export class UpstreamTimeout extends Error {
  override name = 'UpstreamTimeout';
  constructor(readonly timeoutMs: number) {
    super(`The upstream did not answer within ${timeoutMs} ms`);
  }
}

function normalize(url: string): string {
  return new URL(url).toString();
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = err;
  for (let i = 0; i < 6 && current; i++) {
    out.push(current);
    const next = (current as { cause?: unknown }).cause;
    current = next;
  }
  return out;
}

function isConnectionRefused(err: unknown): boolean {
  return causes(err).some((e) => {
    const code = (e as { code?: unknown }).code;
    // EGRESS_REFUSED: the egress guard stopped it before connecting; nothing was sent either.
    if (code === 'ECONNREFUSED' || code === 'EGRESS_REFUSED') return true;
    const message = (e as { message?: unknown }).message;
    return typeof message === 'string' && message.includes('ECONNREFUSED');
  });
}

function isTimeout(err: unknown): boolean {
  return causes(err).some((e) => {
    if (e instanceof UpstreamTimeout) return true;
    const name = (e as { name?: unknown }).name;
    const message = (e as { message?: unknown }).message;
    return name === 'TimeoutError' || (typeof message === 'string' && /timed? ?out/i.test(message));
  });
}

function describe(err: unknown): string {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return err instanceof Error ? err.name : 'error';
}
