import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSchema } from '../src/builder/index.js';
import { serviceInputSchema } from '../src/catalog/index.js';
import { parse } from '../src/gateway/index.js';
import { startRestFixture, type RestFixture } from './fixtures/rest-api.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, signUp, type TestSession } from './support/users.js';

/**
 * The builder end to end (issue 15, acceptance 2): a local REST API (test/fixtures/rest-api.ts,
 * standing in for an internet API) and its OpenAPI document → POST /v1/builder/imports → saved as
 * an `openapi` service → the real SDK client through /mcp/{service} and the aggregate /mcp.
 * The fixture listens on 127.0.0.1, which the egress guard refuses for user-supplied URLs; this
 * platform allowlists 127.0.0.1 (EGRESS_ALLOW), as an operator would an internal API. The second
 * describe runs without the allowlist and shows loopback and metadata refused, with no request made.
 */

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };
interface ImportAnswer {
  base_url: string;
  tools: Array<{ name: string; description: string; inputSchema: Record<string, unknown>; operation: { method: string; path: string } }>;
  credentials: Array<{ name: string }>;
  auth: unknown[];
  skipped: Array<{ operation: string; reason: string }>;
}

async function importYaml(t: TestPlatform, token: string, text: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${t.url}/v1/builder/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' }, body: text });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function mcpClient(t: TestPlatform, token: string, path: string): Promise<Client> {
  const client = new Client({ name: 'builder-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}${path}`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

const text = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('');

describe('an OpenAPI document imported, saved and called through the router', () => {
  let fixture: RestFixture;
  let t: TestPlatform;
  let admin: TestSession;
  let imported: ImportAnswer;
  let alice: TestSession;
  let bob: TestSession;

  beforeAll(async () => {
    fixture = await startRestFixture();
    t = await startPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none' });
    admin = await adminSession(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fixture?.close();
  });

  it('imports the YAML document: every operation once, in tools or skipped, with valid names and schemas', async () => {
    const { status, json } = await importYaml(t, admin.accessToken, fixture.document());
    expect(status).toBe(200);
    imported = json as unknown as ImportAnswer;
    expect(imported.base_url).toBe(fixture.url);
    expect(imported.tools.map((x) => x.name).sort()).toEqual(
      ['boom', 'createItem', 'deleteItem', 'echoPath', 'getItem', 'get_items_itemId_label', 'listItems', 'movedAway', 'movedHere', 'updateItem'].sort(),
    );
    expect(imported.skipped.map((s) => s.operation).sort()).toEqual(['POST /upload', 'TRACE /upload']);
    expect(imported.skipped.find((s) => s.operation === 'POST /upload')?.reason).toMatch(/multipart\/form-data is not supported/);
    const operations = [...imported.tools.map((x) => `${x.operation.method} ${x.operation.path}`), ...imported.skipped.map((s) => s.operation)];
    expect(new Set(operations).size).toBe(12);
    for (const tool of imported.tools) {
      expect(tool.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(() => compileSchema(tool.inputSchema)).not.toThrow();
    }
    const create = imported.tools.find((x) => x.name === 'createItem')!;
    expect(create.inputSchema).toMatchObject({ type: 'object', required: ['body'], properties: { 'X-Request-Id': { type: 'string' } } });
    // readOnly properties (id, owner) are not inputs.
    expect(Object.keys((create.inputSchema.properties as Record<string, { properties: object }>).body!.properties)).toEqual(['name', 'tags']);
    expect(imported.credentials.map((c) => c.name)).toEqual(['apikeyauth', 'bearerauth_token']);
    expect(imported.auth).toEqual([
      { type: 'api_key', in: 'header', name: 'X-API-Key', credential: 'apikeyauth' },
      { type: 'bearer', credential: 'bearerauth_token' },
    ]);
  });

  it('imports the same document from a URL (allowlisted loopback) and refuses what it cannot read with 422 and where', async () => {
    const byUrl = await apiCall(t.url, admin.accessToken, 'POST', '/v1/builder/imports', { url: `${fixture.url}/openapi.yaml` });
    expect(byUrl.status).toBe(200);
    expect((byUrl.json.tools as unknown[]).length).toBe(10);
    const broken = await importYaml(t, admin.accessToken, 'openapi: 3.0.3\ninfo: { title: x\npaths: {}\n');
    expect(broken.status).toBe(422);
    expect(broken.json).toMatchObject({ error: { code: 'document_unreadable' } });
    expect(JSON.stringify(broken.json)).toMatch(/line \d+, column \d+/);
    const notOpenApi = await apiCall(t.url, admin.accessToken, 'POST', '/v1/builder/imports', { hello: 'world' });
    expect(notOpenApi.status).toBe(422);
    expect(JSON.stringify(notOpenApi.json)).toMatch(/Not an OpenAPI/);
    const danglingRef = await apiCall(t.url, admin.accessToken, 'POST', '/v1/builder/imports', {
      openapi: '3.1.0',
      info: { title: 'x', version: '1' },
      paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } } } } } },
    });
    expect(danglingRef.status).toBe(422);
    const user = await signUp(t.url);
    expect((await importYaml(t, user.accessToken, fixture.document())).status).toBe(403);
  });

  it('saves the tools as an openapi service; each user stores their own credentials', async () => {
    const saved = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug: 'items',
      title: 'Items API',
      kind: 'openapi',
      credentials: imported.credentials,
      openapi: { base_url: imported.base_url, auth: imported.auth, tools: imported.tools },
    });
    expect(saved.status).toBe(201);
    alice = await signUp(t.url);
    bob = await signUp(t.url);
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/services/items/credentials', { apikeyauth: 'key-alice', bearerauth_token: 'tok-alice' })).status).toBe(201);
    expect((await apiCall(t.url, bob.accessToken, 'PUT', '/v1/services/items/credentials', { apikeyauth: 'key-bob' })).status).toBe(201);
    // A definition whose auth names a credential that no field injects is refused.
    const bad = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug: 'items-bad',
      title: 'x',
      kind: 'openapi',
      openapi: { base_url: imported.base_url, auth: [{ type: 'bearer', credential: 'nope' }], tools: imported.tools.slice(0, 1) },
    });
    expect(bad.status).toBe(400);
  });

  it("calls every tool through /mcp/items with the real SDK client, the user's own credentials arriving", async () => {
    const client = await mcpClient(t, alice.accessToken, '/mcp/items');
    try {
      const listed = (await client.listTools()).tools;
      expect(listed.map((x) => x.name).sort()).toEqual(imported.tools.map((x) => x.name).sort());
      expect(listed.find((x) => x.name === 'getItem')?.outputSchema).toMatchObject({ type: 'object' });

      const before = fixture.requests.length;
      const created = (await client.callTool({ name: 'createItem', arguments: { 'X-Request-Id': 'req-1', body: { name: 'first', tags: ['a'] } } })) as ToolResult;
      expect(created.isError).toBeFalsy();
      expect(created.structuredContent).toEqual({ id: '1', name: 'first', tags: ['a'], owner: 'key-alice' });
      const sent = fixture.requests[before]!;
      expect(sent).toMatchObject({ method: 'POST', url: '/items' });
      expect(sent.headers).toMatchObject({ 'x-api-key': 'key-alice', authorization: 'Bearer tok-alice', 'x-request-id': 'req-1', 'content-type': 'application/json' });
      expect(JSON.parse(sent.body)).toEqual({ name: 'first', tags: ['a'] });

      await client.callTool({ name: 'createItem', arguments: { body: { name: 'second', tags: ['b'] } } });
      const listed1 = (await client.callTool({ name: 'listItems', arguments: { tag: 'a', limit: 5 } })) as ToolResult;
      expect(fixture.requests.at(-1)!.url).toBe('/items?tag=a&limit=5');
      expect((listed1.structuredContent?.items as Array<{ name: string }>).map((i) => i.name)).toEqual(['first']);

      const got = (await client.callTool({ name: 'getItem', arguments: { itemId: '1' } })) as ToolResult;
      expect(got.structuredContent).toMatchObject({ id: '1', name: 'first' });
      const updated = (await client.callTool({ name: 'updateItem', arguments: { itemId: '1', body: { name: 'renamed', tags: [] } } })) as ToolResult;
      expect(updated.structuredContent).toMatchObject({ id: '1', name: 'renamed', tags: [] });
      expect(fixture.requests.at(-1)).toMatchObject({ method: 'PUT', url: '/items/1' });

      const label = (await client.callTool({ name: 'get_items_itemId_label', arguments: { itemId: '1' } })) as ToolResult;
      expect(label.isError).toBeFalsy();
      expect(label.structuredContent).toBeUndefined();
      expect(text(label)).toBe('Item #1: renamed []');

      // A path argument stays inside its segment: ../, ? and # are escaped.
      const echoed = (await client.callTool({ name: 'echoPath', arguments: { name: '../admin?x=1#f' } })) as ToolResult;
      expect(echoed.structuredContent).toEqual({ target: '/echo/..%2Fadmin%3Fx%3D1%23f' });

      const boom = (await client.callTool({ name: 'boom', arguments: {} })) as ToolResult;
      expect(boom.isError).toBe(true);
      expect(text(boom)).toMatch(/^HTTP 500 from GET \/boom: kaboom/);
      const missing = (await client.callTool({ name: 'getItem', arguments: { itemId: '999' } })) as ToolResult;
      expect(missing.isError).toBe(true);
      expect(text(missing)).toMatch(/HTTP 404 .*item 999 not found/);

      // A redirect on the same origin is followed (with the credentials); one to another origin is not.
      const here = (await client.callTool({ name: 'movedHere', arguments: {} })) as ToolResult;
      expect(here.isError).toBeFalsy();
      expect(fixture.requests.at(-1)).toMatchObject({ url: '/items', headers: { 'x-api-key': 'key-alice' } });
      const away = (await client.callTool({ name: 'movedAway', arguments: {} })) as ToolResult;
      expect(away.isError).toBe(true);
      expect(text(away)).toMatch(/HTTP 302: the API redirects to http:\/\/localhost:\d+\/items, which is not followed/);
      expect(fixture.requests.at(-1)!.url).toBe('/moved-away');

      const deleted = (await client.callTool({ name: 'deleteItem', arguments: { itemId: '2' } })) as ToolResult;
      expect(deleted.isError).toBeFalsy();
      expect(fixture.requests.at(-1)).toMatchObject({ method: 'DELETE', url: '/items/2' });

      // Arguments are checked against the input schema before any request; none can add a header.
      const count = fixture.requests.length;
      const noId = (await client.callTool({ name: 'getItem', arguments: {} })) as ToolResult;
      expect(noId.isError).toBe(true);
      expect(text(noId)).toMatch(/Invalid arguments for getItem: .*itemId/);
      const extra = (await client.callTool({ name: 'getItem', arguments: { itemId: '1', Host: 'evil.example' } })) as ToolResult;
      expect(extra.isError).toBe(true);
      expect(text(extra)).toMatch(/additional properties/);
      const injected = (await client.callTool({ name: 'createItem', arguments: { 'X-Request-Id': 'a\r\nX-Evil: 1', body: { name: 'x' } } })) as ToolResult;
      expect(injected.isError).toBe(true);
      expect(text(injected)).toMatch(/control characters/);
      const wrongType = (await client.callTool({ name: 'listItems', arguments: { limit: 'ten' } })) as ToolResult;
      expect(wrongType.isError).toBe(true);
      expect(fixture.requests.length).toBe(count);
    } finally {
      await client.close();
    }
  });

  it("carries another user's own credential on their calls, through the aggregate /mcp", async () => {
    const client = await mcpClient(t, bob.accessToken, '/mcp');
    try {
      const names = (await client.listTools()).tools.map((x) => x.name);
      expect(names).toContain('items__createItem');
      const before = fixture.requests.length;
      const created = (await client.callTool({ name: 'items__createItem', arguments: { body: { name: 'bobs' } } })) as ToolResult;
      expect(created.structuredContent).toMatchObject({ name: 'bobs', owner: 'key-bob' });
      const sent = fixture.requests[before]!;
      expect(sent.headers['x-api-key']).toBe('key-bob');
      expect(sent.headers.authorization).toBeUndefined();
      expect(fixture.requests.slice(before).every((r) => r.headers['x-api-key'] === 'key-bob')).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('without the allowlist, loopback and metadata addresses are refused, with no request made', () => {
  let fixture: RestFixture;
  let t: TestPlatform;
  let admin: TestSession;

  beforeAll(async () => {
    fixture = await startRestFixture();
    t = await startPlatform({ CATALOG_FILE: 'none' });
    admin = await adminSession(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fixture?.close();
  });

  it('refuses import URLs on loopback (every spelling) and the metadata address', async () => {
    const port = new URL(fixture.url).port;
    for (const url of [`${fixture.url}/openapi.yaml`, `http://localhost:${port}/openapi.yaml`, `http://2130706433:${port}/openapi.yaml`, `http://0x7f000001:${port}/x`, `http://[::ffff:127.0.0.1]:${port}/x`, 'http://169.254.169.254/latest/meta-data/']) {
      const res = await apiCall(t.url, admin.accessToken, 'POST', '/v1/builder/imports', { url });
      expect(res.status, url).toBe(400);
      expect((res.json.error as { code: string }).code, url).toBe('import_url_refused');
    }
    expect(fixture.requests.length).toBe(0);
  });

  it('refuses a loopback or metadata base URL at registration, and a tool call to one stored anyway, before any request', async () => {
    const imported = (await importYaml(t, admin.accessToken, fixture.document())).json as unknown as ImportAnswer;
    for (const [slug, base] of [
      ['loop', fixture.url],
      ['meta', 'http://169.254.169.254/latest'],
    ] as const) {
      const input = {
        slug,
        title: slug,
        kind: 'openapi' as const,
        credentials: imported.credentials.map((c) => ({ ...c, required: false })),
        openapi: { base_url: base, auth: imported.auth, tools: imported.tools },
      };
      const refused = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', input);
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({ code: 'base_url_refused', details: [{ path: 'openapi.base_url' }] });
      // One stored before that check existed (straight into the registry) is still refused when called.
      await t.platform.catalog.registry.create(parse(serviceInputSchema, input), 'admin', { createdBy: admin.userId, publish: true });
      const client = await mcpClient(t, admin.accessToken, `/mcp/${slug}`);
      try {
        const result = (await client.callTool({ name: 'listItems', arguments: {} })) as ToolResult;
        expect(result.isError).toBe(true);
        expect(text(result)).toMatch(/^The API address is refused: /);
      } finally {
        await client.close();
      }
    }
    expect(fixture.requests.length).toBe(0);
  });
});
