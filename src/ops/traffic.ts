import { randomBytes } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Mixed MCP traffic against a running platform (usually the cluster's load balancer), for the
 * rolling restart and the soak (docs/operations.md). Four kinds of request, taken in turn:
 *
 * - `session-stdio` / `session-http`: a `tools/call` inside a 2025-era session (2025-11-25, one
 *   `Mcp-Session-Id` per user and service, opened once) to a stdio service and an http service;
 * - `stateless-stdio` / `stateless-http`: a 2026-07-28 stateless `tools/call` (the `_meta`
 *   envelope, no session) to the same services.
 *
 * Every answer is checked (HTTP 200, the JSON-RPC response of that id, no error, the echoed text):
 * anything else is a failure, counted and sampled. Requests go out at a fixed rate (open loop:
 * a slow platform does not slow the sender) with at most `concurrency` in flight.
 */

export const TRAFFIC_KINDS = ['session-stdio', 'session-http', 'stateless-stdio', 'stateless-http'] as const;
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';
const CLIENT_INFO = { name: 'mcp-platform-traffic', version: '1.0.0' };

export interface TrafficOptions {
  /** The platform's base URL (the load balancer). */
  url: string;
  adminEmail: string;
  adminPassword: string;
  /** Slug of a stdio service whose server has the `echo` tool (server-everything). */
  stdioSlug: string;
  /** Slug of an http service whose server has the `echo` tool. */
  httpSlug: string;
  /** Users, each with one session per service (default 4). */
  users?: number;
  /** Cap on requests in flight (default 64). */
  concurrency?: number;
  /** Per-request bound (default 60 s, the platform's own upstream timeout). */
  requestTimeoutMs?: number;
}

export interface MinuteStats {
  minute: number;
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

export interface TrafficTotals {
  sent: number;
  /** Requests that got an HTTP answer (whatever its status). */
  answered: number;
  /** Requests whose answer was not a correct result (or that got none). */
  failed: number;
  /** Requests still in flight at the moment of reading. */
  inFlight: number;
  /** Paced requests not sent because `concurrency` were already in flight. */
  skipped: number;
  byKind: Record<TrafficKind, { sent: number; failed: number }>;
  /** The first failures, as `kind: reason`. */
  errorSamples: string[];
  /** Every failure counted by its reason (the first 100 characters, numbers elided). */
  errorReasons: Record<string, number>;
}

/** All counters at zero: where a run starts, and where the measurement starts after the warm-up. */
function emptyTotals(): TrafficTotals {
  return {
    sent: 0,
    answered: 0,
    failed: 0,
    inFlight: 0,
    skipped: 0,
    byKind: Object.fromEntries(TRAFFIC_KINDS.map((k) => [k, { sent: 0, failed: 0 }])) as TrafficTotals['byKind'],
    errorSamples: [],
    errorReasons: {},
  };
}

interface Session {
  userId: string;
  token: string;
  slug: string;
  kind: 'stdio' | 'http';
  id: string;
}

interface TrafficUser {
  userId: string;
  token: string;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function json<T>(res: Response | Awaited<ReturnType<typeof undiciFetch>>, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The JSON-RPC response with `id` in a JSON or SSE body. */
export function rpcResponse(contentType: string, text: string, id: number | string): { result?: unknown; error?: { code: number; message: string } } | undefined {
  const candidates: unknown[] = [];
  if (contentType.includes('text/event-stream')) {
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      try {
        candidates.push(JSON.parse(data));
      } catch {
        // not JSON: not ours
      }
    }
  } else {
    try {
      const parsed = JSON.parse(text) as unknown;
      candidates.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    } catch {
      return undefined;
    }
  }
  return candidates.find((c): c is { result?: unknown; error?: { code: number; message: string } } => !!c && typeof c === 'object' && (c as { id?: unknown }).id === id);
}

export class MixedTraffic {
  private readonly agent: Agent;
  private readonly users: TrafficUser[] = [];
  private readonly sessions: Session[] = [];
  private nextId = 1;
  /**
   * Whose session the next call of each kind uses, per kind: with one counter for all kinds, the
   * kinds' fixed rotation gave each kind the same users every time (with 2 or 4 users, only every
   * other user ever called stdio), and the other users' stdio children went idle and were stopped.
   */
  private readonly turns = new Map<TrafficKind, number>();
  private started = Date.now();
  private readonly latencies = new Map<number, number[]>();
  private readonly minuteFailures = new Map<number, number>();
  private readonly inFlightSet = new Set<Promise<void>>();
  private pacer: NodeJS.Timeout | undefined;
  private totals: TrafficTotals = emptyTotals();
  /** Session opens (initialize) answered: requests too, and in the request log. */
  initializes = 0;

  private constructor(private readonly options: Required<TrafficOptions>) {
    this.agent = new Agent({ connections: options.concurrency + 8, keepAliveTimeout: 10_000 });
  }

  /** Signs users up, opens their sessions. */
  static async setup(options: TrafficOptions): Promise<MixedTraffic> {
    const t = new MixedTraffic({ users: 4, concurrency: 64, requestTimeoutMs: 60_000, ...options });
    for (let i = 0; i < t.options.users; i++) {
      const email = `traffic-${randomBytes(5).toString('hex')}@example.test`;
      const res = await t.fetch(`${t.options.url}/auth/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: 'traffic' },
        body: JSON.stringify({ email, password: `pw-${randomBytes(12).toString('hex')}` }),
      });
      const body = await json<{ access_token: string; user: { id: string } }>(res, 'sign-up');
      // An API key, not the access token: it does not expire within a long soak (access tokens
      // last AUTH_ACCESS_TOKEN_TTL, 15 minutes by default).
      const key = await t.fetch(`${t.options.url}/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${body.access_token}` },
        body: JSON.stringify({ name: 'traffic' }),
      });
      t.users.push({ userId: body.user.id, token: (await json<{ key: string }>(key, 'create API key')).key });
    }
    for (const u of t.users) {
      for (const [slug, kind] of [[t.options.stdioSlug, 'stdio'], [t.options.httpSlug, 'http']] as const) {
        t.sessions.push({ userId: u.userId, token: u.token, slug, kind, id: await t.openSession(slug, u.token) });
      }
    }
    return t;
  }

  /**
   * Before a measurement: one call of every kind for every user, each retried (once a second)
   * until it succeeds or `boundMs` has passed. It starts every user's stdio child on its owner and
   * warms the replicas, so the measurement sees the steady state and not the cold start (a child
   * takes seconds to start on a loaded host, and calls queue behind it). Then the counters, the
   * per-minute figures and the clock start again from zero; what the warm-up took is returned.
   */
  async warmUp(boundMs = 300_000): Promise<{ ms: number; calls: number; failed: number; failures: string[] }> {
    const t0 = Date.now();
    let calls = 0;
    const failures: string[] = [];
    for (const user of this.users) {
      for (const kind of TRAFFIC_KINDS) {
        const session = this.sessions.find((s) => s.userId === user.userId && s.kind === (kind.endsWith('stdio') ? 'stdio' : 'http'))!;
        for (;;) {
          calls++;
          const failure = await this.call(kind, session);
          if (!failure) break;
          failures.push(`${kind}: ${failure.slice(0, 160)}`);
          if (Date.now() - t0 > boundMs) throw new Error(`warm-up: ${kind} still failing after ${boundMs} ms: ${failure}`);
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    }
    this.totals = emptyTotals();
    this.latencies.clear();
    this.minuteFailures.clear();
    this.started = Date.now();
    return { ms: Date.now() - t0, calls, failed: failures.length, failures };
  }

  get userIds(): string[] {
    return this.users.map((u) => u.userId);
  }

  get sessionCount(): number {
    return this.sessions.length;
  }

  private fetch(url: string, init: Parameters<typeof undiciFetch>[1]) {
    return undiciFetch(url, { ...init, dispatcher: this.agent, signal: AbortSignal.timeout(this.options.requestTimeoutMs) });
  }

  private headers(token: string, version: string, sessionId?: string): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': version,
      ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    };
  }

  private async openSession(slug: string, token: string): Promise<string> {
    const url = `${this.options.url}/mcp/${slug}`;
    const { 'mcp-protocol-version': _omit, ...initHeaders } = this.headers(token, LEGACY);
    const init = await this.fetch(url, {
      method: 'POST',
      headers: initHeaders,
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: CLIENT_INFO } }),
    });
    const text = await init.text();
    const sid = init.headers.get('mcp-session-id');
    if (!init.ok || !sid || !rpcResponse(init.headers.get('content-type') ?? '', text, 0)?.result) throw new Error(`initialize ${slug}: ${init.status} ${text.slice(0, 300)}`);
    this.initializes++;
    const note = await this.fetch(url, { method: 'POST', headers: this.headers(token, LEGACY, sid), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    await note.arrayBuffer();
    if (note.status !== 202 && note.status !== 200) throw new Error(`notifications/initialized ${slug}: ${note.status}`);
    return sid;
  }

  /** One request of `kind` (for a given session, or the next in turn); resolves to a failure reason or undefined. */
  async call(kind: TrafficKind, session?: Session): Promise<string | undefined> {
    const stateful = kind.startsWith('session');
    const wantKind = kind.endsWith('stdio') ? 'stdio' : 'http';
    const turn = this.turns.get(kind) ?? 0;
    if (!session) this.turns.set(kind, turn + 1);
    const s = session ?? this.sessions.filter((x) => x.kind === wantKind)[turn % this.users.length]!;
    const id = this.nextId++;
    const message = `m${id}-${randomBytes(4).toString('hex')}`;
    const params = stateful
      ? { name: 'echo', arguments: { message } }
      : {
          name: 'echo',
          arguments: { message },
          _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': CLIENT_INFO, 'io.modelcontextprotocol/clientCapabilities': {} },
        };
    const headers = stateful ? this.headers(s.token, LEGACY, s.id) : { ...this.headers(s.token, MODERN), 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
    this.totals.sent++;
    this.totals.byKind[kind].sent++;
    const t0 = performance.now();
    let failure: string | undefined;
    try {
      const res = await this.fetch(`${this.options.url}/mcp/${s.slug}`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }) });
      const text = await res.text();
      this.totals.answered++;
      const rpc = rpcResponse(res.headers.get('content-type') ?? '', text, id);
      const result = rpc?.result as { isError?: boolean; content?: Array<{ text?: string }> } | undefined;
      if (res.status !== 200) failure = `HTTP ${res.status} ${text.slice(0, 200)}`;
      else if (!rpc) failure = `no JSON-RPC response for id ${id}: ${text.slice(0, 200)}`;
      else if (rpc.error) failure = `JSON-RPC error ${rpc.error.code} ${rpc.error.message}`;
      else if (result?.isError || !(result?.content ?? []).some((c) => c.text?.includes(message))) failure = `wrong result: ${text.slice(0, 200)}`;
    } catch (err) {
      failure = `${(err as Error).name}: ${(err as Error).message}${(err as { cause?: { code?: string } }).cause?.code ? ` (${(err as { cause: { code: string } }).cause.code})` : ''}`;
    }
    const minute = Math.floor((Date.now() - this.started) / 60_000);
    const list = this.latencies.get(minute) ?? [];
    list.push(performance.now() - t0);
    this.latencies.set(minute, list);
    if (failure) {
      this.totals.failed++;
      this.totals.byKind[kind].failed++;
      this.minuteFailures.set(minute, (this.minuteFailures.get(minute) ?? 0) + 1);
      if (this.totals.errorSamples.length < 20) this.totals.errorSamples.push(`${kind} (${s.slug}): ${failure}`);
      const reason = `${kind}: ${failure.replace(/\d+/g, 'N').slice(0, 100)}`;
      this.totals.errorReasons[reason] = (this.totals.errorReasons[reason] ?? 0) + 1;
    }
    return failure;
  }

  private launch(): void {
    const kind = TRAFFIC_KINDS[(this.totals.sent + this.totals.skipped) % TRAFFIC_KINDS.length]!;
    const p: Promise<void> = this.call(kind).then(
      () => undefined,
      () => undefined,
    );
    this.inFlightSet.add(p);
    void p.finally(() => this.inFlightSet.delete(p));
  }

  /** Sends `rate` requests per second until stop(). */
  start(rate: number): void {
    if (this.pacer) throw new Error('traffic already running');
    if (!(rate > 0)) throw new Error('rate: give a positive number of requests per second');
    const t0 = Date.now();
    let due = 0;
    this.pacer = setInterval(() => {
      const target = Math.floor(((Date.now() - t0) / 1000) * rate);
      while (due < target) {
        due++;
        if (this.inFlightSet.size >= this.options.concurrency) this.totals.skipped++;
        else this.launch();
      }
    }, 5);
  }

  /** Stops sending and waits for what is in flight. */
  async stop(): Promise<TrafficTotals> {
    if (this.pacer) clearInterval(this.pacer);
    this.pacer = undefined;
    await Promise.all([...this.inFlightSet]);
    return this.snapshot();
  }

  /**
   * The highest rate answered without errors, closed loop: `concurrency` callers back to back for
   * `seconds`. Counts in the totals like any other traffic.
   */
  async measureMax(seconds: number, concurrency = this.options.concurrency): Promise<{ rate: number; failed: number; requests: number }> {
    const until = Date.now() + seconds * 1000;
    const before = { sent: this.totals.sent, failed: this.totals.failed };
    let i = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) await this.call(TRAFFIC_KINDS[i++ % TRAFFIC_KINDS.length]!);
      }),
    );
    const requests = this.totals.sent - before.sent;
    return { rate: requests / seconds, failed: this.totals.failed - before.failed, requests };
  }

  /** One call in every session (stdio and http); returns the sessions that failed, with why. */
  async checkSessions(): Promise<string[]> {
    const broken: string[] = [];
    for (const s of this.sessions) {
      const failure = await this.call(s.kind === 'stdio' ? 'session-stdio' : 'session-http', s);
      if (failure) broken.push(`${s.slug} of ${s.userId}: ${failure}`);
    }
    return broken;
  }

  snapshot(): TrafficTotals {
    return { ...this.totals, inFlight: this.inFlightSet.size, byKind: structuredClone(this.totals.byKind), errorSamples: [...this.totals.errorSamples], errorReasons: { ...this.totals.errorReasons } };
  }

  /** Latency and failures per minute since setup (minute 0 first). */
  perMinute(): MinuteStats[] {
    return [...this.latencies.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([minute, list]) => {
        const sorted = [...list].sort((a, b) => a - b);
        return { minute, requests: list.length, failed: this.minuteFailures.get(minute) ?? 0, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
      });
  }

  async close(): Promise<void> {
    await this.stop();
    await this.agent.close();
  }
}

/** Sign-in of the admin (through the load balancer). */
export async function adminToken(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey: 'traffic' },
    body: JSON.stringify({ email, password }),
  });
  return (await json<{ access_token: string }>(res, 'admin sign-in')).access_token;
}

/** Registers an http service with one instance by slug; an earlier one with other instances is replaced. */
export async function ensureHttpService(url: string, admin: string, slug: string, instance: string): Promise<void> {
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  const list = await json<{ services: Array<{ id: string; slug: string; instances?: Array<{ url: string }> }> }>(
    await fetch(`${url}/v1/admin/services`, { headers }),
    'list services',
  );
  const existing = list.services.find((s) => s.slug === slug);
  if (existing) {
    if (existing.instances?.length === 1 && existing.instances[0]!.url === instance) return;
    const res = await fetch(`${url}/v1/admin/services/${existing.id}`, { method: 'DELETE', headers });
    if (res.status !== 204) throw new Error(`remove the earlier service ${slug}: ${res.status} ${await res.text()}`);
  }
  const res = await fetch(`${url}/v1/admin/services`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ slug, title: 'Everything over HTTP (cluster demo)', kind: 'http', http: { instances: [instance] }, payload_capture: 'metadata' }),
  });
  await json(res, `register service ${slug}`);
}
