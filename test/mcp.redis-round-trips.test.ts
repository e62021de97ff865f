import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoServer } from './fixtures/demo-servers.js';
import { fixtureCatalog, fixtureConnector, service, startMcpPlatform, tokenAuth, user, type McpTestPlatform } from './support/mcp.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, signUp, type TestSession } from './support/users.js';

/**
 * What one MCP `tools/call` costs in Redis, counted where the platform's Redis client sends its
 * commands: the per-IP, per-user and per user + service limits of the request are ONE script call, at
 * `/mcp/{service}` and at the aggregate `/mcp`, for a 2026-07-28 request and within a 2025-era
 * session (whose end is known from pub/sub, not asked per request). And the limits stay shared:
 * two platforms on one Redis prefix spend one budget. Needs REDIS_URL.
 */

const REDIS_URL = process.env.REDIS_URL;
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'round-trips', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Seen {
  args: string[];
}

/**
 * Every command the platform's Redis connections send from now on, and every write on their
 * sockets (a round trip: a pipeline's commands leave in one write), seen where ioredis writes
 * them: `sendCommand`, which every command, script call and pipeline goes through, and the
 * connection's socket. Counted on the client rather than with MONITOR, which would also see the
 * traffic of unrelated tests sharing this Redis (and ioredis' monitor mode can trip over a busy
 * server). With `everyConnection`, the commands of every ioredis connection of this process are
 * counted (the subscriber connections the platform duplicates too), not only the ones named.
 */
function countCommands(clients: Array<Redis | undefined>, everyConnection = false): { seen: Seen[]; sent: () => Seen[]; writes: () => number; reset(): void; close(): void } {
  const seen: Seen[] = [];
  let writes = 0;
  const restore: Array<() => void> = [];
  const record = (command: Parameters<Redis['sendCommand']>[0]) =>
    seen.push({ args: [command.name, ...command.args.map((a) => (Buffer.isBuffer(a) ? a.toString() : String(a)))] });
  if (everyConnection) {
    const proto = Redis.prototype;
    const original = proto.sendCommand;
    proto.sendCommand = function (this: Redis, command, ...rest) {
      record(command);
      return original.call(this, command, ...rest);
    } as Redis['sendCommand'];
    restore.push(() => (proto.sendCommand = original));
  }
  for (const client of clients) {
    if (!client) throw new Error('the platform has no Redis client');
    if (!everyConnection) {
      const original = client.sendCommand;
      client.sendCommand = function (this: Redis, command, ...rest) {
        record(command);
        return original.call(this, command, ...rest);
      } as Redis['sendCommand'];
      restore.push(() => (client.sendCommand = original));
    }
    const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const write = stream.write;
    stream.write = function (this: unknown, ...args: unknown[]) {
      writes++;
      return write.apply(this, args);
    };
    restore.push(() => (stream.write = write));
  }
  return {
    seen,
    sent: () => [...seen],
    writes: () => writes,
    reset() {
      seen.length = 0;
      writes = 0;
    },
    close: () => restore.forEach((r) => r()),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 150));

function modernCall(url: string, token: string, tool: string, args: Record<string, unknown>, extra: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer(token), 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': tool, ...extra },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: args, _meta: ENVELOPE } }),
  });
}

async function openLegacySession(url: string, token: string): Promise<string> {
  const init = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer(token) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'rt', version: '1' } } }),
  });
  await init.text();
  const sid = init.headers.get('mcp-session-id');
  if (!sid) throw new Error(`initialize at ${url}: ${init.status}, no session`);
  const note = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer(token), 'mcp-protocol-version': LEGACY, 'mcp-session-id': sid },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await note.arrayBuffer();
  return sid;
}

function legacyCall(url: string, token: string, tool: string, sid: string) {
  return fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer(token), 'mcp-protocol-version': LEGACY, 'mcp-session-id': sid },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: { text: 'x' } } }),
  });
}

async function startEchoUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'round-trips-upstream', version: '1.0.0' });
      server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
        content: [{ type: 'text', text: `echo:${text}` }],
      }));
      return server;
    },
    { legacy: 'stateless' },
  );
  const node = toNodeHandler(handler);
  const server = http.createServer((req, res) => void node(req, res).catch(() => res.end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    async close() {
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.skipIf(!REDIS_URL)('Redis round trips of one tools/call (real auth, catalog and http upstream)', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let t: TestPlatform;
  let alice: TestSession;
  let slug: string;
  let redis: ReturnType<typeof countCommands>;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    // No replica heartbeats during the counts.
    t = await startPlatform({ CATALOG_FILE: 'none', REPLICA_HEARTBEAT_MS: '600000', REPLICA_TTL_MS: '3600000' });
    const admin = await adminSession(t);
    slug = `rt-${randomBytes(3).toString('hex')}`;
    const res = await fetch(`${t.url}/v1/admin/services`, {
      method: 'POST',
      headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ slug, title: slug, kind: 'http', http: { transport: 'streamable-http', instances: [upstream.url] } }),
    });
    expect(res.status).toBe(201);
    alice = await signUp(t.url);
    redis = countCommands([t.platform.redis], true);
  }, 180_000);
  afterAll(async () => {
    redis?.close();
    await t?.close();
    await upstream?.close();
  });

  /**
   * Makes `n` calls after two warm-up calls; returns the Redis commands sent during the `n`, on
   * every connection of the process, and checks they took one round trip per call (one write on
   * the platform's connection).
   */
  async function during(call: () => Promise<Response>, n: number): Promise<Seen[]> {
    for (let i = 0; i < 2; i++) expect(await (await call()).text()).toContain('echo:x');
    await settle();
    redis.reset();
    for (let i = 0; i < n; i++) {
      const res = await call();
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('echo:x');
    }
    await settle();
    expect(redis.writes()).toBe(n);
    return redis.sent();
  }

  const expectOneScriptPerCall = (sent: Seen[], n: number) => {
    const prefix = t.env.REDIS_KEY_PREFIX!;
    expect(sent.map((s) => s.args.slice(0, 2 + 3).map((a, i) => (i === 1 ? 'sha' : a)))).toEqual(
      Array.from({ length: n }, () => [
        'evalsha',
        'sha',
        '3',
        `${prefix}rl:ip:127.0.0.1`,
        `${prefix}rl:user:${alice.userId}`,
      ]),
    );
    for (const s of sent) expect(s.args[5]).toBe(`${prefix}rl:mcp-user-service:${alice.userId}:${slug}`);
  };

  it('at /mcp/{service}: one script call per 2026-07-28 tools/call, with the IP, user and user + service counters', async () => {
    const sent = await during(() => modernCall(`${t.url}/mcp/${slug}`, alice.accessToken, 'echo', { text: 'x' }), 5);
    expectOneScriptPerCall(sent, 5);
  });

  it('at the aggregate /mcp: one script call per 2026-07-28 tools/call (the service taken from the tool name)', async () => {
    const sent = await during(() => modernCall(`${t.url}/mcp`, alice.accessToken, `${slug}__echo`, { text: 'x' }), 5);
    expectOneScriptPerCall(sent, 5);
  });

  it('within a 2025-era session, at /mcp/{service} and at /mcp: one script call per tools/call, no revocation lookup', async () => {
    const one = await openLegacySession(`${t.url}/mcp/${slug}`, alice.accessToken);
    expectOneScriptPerCall(await during(() => legacyCall(`${t.url}/mcp/${slug}`, alice.accessToken, 'echo', one), 5), 5);
    const agg = await openLegacySession(`${t.url}/mcp`, alice.accessToken);
    expectOneScriptPerCall(await during(() => legacyCall(`${t.url}/mcp`, alice.accessToken, `${slug}__echo`, agg), 5), 5);

    // Ending the session still ends it at once (here, and for other replicas through Redis).
    const ended = await fetch(`${t.url}/mcp/${slug}`, { method: 'DELETE', headers: { ...bearer(alice.accessToken), 'mcp-protocol-version': LEGACY, 'mcp-session-id': one } });
    expect(ended.status).toBeLessThan(300);
    expect((await legacyCall(`${t.url}/mcp/${slug}`, alice.accessToken, 'echo', one)).status).toBe(404);
  });
});

describe.skipIf(!REDIS_URL)('limits shared by two replicas on one Redis prefix, counted in one round trip', () => {
  const alice = user('alice');
  const replicas: McpTestPlatform[] = [];
  const prefix = `test:rt-shared:${randomBytes(4).toString('hex')}:`;
  let redis: ReturnType<typeof countCommands>;
  let probe: Redis;

  beforeAll(async () => {
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      CATALOG_FILE: 'none',
      RATE_LIMIT_IP_PER_MINUTE: '12',
      RATE_LIMIT_USER_PER_MINUTE: '8',
      MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '4',
      // No replica heartbeats during the counts.
      REPLICA_HEARTBEAT_MS: '600000',
      REPLICA_TTL_MS: '3600000',
    };
    const mcp = () => ({
      catalog: fixtureCatalog([service('alpha'), service('beta')]),
      connector: fixtureConnector({ alpha: () => demoServer('alpha'), beta: () => demoServer('beta') }),
      authenticate: tokenAuth([alice]),
    });
    // Fixture authentication and catalog: each replica may keep a database of its own.
    replicas.push(...(await Promise.all([startMcpPlatform(mcp(), env), startMcpPlatform(mcp(), env)])));
    // Let the start-up replica heartbeat (listen → join → refresh) finish before counting.
    await Promise.all(replicas.map((r) => r.platform.upstream.replicas.refresh()));
    await new Promise((r) => setTimeout(r, 500));
    redis = countCommands(replicas.map((r) => r.platform.redis));
    probe = new Redis(REDIS_URL!, { keyPrefix: prefix });
  }, 240_000);
  afterAll(async () => {
    redis?.close();
    probe?.disconnect();
    for (const r of replicas) await r.close();
  });

  const call = (i: number, slug: string) => modernCall(`${replicas[i % 2]!.url}/mcp/${slug}`, alice.token, 'echo', { message: `m${i}` });
  const rpc = async (res: Response) => (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: { reason?: string } } };

  it('spends one IP, user and user + service budget across both, with the same answers as one replica, one script call per request', async () => {
    let n = 0;
    redis.reset();
    // alpha: 4 forwards allowed per user, on either replica.
    for (let i = 0; i < 4; i++) {
      const res = await call(n++, 'alpha');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('12');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(12 - n));
      expect((await rpc(res)).result).toBeDefined();
    }
    // The fifth is refused by the per user + service limit: the relay's JSON-RPC error, as before.
    const fifth = await rpc(await call(n++, 'alpha'));
    expect(fifth.error).toMatchObject({ code: -32000, message: expect.stringContaining('Rate limit exceeded for service alpha'), data: { reason: 'rate_limited' } });
    // Another service still has its budget; the user's (8) runs out after three more.
    for (let i = 0; i < 3; i++) expect((await rpc(await call(n++, 'beta'))).result).toBeDefined();
    const overUser = await call(n++, 'beta');
    expect(overUser.status).toBe(429);
    expect(Number(overUser.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await overUser.json()).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: 'Rate limit exceeded' }, id: null });
    await settle();
    // Nine requests, nine script calls: nothing else went to Redis.
    expect(redis.sent().map((s) => s.args[0])).toEqual(Array(9).fill('evalsha'));
    expect(await probe.get(`rl:ip:127.0.0.1`)).toBe('9');
    expect(await probe.get(`rl:user:alice`)).toBe('9');
    expect(await probe.get(`rl:mcp-user-service:alice:alpha`)).toBe('5');
    expect(await probe.get(`rl:mcp-user-service:alice:beta`)).toBe('3'); // the refused user did not spend it

    // Requests refused before the MCP limits are counted still spend the IP budget: one without a
    // valid token is counted before its 401 (with its headers, as the edge did), one refused by the
    // Origin check when its response ends.
    const anonymous = await fetch(`${replicas[1]!.url}/mcp/alpha`, { method: 'POST', headers: HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('ratelimit-remaining')).toBe('2');
    expect(await probe.get(`rl:ip:127.0.0.1`)).toBe('10');
    const foreign = await fetch(`${replicas[0]!.url}/mcp/alpha`, { method: 'POST', headers: { ...HEADERS, ...bearer(alice.token), origin: 'https://elsewhere.example' }, body: '{}' });
    expect(foreign.status).toBe(403);
    await settle();
    expect(await probe.get(`rl:ip:127.0.0.1`)).toBe('11');
    n += 2;

    // The IP runs out (12): the edge's own 429, in the gateway's error shape with its headers.
    expect((await call(n++, 'beta')).status).toBe(429); // 12: the user's limit
    const overIp = await call(n++, 'beta');
    expect(overIp.status).toBe(429);
    expect(overIp.headers.get('ratelimit-remaining')).toBe('0');
    expect(overIp.headers.get('ratelimit-policy')).toBe('12;w=60');
    expect(Number(overIp.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await overIp.json()) as { error: { code: string } }).error.code).toBe('rate_limited');

    // That replica now knows the IP is over its limit: refused at the edge without a round trip.
    await settle();
    redis.reset();
    const again = await call(n - 1, 'beta');
    expect(again.status).toBe(429);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    await settle();
    expect(redis.sent()).toEqual([]);
    // The other replica learns it from Redis on its next request, and refuses it the same way.
    const other = await call(n, 'beta');
    expect(other.status).toBe(429);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});

describe.skipIf(!REDIS_URL)('the end of a 2025-era session reaches the other replica through pub/sub', () => {
  const alice = user('alice');
  const replicas: McpTestPlatform[] = [];
  let redis: ReturnType<typeof countCommands>;

  beforeAll(async () => {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `test:rt-end:${randomBytes(4).toString('hex')}:`, CATALOG_FILE: 'none', REPLICA_HEARTBEAT_MS: '600000', REPLICA_TTL_MS: '3600000' };
    const mcp = () => ({
      catalog: fixtureCatalog([service('alpha')]),
      connector: fixtureConnector({ alpha: () => demoServer('alpha') }),
      authenticate: tokenAuth([alice]),
    });
    replicas.push(...(await Promise.all([startMcpPlatform(mcp(), env), startMcpPlatform(mcp(), env)])));
    await Promise.all(replicas.map((r) => r.platform.upstream.replicas.refresh()));
    await new Promise((r) => setTimeout(r, 500));
    redis = countCommands([replicas[1]!.platform.redis]);
  }, 240_000);
  afterAll(async () => {
    redis?.close();
    for (const r of replicas) await r.close();
  });

  it('B serves the session without asking Redis whether it ended, and refuses it as soon as A ends it', async () => {
    const [a, b] = replicas as [McpTestPlatform, McpTestPlatform];
    const sid = await openLegacySession(`${a.url}/mcp/alpha`, alice.token);
    const onB = () =>
      fetch(`${b.url}/mcp/alpha`, {
        method: 'POST',
        headers: { ...HEADERS, ...bearer(alice.token), 'mcp-protocol-version': LEGACY, 'mcp-session-id': sid },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } }),
      });
    expect((await onB()).status).toBe(200); // B opens the session: asks Redis once
    await settle();
    redis.reset();
    for (let i = 0; i < 3; i++) expect(await (await onB()).text()).toContain('hi');
    await settle();
    expect(redis.sent().map((s) => s.args[0])).toEqual(['evalsha', 'evalsha', 'evalsha']);

    const ended = await fetch(`${a.url}/mcp/alpha`, { method: 'DELETE', headers: { ...bearer(alice.token), 'mcp-protocol-version': LEGACY, 'mcp-session-id': sid } });
    expect(ended.status).toBeLessThan(300);
    // The message crosses in milliseconds; B refuses the session without a lookup of its own.
    await settle();
    redis.reset();
    expect((await onB()).status).toBe(404);
    await settle();
    expect(redis.sent().filter((s) => s.args[0] === 'exists')).toEqual([]);
  });
});
