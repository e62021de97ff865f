import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingUpstream, type CountingUpstream } from './fixtures/counting-upstream.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall as api, bearer, signUp, type TestSession } from './support/users.js';

/**
 * A 2025-era session's start and end without an SDK server (src/router/endpoint/session-lifecycle.ts):
 * `initialize`, `notifications/initialized` and `DELETE` are answered by the endpoint itself. Shown here against the SDK
 * path, on the same platform: the same `initialize` with an `MCP-Protocol-Version` header is not
 * the handshake's (it goes on to the SDK transport), so the two answers can be compared; the
 * fallbacks answer as before; nothing reaches the upstream; the request log keeps its row.
 */

const JSON_AND_SSE = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = (id: string | number, protocolVersion: string, capabilities: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities, clientInfo: { name: 'handshake-test', version: '1.0.0' } } });
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

/** The JSON-RPC message of an answer, JSON or a single SSE event. */
async function messageOf(res: Response): Promise<{ id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } }> {
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return JSON.parse(text) as never;
  const data = text.split('\n').find((l) => l.startsWith('data: '));
  return JSON.parse(data!.slice('data: '.length)) as never;
}

describe("mcp: a 2025-era session's start and end without an SDK server", () => {
  let upstream: CountingUpstream;
  let t: TestPlatform;
  let slug: string;
  let user: TestSession;
  let other: TestSession;

  beforeAll(async () => {
    upstream = await startCountingUpstream('sessionful');
    t = await startPlatform({ CATALOG_FILE: 'none', LOG_FLUSH_INTERVAL_MS: '50', HTTP_HEALTH_INTERVAL_MS: '60000' });
    const admin = await adminSession(t);
    slug = `hs-${randomBytes(3).toString('hex')}`;
    const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug,
      title: slug,
      description: 'Handshake test service',
      kind: 'http',
      http: { transport: 'streamable-http', instances: [upstream.url] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    user = await signUp(t.url);
    other = await signUp(t.url);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  const post = (path: string, token: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { ...JSON_AND_SSE, ...bearer(token), ...headers }, body });

  it('answers initialize as the SDK path does, for every revision and on the aggregate', async () => {
    for (const path of [`/mcp/${slug}`, '/mcp']) {
      for (const version of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '1999-01-01']) {
        const fast = await post(path, user.accessToken, initialize(7, version));
        // The same request with a revision header is not the handshake's: the SDK transport serves it.
        const sdk = await post(path, user.accessToken, initialize(7, version), { 'mcp-protocol-version': '2025-11-25' });
        expect(fast.status, `${path} ${version}`).toBe(200);
        expect(sdk.status, `${path} ${version}`).toBe(200);
        expect(fast.headers.get('content-type')).toBe('application/json');
        expect(sdk.headers.get('content-type')).toBe('text/event-stream');
        expect(fast.headers.get('mcp-session-id')).toMatch(/^v1\./);
        const [a, b] = [await messageOf(fast), await messageOf(sdk)];
        expect(a, `${path} ${version}`).toEqual(b);
        expect(a.id).toBe(7);
        expect(a.result!.protocolVersion).toBe(version === '1999-01-01' ? '2025-11-25' : version);
      }
    }
  });

  it('opens a session that real clients use, and sends nothing upstream for the handshake', async () => {
    const before = upstream.seen.filter((s) => s.http !== 'GET').length;
    const init = await post(`/mcp/${slug}`, user.accessToken, initialize('a', '2025-11-25'));
    const sid = init.headers.get('mcp-session-id')!;
    expect((await messageOf(init)).result!.instructions).toBe('Handshake test service');
    const note = await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' });
    expect(note.status).toBe(202);
    expect(await note.text()).toBe('');
    expect(upstream.seen.filter((s) => s.http !== 'GET').length - before).toBe(0);

    // An SDK client over the same handshake, then a call on the session it opened.
    const client = new Client({ name: 'handshake-test', version: '1.0.0' }, { supportedProtocolVersions: ['2025-11-25'] });
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/${slug}`), { requestInit: { headers: bearer(user.accessToken) } });
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^v1\./);
    expect(client.getServerVersion()).toEqual({ name: 'mcp-online-platform', version: '1.0.0' });
    const listed = await client.listTools();
    expect(listed.tools.map((x) => x.name)).toContain('echo');
    await transport.terminateSession();
    await client.close();
  });

  it('leaves everything else to the SDK transport, whose answers are unchanged', async () => {
    const init = await post(`/mcp/${slug}`, user.accessToken, initialize(1, '2025-11-25'));
    const sid = init.headers.get('mcp-session-id')!;
    // Another user's session, an unknown one: not found.
    expect((await post(`/mcp/${slug}`, other.accessToken, INITIALIZED, { 'mcp-session-id': sid })).status).toBe(404);
    expect((await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, { 'mcp-session-id': 'v1.nope' })).status).toBe(404);
    // The session belongs to its endpoint.
    expect((await post('/mcp', user.accessToken, INITIALIZED, { 'mcp-session-id': sid })).status).toBe(404);
    // A client that does not accept SSE, initialize inside a session, an unknown revision header.
    expect((await fetch(`${t.url}/mcp/${slug}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(user.accessToken) }, body: initialize(1, '2025-11-25') })).status).toBe(406);
    const inside = await post(`/mcp/${slug}`, user.accessToken, initialize(1, '2025-11-25'), { 'mcp-session-id': sid });
    expect(inside.status).toBe(400);
    expect((await messageOf(inside)).error!.message).toMatch(/initialize must not carry an Mcp-Session-Id/);
    expect((await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' })).status).toBe(400);
    // An initialize without the fields the revision requires is not one.
    const bad = await post(`/mcp/${slug}`, user.accessToken, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } }));
    expect(bad.status).toBe(400);
    // No token: 401 before any of this.
    expect((await fetch(`${t.url}/mcp/${slug}`, { method: 'POST', headers: JSON_AND_SSE, body: initialize(1, '2025-11-25') })).status).toBe(401);
    // The session still works after all that.
    expect((await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, { 'mcp-session-id': sid })).status).toBe(202);
  });

  it("does not hold a new session's first request for the upstream's GET stream when the client can be asked nothing", async () => {
    // The platform used to wait (up to 2 s) for the upstream session's standalone stream to be
    // answered before its first request, for servers that send a call's sampling request there;
    // a client without sampling, elicitation or roots gets no such request.
    upstream.holdGets = true;
    try {
      const init = await post(`/mcp/${slug}`, user.accessToken, initialize('g', '2025-11-25'));
      const sid = init.headers.get('mcp-session-id')!;
      const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
      expect((await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, headers)).status).toBe(202);
      const started = performance.now();
      const listed = await post(`/mcp/${slug}`, user.accessToken, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), headers);
      const elapsed = performance.now() - started;
      expect((await messageOf(listed)).result!.tools).toBeDefined();
      // The upstream's GET is still unanswered; the old wait alone was 2,000 ms.
      expect(upstream.openStreams).toBeGreaterThan(0);
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      upstream.holdGets = false;
    }
  });

  it("serves a session's tools/list on the upstream session as bytes, filtered by the tool policy as the relay filters", async () => {
    const admin = await adminSession(t);
    const denied = `${slug}-deny`;
    const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug: denied,
      title: denied,
      kind: 'http',
      http: { transport: 'streamable-http', instances: [upstream.url] },
      tool_policy: { deny: ['slow'] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const listOf = async (endpoint: string, meta?: Record<string, unknown>) => {
      const init = await post(endpoint, user.accessToken, initialize(1, '2025-11-25'));
      const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
      const before = upstream.seen.length;
      const res = await post(endpoint, user.accessToken, JSON.stringify({ jsonrpc: '2.0', id: 'l', method: 'tools/list', ...(meta ? { params: { _meta: meta } } : {}) }), headers);
      const message = await messageOf(res);
      const listing = upstream.seen.slice(before).filter((s) => s.rpc === 'tools/list');
      expect(listing).toHaveLength(1);
      return { message, upstreamId: listing[0]!.rpcId };
    };
    const plain = await listOf(`/mcp/${slug}`);
    expect(plain.message.id).toBe('l');
    expect(String(plain.upstreamId)).toMatch(/^platform-/);
    expect((plain.message.result!.tools as Array<{ name: string }>).map((x) => x.name).sort()).toEqual(['echo', 'gate', 'slow', 'ticks']);
    expect(plain.message.result).not.toHaveProperty('resultType');

    const filtered = await listOf(`/mcp/${denied}`);
    expect(String(filtered.upstreamId)).toMatch(/^platform-/);
    expect((filtered.message.result!.tools as Array<{ name: string }>).map((x) => x.name).sort()).toEqual(['echo', 'gate', 'ticks']);

    // Progress asked for: the relay's (its client maps progress back), with the same filter.
    const relayed = await listOf(`/mcp/${denied}`, { progressToken: 'p1' });
    expect(typeof relayed.upstreamId).toBe('number');
    expect((relayed.message.result!.tools as Array<{ name: string }>).map((x) => x.name).sort()).toEqual(['echo', 'gate', 'ticks']);
  });

  it('keeps the revision the session settled on, not an unknown one the client asked for', async () => {
    // The client asks for a revision the platform does not speak, is answered 2025-11-25 and then
    // uses that; its session (and its upstream session) are in 2025-11-25, so its tools/list goes on
    // the session route. (The state kept the revision asked for: the relay served it, and the
    // upstream session was offered the unknown revision.)
    const init = await post(`/mcp/${slug}`, user.accessToken, initialize('v', '1999-01-01'));
    expect((await messageOf(init)).result!.protocolVersion).toBe('2025-11-25');
    const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    expect((await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, headers)).status).toBe(202);
    const before = upstream.seen.length;
    const listed = await post(`/mcp/${slug}`, user.accessToken, JSON.stringify({ jsonrpc: '2.0', id: 'v2', method: 'tools/list' }), headers);
    expect((await messageOf(listed)).result!.tools).toBeDefined();
    const listing = upstream.seen.slice(before).filter((x) => x.rpc === 'tools/list');
    expect(listing.map((x) => [String(x.rpcId).startsWith('platform-'), x.protocolVersion])).toEqual([[true, '2025-11-25']]);
  });

  it("ends the caller's own session with DELETE, and its upstream session with it; another's is not found", async () => {
    const init = await post(`/mcp/${slug}`, user.accessToken, initialize('d', '2025-11-25'));
    const sid = init.headers.get('mcp-session-id')!;
    const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
    const opened = upstream.opened.length;
    expect((await messageOf(await post(`/mcp/${slug}`, user.accessToken, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), headers))).result).toBeDefined();
    expect(upstream.opened.length - opened).toBe(1);
    const upstreamSession = upstream.opened.at(-1)!;
    const del = (token: string, endpoint = `/mcp/${slug}`) => fetch(`${t.url}${endpoint}`, { method: 'DELETE', headers: { ...bearer(token), ...headers } });
    // Another user's DELETE, or at another endpoint: not found, and the session goes on.
    expect((await del(other.accessToken)).status).toBe(404);
    expect((await del(user.accessToken, '/mcp')).status).toBe(404);
    expect((await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, headers)).status).toBe(202);
    expect(upstream.deleted).not.toContain(upstreamSession);
    const ended = await del(user.accessToken);
    expect(ended.status).toBe(200);
    expect(await ended.text()).toBe('');
    expect((await post(`/mcp/${slug}`, user.accessToken, INITIALIZED, headers)).status).toBe(404);
    expect((await del(user.accessToken)).status).toBe(404);
    await until(() => upstream.deleted.includes(upstreamSession));
    expect(upstream.deleted).toContain(upstreamSession);
  });

  it('keeps the request-log row of initialize', async () => {
    const init = await post(`/mcp/${slug}`, other.accessToken, initialize('logged', '2025-06-18'));
    expect(init.status).toBe(200);
    await t.platform.logging.requestLog.flush();
    const rows = await t.platform.database.db.selectFrom('request_log').selectAll().where('kind', '=', 'mcp').where('user_id', '=', other.userId).where('method', '=', 'initialize').execute();
    const row = rows.find((r) => r.protocol_version === '2025-06-18');
    expect(row).toMatchObject({ service: slug, status: 'ok', http_status: 200 });
  });
});
