import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServer } from './fixtures/demo-servers.js';
import { fixtureCatalog, fixtureConnector, service, startMcpPlatform, tokenAuth, user, type McpTestPlatform } from './support/mcp.js';

/**
 * The client-facing MCP endpoints, end to end through the real platform (app.ts, real HTTP, real
 * SDK clients of both protocol eras). Catalog, connector and auth are the test-only stand-ins of
 * test/support/mcp.ts; the upstream services are real SDK servers connected in-process.
 */

const alice = user('alice');
const bob = user('bob');
const connector = fixtureConnector({ alpha: () => demoServer('alpha'), beta: () => demoServer('beta'), gamma: () => demoServer('gamma') });
const catalog = fixtureCatalog([
  service('alpha', { toolPolicy: { deny: ['admin-only'] } }),
  service('beta', { toolPolicy: { allow: ['echo', 'whoami', 'slow'] } }),
  service('gamma'),
]);

let t: McpTestPlatform;
beforeAll(async () => {
  // Dropped GET streams keep recording for resumption for 1 s (not the default minute), so the leak check can see them end.
  t = await startMcpPlatform({ catalog, connector, authenticate: tokenAuth([alice, bob]) }, { MCP_STREAM_RESUME_WINDOW_SECONDS: '1' });
}, 300_000);
afterAll(async () => {
  await t?.close();
}, 120_000);

async function connect(path: string, token: string, era: 'legacy' | 'modern'): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}${path}`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(transport);
  return { client, transport };
}

function text(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content;
  return content.map((c) => c.text ?? '').join('');
}

describe.each(['legacy', 'modern'] as const)('/mcp/{service} with a %s client', (era) => {
  it('lists and calls tools of one service under their own names, with the policy applied', async () => {
    const { client } = await connect('/mcp/alpha', alice.token, era);
    try {
      const tools = (await client.listTools()).tools.map((x) => x.name).sort();
      expect(tools).toEqual(['ask', 'echo', 'slow', 'whoami']);
      expect(text(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('alpha:hi');
      await expect(client.callTool({ name: 'admin-only', arguments: {} })).rejects.toThrow(/not available/);
    } finally {
      await client.close();
    }
  });

  it('relays prompts, resources, templates and progress', async () => {
    const { client } = await connect('/mcp/beta', alice.token, era);
    try {
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['greet']);
      const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ann' } });
      expect(JSON.stringify(prompt.messages)).toContain('Hello Ann from beta');
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['demo://beta/readme']);
      expect((await client.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate)).toEqual(['demo://beta/items/{id}']);
      const read = await client.readResource({ uri: 'demo://beta/items/7' });
      expect(read.contents[0]).toMatchObject({ uri: 'demo://beta/items/7', text: 'item 7 of beta' });
      const progress: number[] = [];
      const result = await client.callTool({ name: 'slow', arguments: { steps: 3 } }, { onprogress: (p) => progress.push(p.progress) });
      expect(text(result)).toBe('done 3');
      expect(progress).toEqual([1, 2, 3]);
      // allowlist: beta only exposes echo, whoami, slow
      expect((await client.listTools()).tools.map((x) => x.name).sort()).toEqual(['echo', 'slow', 'whoami']);
    } finally {
      await client.close();
    }
  });

  it('aggregates every usable service at /mcp with reversible, collision-free names', async () => {
    const { client } = await connect('/mcp', alice.token, era);
    try {
      const names = (await client.listTools()).tools.map((x) => x.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names.sort()).toEqual(
        ['alpha__ask', 'alpha__echo', 'alpha__slow', 'alpha__whoami', 'beta__echo', 'beta__slow', 'beta__whoami', 'gamma__admin-only', 'gamma__ask', 'gamma__echo', 'gamma__slow', 'gamma__whoami'].sort(),
      );
      for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_.-]{1,128}$/);
      for (const slug of ['alpha', 'beta', 'gamma']) {
        expect(text(await client.callTool({ name: `${slug}__whoami`, arguments: {} }))).toBe(slug);
      }
      await expect(client.callTool({ name: 'alpha__admin-only', arguments: {} })).rejects.toThrow(/not available/);
      const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
      expect(prompts).toEqual(['alpha__greet', 'beta__greet', 'gamma__greet']);
      const resources = (await client.listResources()).resources.map((r) => r.uri).sort();
      expect(resources).toEqual(['alpha+demo://alpha/readme', 'beta+demo://beta/readme', 'gamma+demo://gamma/readme']);
      const templates = (await client.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate).sort();
      expect(templates).toEqual(['alpha+demo://alpha/items/{id}', 'beta+demo://beta/items/{id}', 'gamma+demo://gamma/items/{id}']);
      const read = await client.readResource({ uri: 'gamma+demo://gamma/items/3' });
      expect(read.contents[0]).toMatchObject({ uri: 'gamma+demo://gamma/items/3', text: 'item 3 of gamma' });
      const prompt = await client.getPrompt({ name: 'beta__greet', arguments: { name: 'Bo' } });
      expect(JSON.stringify(prompt.messages)).toContain('Hello Bo from beta');
    } finally {
      await client.close();
    }
  });
});

describe('authentication and metadata', () => {
  it('answers 401 with a resource_metadata challenge, and serves RFC 9728 metadata', async () => {
    for (const path of ['/mcp', '/mcp/alpha']) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate') ?? '';
      const m = /resource_metadata="([^"]+)"/.exec(challenge);
      expect(m?.[1]).toBe(`${t.platform.config.PUBLIC_URL}/.well-known/oauth-protected-resource${path}`);
      const meta = await fetch(`${t.url}/.well-known/oauth-protected-resource${path}`);
      expect(meta.status).toBe(200);
      const doc = (await meta.json()) as { resource: string; authorization_servers: string[] };
      expect(doc.resource).toBe(`${t.platform.config.PUBLIC_URL}${path}`);
      expect(doc.authorization_servers).toEqual([t.platform.config.PUBLIC_URL]);
    }
    const bad = await fetch(`${t.url}/mcp/alpha`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers 404 for a service the user may not use', async () => {
    const res = await fetch(`${t.url}/mcp/nope`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
  });
});

describe('upstream leases', () => {
  it('gives every upstream connection back once the exchanges are over (no leaks)', async () => {
    const { client } = await connect('/mcp', alice.token, 'modern');
    await client.callTool({ name: 'alpha__whoami', arguments: {} });
    await client.close();
    const legacy = await connect('/mcp/beta', alice.token, 'legacy');
    await legacy.client.callTool({ name: 'whoami', arguments: {} });
    // Ending the session also ends its GET stream's resume window (docs/mcp.md, resumability).
    await legacy.transport.terminateSession();
    await legacy.client.close();
    // Releases happen when each response body has been sent; wait for them to settle.
    for (let i = 0; i < 400 && connector.open > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(connector.open).toBe(0);
  });
});
