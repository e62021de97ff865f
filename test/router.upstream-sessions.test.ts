import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingUpstream, type CountingUpstream, type SeenRequest } from './fixtures/counting-upstream.js';
import { startPlatform, testEnv, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall as api, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Upstream sessions (issue 11 §1): a real 2025-11-25 server written the way most are deployed
 * (SDK v1 StreamableHTTPServerTransport, a transport per session, or stateless) counts every
 * request and session it gets, and the platform must:
 *  - open one upstream session per client session and reuse it (no initialize, no discovery, no
 *    new connection per call);
 *  - end it (DELETE) when the client session ends, also after a cancelled call;
 *  - keep a bounded pool for stateless 2026-07-28 calls;
 *  - re-initialize once, replaying only `initialize`, when the upstream forgot the session (404);
 *  - never send a request twice, and never let one user's 401 touch another user's calls;
 *  - never eject a healthy instance under load, and move off one that is really down.
 */

const COUNTING_STDIO = fileURLToPath(new URL('./fixtures/counting-stdio.mjs', import.meta.url));
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';

async function register(t: TestPlatform, instances: string[]): Promise<string> {
  const admin = await adminSession(t);
  const slug = `us-${randomBytes(3).toString('hex')}`;
  const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
    slug,
    title: slug,
    kind: 'http',
    http: { transport: 'streamable-http', instances },
    credentials: [{ name: 'api_key', title: 'API key', secret: true, required: true, inject: { header: 'X-Api-Key' } }],
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return slug;
}

async function userWithKey(t: TestPlatform, slug: string, key: string): Promise<TestSession> {
  const user = await signUp(t.url);
  expect((await api(t.url, user.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: key })).status).toBe(201);
  return user;
}

interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

/** JSON-RPC methods each test client sent, by client. */
const sentBy = new WeakMap<Client, string[]>();

async function connect(base: string, slug: string, token: string, era: 'legacy' | 'modern'): Promise<Session> {
  const client =
    era === 'modern'
      ? new Client({ name: 'sessions-test', version: '1.0.0' }, { supportedProtocolVersions: [MODERN, LEGACY], versionNegotiation: { mode: { pin: MODERN } } })
      : new Client({ name: 'sessions-test', version: '1.0.0' }, { supportedProtocolVersions: [LEGACY] });
  const sent: string[] = [];
  sentBy.set(client, sent);
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp/${slug}`), {
    requestInit: { headers: bearer(token) },
    fetch: async (input, init) => {
      if (typeof init?.body === 'string') sent.push(String((JSON.parse(init.body) as { method?: unknown }).method));
      else if ((init?.method ?? 'GET') === 'GET') sent.push('GET');
      return fetch(input, init);
    },
  });
  await client.connect(transport);
  return { client, transport };
}

async function end(session: Session): Promise<void> {
  await session.transport.terminateSession().catch(() => undefined);
  await session.client.close();
}

const echo = async (client: Client, text: string) => {
  const result = await client.callTool({ name: 'echo', arguments: { text } });
  expect(result.content).toEqual([{ type: 'text', text: `echo:${text}` }]);
};

/** Requests other than GETs (health probes, the standalone streams of upstream sessions). */
const traffic = (u: CountingUpstream) => u.seen.filter((s) => s.http !== 'GET');

/**
 * Which way a call reached the upstream: the fast path's `session` route sends the platform's
 * string id (`platform-<n>`) in a 2025-era revision, its `bytes` route the client's own 2026-07-28
 * envelope; the SDK relay's client numbers its requests and sends its own envelope.
 */
function routeOf(s: SeenRequest): string {
  if (typeof s.rpcId === 'string' && s.rpcId.startsWith('platform-')) return `session ${s.protocolVersion}`;
  if (s.clientName === 'sessions-test') return 'bytes';
  return 'relay';
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

describe.each(['sessionful', 'stateless', 'modern'] as const)('upstream sessions: a %s http upstream', (mode) => {
  let upstream: CountingUpstream;
  let t: TestPlatform;
  let slug: string;
  let user: TestSession;

  beforeAll(async () => {
    upstream = await startCountingUpstream(mode);
    t = await startPlatform({
      CATALOG_FILE: 'none',
      MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      // Probes every 200 ms: many of them run while the load tests below run.
      HTTP_HEALTH_INTERVAL_MS: '200',
    });
    slug = await register(t, [upstream.url]);
    user = await userWithKey(t, slug, 'good');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  it.each(['legacy', 'modern'] as const)('a %s client: 100 calls after the first are exactly 100 upstream requests, on the same connections', async (era) => {
    const session = await connect(t.url, slug, user.accessToken, era);
    const seenBefore = upstream.seen.length;
    await echo(session.client, 'first');
    // The upstream session's standalone GET stream opens right after the handshake (a stateless server refuses it).
    if (upstream.opened.length) await until(() => upstream.seen.slice(seenBefore).some((s) => s.http === 'GET' && s.session !== undefined));
    const before = traffic(upstream).length;
    const seenAt = upstream.seen.length;
    const openedBefore = upstream.opened.length;
    for (let i = 0; i < 100; i++) await echo(session.client, `n${i}`);
    const after = traffic(upstream).slice(before);
    expect(after.map((s) => `${s.http} ${s.rpc} ${s.status}`)).toEqual(Array.from({ length: 100 }, () => 'POST tools/call:echo 200'));
    // All on the fast path: a 2026-07-28 client's bytes to a 2026-07-28 instance; everything else
    // as bytes on an upstream session in 2025-11-25 (the session's own, or a pooled one).
    const expected = mode === 'modern' && era === 'modern' ? 'bytes' : `session ${LEGACY}`;
    expect(new Set(after.map(routeOf))).toEqual(new Set([expected]));
    // Each on the client's own upstream session (2025), or one of the pool's: never a new one.
    if (mode === 'sessionful') expect(after.every((s) => s.session !== undefined && upstream.opened.includes(s.session))).toBe(true);
    expect(upstream.opened.length - openedBefore).toBe(0);
    // No request of the calls came on a new connection (health probes, GETs without a session, are not theirs).
    const fresh = upstream.seen.slice(seenAt).filter((s) => s.fresh && !(s.http === 'GET' && s.session === undefined));
    expect(fresh.map((s) => `${s.http} ${s.rpc}`)).toEqual([]);
    await end(session);
  });

  it.skipIf(mode !== 'sessionful')("concurrent calls of one client session are served at once on its one upstream session, not one after another", async () => {
    const session = await connect(t.url, slug, user.accessToken, 'legacy');
    try {
      await echo(session.client, 'first');
      const upstreamSession = traffic(upstream).at(-1)!.session!;
      const openedBefore = upstream.opened.length;
      const before = traffic(upstream).length;
      // Eight calls sent together, each answered once all eight wait upstream at the same time (or
      // after 3 s): served one after another, the upstream would never hold more than one of them.
      const answers = await Promise.all(Array.from({ length: 8 }, () => session.client.callTool({ name: 'gate', arguments: { count: 8, ms: 3_000 } })));
      expect(answers.map((a) => a.content)).toEqual(Array.from({ length: 8 }, () => [{ type: 'text', text: 'together 8' }]));
      expect(upstream.peakConcurrentCalls(upstreamSession)).toBe(8);
      const calls = traffic(upstream).slice(before);
      expect(calls.map((s) => `${s.rpc} ${s.session === upstreamSession} ${routeOf(s)}`)).toEqual(Array.from({ length: 8 }, () => `tools/call:gate true session ${LEGACY}`));
      expect(upstream.opened.length - openedBefore).toBe(0);
    } finally {
      await end(session);
    }
  }, 60_000);

  it('50 client sessions opened and closed leave no upstream session open', async () => {
    const admin = await adminSession(t);
    // The admin view counts the upstream clients kept for client sessions, per instance.
    const sessionClients = async () => {
      const pool = await api(t.url, admin.accessToken, 'GET', '/v1/admin/router/pool');
      const instances = Object.values(pool.json.http as Record<string, Array<{ url: string; sessionClients: number; idleClients: number }>>).flat();
      return instances.find((i) => i.url === upstream.url)?.sessionClients;
    };
    // So does the gauge an operator scrapes, over all instances (here this test's only upstream).
    const scraped = async () => Number(/^mcp_upstream_clients\{kind="session"\} (\d+)/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1]);
    const scrapedBefore = await scraped();
    const held = await connect(t.url, slug, user.accessToken, 'legacy');
    await echo(held.client, 'held');
    expect(await sessionClients()).toBe(1);
    expect(await scraped()).toBe(scrapedBefore + 1);
    await end(held);
    for (let i = 0; i < 100 && (await sessionClients()) !== 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await sessionClients()).toBe(0);
    expect(await scraped()).toBe(scrapedBefore);
    const openedBefore = upstream.opened.length;
    for (let i = 0; i < 50; i++) {
      const session = await connect(t.url, slug, user.accessToken, 'legacy');
      await echo(session.client, `s${i}`);
      await end(session);
    }
    if (mode === 'sessionful') {
      // One upstream session per client session, each ended (DELETE) with it.
      const opened = upstream.opened.slice(openedBefore);
      expect(opened.length).toBe(50);
      await until(() => opened.every((id) => upstream.deleted.includes(id)));
      expect(opened.filter((id) => !upstream.deleted.includes(id))).toEqual([]);
      // What is left is at most the pooled session of the 2026-07-28 calls above, and its stream.
      expect(upstream.live).toBeLessThanOrEqual(1);
      expect(upstream.openStreams).toBeLessThanOrEqual(1);
    }
  });

  it('500 stateless calls hold at most the pool bound of upstream sessions', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => connect(t.url, slug, user.accessToken, 'modern')));
    const openedBefore = upstream.opened.length;
    await Promise.all(clients.map(async (s, c) => {
      for (let i = 0; i < 500 / 8; i++) await echo(s.client, `p${c}-${i}`);
    }));
    if (mode === 'sessionful') {
      expect(upstream.opened.length - openedBefore).toBeLessThanOrEqual(8);
      expect(upstream.live).toBeLessThanOrEqual(9);
    }
    await Promise.all(clients.map(end));
  });

  it.skipIf(mode !== 'sessionful')('re-initializes once, replaying only initialize, when the upstream forgot the session (404)', async () => {
    const session = await connect(t.url, slug, user.accessToken, 'legacy');
    await echo(session.client, 'before');
    const upstreamSession = traffic(upstream).at(-1)!.session!;
    await upstream.expire(upstreamSession);
    const before = traffic(upstream).length;
    await echo(session.client, 'after');
    expect(traffic(upstream).slice(before).map((s) => [s.rpc, s.status])).toEqual([
      ['tools/call:echo', 404],
      ['initialize', 200],
      ['notifications/initialized', 200],
      ['tools/call:echo', 200],
    ]);
    // Both times on the fast path, as bytes on the upstream session.
    expect(traffic(upstream).slice(before).filter((s) => s.rpc === 'tools/call:echo').map(routeOf)).toEqual([`session ${LEGACY}`, `session ${LEGACY}`]);
    await end(session);
  });

  it.skipIf(mode !== 'sessionful')('a 2026-07-28 call on a pooled session re-initializes it once on 404, then is sent once', async () => {
    // A user of its own: its pool of upstream sessions holds only what this test opens.
    const own = await userWithKey(t, slug, 'good');
    const session = await connect(t.url, slug, own.accessToken, 'modern');
    await echo(session.client, 'before');
    const pooled = traffic(upstream).at(-1)!.session!;
    await upstream.expire(pooled);
    const before = traffic(upstream).length;
    await echo(session.client, 'after');
    const seen = traffic(upstream).slice(before);
    // The call, its 404, a new session (the 2026-07-28 probe is refused without a session, then initialize), the call again.
    expect(seen.filter((s) => s.rpc === 'tools/call:echo').map((s) => s.status)).toEqual([404, 200]);
    expect(seen.at(0)!.rpc).toBe('tools/call:echo');
    expect(seen.filter((s) => s.rpc === 'initialize').length).toBe(1);
    expect(seen.at(-1)!.session).not.toBe(pooled);
    expect(upstream.opened).toContain(seen.at(-1)!.session);
    await end(session);
  });

  it("one user's 401 changes nothing for another user, and no request is sent twice", async () => {
    const bad = await userWithKey(t, slug, 'bad');
    const good = await connect(t.url, slug, user.accessToken, 'modern');
    await echo(good.client, 'warm');
    for (let i = 0; i < 4; i++) {
      const before = traffic(upstream).length;
      const s = await connect(t.url, slug, bad.accessToken, i % 2 ? 'legacy' : 'modern');
      const outcome = await s.client.callTool({ name: 'echo', arguments: { text: 'x' } }).then(() => 'answered', (err: Error) => err.message);
      expect(outcome).toMatch(/refused the credentials \(HTTP 401\)/);
      // Requests that need the upstream: tools/*, and the GET stream (it holds the session's upstream connection).
      const forwarded = sentBy.get(s.client)!.filter((m) => m.startsWith('tools/') || m === 'GET');
      await end(s);
      // At most one upstream request (the handshake, or the call itself through the passthrough), refused,
      // per client request that needed the upstream (a session's requests share one handshake): nothing was sent twice.
      const sent = traffic(upstream).slice(before).filter((r) => r.apiKey === 'bad');
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.length).toBeLessThanOrEqual(forwarded.length);
      expect(sent.every((r) => r.status === 401)).toBe(true);
    }
    const before = traffic(upstream).length;
    for (let i = 0; i < 20; i++) await echo(good.client, `g${i}`);
    expect(traffic(upstream).slice(before).map((s) => s.rpc)).toEqual(Array.from({ length: 20 }, () => 'tools/call:echo'));
    await end(good);
  });

  it.skipIf(mode !== 'sessionful')('a cancelled call still closes its upstream session when the client session ends', async () => {
    const session = await connect(t.url, slug, user.accessToken, 'legacy');
    await echo(session.client, 'x');
    const upstreamSession = traffic(upstream).at(-1)!.session!;
    const controller = new AbortController();
    const call = session.client.callTool({ name: 'slow', arguments: { ms: 3_000 } }, { signal: controller.signal }).catch((e: Error) => e);
    await until(() => traffic(upstream).some((s) => s.rpc === 'tools/call:slow' && s.session === upstreamSession));
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    await end(session);
    await until(() => upstream.deleted.includes(upstreamSession));
    expect(upstream.deleted).toContain(upstreamSession);
  });

  it.skipIf(mode !== 'sessionful')('a cancelled 2026-07-28 call on a pooled session ends that session (it is not kept)', async () => {
    const own = await userWithKey(t, slug, 'good');
    const session = await connect(t.url, slug, own.accessToken, 'modern');
    await echo(session.client, 'x');
    const pooled = traffic(upstream).at(-1)!.session!;
    const controller = new AbortController();
    const call = session.client.callTool({ name: 'slow', arguments: { ms: 3_000 } }, { signal: controller.signal }).catch((e: Error) => e);
    await until(() => traffic(upstream).some((s) => s.rpc === 'tools/call:slow' && s.session === pooled));
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    await until(() => upstream.deleted.includes(pooled));
    expect(upstream.deleted).toContain(pooled);
    // The next call opens another session and is answered.
    await echo(session.client, 'y');
    await end(session);
  });

  it.skipIf(mode !== 'sessionful')('a healthy instance serves 10,000 calls at 8 concurrent with no ejection and no failed call', async () => {
    const sessions = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(t.url, slug, user.accessToken, i % 2 ? 'legacy' : 'modern')));
    let failed = 0;
    await Promise.all(sessions.map(async (s, c) => {
      for (let i = 0; i < 1250; i++) {
        await s.client.callTool({ name: 'echo', arguments: { text: `${c}-${i}` } }).catch(() => (failed += 1));
      }
    }));
    expect(failed).toBe(0);
    const health = t.platform.upstream.http.instanceHealth(upstream.url);
    expect(health.ejections).toBe(0);
    expect(health.status).toBe('healthy');
    await Promise.all(sessions.map(end));
  }, 240_000);
});

describe('upstream sessions: a stdio upstream', () => {
  let t: TestPlatform;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'counting-stdio-'));
    t = await startPlatform({ CATALOG_FILE: 'none', RATE_LIMIT_IP_PER_MINUTE: '1000000', RATE_LIMIT_USER_PER_MINUTE: '1000000', MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['legacy', 'modern'] as const)('a %s client: 100 calls after the first are exactly 100 requests to the child', async (era) => {
    const file = path.join(dir, `${era}.log`);
    const admin = await adminSession(t);
    const slug = `st-${randomBytes(3).toString('hex')}`;
    const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug,
      title: slug,
      kind: 'stdio',
      stdio: { command: 'node', args: [COUNTING_STDIO], env: { COUNT_FILE: file } },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const user = await signUp(t.url);
    const session = await connect(t.url, slug, user.accessToken, era);
    await echo(session.client, 'first');
    const lines = async () => (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    const before = (await lines()).length;
    for (let i = 0; i < 100; i++) await echo(session.client, `n${i}`);
    expect((await lines()).slice(before)).toEqual(Array.from({ length: 100 }, () => 'tools/call:echo'));
    await end(session);
  });
});

describe('upstream sessions: an instance of two really down', () => {
  let a: CountingUpstream;
  let b: CountingUpstream;
  let t: TestPlatform;

  beforeAll(async () => {
    a = await startCountingUpstream('sessionful');
    b = await startCountingUpstream('sessionful');
    t = await startPlatform({
      CATALOG_FILE: 'none',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000',
      HTTP_HEALTH_INTERVAL_MS: '200',
      HTTP_EJECT_AFTER_FAILURES: '2',
      HTTP_EJECT_BASE_MS: '60000',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await a?.close();
    await b?.close();
  });

  it('moves every session to the other instance, with no failed call once the instance is ejected', async () => {
    const slug = await register(t, [a.url, b.url]);
    const user = await userWithKey(t, slug, 'good');
    const sessions = await Promise.all(Array.from({ length: 4 }, (_, i) => connect(t.url, slug, user.accessToken, i % 2 ? 'legacy' : 'modern')));
    for (const s of sessions) for (let i = 0; i < 4; i++) await echo(s.client, `warm${i}`);
    expect(traffic(a).filter((r) => r.rpc === 'tools/call:echo').length).toBeGreaterThan(0);
    a.down = true;
    const health = () => t.platform.upstream.http.instanceHealth(a.url);
    let failedBefore = 0;
    for (let i = 0; i < 200 && health().status === 'healthy'; i++) {
      await Promise.all(sessions.map((s) => s.client.callTool({ name: 'echo', arguments: { text: 'during' } }).catch(() => (failedBefore += 1))));
    }
    expect(health().status).toBe('ejected');
    let failedAfter = 0;
    for (let i = 0; i < 50; i++) {
      await Promise.all(sessions.map((s) => s.client.callTool({ name: 'echo', arguments: { text: `after${i}` } }).catch(() => (failedAfter += 1))));
    }
    expect(failedAfter).toBe(0);
    // Every session's calls went to the instance that is up.
    expect(b.seen.filter((r) => r.rpc === 'tools/call:echo').length).toBeGreaterThanOrEqual(200);
    await Promise.all(sessions.map(end));
  }, 120_000);
});

describe.skipIf(!process.env.DATABASE_URL || !process.env.REDIS_URL)('upstream sessions: one client session on two replicas (server mode)', () => {
  let upstream: CountingUpstream;
  let r1: TestPlatform;
  let r2: TestPlatform;

  beforeAll(async () => {
    upstream = await startCountingUpstream('sessionful');
    const shared = testEnv({ CATALOG_FILE: 'none', RATE_LIMIT_IP_PER_MINUTE: '1000000', RATE_LIMIT_USER_PER_MINUTE: '1000000', MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000' });
    r1 = await startPlatform({ ...shared, DATA_DIR: undefined });
    r2 = await startPlatform({ ...shared, DATA_DIR: undefined });
  }, 120_000);
  afterAll(async () => {
    await r1?.close();
    await r2?.close();
    await upstream?.close();
  });

  it('each replica opens at most one upstream session for it, and its DELETE on one replica ends them on both', async () => {
    const slug = await register(r1, [upstream.url]);
    const user = await userWithKey(r1, slug, 'good');
    const first = await connect(r1.url, slug, user.accessToken, 'legacy');
    const sessionId = first.transport.sessionId!;
    // The same client session, its requests sent to the other replica.
    const second = new Client({ name: 'sessions-test', version: '1.0.0' }, { supportedProtocolVersions: [LEGACY] });
    await second.connect(new StreamableHTTPClientTransport(new URL(`${r2.url}/mcp/${slug}`), { sessionId, requestInit: { headers: bearer(user.accessToken) } }));
    const openedBefore = upstream.opened.length;
    const before = traffic(upstream).length;
    for (let i = 0; i < 20; i++) {
      await echo(first.client, `r1-${i}`);
      await echo(second, `r2-${i}`);
    }
    const opened = upstream.opened.slice(openedBefore);
    expect(opened.length).toBeLessThanOrEqual(2);
    expect(traffic(upstream).slice(before).filter((r) => r.rpc === 'tools/call:echo').length).toBe(40);
    await first.transport.terminateSession();
    await until(() => opened.every((id) => upstream.deleted.includes(id)));
    expect(opened.filter((id) => !upstream.deleted.includes(id))).toEqual([]);
    await first.client.close();
    await second.close();
  });
});
