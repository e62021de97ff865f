import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer, Server } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { readJsonBody } from './support/http-body.js';
import { adminSession, apiCall as api, bearer, signUp, type TestSession } from './support/users.js';

/**
 * The passthrough (src/router/endpoint/passthrough.ts): a 2026-07-28 tools/call to an http service
 * whose instance is known to speak 2026-07-28 is relayed as bytes. Two platforms front one real
 * SDK server over Streamable HTTP: one with the passthrough (the default) and one with
 * MCP_PASSTHROUGH=false (the SDK relay). The upstream records what reached it, which tells the two
 * paths apart: the SDK relay sends the platform's own client identity, the passthrough the
 * client's. For every case the client must get the same answer from both platforms.
 */

const MODERN = '2026-07-28';
const TIMEOUT_MS = 1500;
const CLIENT_NAME = 'passthrough-test';

interface Seen {
  method: string;
  clientName: string | undefined;
  version: string | undefined;
  apiKey: string | undefined;
  authorization: string | undefined;
}

interface Upstream {
  url: string;
  seen: Seen[];
  /** Answers every 2026-07-28 request with 400, as a server redeployed without that revision would. */
  refuseModern: boolean;
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const seen: Seen[] = [];
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'passthrough-upstream', version: '1.0.0' });
      server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
        content: [{ type: 'text', text: `echo:${text}` }],
      }));
      server.registerTool('fail', { description: 'A tool error' }, async () => ({ content: [{ type: 'text', text: 'it broke' }], isError: true }));
      server.registerTool('count', { description: 'Reports progress, then answers', inputSchema: z.object({ steps: z.number() }) }, async ({ steps }, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        for (let i = 1; i <= steps; i++) {
          if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
        }
        return { content: [{ type: 'text', text: `counted ${steps}` }] };
      });
      server.registerTool('hang', { description: 'Never answers' }, () => new Promise(() => undefined));
      server.registerTool('dangerous', { description: 'Refused by the tool policy' }, async () => ({ content: [{ type: 'text', text: 'ran!' }] }));
      server.registerTool('linked', { description: 'Answers with a resource link' }, async () => ({
        content: [{ type: 'resource_link', uri: 'file:///notes/a.txt', name: 'a.txt', mimeType: 'text/plain' }],
      }));
      return server;
    },
    { legacy: 'stateless' },
  );
  const node = toNodeHandler(handler);
  const upstream: Upstream = {
    url: '',
    seen,
    refuseModern: false,
    async close() {
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return void node(req, res).catch(() => res.end());
    void readJsonBody(req).then((parsed) => {
      const body = parsed as { method?: string; params?: { _meta?: Record<string, { name?: string }> } } | undefined;
      const version = req.headers['mcp-protocol-version'] as string | undefined;
      seen.push({
        method: String(body?.method),
        clientName: body?.params?._meta?.['io.modelcontextprotocol/clientInfo']?.name,
        version,
        apiKey: req.headers['x-api-key'] as string | undefined,
        authorization: req.headers.authorization,
      });
      // Broken answers to a healthy request: a JSON body that is no JSON-RPC response, and an SSE stream that ends without one.
      const tool = (body?.params as { name?: string } | undefined)?.name;
      if (body?.method === 'tools/call' && tool === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}');
        return;
      }
      if (body?.method === 'tools/call' && tool === 'truncated') {
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end('event: message\ndata: not json\n\n');
        return;
      }
      if (upstream.refuseModern && version === MODERN) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32602, message: 'Unsupported protocol version' } }));
        return;
      }
      node(req, res, body).catch(() => res.end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return upstream;
}

/** A platform with the upstream registered as `slug` (credential → X-Api-Key, `dangerous` denied), and a user who stored a key. */
async function platformWith(upstream: Upstream, env: Record<string, string>): Promise<{ t: TestPlatform; user: TestSession; slug: string }> {
  const t = await startPlatform({
    HTTP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
    MCP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
    LOG_FLUSH_INTERVAL_MS: '50',
    MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '40',
    CATALOG_FILE: 'none',
    ...env,
  });
  const admin = await adminSession(t);
  const slug = `pt-${randomBytes(3).toString('hex')}`;
  const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
    slug,
    title: slug,
    kind: 'http',
    http: { transport: 'streamable-http', instances: [upstream.url] },
    credentials: [{ name: 'api_key', title: 'API key', secret: true, required: true, inject: { header: 'X-Api-Key' } }],
    tool_policy: { deny: ['dangerous'] },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const user = await signUp(t.url);
  expect((await api(t.url, user.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'user-key-1' })).status).toBe(201);
  return { t, user, slug };
}

async function modernClient(base: string, slug: string, token: string): Promise<Client> {
  const client = new Client({ name: CLIENT_NAME, version: '1.0.0' }, { supportedProtocolVersions: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS], versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/${slug}`), { requestInit: { headers: bearer(token) } }));
  return client;
}

/** The answer a client gets for one call: the result, or the JSON-RPC error's code, message and data. */
async function outcome(client: Client, name: string, args: Record<string, unknown> = {}): Promise<unknown> {
  try {
    return { result: await client.callTool({ name, arguments: args }) };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; data?: unknown };
    return { error: { code: e.code, message: e.message, data: e.data } };
  }
}

describe('MCP passthrough of 2026-07-28 tools/call (http services)', () => {
  let upstream: Upstream;
  let fast: { t: TestPlatform; user: TestSession; slug: string };
  let sdk: { t: TestPlatform; user: TestSession; slug: string };
  let fastClient: Client;
  let sdkClient: Client;

  beforeAll(async () => {
    upstream = await startUpstream();
    fast = await platformWith(upstream, {});
    sdk = await platformWith(upstream, { MCP_PASSTHROUGH: 'false' });
    fastClient = await modernClient(fast.t.url, fast.slug, fast.user.accessToken);
    sdkClient = await modernClient(sdk.t.url, sdk.slug, sdk.user.accessToken);
    // The first call of each learns the instance through the SDK relay.
    await fastClient.callTool({ name: 'echo', arguments: { text: 'warm' } });
    await sdkClient.callTool({ name: 'echo', arguments: { text: 'warm' } });
  }, 180_000);
  afterAll(async () => {
    await fastClient?.close().catch(() => undefined);
    await sdkClient?.close().catch(() => undefined);
    await fast?.t.close();
    await sdk?.t.close();
    await upstream?.close();
  });

  it('relays the call as the client sent it, with the user credential and never the platform token', async () => {
    upstream.seen.length = 0;
    const fastAnswer = await fastClient.callTool({ name: 'echo', arguments: { text: 'hello' } });
    const fastSeen = upstream.seen.filter((s) => s.method === 'tools/call');
    upstream.seen.length = 0;
    const sdkAnswer = await sdkClient.callTool({ name: 'echo', arguments: { text: 'hello' } });
    const sdkSeen = upstream.seen.filter((s) => s.method === 'tools/call');

    expect(fastAnswer).toEqual(sdkAnswer);
    expect(fastAnswer.content).toEqual([{ type: 'text', text: 'echo:hello' }]);
    // The passthrough carries the client's own envelope; the SDK relay its own identity.
    expect(fastSeen).toEqual([{ method: 'tools/call', clientName: CLIENT_NAME, version: MODERN, apiKey: 'user-key-1', authorization: undefined }]);
    expect(sdkSeen).toEqual([{ method: 'tools/call', clientName: 'mcp-online-platform', version: MODERN, apiKey: 'user-key-1', authorization: undefined }]);
    // No discovery or handshake per call.
    expect(upstream.seen.filter((s) => s.method !== 'tools/call')).toEqual([]);
  });

  it('gives the same answers as the SDK relay: tool errors, unknown tools, bad arguments, the tool policy, timeouts, broken answers', async () => {
    for (const [name, args] of [
      ['fail', {}],
      ['no-such-tool', {}],
      ['echo', { text: 42 }],
      ['dangerous', {}],
      ['hang', {}],
      ['garbage', {}],
      ['truncated', {}],
    ] as const) {
      upstream.seen.length = 0;
      const viaFast = await outcome(fastClient, name, args);
      const viaSdk = await outcome(sdkClient, name, args);
      const sameSlug = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(sdk.slug, fast.slug)) as unknown;
      if (name === 'truncated') {
        // The one deliberate difference: a stream that ends without the response fails at once; the SDK relay waits for its timeout.
        expect(viaFast).toEqual({ error: { code: -32603, message: `Service ${fast.slug} failed to handle the request`, data: { reason: 'upstream_error' } } });
        expect(viaSdk).toMatchObject({ error: { code: -32001, data: { reason: 'upstream_timeout' } } });
        continue;
      }
      expect(viaFast, name).toEqual(sameSlug(viaSdk));
      if (name === 'dangerous') {
        expect(viaFast).toMatchObject({ error: { code: -32602, message: expect.stringContaining("refused by the service's tool policy") } });
        expect(upstream.seen.filter((s) => s.method === 'tools/call')).toEqual([]);
      }
    }
  });

  it('streams progress notifications to the client and then the result', async () => {
    upstream.seen.length = 0;
    const progress: number[] = [];
    const result = await fastClient.callTool({ name: 'count', arguments: { steps: 3 } }, { onprogress: (p) => progress.push(p.progress) });
    expect(result.content).toEqual([{ type: 'text', text: 'counted 3' }]);
    expect(progress).toEqual([1, 2, 3]);
    expect(upstream.seen.filter((s) => s.method === 'tools/call').map((s) => s.clientName)).toEqual([CLIENT_NAME]);
  });

  it('uses the replaced credential on the very next call', async () => {
    expect((await api(fast.t.url, fast.user.accessToken, 'PUT', `/v1/services/${fast.slug}/credentials`, { api_key: 'user-key-2' })).status).toBe(200);
    upstream.seen.length = 0;
    await fastClient.callTool({ name: 'echo', arguments: { text: 'again' } });
    expect(upstream.seen.map((s) => [s.method, s.clientName, s.apiKey])).toEqual([['tools/call', CLIENT_NAME, 'user-key-2']]);
  });

  it('answers a hung service with the timeout error, and the request log records every call with its service, tool and outcome', async () => {
    const hung = (await outcome(fastClient, 'hang')) as { error?: { code: number; message: string } };
    expect(hung.error).toMatchObject({ code: -32001, message: `Service ${fast.slug} did not answer in time` });

    await fast.t.platform.logging.requestLog.flush();
    const rows = await fast.t.platform.database.db
      .selectFrom('request_log')
      .selectAll()
      .where('kind', '=', 'mcp')
      .where('user_id', '=', fast.user.userId)
      .where('method', '=', 'tools/call')
      .orderBy('time')
      .execute();
    const byTarget = (target: string) => rows.filter((r) => r.target === target);
    const answered = byTarget('echo').filter((row) => row.rpc_error_code === null);
    // warm, hello and again; the call with `text: 42` is answered by the upstream with an isError
    // result (its input check), which the log counts as an error, with no JSON-RPC error code.
    expect(answered.filter((r) => r.status === 'ok').length).toBeGreaterThanOrEqual(3);
    expect(answered.filter((r) => r.status === 'error')).toHaveLength(1);
    for (const r of answered) {
      expect(r).toMatchObject({ service: fast.slug, http_status: 200, upstream_instance: upstream.url, protocol_version: MODERN });
      expect(r.upstream_latency_ms).toBeGreaterThan(0);
    }
    expect(byTarget('no-such-tool')[0]).toMatchObject({ service: fast.slug, status: 'error' });
    expect(byTarget('dangerous')[0]).toMatchObject({ rpc_error_code: -32602, status: 'error' });
    expect(byTarget('hang')[0]).toMatchObject({ rpc_error_code: -32001, status: 'error', upstream_instance: upstream.url });
    expect(JSON.stringify(rows)).not.toContain('user-key');
  });

  it('enforces the per user + service rate limit with the SDK relay’s error', async () => {
    let limited: unknown;
    for (let i = 0; i < 60 && !limited; i++) {
      const answer = (await outcome(fastClient, 'echo', { text: 'x' })) as { error?: { data?: { reason?: string } } };
      if (answer.error?.data?.reason === 'rate_limited') limited = answer.error;
    }
    expect(limited).toMatchObject({ code: -32000, message: expect.stringContaining(`Rate limit exceeded for service ${fast.slug}`) });
  });

  it('answers a refusal of 2026-07-28 with an error, never a replay, and takes the SDK path for the next calls', async () => {
    // Another user: the rate limit above used up the first one's budget for the service.
    const other = await signUp(fast.t.url);
    expect((await api(fast.t.url, other.accessToken, 'PUT', `/v1/services/${fast.slug}/credentials`, { api_key: 'other-key' })).status).toBe(201);
    const client = await modernClient(fast.t.url, fast.slug, other.accessToken);
    try {
      await client.callTool({ name: 'echo', arguments: { text: 'learn' } });
      upstream.refuseModern = true;
      upstream.seen.length = 0;
      // The refusal is the answer to that call: an error, and the request is not sent again another way.
      const refused = (await outcome(client, 'echo', { text: 'refused' })) as { error?: { message?: string } };
      expect(refused.error?.message).toMatch(/refused the request \(HTTP 400\)/);
      expect(upstream.seen.filter((s) => s.method === 'tools/call')).toHaveLength(1);
      // The next calls go the SDK way, whose pooled client may fail once and then reconnects in the 2025 era.
      let answer: { result?: { content?: unknown } } = {};
      for (let i = 0; i < 3 && !answer.result; i++) answer = (await outcome(client, 'echo', { text: 'legacy' })) as typeof answer;
      expect(answer.result?.content).toEqual([{ type: 'text', text: 'echo:legacy' }]);
      upstream.seen.length = 0;
      expect(await outcome(client, 'echo', { text: 'legacy again' })).toMatchObject({ result: { content: [{ type: 'text', text: 'echo:legacy again' }] } });
      const calls = upstream.seen.filter((s) => s.method === 'tools/call');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.version).not.toBe(MODERN);
    } finally {
      upstream.refuseModern = false;
      await client.close().catch(() => undefined);
    }
  });

  it('serves the aggregate /mcp the same way: prefixed names, rewritten resource URIs, the same answers as the SDK relay', async () => {
    const aggregateClient = async (p: { t: TestPlatform; user: TestSession }, era: 'modern' | 'legacy') => {
      const client =
        era === 'modern'
          ? new Client({ name: CLIENT_NAME, version: '1.0.0' }, { supportedProtocolVersions: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS], versionNegotiation: { mode: { pin: MODERN } } })
          : new Client({ name: CLIENT_NAME, version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${p.t.url}/mcp`), { requestInit: { headers: bearer(p.user.accessToken) } }));
      return client;
    };
    for (const era of ['modern', 'legacy'] as const) {
      // Users of their own: the budgets of the others are spent by now.
      for (const p of [fast, sdk]) {
        p.user = await signUp(p.t.url);
        expect((await api(p.t.url, p.user.accessToken, 'PUT', `/v1/services/${p.slug}/credentials`, { api_key: 'agg-key' })).status).toBe(201);
      }
      const viaFast = await aggregateClient(fast, era);
      const viaSdk = await aggregateClient(sdk, era);
      try {
        await viaFast.callTool({ name: `${fast.slug}__echo`, arguments: { text: 'warm' } });
        await viaSdk.callTool({ name: `${sdk.slug}__echo`, arguments: { text: 'warm' } });
        for (const [tool, args] of [
          ['echo', { text: 'aggregated' }],
          ['linked', {}],
          ['fail', {}],
          ['no-such-tool', {}],
          ['dangerous', {}],
        ] as const) {
          upstream.seen.length = 0;
          const fastAnswer = await outcome(viaFast, `${fast.slug}__${tool}`, args);
          const fastSeen = upstream.seen.filter((x) => x.method === 'tools/call').map((x) => x.clientName);
          const sdkAnswer = await outcome(viaSdk, `${sdk.slug}__${tool}`, args);
          expect(fastAnswer, `${era} ${tool}`).toEqual(JSON.parse(JSON.stringify(sdkAnswer).replaceAll(sdk.slug, fast.slug)));
          // A 2026-07-28 call carries the client's own envelope; a 2025-era session's call goes in its own era (no envelope).
          if (tool !== 'dangerous') expect(fastSeen, `${era} ${tool}: what the upstream saw`).toEqual([era === 'modern' ? CLIENT_NAME : undefined]);
          if (tool === 'linked') {
            expect(fastAnswer).toMatchObject({ result: { content: [{ type: 'resource_link', uri: `${fast.slug}+file:///notes/a.txt` }] } });
          }
        }
      } finally {
        await viaFast.close().catch(() => undefined);
        await viaSdk.close().catch(() => undefined);
      }
    }
  });

  describe('2025-era sessions', () => {
    const legacyClient = async (p: { t: TestPlatform; slug: string; user: TestSession }, capabilities: Record<string, unknown> = {}) => {
      const client = new Client({ name: `${CLIENT_NAME}-2025`, version: '1.0.0' }, { capabilities });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${p.t.url}/mcp/${p.slug}`), { requestInit: { headers: bearer(p.user.accessToken) } }));
      return client;
    };
    let fastLegacy: Client;
    let sdkLegacy: Client;
    beforeAll(async () => {
      // Users of their own: the rate limit test used up the first ones' budget.
      for (const p of [fast, sdk]) {
        p.user = await signUp(p.t.url);
        expect((await api(p.t.url, p.user.accessToken, 'PUT', `/v1/services/${p.slug}/credentials`, { api_key: 'user-key-3' })).status).toBe(201);
      }
      fastLegacy = await legacyClient(fast);
      sdkLegacy = await legacyClient(sdk);
      expect(fastLegacy.getNegotiatedProtocolVersion()).not.toBe(MODERN);
      await fastLegacy.callTool({ name: 'echo', arguments: { text: 'warm' } });
      await sdkLegacy.callTool({ name: 'echo', arguments: { text: 'warm' } });
    });
    afterAll(async () => {
      await fastLegacy?.close().catch(() => undefined);
      await sdkLegacy?.close().catch(() => undefined);
    });

    it("sends a session call upstream in the session's own era (2025-11-25), and answers as the SDK relay does", async () => {
      for (const [name, args] of [
        ['echo', { text: 'in a session' }],
        ['fail', {}],
        ['no-such-tool', {}],
        ['echo', { text: 42 }],
        ['dangerous', {}],
        ['hang', {}],
      ] as const) {
        upstream.seen.length = 0;
        const viaFast = await outcome(fastLegacy, name, args);
        const fastSeen = upstream.seen.filter((x) => x.method === 'tools/call');
        const viaSdk = await outcome(sdkLegacy, name, args);
        expect(viaFast, name).toEqual(JSON.parse(JSON.stringify(viaSdk).replaceAll(sdk.slug, fast.slug)));
        if (name !== 'dangerous') expect(fastSeen, name).toEqual([{ method: 'tools/call', clientName: undefined, version: '2025-11-25', apiKey: 'user-key-3', authorization: undefined }]);
      }
      const progress: number[] = [];
      const counted = await fastLegacy.callTool({ name: 'count', arguments: { steps: 2 } }, { onprogress: (p) => progress.push(p.progress) });
      expect(counted.content).toEqual([{ type: 'text', text: 'counted 2' }]);
      expect(progress).toEqual([1, 2]);
    });

    it('leaves to the SDK relay a session whose client can be asked things (sampling), and an ended session', async () => {
      const asking = await legacyClient(fast, { sampling: {} });
      try {
        upstream.seen.length = 0;
        expect((await asking.callTool({ name: 'echo', arguments: { text: 'relayed' } })).content).toEqual([{ type: 'text', text: 'echo:relayed' }]);
        expect(upstream.seen.filter((x) => x.method === 'tools/call').map((x) => x.version)).toEqual(['2025-11-25']);
      } finally {
        await asking.close().catch(() => undefined);
      }
      const ending = await legacyClient(fast);
      const transport = ending.transport as StreamableHTTPClientTransport;
      const sessionId = transport.sessionId!;
      await transport.terminateSession();
      upstream.seen.length = 0;
      const res = await fetch(`${fast.t.url}/mcp/${fast.slug}`, {
        method: 'POST',
        headers: { ...bearer(fast.user.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
        body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: { text: 'late' } } }),
      });
      expect(res.status).toBe(404);
      expect(upstream.seen.filter((x) => x.method === 'tools/call')).toEqual([]);
      await ending.close().catch(() => undefined);
    });
  });
});

/**
 * The direct call (src/router/endpoint/direct-call.ts): the same qualifying tools/call to a stdio
 * service (the shipped `everything`, server-everything over stdio) is made on the leased upstream
 * client with no SDK Server per exchange. Counted with a spy on `Server.prototype.connect` (the
 * platforms run in this process): the direct path connects none for a call, the SDK relay one.
 */
describe('MCP direct call of tools/call (stdio services)', () => {
  let fast: TestPlatform;
  let sdk: TestPlatform;
  let fastUser: TestSession;
  let sdkUser: TestSession;
  beforeAll(async () => {
    fast = await startPlatform({ MCP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) });
    sdk = await startPlatform({ MCP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), MCP_PASSTHROUGH: 'false' });
    fastUser = await signUp(fast.url);
    sdkUser = await signUp(sdk.url);
  }, 180_000);
  afterAll(async () => {
    await fast?.close();
    await sdk?.close();
  });

  const clients = async (era: 'modern' | 'legacy', capabilities: Record<string, unknown> = {}) => {
    const make = async (t: TestPlatform, user: TestSession) => {
      const client =
        era === 'modern'
          ? new Client({ name: CLIENT_NAME, version: '1.0.0' }, { capabilities, supportedProtocolVersions: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS], versionNegotiation: { mode: { pin: MODERN } } })
          : new Client({ name: CLIENT_NAME, version: '1.0.0' }, { capabilities });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/everything`), { requestInit: { headers: bearer(user.accessToken) } }));
      return client;
    };
    return { fastClient: await make(fast, fastUser), sdkClient: await make(sdk, sdkUser) };
  };

  for (const era of ['modern', 'legacy'] as const) {
    it(`answers ${era === 'modern' ? '2026-07-28 calls' : 'calls in a 2025-era session'} as the SDK relay does, without an SDK server per call`, async () => {
      const { fastClient, sdkClient } = await clients(era);
      const connects = vi.spyOn(Server.prototype, 'connect');
      try {
        // Warm both (the user's child starts on the first call).
        await fastClient.callTool({ name: 'echo', arguments: { message: 'warm' } });
        await sdkClient.callTool({ name: 'echo', arguments: { message: 'warm' } });
        for (const [name, args] of [
          ['echo', { message: 'direct' }],
          ['get-sum', { a: 2, b: 40 }],
          ['no-such-tool', {}],
          ['get-sum', { a: 'two' }],
        ] as const) {
          connects.mockClear();
          const viaFast = await outcome(fastClient, name, args);
          const fastServers = connects.mock.calls.length;
          connects.mockClear();
          const viaSdk = await outcome(sdkClient, name, args);
          expect(viaFast, name).toEqual(viaSdk);
          expect(fastServers, `${name}: SDK servers connected by the direct call`).toBe(0);
          expect(connects.mock.calls.length, `${name}: SDK servers connected by the relay`).toBeGreaterThan(0);
        }
        expect(await outcome(fastClient, 'echo', { message: 'direct' })).toMatchObject({ result: { content: [{ type: 'text', text: 'Echo: direct' }] } });
      } finally {
        connects.mockRestore();
        await fastClient.close().catch(() => undefined);
        await sdkClient.close().catch(() => undefined);
      }
    });
  }

  it('leaves calls with a progress token, or from a client that can be asked things, to the SDK relay', async () => {
    const connects = vi.spyOn(Server.prototype, 'connect');
    const { fastClient, sdkClient } = await clients('legacy', { sampling: {} });
    try {
      await fastClient.callTool({ name: 'echo', arguments: { message: 'warm' } });
      connects.mockClear();
      await fastClient.callTool({ name: 'echo', arguments: { message: 'asked' } });
      expect(connects.mock.calls.length).toBeGreaterThan(0);
    } finally {
      await fastClient.close().catch(() => undefined);
      await sdkClient.close().catch(() => undefined);
    }
    const modern = await clients('modern');
    try {
      connects.mockClear();
      const progress: number[] = [];
      await modern.fastClient.callTool({ name: 'echo', arguments: { message: 'with progress' } }, { onprogress: (p) => progress.push(p.progress) });
      expect(connects.mock.calls.length).toBeGreaterThan(0);
    } finally {
      connects.mockRestore();
      await modern.fastClient.close().catch(() => undefined);
      await modern.sdkClient.close().catch(() => undefined);
    }
  });
});
