import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestFixture, type RestFixture } from './fixtures/rest-api.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, signUp, type TestSession } from './support/users.js';

/**
 * The builder, issue 15 acceptance 4 and the rest of the brief: versions (save, publish, call,
 * publish v2, call, roll back, call; the request log names the version that served each call),
 * a hand-made REST tool (no document), `POST /v1/builder/try`, BUILDER_USERS=true (a user's
 * service is theirs alone), and import bodies larger than BODY_LIMIT_BYTES.
 *
 * The API is test/fixtures/rest-api.ts on 127.0.0.1 (allowlisted with EGRESS_ALLOW, as an operator
 * would an internal API). With DATABASE_URL and REDIS_URL set, calls go to a second replica on the
 * same schema and Redis prefix, with a catalog cache TTL of ten minutes: only the registry's
 * invalidation message can explain that it serves the new live version.
 */

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const text = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('');

/** A hand-made tool: GET {prefix}{name} on the fixture's echo route, which answers with the target it received. */
function echoDefinition(baseUrl: string, prefix: string) {
  return {
    credentials: [{ name: 'token', title: 'API token', inject: { context: 'token' } }],
    openapi: {
      base_url: baseUrl,
      auth: [{ type: 'bearer', credential: 'token' }],
      tools: [
        {
          name: 'echo',
          description: `Echo (${prefix})`,
          inputSchema: { type: 'object', properties: { name: { type: 'string', description: 'What to echo' } }, required: ['name'], additionalProperties: false },
          operation: { method: 'GET', path: `/echo/${prefix}{name}`, parameters: [{ arg: 'name', in: 'path', name: 'name' }] },
        },
      ],
    },
  };
}

async function callEcho(base: string, token: string, slug: string, name: string): Promise<ToolResult> {
  const client = new Client({ name: 'versions-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/${slug}`), { requestInit: { headers: bearer(token) } }));
  try {
    return (await client.callTool({ name: 'echo', arguments: { name } })) as ToolResult;
  } finally {
    await client.close();
  }
}

/** Calls until the answer is the expected one (a replica learns of a publish through Redis, not at once). */
async function eventuallyEcho(base: string, token: string, slug: string, name: string, expected: string): Promise<ToolResult> {
  let last: ToolResult | undefined;
  for (let i = 0; i < 40; i++) {
    last = await callEcho(base, token, slug, name);
    if (last.structuredContent?.target === expected || (!last.isError && text(last).includes(expected))) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last!;
}

describe('versions of an openapi service: publish, call, publish v2, call, roll back, call', () => {
  let fixture: RestFixture;
  let a: TestPlatform;
  let b: TestPlatform;
  let admin: TestSession;
  let alice: TestSession;
  let serviceId: string;
  const slug = `echo-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    fixture = await startRestFixture();
    const unique = randomBytes(4).toString('hex');
    const common = {
      EGRESS_ALLOW: '127.0.0.1',
      CATALOG_FILE: 'none',
      CATALOG_CACHE_TTL_MS: '600000',
      ...(shared ? { DATABASE_SCHEMA: `t_ver_${unique}`, REDIS_KEY_PREFIX: `test:ver:${unique}:` } : {}),
    };
    a = await startPlatform(common);
    b = shared ? await startPlatform(common) : a;
    admin = await adminSession(a);
    alice = await signUp(a.url);
  }, 180_000);
  afterAll(async () => {
    if (b !== a) await b?.close();
    await a?.close();
    await fixture?.close();
  });

  it('creates a service from a hand-made REST tool (no document); nothing is served until a version is published', async () => {
    const created = await apiCall(a.url, admin.accessToken, 'POST', '/v1/builder/services', { slug, title: 'Echo', ...echoDefinition(fixture.url, 'one-') });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ slug, live_version: null, latest_version: 1, owner_id: null });
    serviceId = created.json.id as string;
    // Credentials may be stored ahead of the first publish; the service is neither listed nor served.
    expect((await apiCall(a.url, alice.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { token: 'tok-alice' })).status).toBe(201);
    const before = fixture.requests.length;
    await expect(callEcho(a.url, alice.accessToken, slug, 'x')).rejects.toThrow(/has no published version yet; an administrator publishes one/);
    expect(fixture.requests.length).toBe(before);
    const listed = await apiCall(a.url, alice.accessToken, 'GET', '/v1/services');
    expect((listed.json.services as Array<{ slug: string }>).map((s) => s.slug)).not.toContain(slug);
  });

  it('v1 published: the call answers from v1, with the caller’s own credential', async () => {
    const published = await apiCall(a.url, admin.accessToken, 'POST', `/v1/builder/services/${serviceId}/versions/1/publish`);
    expect(published).toMatchObject({ status: 200, json: { live_version: 1, previous_version: null } });
    const before = fixture.requests.length;
    const r = await eventuallyEcho(b.url, alice.accessToken, slug, 'x', '/echo/one-x');
    expect(r.isError).toBeFalsy();
    expect(JSON.parse(text(r))).toEqual({ target: '/echo/one-x' });
    expect(fixture.requests.slice(before).at(-1)?.headers.authorization).toBe('Bearer tok-alice');
  });

  it('v2 saved is not live until published; published, the call answers from v2', async () => {
    const saved = await apiCall(a.url, admin.accessToken, 'POST', `/v1/builder/services/${serviceId}/versions`, echoDefinition(fixture.url, 'two-'));
    expect(saved).toMatchObject({ status: 201, json: { version: 2, live: false, tools: 1, last_published_at: null } });
    expect(JSON.parse(text(await callEcho(b.url, alice.accessToken, slug, 'y')))).toEqual({ target: '/echo/one-y' });
    const published = await apiCall(a.url, admin.accessToken, 'POST', `/v1/builder/services/${slug}/versions/2/publish`);
    expect(published).toMatchObject({ status: 200, json: { live_version: 2, previous_version: 1 } });
    const r = await eventuallyEcho(b.url, alice.accessToken, slug, 'y', '/echo/two-y');
    expect(JSON.parse(text(r))).toEqual({ target: '/echo/two-y' });
  });

  it('rollback is one action: the call answers from v1 again', async () => {
    const rolled = await apiCall(a.url, admin.accessToken, 'POST', `/v1/builder/services/${serviceId}/rollback`);
    expect(rolled).toMatchObject({ status: 200, json: { live_version: 1, previous_version: 2 } });
    const r = await eventuallyEcho(b.url, alice.accessToken, slug, 'z', '/echo/one-z');
    expect(JSON.parse(text(r))).toEqual({ target: '/echo/one-z' });
    const versions = await apiCall(a.url, admin.accessToken, 'GET', `/v1/builder/services/${serviceId}/versions`);
    expect(versions.json.live_version).toBe(1);
    expect((versions.json.versions as Array<{ version: number; live: boolean }>).map((v) => [v.version, v.live])).toEqual([
      [2, false],
      [1, true],
    ]);
    const v2 = await apiCall(a.url, admin.accessToken, 'GET', `/v1/builder/services/${serviceId}/versions/2`);
    expect((v2.json.definition as { openapi: { tools: Array<{ operation: { path: string } }> } }).openapi.tools[0]!.operation.path).toBe('/echo/two-{name}');
  });

  it('the request log shows the version that served each call', async () => {
    await Promise.all([a.platform.logging.requestLog.flush(), b.platform.logging.requestLog.flush()]);
    const logs = await apiCall(a.url, alice.accessToken, 'GET', `/v1/logs?service=${slug}&tool=echo&limit=50`);
    expect(logs.status).toBe(200);
    const rows = (logs.json.data as Array<{ method: string; target: string; service_version: number | null; time: string }>).filter((r) => r.method === 'tools/call').reverse();
    // Oldest first: v1 (x), v1 (y, v2 saved but not published), v2 (y), v1 (z) — retries of eventuallyEcho repeat a version, never skip one.
    const versions = rows.map((r) => r.service_version);
    expect(versions[0]).toBe(1);
    expect(versions.at(-1)).toBe(1);
    expect(versions).toContain(2);
    const dedup = versions.filter((v, i) => i === 0 || v !== versions[i - 1]);
    expect(dedup).toEqual([1, 2, 1]);
    const adminView = await apiCall(a.url, admin.accessToken, 'GET', `/v1/admin/logs?service=${slug}&limit=50`);
    const adminCalls = (adminView.json.data as Array<{ method: string; service_version: number | null }>).filter((r) => r.method === 'tools/call');
    expect(adminCalls.length).toBe(rows.length);
    expect(adminCalls.every((r) => r.service_version === 1 || r.service_version === 2)).toBe(true);
  });

  it('publish, rollback and saves are audited; a rollback with no earlier live version is a 409', async () => {
    const audit = await apiCall(a.url, admin.accessToken, 'GET', '/v1/admin/audit?limit=100');
    const actions = (audit.json.data as Array<{ action: string; target_id: string | null }>).filter((e) => e.target_id === serviceId).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['service.registered', 'service.version_saved', 'service.published', 'service.rolled_back']));
    const fresh = await apiCall(a.url, admin.accessToken, 'POST', '/v1/builder/services', { slug: `${slug}-b`, title: 'B', publish: true, ...echoDefinition(fixture.url, 'b-') });
    expect(fresh.json.live_version).toBe(1);
    const none = await apiCall(a.url, admin.accessToken, 'POST', `/v1/builder/services/${fresh.json.id as string}/rollback`);
    expect(none.status).toBe(409);
    expect((none.json.error as { code: string }).code).toBe('no_previous_version');
    expect((await apiCall(a.url, admin.accessToken, 'POST', `/v1/builder/services/${serviceId}/versions/99/publish`)).status).toBe(404);
  });

  it('an admin PATCH of the definition is a new version, published at once', async () => {
    const patched = await apiCall(a.url, admin.accessToken, 'PATCH', `/v1/admin/services/${serviceId}`, { openapi: echoDefinition(fixture.url, 'three-').openapi });
    expect(patched.status).toBe(200);
    const versions = await apiCall(a.url, admin.accessToken, 'GET', `/v1/builder/services/${serviceId}/versions`);
    expect(versions.json.live_version).toBe(3);
    const r = await eventuallyEcho(b.url, alice.accessToken, slug, 'w', '/echo/three-w');
    expect(JSON.parse(text(r))).toEqual({ target: '/echo/three-w' });
  });

  it('tries a tool of an unsaved definition with the caller’s own credentials, through the egress guard', async () => {
    const before = fixture.requests.length;
    const tried = await apiCall(a.url, admin.accessToken, 'POST', '/v1/builder/try', {
      openapi: echoDefinition(fixture.url, 'try-').openapi,
      tool: 'echo',
      arguments: { name: 'q' },
      credentials: { token: 'my-own' },
    });
    expect(tried.status).toBe(200);
    expect(JSON.parse(text(tried.json as unknown as ToolResult))).toEqual({ target: '/echo/try-q' });
    expect(fixture.requests.slice(before).at(-1)?.headers.authorization).toBe('Bearer my-own');
    const invalid = await apiCall(a.url, admin.accessToken, 'POST', '/v1/builder/try', { openapi: echoDefinition(fixture.url, 'try-').openapi, tool: 'echo', arguments: {} });
    expect(invalid.json).toMatchObject({ isError: true });
    expect(text(invalid.json as unknown as ToolResult)).toMatch(/Invalid arguments for echo/);
    const noTool = await apiCall(a.url, admin.accessToken, 'POST', '/v1/builder/try', { openapi: echoDefinition(fixture.url, 'x').openapi, tool: 'nope' });
    expect(noTool.status).toBe(400);
    const metadata = await apiCall(a.url, admin.accessToken, 'POST', '/v1/builder/try', {
      openapi: echoDefinition('http://169.254.169.254/latest', 'x').openapi,
      tool: 'echo',
      arguments: { name: 'a' },
    });
    expect(text(metadata.json as unknown as ToolResult)).toMatch(/^The API address is refused/);
  });

  it('refuses a base URL the egress guard refuses when a service is created, a version saved or the definition patched, saving nothing', async () => {
    const versionsBefore = (await apiCall(a.url, admin.accessToken, 'GET', `/v1/builder/services/${serviceId}/versions`)).json.versions as unknown[];
    for (const base of ['http://169.254.169.254/latest', 'http://[::ffff:169.254.169.254]/latest', 'http://0xA9FEA9FE/latest', 'http://[fd00:ec2::254]/latest']) {
      const created = await apiCall(a.url, admin.accessToken, 'POST', '/v1/builder/services', { slug: `meta-${randomBytes(3).toString('hex')}`, title: 'Meta', ...echoDefinition(base, 'x') });
      expect(created.status, base).toBe(400);
      expect(created.json.error, base).toMatchObject({ code: 'base_url_refused', details: [{ path: 'openapi.base_url' }] });
      const saved = await apiCall(a.url, admin.accessToken, 'POST', `/v1/builder/services/${serviceId}/versions`, echoDefinition(base, 'x'));
      expect(saved.status, base).toBe(400);
      expect(saved.json.error, base).toMatchObject({ code: 'base_url_refused' });
      const patched = await apiCall(a.url, admin.accessToken, 'PATCH', `/v1/admin/services/${serviceId}`, { openapi: echoDefinition(base, 'x').openapi });
      expect(patched.status, base).toBe(400);
      expect(patched.json.error, base).toMatchObject({ code: 'base_url_refused' });
    }
    expect((await apiCall(a.url, admin.accessToken, 'GET', `/v1/builder/services/${serviceId}/versions`)).json.versions).toHaveLength(versionsBefore.length);
    expect(((await apiCall(a.url, admin.accessToken, 'GET', '/v1/builder/services')).json.services as Array<{ slug: string }>).filter((x) => x.slug.startsWith('meta-'))).toEqual([]);
  });
});

describe('BUILDER_USERS=true: users build services only they can see; larger import bodies', () => {
  let fixture: RestFixture;
  let t: TestPlatform;
  let admin: TestSession;
  let alice: TestSession;
  let bob: TestSession;
  let aliceServiceId: string;

  beforeAll(async () => {
    fixture = await startRestFixture();
    t = await startPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none', BUILDER_USERS: 'true', BODY_LIMIT_BYTES: '65536', BUILDER_IMPORT_MAX_BYTES: '1048576' });
    admin = await adminSession(t);
    alice = await signUp(t.url);
    bob = await signUp(t.url);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fixture?.close();
  });

  it('tells a user they may build (GET /v1/builder/access)', async () => {
    const access = await apiCall(t.url, alice.accessToken, 'GET', '/v1/builder/access');
    expect(access.status).toBe(200);
    expect(access.json).toEqual({ allowed: true });
  });

  it('a user imports, creates and publishes a service of their own, and calls it', async () => {
    const imported = await fetch(`${t.url}/v1/builder/imports`, { method: 'POST', headers: { ...bearer(alice.accessToken), 'content-type': 'application/yaml' }, body: fixture.document() });
    expect(imported.status).toBe(200);
    const created = await apiCall(t.url, alice.accessToken, 'POST', '/v1/builder/services', { slug: 'alice-echo', title: 'Mine', publish: true, ...echoDefinition(fixture.url, 'alice-') });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ owner_id: alice.userId, live_version: 1 });
    aliceServiceId = created.json.id as string;
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/services/alice-echo/credentials', { token: 'tok-a' })).status).toBe(201);
    expect(JSON.parse(text(await callEcho(t.url, alice.accessToken, 'alice-echo', 'm')))).toEqual({ target: '/echo/alice-m' });
    const mine = await apiCall(t.url, alice.accessToken, 'GET', '/v1/builder/services');
    expect((mine.json.services as Array<{ slug: string }>).map((s) => s.slug)).toEqual(['alice-echo']);
  });

  it("another user neither sees nor calls it, and every builder route refuses its IDs with 404", async () => {
    const theirs = await apiCall(t.url, bob.accessToken, 'GET', '/v1/builder/services');
    expect(theirs.json.services).toEqual([]);
    expect(((await apiCall(t.url, bob.accessToken, 'GET', '/v1/services')).json.services as Array<{ slug: string }>).map((s) => s.slug)).not.toContain('alice-echo');
    for (const id of [aliceServiceId, 'alice-echo']) {
      expect((await apiCall(t.url, bob.accessToken, 'GET', `/v1/builder/services/${id}`)).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'GET', `/v1/builder/services/${id}/versions`)).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'GET', `/v1/builder/services/${id}/versions/1`)).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'POST', `/v1/builder/services/${id}/versions`, echoDefinition(fixture.url, 'bob-'))).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'POST', `/v1/builder/services/${id}/versions/1/publish`)).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'POST', `/v1/builder/services/${id}/rollback`)).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'DELETE', `/v1/builder/services/${id}`)).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'GET', `/v1/services/${id}`)).status).toBe(404);
      expect((await apiCall(t.url, bob.accessToken, 'PUT', `/v1/services/${id}/credentials`, { token: 'tok-b' })).status).toBe(404);
    }
    const before = fixture.requests.length;
    const res = await fetch(`${t.url}/mcp/alice-echo`, {
      method: 'POST',
      headers: { ...bearer(bob.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(res.status).toBe(404);
    const aggregate = new Client({ name: 'bob', version: '1.0.0' });
    await aggregate.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: bearer(bob.accessToken) } }));
    try {
      expect((await aggregate.listTools()).tools.map((x) => x.name).filter((n) => n.startsWith('alice-echo'))).toEqual([]);
    } finally {
      await aggregate.close();
    }
    expect(fixture.requests.length).toBe(before);
    // Not even an admin calls a user's service (it is theirs alone); the admin API still lists it.
    expect((await apiCall(t.url, admin.accessToken, 'PUT', '/v1/services/alice-echo/credentials', { token: 'tok-admin' })).status).toBe(404);
    const adminList = await apiCall(t.url, admin.accessToken, 'GET', '/v1/builder/services');
    expect((adminList.json.services as Array<{ slug: string; owner_id: string }>).find((s) => s.slug === 'alice-echo')?.owner_id).toBe(alice.userId);
  });

  it('a user may not use the admin registry, and without BUILDER_USERS the builder is admin-only', async () => {
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/admin/services', { slug: 'x', title: 'x', kind: 'openapi', ...echoDefinition(fixture.url, 'x') })).status).toBe(403);
  });

  it('imports a document larger than BODY_LIMIT_BYTES up to BUILDER_IMPORT_MAX_BYTES; above it a 413 names the limit', async () => {
    const padded = (bytes: number) => fixture.document().replace('description: A small CRUD API used by the builder tests.', `description: "${'x'.repeat(bytes)}"`);
    const big = await fetch(`${t.url}/v1/builder/imports`, { method: 'POST', headers: { ...bearer(admin.accessToken), 'content-type': 'application/yaml' }, body: padded(300_000) });
    expect(big.status).toBe(200);
    const bigJson = await fetch(`${t.url}/v1/builder/imports`, {
      method: 'POST',
      headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ openapi: '3.1.0', info: { title: 'big', version: '1', description: 'y'.repeat(300_000) }, paths: { '/a': { get: { operationId: 'a', responses: { '200': { description: 'ok' } } } } } }),
    });
    expect(bigJson.status).toBe(200);
    const tooBig = await fetch(`${t.url}/v1/builder/imports`, { method: 'POST', headers: { ...bearer(admin.accessToken), 'content-type': 'application/yaml' }, body: padded(1_200_000) });
    expect(tooBig.status).toBe(413);
    const error = ((await tooBig.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toMatch(/1048576 bytes \(BUILDER_IMPORT_MAX_BYTES\)/);
    // Other routes keep BODY_LIMIT_BYTES.
    const elsewhere = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', { slug: 'x', title: 'x'.repeat(100_000) });
    expect(elsewhere.status).toBe(413);
    // Unauthenticated, a large body is refused before it is read.
    const anonymous = await fetch(`${t.url}/v1/builder/imports`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: padded(300_000) });
    expect(anonymous.status).toBe(401);
  });
});

describe('without BUILDER_USERS, users may not build', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: 'none' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('refuses every builder route with 403', async () => {
    const user = await signUp(t.url);
    for (const [method, path] of [
      ['GET', '/v1/builder/services'],
      ['POST', '/v1/builder/services'],
      ['POST', '/v1/builder/imports'],
      ['POST', '/v1/builder/try'],
    ] as const) {
      expect((await apiCall(t.url, user.accessToken, method, path, method === 'POST' ? {} : undefined)).status, path).toBe(403);
    }
    // What the web app asks instead of making a refused request: 200, not allowed, and why.
    const access = await apiCall(t.url, user.accessToken, 'GET', '/v1/builder/access');
    expect(access.status).toBe(200);
    expect(access.json).toEqual({ allowed: false, reason: expect.stringContaining('BUILDER_USERS=true') });
  });
});

describe('the GitHub REST API document (13 MB) uploaded at the default limits', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: 'none' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('imports it through POST /v1/builder/imports although it is far above BODY_LIMIT_BYTES (1 MiB)', async () => {
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    const body = await readFile(file);
    expect(body.length).toBeGreaterThan(Number(t.env.BODY_LIMIT_BYTES ?? 1024 * 1024) * 10);
    const admin = await adminSession(t);
    const res = await fetch(`${t.url}/v1/builder/imports`, { method: 'POST', headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { tools: unknown[]; skipped: unknown[] };
    expect(json.tools.length + json.skipped.length).toBe(1223);
  }, 120_000);
});
