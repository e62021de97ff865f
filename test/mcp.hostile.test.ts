import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoServer } from './fixtures/demo-servers.js';
import { fixtureCatalog, fixtureConnector, service, startMcpPlatform, tokenAuth, user, type McpTestPlatform } from './support/mcp.js';

/**
 * Hostile input at the MCP endpoints: each gets a clear error, and nothing reaches the upstream
 * (the fixture records every tool call it executes in `calls`).
 */

const alice = user('alice');
const bob = user('bob');
const calls: string[] = [];
const connector = fixtureConnector({ alpha: () => demoServer('alpha', calls), beta: () => demoServer('beta', calls) });
const catalog = fixtureCatalog([service('alpha', { toolPolicy: { deny: ['admin-only'] } }), service('beta')]);

let t: McpTestPlatform;
beforeAll(async () => {
  t = await startMcpPlatform({ catalog, connector, authenticate: tokenAuth([alice, bob]) }, { BODY_LIMIT_BYTES: String(64 * 1024) });
}, 300_000);
afterAll(async () => {
  await t?.close();
}, 120_000);
beforeEach(() => {
  calls.length = 0;
});

const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';

function headers(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra };
}

async function post(path: string, token: string, body: unknown, extra: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> | undefined; res: Response }> {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: headers(token, extra), body: typeof body === 'string' ? body : JSON.stringify(body) });
  const raw = await res.text();
  let json: Record<string, unknown> | undefined;
  // The first message event (a 2025-11-25 stream opens with an empty priming event for resumability).
  const dataLine = raw.split('\n').find((l) => l.startsWith('data: ') && l.trim() !== 'data:');
  try {
    json = JSON.parse(dataLine ? dataLine.slice(6) : raw) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, res };
}

async function initialize(path: string, token: string): Promise<string> {
  const r = await post(path, token, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  expect(r.status).toBe(200);
  const sid = r.res.headers.get('mcp-session-id');
  expect(sid).toBeTruthy();
  await post(path, token, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sid!, 'mcp-protocol-version': LEGACY });
  return sid!;
}

const echoCall = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } };

describe('2025-era sessions', () => {
  it('serves the owner, and refuses another user, another endpoint and a tampered ID with 404', async () => {
    const sid = await initialize('/mcp/alpha', alice.token);
    const own = await post('/mcp/alpha', alice.token, echoCall, { 'mcp-session-id': sid, 'mcp-protocol-version': LEGACY });
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.json)).toContain('alpha:x');
    expect(calls).toEqual(['alpha:echo:x']);

    const other = await post('/mcp/alpha', bob.token, echoCall, { 'mcp-session-id': sid, 'mcp-protocol-version': LEGACY });
    expect(other.status).toBe(404);
    expect(other.json).toMatchObject({ error: { code: -32001, message: 'Session not found' } });
    expect(JSON.stringify(other.json)).not.toContain('alice');

    const elsewhere = await post('/mcp/beta', alice.token, echoCall, { 'mcp-session-id': sid, 'mcp-protocol-version': LEGACY });
    expect(elsewhere.status).toBe(404);

    const tampered = `${sid.slice(0, -4)}AAAA`;
    const bad = await post('/mcp/alpha', alice.token, echoCall, { 'mcp-session-id': tampered, 'mcp-protocol-version': LEGACY });
    expect(bad.status).toBe(404);
    expect(calls).toEqual(['alpha:echo:x']);
  });

  it('ends a session with DELETE: later requests get 404', async () => {
    const sid = await initialize('/mcp/alpha', alice.token);
    const del = await fetch(`${t.url}/mcp/alpha`, { method: 'DELETE', headers: headers(alice.token, { 'mcp-session-id': sid, 'mcp-protocol-version': LEGACY }) });
    expect(del.status).toBe(200);
    const after = await post('/mcp/alpha', alice.token, echoCall, { 'mcp-session-id': sid, 'mcp-protocol-version': LEGACY });
    expect(after.status).toBe(404);
    expect(calls).toEqual([]);
  });

  it('refuses an unsupported MCP-Protocol-Version with 400', async () => {
    const sid = await initialize('/mcp/alpha', alice.token);
    const r = await post('/mcp/alpha', alice.token, echoCall, { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' });
    expect(r.status).toBe(400);
    expect(String((r.json?.error as { message?: string } | undefined)?.message)).toMatch(/Unsupported protocol version/);
    expect(calls).toEqual([]);
  });
});

describe('malformed and oversized messages', () => {
  it('answers malformed JSON with a JSON-RPC parse error', async () => {
    const r = await post('/mcp/alpha', alice.token, '{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
  });

  it('answers a non-JSON-RPC body and a batch with a clear error', async () => {
    const notRpc = await post('/mcp/alpha', alice.token, { hello: 'world' });
    expect(notRpc.status).toBeGreaterThanOrEqual(400);
    expect(notRpc.json).toMatchObject({ jsonrpc: '2.0', error: {} });
    const batch = await post('/mcp/alpha', alice.token, [echoCall, { ...echoCall, id: 3 }]);
    expect(batch.status).toBe(400);
    expect(batch.json).toMatchObject({ error: { code: -32600 } });
    expect(calls).toEqual([]);
  });

  it('refuses an oversized message with 413', async () => {
    const big = { ...echoCall, params: { name: 'echo', arguments: { message: 'x'.repeat(100 * 1024) } } };
    const r = await post('/mcp/alpha', alice.token, big, { 'mcp-protocol-version': MODERN });
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    expect(calls).toEqual([]);
  });
});

describe('2026-07-28 requests', () => {
  const envelope = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
  const modernCall = (name: string) => ({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name, arguments: { message: 'm' }, _meta: envelope } });

  it('serves a well-formed stateless request', async () => {
    const r = await post('/mcp/alpha', alice.token, modernCall('echo'), { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'echo' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.json)).toContain('alpha:m');
    expect(calls).toEqual(['alpha:echo:m']);
  });

  it('refuses an Mcp-Method / Mcp-Name that does not match the body', async () => {
    const method = await post('/mcp/alpha', alice.token, modernCall('echo'), { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list', 'mcp-name': 'echo' });
    expect(method.json).toMatchObject({ error: {} });
    expect(method.status).toBeGreaterThanOrEqual(400);
    const name = await post('/mcp/alpha', alice.token, modernCall('echo'), { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'whoami' });
    expect(name.json).toMatchObject({ error: {} });
    expect(calls).toEqual([]);
  });

  it('refuses an unsupported protocol version in the envelope', async () => {
    const body = { ...modernCall('echo'), params: { ...modernCall('echo').params, _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } };
    const r = await post('/mcp/alpha', alice.token, body, { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/call', 'mcp-name': 'echo' });
    expect(r.json).toMatchObject({ error: { code: -32022 } });
    expect(calls).toEqual([]);
  });

  it('refuses a tool outside the allow/deny rules with a JSON-RPC error, and hides it from tools/list', async () => {
    const r = await post('/mcp/alpha', alice.token, modernCall('admin-only'), { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'admin-only' });
    expect(r.json).toMatchObject({ error: { code: -32602 } });
    expect(String((r.json?.error as { message: string }).message)).toMatch(/not available/);
    const list = await post('/mcp/alpha', alice.token, { jsonrpc: '2.0', id: 6, method: 'tools/list', params: { _meta: envelope } }, { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' });
    const names = ((list.json?.result as { tools: Array<{ name: string }> }).tools ?? []).map((x) => x.name);
    expect(names).toContain('echo');
    expect(names).not.toContain('admin-only');
    expect(calls).toEqual([]);
  });
});

describe('Origin and Host', () => {
  it('refuses a foreign Origin with 403 and accepts the platform origin', async () => {
    const bad = await post('/mcp/alpha', alice.token, echoCall, { origin: 'https://evil.example' });
    expect(bad.status).toBe(403);
    const ok = await post('/mcp/alpha', alice.token, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'o', version: '1' } } }, { origin: t.platform.config.PUBLIC_URL });
    expect(ok.status).toBe(200);
    expect(calls).toEqual([]);
  });

  it('refuses a foreign Host with 403 (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${t.url}/mcp/alpha`);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...headers(alice.token), host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(echoCall));
    });
    expect(status).toBe(403);
    expect(calls).toEqual([]);
  });
});
