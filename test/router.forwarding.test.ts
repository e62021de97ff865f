import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORWARD_TOKEN_HEADER, rendezvousOwner, sealForwardToken, stdioOwnershipKey } from '../src/router/upstream/index.js';
import { parseMasterKey, Vault } from '../src/vault/index.js';
import { startServe, type ServeProcess } from './support/cli.js';
import { TEST_MASTER_KEY } from './support/platform.js';
import { freePort, until } from './support/upstream.js';
import { bearer, signIn, signUp, type TestSession } from './support/users.js';

/**
 * Stdio ownership forwarding across replicas (issue 3 §4): two `serve` PROCESSES on one fresh
 * PostgreSQL schema (+ Redis when REDIS_URL is set). One user reaches a stdio service
 * (server-everything) through replica A and B alternately, via /mcp/{service} and the aggregate
 * /mcp; exactly one child exists across both replicas, and it has the user's credential (get-env).
 * The internal endpoint refuses anything without a genuine, fresh replica token and starts nothing.
 * Server mode only: embedded PGlite is one process.
 */
const DATABASE_URL = process.env.DATABASE_URL;
const ADMIN = { email: 'admin@example.test', password: 'admin-password-123' };

interface PoolView {
  replica: { id: string };
  replicas: { live: Array<{ id: string }> };
  stdio: { entries: Array<{ userId: string; serviceSlug: string; pid: number; leases: number }> };
}

describe.skipIf(!DATABASE_URL)('stdio ownership forwarding (server mode only: needs DATABASE_URL)', { timeout: 240_000 }, () => {
  const schema = `t_fwd_${randomBytes(4).toString('hex')}`;
  const replicas: ServeProcess[] = [];
  const dirs: string[] = [];
  let a: ServeProcess;
  let b: ServeProcess;
  let admin: TestSession;

  const env = async (): Promise<Record<string, string>> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mcp-forward-'));
    dirs.push(dir);
    return {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: schema,
      PLATFORM_ENCRYPTION_KEY: TEST_MASTER_KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      REPLICA_HEARTBEAT_MS: '500',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `test:fwd:${schema}:` } : {}),
    };
  };

  const api = async (url: string, token: string, method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };
  const pool = async (r: ServeProcess): Promise<PoolView> => (await api(r.url, admin.accessToken, 'GET', '/v1/admin/router/pool')).json as unknown as PoolView;
  const children = async (userId: string, slug?: string) => {
    const out: Array<{ replica: string; pid: number; slug: string }> = [];
    for (const r of [a, b]) {
      for (const e of (await pool(r)).stdio.entries) {
        if (e.userId === userId && (slug === undefined || e.serviceSlug === slug)) out.push({ replica: r.url, pid: e.pid, slug: e.serviceSlug });
      }
    }
    return out;
  };

  /** An MCP client whose HTTP requests alternate between the replicas. */
  const alternatingClient = async (token: string, p: string) => {
    let n = 0;
    const hits = new Set<string>();
    const alternate: typeof fetch = async (input, init) => {
      const target = n++ % 2 === 0 ? a : b;
      const u = new URL(input instanceof Request ? input.url : String(input));
      hits.add(target.url);
      return fetch(`${target.url}${u.pathname}${u.search}`, init);
    };
    const transport = new StreamableHTTPClientTransport(new URL(`${a.url}${p}`), {
      fetch: alternate,
      requestInit: { headers: bearer(token) },
    });
    const client = new Client({ name: 'forwarding-test', version: '1.0.0' });
    await client.connect(transport);
    return { client, transport, hits };
  };
  const text = (result: unknown) => ((result as { content: Array<{ text: string }> }).content[0]?.text ?? '');

  beforeAll(async () => {
    a = await startServe(await env());
    replicas.push(a);
    b = await startServe(await env()); // after A: the admin bootstrap has happened once
    replicas.push(b);
    admin = await signIn(a.url, ADMIN.email, ADMIN.password);
    // Both replicas see each other in the ring.
    for (let i = 0; i < 100; i++) {
      const [pa, pb] = [await pool(a), await pool(b)];
      if (pa.replicas.live.length === 2 && pb.replicas.live.length === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const created = await api(a.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug: 'envy',
      title: 'Everything with a credential',
      kind: 'stdio',
      stdio: { package: { name: '@modelcontextprotocol/server-everything', script: 'dist/index.js' }, args: ['stdio'] },
      credentials: [{ name: 'token', title: 'Token', secret: true, required: true, inject: { env: 'DEMO_TOKEN' } }],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }, 120_000);

  it('keeps one child per (user, service) across replicas, via /mcp/{service} and /mcp, with the user credential', async () => {
    const [pa, pb] = [await pool(a), await pool(b)];
    expect(pa.replicas.live.map((r) => r.id).sort()).toEqual([pa.replica.id, pb.replica.id].sort());

    const user = await signUp(a.url);
    const secret = `s3cret-${randomBytes(6).toString('hex')}`;
    // Stored through replica B, used through both.
    expect((await api(b.url, user.accessToken, 'PUT', '/v1/services/envy/credentials', { token: secret })).status).toBe(201);

    const single = await alternatingClient(user.accessToken, '/mcp/envy');
    for (let i = 0; i < 4; i++) {
      expect(text(await single.client.callTool({ name: 'echo', arguments: { message: `hi ${i}` } }))).toBe(`Echo: hi ${i}`);
      const env = JSON.parse(text(await single.client.callTool({ name: 'get-env', arguments: {} }))) as Record<string, string>;
      expect(env.DEMO_TOKEN).toBe(secret);
      expect(env.PLATFORM_ENCRYPTION_KEY).toBeUndefined();
    }
    expect(single.hits).toEqual(new Set([a.url, b.url]));
    const afterSingle = await children(user.userId, 'envy');
    expect(afterSingle).toHaveLength(1);

    const aggregate = await alternatingClient(user.accessToken, '/mcp');
    const names = (await aggregate.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('envy__get-env');
    expect(names).toContain('everything__echo');
    for (let i = 0; i < 4; i++) {
      const env = JSON.parse(text(await aggregate.client.callTool({ name: 'envy__get-env', arguments: {} }))) as Record<string, string>;
      expect(env.DEMO_TOKEN).toBe(secret);
      expect(text(await aggregate.client.callTool({ name: 'everything__echo', arguments: { message: 'agg' } }))).toBe('Echo: agg');
    }
    expect(aggregate.hits).toEqual(new Set([a.url, b.url]));

    // Still exactly one child of `envy` (the same one) and one of `everything`, each on one replica.
    expect(await children(user.userId, 'envy')).toEqual(afterSingle);
    expect(await children(user.userId, 'everything')).toHaveLength(1);
    await single.transport.terminateSession().catch(() => undefined);
    await aggregate.transport.terminateSession().catch(() => undefined);
    await single.client.close();
    await aggregate.client.close();
    // Released everywhere: the forwarded sessions ended on the owner and gave its child's leases back.
    await until(async () => {
      for (const r of [a, b]) for (const e of (await pool(r)).stdio.entries) if (e.userId === user.userId && e.leases > 0) return false;
      return true;
    }, 200);
  });

  it('carries server→client requests and progress of the child across the internal hop', async () => {
    const ids = [(await pool(a)).replica.id, (await pool(b)).replica.id];
    const services = (await api(a.url, admin.accessToken, 'GET', '/v1/services')).json as { services: Array<{ id: string; slug: string }> };
    const everything = services.services.find((s) => s.slug === 'everything')!;
    const user = await signUp(a.url);
    const owner = rendezvousOwner(stdioOwnershipKey(user.userId, everything.id), ids.map((id) => ({ id })))!.id;
    // The client talks only to the replica that does NOT own the child: every call is forwarded.
    const entry = owner === ids[0] ? b : a;
    const transport = new StreamableHTTPClientTransport(new URL(`${entry.url}/mcp/everything`), { requestInit: { headers: bearer(user.accessToken) } });
    const client = new Client({ name: 'forwarding-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
    const asked: string[] = [];
    client.setRequestHandler('sampling/createMessage', async (req) => {
      const first = req.params.messages[0]?.content;
      asked.push(first && !Array.isArray(first) && first.type === 'text' ? first.text : '');
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled across replicas' } };
    });
    await client.connect(transport);
    const sampled = text(await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello owner' } }));
    expect(sampled).toContain('sampled across replicas');
    expect(asked).toEqual([expect.stringContaining('hello owner')]);

    const progress: number[] = [];
    await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, {
      onprogress: (p) => progress.push(p.progress),
    });
    // In order; the last one may race the result over the two relays (fire-and-forget notify in relay.ts).
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress).toEqual([1, 2, 3].slice(0, progress.length));

    const where = await children(user.userId, 'everything');
    expect(where).toEqual([expect.objectContaining({ replica: (owner === ids[0] ? a : b).url })]);
    await transport.terminateSession().catch(() => undefined);
    await client.close();
  });

  it('answers 401 to the internal endpoint without a genuine, fresh replica token, and starts nothing', async () => {
    const user = await signUp(a.url);
    expect((await api(a.url, user.accessToken, 'PUT', '/v1/services/envy/credentials', { token: 'x' })).status).toBe(201);
    const services = (await api(a.url, user.accessToken, 'GET', '/v1/services')).json as { services: Array<{ id: string; slug: string }> };
    const envy = services.services.find((s) => s.slug === 'envy')!;
    const vault = new Vault(parseMasterKey(TEST_MASTER_KEY, 'PLATFORM_ENCRYPTION_KEY'));
    const otherVault = new Vault(parseMasterKey(`other:${Buffer.alloc(32, 9).toString('base64')}`, 'PLATFORM_ENCRYPTION_KEY'));
    const principal = { userId: user.userId, role: 'user' as const, email: user.email, via: 'jwt' as const };
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const post = (r: ServeProcess, headers: Record<string, string>) =>
      fetch(`${r.url}/internal/router/stdio/envy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });

    for (const r of [a, b]) {
      const self = (await pool(r)).replica.id;
      const seal = (v: Vault, audience: string, ttl: number, slug = 'envy') =>
        sealForwardToken(v, { audience, issuer: 'test', principal, service: { id: envy.id, slug } }, ttl);
      const refused: Array<[string, Record<string, string>]> = [
        ['nothing', {}],
        ['the user bearer', bearer(user.accessToken)],
        ['garbage', { [FORWARD_TOKEN_HEADER]: 'v1.abc.def.ghi.jkl' }],
        ['expired', { [FORWARD_TOKEN_HEADER]: seal(vault, self, -5) }],
        ['another key', { [FORWARD_TOKEN_HEADER]: seal(otherVault, self, 60) }],
        ['another service in the token', { [FORWARD_TOKEN_HEADER]: seal(vault, self, 60, 'everything') }],
      ];
      for (const [what, headers] of refused) {
        const res = await post(r, headers);
        expect(res.status, what).toBe(401);
        await res.body?.cancel();
      }
    }
    // A genuine, fresh token for another replica (sent to the address that replica had): 421, so the
    // sender leases from the next owner; nothing is started either.
    for (const r of [a, b]) {
      const res = await post(r, { [FORWARD_TOKEN_HEADER]: sealForwardToken(vault, { audience: 'some-other-replica', issuer: 'test', principal, service: { id: envy.id, slug: 'envy' } }, 60) });
      expect(res.status, 'another replica as audience').toBe(421);
      await res.body?.cancel();
    }
    // A malformed path is refused the same way, not a server error.
    const malformed = await fetch(`${a.url}/internal/router/stdio/%E0%A4%A`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(initialize) });
    expect(malformed.status).toBe(401);
    expect(await children(user.userId)).toEqual([]);

    // Positive control: a genuine, fresh token for the replica is served (and starts the child there).
    const self = (await pool(b)).replica.id;
    const res = await post(b, { [FORWARD_TOKEN_HEADER]: sealForwardToken(vault, { audience: self, issuer: 'test', principal, service: { id: envy.id, slug: 'envy' } }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"protocolVersion"');
    const started = await children(user.userId, 'envy');
    expect(started).toEqual([expect.objectContaining({ replica: b.url })]);
  });
  /** Writes a heartbeat for `ghost` straight into the directory the replicas use, as a live replica's would be. */
  const heartbeat = async (ghost: { id: string; address: string }) => {
    if (process.env.REDIS_URL) {
      const redis = new Redis(process.env.REDIS_URL, { keyPrefix: `test:fwd:${schema}:` });
      await redis.multi().zadd('router:replicas', Date.now(), ghost.id).hset('router:replica-addresses', ghost.id, ghost.address).exec();
      await redis.quit();
    } else {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(
        `INSERT INTO ${schema}.router_replicas (id, address) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET last_seen_at = now()`,
        [ghost.id, ghost.address],
      );
      await client.end();
    }
  };

  /** Both replicas list `ghost`; then a new user whose `everything` child the ghost would own. */
  const userOwnedBy = async (ghost: { id: string; address: string }): Promise<TestSession> => {
    await heartbeat(ghost);
    for (let i = 0; i < 100; i++) {
      const [pa, pb] = [await pool(a), await pool(b)];
      if (pa.replicas.live.some((r) => r.id === ghost.id) && pb.replicas.live.some((r) => r.id === ghost.id)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // The replicas as A lists them (an earlier test's ghost may still be listed).
    const ids = (await pool(a)).replicas.live.map((r) => r.id);
    const services = (await api(a.url, admin.accessToken, 'GET', '/v1/services')).json as { services: Array<{ id: string; slug: string }> };
    const everything = services.services.find((s) => s.slug === 'everything')!;
    let user: TestSession | undefined;
    for (let i = 0; i < 40 && !user; i++) {
      const candidate = await signUp(a.url);
      const key = stdioOwnershipKey(candidate.userId, everything.id);
      if (rendezvousOwner(key, ids.map((id) => ({ id })))?.id === ghost.id) user = candidate;
    }
    expect(user, 'a user owned by the ghost').toBeDefined();
    await heartbeat(ghost);
    return user!;
  };

  /** One call through each replica; each first tried the ghost (it owned the key), then served through the next owner: one child. */
  const servedPastTheGhost = async (user: TestSession, ghost: { id: string }) => {
    for (const r of [a, b]) {
      const transport = new StreamableHTTPClientTransport(new URL(`${r.url}/mcp/everything`), { requestInit: { headers: bearer(user.accessToken) } });
      const client = new Client({ name: 'forwarding-test', version: '1.0.0' });
      await client.connect(transport);
      expect(text(await client.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toBe('Echo: still here');
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
    for (const r of [a, b]) expect(r.logs.some((l) => l.message === 'stdio owner unreachable; recomputing the owner' && l.replica === ghost.id)).toBe(true);
    expect(await children(user.userId, 'everything')).toHaveLength(1);
  };

  it('skips an owner that refuses connections: marks it unreachable and serves through the next owner', async () => {
    // A replica that heartbeats but whose address refuses connections: a crashed pod whose heartbeat has not expired yet.
    const ghost = { id: `ghost-${randomBytes(3).toString('hex')}`, address: `http://127.0.0.1:${await freePort()}` };
    await servedPastTheGhost(await userOwnedBy(ghost), ghost);
  });

  it('skips an owner whose address now answers as another replica (a successor on its port): 421, served through the next owner', async () => {
    // A replica that has left, still listed, whose port its successor (here: replica B) already listens on.
    const ghost = { id: `gone-${randomBytes(3).toString('hex')}`, address: b.url };
    await servedPastTheGhost(await userOwnedBy(ghost), ghost);
  });
});
