import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpPlatform, type McpTestPlatform } from './support/mcp.js';
import { signUp } from './support/users.js';

/**
 * The MCP endpoints wired to the real parts only: real sign-up and JWTs (auth), the real catalog
 * (catalog/services.yaml: `everything` as a stdio service), the real upstream connector (stdio
 * pool), the gateway's rate limiters.
 */

let t: McpTestPlatform;
beforeAll(async () => {
  t = await startMcpPlatform({}, { RATE_LIMIT_USER_PER_MINUTE: '12' });
}, 300_000);
afterAll(async () => {
  await t?.close();
}, 120_000);

const rpcHeaders = (token: string) => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
});

describe('/mcp with real authentication and the shipped catalog', () => {
  it('lets a signed-up user list and call server-everything tools with their access token', async () => {
    const session = await signUp(t.url);
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/everything`), {
      requestInit: { headers: { Authorization: `Bearer ${session.accessToken}` } },
    });
    const client = new Client({ name: 'platform-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((x) => x.name);
      expect(names).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'real auth' } });
      expect(JSON.stringify(result.content)).toContain('real auth');
    } finally {
      await client.close();
    }
  });

  it('refuses a forged token with 401 invalid_token and resource metadata', async () => {
    const res = await fetch(`${t.url}/mcp/everything`, {
      method: 'POST',
      headers: rpcHeaders('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(`resource_metadata="${t.platform.config.PUBLIC_URL}/.well-known/oauth-protected-resource/mcp/everything"`);
  });

  it('rate-limits a user with 429 and Retry-After', async () => {
    const session = await signUp(t.url);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 16; i++) {
      const res = await fetch(`${t.url}/mcp/everything`, {
        method: 'POST',
        headers: rpcHeaders(session.accessToken),
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'rl', version: '1' } } }),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { message: 'Rate limit exceeded' } });
      } else await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200).length).toBe(12);
    expect(statuses.filter((s) => s === 429).length).toBe(4);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
