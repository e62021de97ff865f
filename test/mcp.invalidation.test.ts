import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { registerHttpService } from './support/services.js';
import { adminSession, bearer, createApiKey, signUp, type TestSession } from './support/users.js';

/**
 * The hot path's caches (verified tokens, revocation, service registry, credentials, pooled
 * upstream clients) against the changes that must get through them: a revoked session or API key
 * is refused, a replaced credential is what the next call sends upstream, a disabled service is
 * refused (403). Cache TTLs are set to minutes, so only the invalidation can explain a prompt change. The
 * upstream is a real SDK server over Streamable HTTP (2026-07-28, no upstream session) that
 * reports the credential header it received. The cross-replica part needs DATABASE_URL and
 * REDIS_URL (two platforms on one schema and one Redis prefix).
 */

const MODERN = '2026-07-28';
const LONG_TTLS = { AUTH_REVOCATION_CACHE_TTL_MS: '60000', CATALOG_CACHE_TTL_MS: '600000', CREDENTIAL_CACHE_TTL_MS: '3600000' };
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

interface Upstream {
  url: string;
  /** JSON-RPC methods received, in order. */
  methods: string[];
  close(): Promise<void>;
}

async function startKeyUpstream(): Promise<Upstream> {
  const apiKey = new AsyncLocalStorage<string | undefined>();
  const methods: string[] = [];
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'key-echo', version: '1.0.0' });
      server.registerTool('key', { description: 'The X-Api-Key the request carried' }, async () => ({
        content: [{ type: 'text', text: `key=${apiKey.getStore() ?? '(none)'}` }],
      }));
      return server;
    },
    { legacy: 'stateless' },
  );
  const node = toNodeHandler(handler);
  const server = http.createServer((req, res) => {
    const method = req.headers['mcp-method'];
    if (req.method === 'POST' && typeof method === 'string') methods.push(method);
    const key = req.headers['x-api-key'];
    apiKey.run(typeof key === 'string' ? key : undefined, () => {
      node(req, res).catch(() => res.end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    methods,
    async close() {
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** One 2026-07-28 tools/call of `key` through /mcp/{slug}: the HTTP status and the tool's text (if any). */
async function callKey(base: string, slug: string, token: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/mcp/${slug}`, {
    method: 'POST',
    headers: {
      ...bearer(token),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/call',
      'mcp-name': 'key',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'key',
        arguments: {},
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientInfo': { name: 'invalidation-test', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });
  const raw = await res.text();
  const match = /key=[^"\\]*/.exec(raw);
  return { status: res.status, text: match ? match[0] : raw };
}

/** Polls `probe` until `done` (pub/sub delivery is asynchronous); the test timeout bounds it, not a clock. */
async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await probe();
  for (let i = 0; i < 200 && !done(v); i++) {
    await new Promise((r) => setTimeout(r, 25));
    v = await probe();
  }
  return v;
}

async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

/** An http service on the key-recording upstream, with one credential sent as the X-Api-Key header. */
async function registerKeyedService(platformUrl: string, adminToken: string, slug: string, upstreamUrl: string): Promise<void> {
  await registerHttpService(platformUrl, adminToken, { slug, instances: [upstreamUrl], credentials: [{ name: 'api_key', title: 'API key', inject: { header: 'X-Api-Key' } }] });
}

describe('hot-path caches: one replica', () => {
  let t: TestPlatform;
  let upstream: Upstream;
  let admin: TestSession;
  let alice: TestSession;
  const slug = `keyed-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    upstream = await startKeyUpstream();
    t = await startPlatform({ ...LONG_TTLS, CATALOG_FILE: '' });
    admin = await adminSession(t);
    alice = await signUp(t.url);
    await registerKeyedService(t.url, admin.accessToken, slug, upstream.url);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  it('reuses the connected upstream client: one discovery for many calls with the same credentials', async () => {
    expect(await api(t.url, alice.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'first' })).toBe(201);
    upstream.methods.length = 0;
    for (let i = 0; i < 3; i++) expect(await callKey(t.url, slug, alice.accessToken)).toEqual({ status: 200, text: 'key=first' });
    expect(upstream.methods.filter((m) => m === 'tools/call')).toHaveLength(3);
    expect(upstream.methods.filter((m) => m === 'server/discover' || m === 'initialize')).toHaveLength(1);
  });

  it('sends a replaced credential on the very next call (the pooled client of the old value is not used)', async () => {
    expect(await callKey(t.url, slug, alice.accessToken)).toEqual({ status: 200, text: 'key=first' });
    expect(await api(t.url, alice.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'second' })).toBe(200);
    expect(await callKey(t.url, slug, alice.accessToken)).toEqual({ status: 200, text: 'key=second' });
    expect(await api(t.url, alice.accessToken, 'DELETE', `/v1/services/${slug}/credentials`)).toBe(204);
    // A required credential is gone: the service is no longer usable by Alice.
    // Without the credential the service needs: 403 saying so (test/errors.named.test.ts).
    expect((await callKey(t.url, slug, alice.accessToken)).status).toBe(403);
    expect(await api(t.url, alice.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'third' })).toBe(201);
    expect(await callKey(t.url, slug, alice.accessToken)).toEqual({ status: 200, text: 'key=third' });
  });

  it('answers 403 "disabled" once the service is disabled, and serves it again once re-enabled', async () => {
    expect((await callKey(t.url, slug, alice.accessToken)).status).toBe(200);
    expect(await api(t.url, admin.accessToken, 'PATCH', `/v1/admin/services/${slug}`, { enabled: false })).toBe(200);
    expect((await callKey(t.url, slug, alice.accessToken)).status).toBe(403);
    expect(await api(t.url, admin.accessToken, 'PATCH', `/v1/admin/services/${slug}`, { enabled: true })).toBe(200);
    expect((await callKey(t.url, slug, alice.accessToken)).status).toBe(200);
  });

  it('refuses a token at once after its session is logged out (a remembered signature is not enough)', async () => {
    const bob = await signUp(t.url);
    expect(await api(t.url, bob.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'bob' })).toBe(201);
    expect(await callKey(t.url, slug, bob.accessToken)).toEqual({ status: 200, text: 'key=bob' });
    expect(await api(t.url, bob.accessToken, 'POST', '/auth/v1/logout')).toBe(204);
    expect((await callKey(t.url, slug, bob.accessToken)).status).toBe(401);
  });

  it('refuses an API key at once after it is revoked', async () => {
    const { id, key } = await createApiKey(t.url, alice.accessToken);
    expect(await callKey(t.url, slug, key)).toEqual({ status: 200, text: 'key=third' });
    expect(await api(t.url, alice.accessToken, 'DELETE', `/v1/api-keys/${id}`)).toBe(204);
    expect((await callKey(t.url, slug, key)).status).toBe(401);
  });
});

describe.skipIf(!shared)('hot-path caches: two replicas through Redis', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let upstream: Upstream;
  let admin: TestSession;
  const slug = `keyed-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    upstream = await startKeyUpstream();
    const unique = randomBytes(4).toString('hex');
    const common = { ...LONG_TTLS, CATALOG_FILE: '', DATABASE_SCHEMA: `t_inv_${unique}`, REDIS_KEY_PREFIX: `test:inv:${unique}:` };
    a = await startPlatform(common);
    b = await startPlatform(common);
    admin = await adminSession(a);
    await registerKeyedService(a.url, admin.accessToken, slug, upstream.url);
  }, 180_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await upstream?.close();
  });

  it('a credential replaced on A is what B sends next', async () => {
    const u = await signUp(a.url);
    expect(await api(a.url, u.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'old' })).toBe(201);
    expect(await eventually(() => callKey(b.url, slug, u.accessToken), (r) => r.status === 200)).toEqual({ status: 200, text: 'key=old' }); // B caches it
    expect(await api(a.url, u.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'new' })).toBe(200);
    expect(await eventually(() => callKey(b.url, slug, u.accessToken), (r) => r.text !== 'key=old')).toEqual({ status: 200, text: 'key=new' });
  });

  it('a service disabled on A is refused (403) on B', async () => {
    const u = await signUp(a.url);
    expect(await api(a.url, u.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'k' })).toBe(201);
    expect((await eventually(() => callKey(b.url, slug, u.accessToken), (r) => r.status === 200)).status).toBe(200);
    expect(await api(a.url, admin.accessToken, 'PATCH', `/v1/admin/services/${slug}`, { enabled: false })).toBe(200);
    expect((await eventually(() => callKey(b.url, slug, u.accessToken), (r) => r.status !== 200)).status).toBe(403);
    expect(await api(a.url, admin.accessToken, 'PATCH', `/v1/admin/services/${slug}`, { enabled: true })).toBe(200);
    expect((await eventually(() => callKey(b.url, slug, u.accessToken), (r) => r.status === 200)).status).toBe(200);
  });

  it('a session logged out on A and an API key revoked on A are refused by B', async () => {
    const u = await signUp(a.url);
    expect(await api(a.url, u.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'k' })).toBe(201);
    const { id, key } = await createApiKey(a.url, u.accessToken);
    expect((await eventually(() => callKey(b.url, slug, key), (r) => r.status === 200)).status).toBe(200);
    expect((await eventually(() => callKey(b.url, slug, u.accessToken), (r) => r.status === 200)).status).toBe(200);
    expect(await api(a.url, u.accessToken, 'DELETE', `/v1/api-keys/${id}`)).toBe(204);
    expect((await eventually(() => callKey(b.url, slug, key), (r) => r.status !== 200)).status).toBe(401);
    expect(await api(a.url, u.accessToken, 'POST', '/auth/v1/logout')).toBe(204);
    expect((await eventually(() => callKey(b.url, slug, u.accessToken), (r) => r.status !== 200)).status).toBe(401);
  });
});
