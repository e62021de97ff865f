import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingUpstream, type CountingUpstream, type SeenRequest } from './fixtures/counting-upstream.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { API_KEY_HEADER_CREDENTIAL, registerHttpService } from './support/services.js';
import { adminSession, apiCall as api, bearer, signUp, type TestSession } from './support/users.js';

/**
 * One fast path, one set of checks (issue 11 §6; src/router/endpoint/fast-call.ts). A real SDK
 * upstream that speaks 2026-07-28 and stateless 2025 counts every request it gets and records the
 * `clientInfo` of each 2026-07-28 envelope: the fast path's bytes carry the end client's
 * (`fast-path-test`), the SDK relay the platform's (`mcp-online-platform`), which tells the paths apart.
 *
 * - a refusal (4xx) is the answer to the call: sent upstream once, charged to the per user +
 *   service limit once (the limit's budget counts the calls);
 * - one user's 401 does not move another user's calls off the fast path;
 * - the timeout rule: silence between upstream messages is bounded by MCP_UPSTREAM_TIMEOUT_MS,
 *   the whole call by MCP_UPSTREAM_MAX_CALL_MS; counted in progress messages, not timed tightly.
 */

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const CLIENT_NAME = 'fast-path-test';
const SERVICE_LIMIT = 5;
const IDLE_MS = 1_000;
const CAP_MS = 4_000;

async function connect(base: string, slug: string, token: string, era: 'legacy' | 'modern'): Promise<Client> {
  const client =
    era === 'modern'
      ? new Client({ name: CLIENT_NAME, version: '1.0.0' }, { supportedProtocolVersions: [MODERN, LEGACY], versionNegotiation: { mode: { pin: MODERN } } })
      : new Client({ name: CLIENT_NAME, version: '1.0.0' }, { supportedProtocolVersions: [LEGACY] });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/${slug}`), { requestInit: { headers: bearer(token) } }));
  return client;
}

/** The answer of one call: its text, or the error's message and reason. */
async function call(client: Client, name: string, args: Record<string, unknown>, onprogress?: () => void): Promise<{ text?: string; error?: string; reason?: string }> {
  try {
    const result = await client.callTool({ name, arguments: args }, onprogress ? { onprogress } : undefined);
    return { text: (result.content as Array<{ text?: string }>)[0]?.text };
  } catch (err) {
    const e = err as { message?: string; data?: { reason?: string } };
    return { error: e.message, reason: e.data?.reason };
  }
}

describe('the fast path of tools/call', () => {
  let upstream: CountingUpstream;
  let t: TestPlatform;
  let slug: string;

  const userWithKey = async (key: string): Promise<TestSession> => {
    const user = await signUp(t.url);
    expect((await api(t.url, user.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: key })).status).toBe(201);
    return user;
  };
  const toolCalls = (from: number) => upstream.seen.slice(from).filter((s) => s.http === 'POST' && s.rpc?.startsWith('tools/call'));

  beforeAll(async () => {
    upstream = await startCountingUpstream('modern');
    t = await startPlatform({
      CATALOG_FILE: 'none',
      MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: String(SERVICE_LIMIT),
      MCP_UPSTREAM_TIMEOUT_MS: String(IDLE_MS),
      MCP_UPSTREAM_MAX_CALL_MS: String(CAP_MS),
    });
    const admin = await adminSession(t);
    slug = `fp-${randomBytes(3).toString('hex')}`;
    const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug,
      title: slug,
      kind: 'http',
      http: { transport: 'streamable-http', instances: [upstream.url] },
      credentials: [{ name: 'api_key', title: 'API key', secret: true, required: true, inject: { header: 'X-Api-Key' } }],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    // The first call learns that the instance speaks 2026-07-28 (through the SDK relay).
    const warm = await connect(t.url, slug, (await userWithKey('good')).accessToken, 'modern');
    expect(await call(warm, 'echo', { text: 'warm' })).toEqual({ text: 'echo:warm' });
    await warm.close();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  it.each(['modern', 'legacy'] as const)('a %s client: a 401 is answered, sent once and charged once per call', async (era) => {
    const bad = await connect(t.url, slug, (await userWithKey('bad')).accessToken, era);
    try {
      const from = upstream.seen.length;
      const answers = [];
      for (let i = 0; i <= SERVICE_LIMIT; i++) answers.push(await call(bad, 'echo', { text: `x${i}` }));
      // Every call within the budget is refused by the upstream; the one past the budget is refused by the platform.
      expect(answers.slice(0, SERVICE_LIMIT).map((a) => a.reason)).toEqual(Array.from({ length: SERVICE_LIMIT }, () => 'upstream_unauthorized'));
      expect(answers[SERVICE_LIMIT]!.reason).toBe('rate_limited');
      const refused = upstream.seen.slice(from).filter((s) => s.apiKey === 'bad' && s.http === 'POST');
      expect(refused.every((s) => s.status === 401)).toBe(true);
      if (era === 'modern') {
        // The fast path: each call is exactly one upstream tools/call, as the client sent it.
        expect(refused.map((s) => `${s.rpc} ${s.clientName}`)).toEqual(Array.from({ length: SERVICE_LIMIT }, () => `tools/call:echo ${CLIENT_NAME}`));
      } else {
        // The session's calls go on its own upstream session: its handshake is what gets refused, at most once per call.
        expect(refused.length).toBeGreaterThan(0);
        expect(refused.filter((s) => s.rpc?.startsWith('tools/call')).length + refused.filter((s) => s.rpc === 'initialize').length).toBeLessThanOrEqual(SERVICE_LIMIT + 1);
      }
    } finally {
      await bad.close();
    }
  });

  it("one user's 401 leaves another user's calls on the fast path", async () => {
    const good = await connect(t.url, slug, (await userWithKey('good')).accessToken, 'modern');
    const bad = await connect(t.url, slug, (await userWithKey('bad')).accessToken, 'modern');
    try {
      let from = upstream.seen.length;
      expect(await call(good, 'echo', { text: 'before' })).toEqual({ text: 'echo:before' });
      expect(toolCalls(from).map((s) => s.clientName)).toEqual([CLIENT_NAME]);
      for (let i = 0; i < 3; i++) expect((await call(bad, 'echo', { text: 'no' })).reason).toBe('upstream_unauthorized');
      from = upstream.seen.length;
      // The rest of this user's budget for the service (one call was spent above).
      for (let i = 1; i < SERVICE_LIMIT; i++) expect(await call(good, 'echo', { text: `g${i}` })).toEqual({ text: `echo:g${i}` });
      // Still the client's own envelope, one request per call: the bytes path, not the relay.
      expect(toolCalls(from).map((s) => `${s.rpc} ${s.clientName} ${s.status}`)).toEqual(Array.from({ length: SERVICE_LIMIT - 1 }, () => `tools/call:echo ${CLIENT_NAME} 200`));
    } finally {
      await good.close();
      await bad.close();
    }
  });

  // The fast path's bytes (a 2026-07-28 client) and the SDK relay (a 2025-era session) keep one rule.
  describe.each(['modern', 'legacy'] as const)('the timeout rule, %s client', (era) => {
    let client: Client;
    beforeAll(async () => {
      client = await connect(t.url, slug, (await userWithKey('good')).accessToken, era);
    });
    afterAll(async () => {
      await client?.close();
    });

    it('progress keeps a call alive beyond the idle window', async () => {
      let progress = 0;
      const from = upstream.seen.length;
      // 8 × 300 ms: 2.4 s in all, more than twice the idle window, never silent for as long as it.
      expect(await call(client, 'ticks', { every: 300, count: 8 }, () => (progress += 1))).toEqual({ text: 'ticked 8' });
      expect(progress).toBe(8);
      expect(toolCalls(from).map((s) => `${s.clientName ?? '-'}`)).toEqual([era === 'modern' ? CLIENT_NAME : '-']);
    });

    it('silence longer than the idle window ends the call', async () => {
      const answer = await call(client, 'slow', { ms: 3 * IDLE_MS });
      expect(answer).toMatchObject({ reason: 'upstream_timeout', error: expect.stringContaining('did not answer in time') });
    });

    it('a call that keeps reporting progress is cut at the cap', async () => {
      let progress = 0;
      // 100 × 300 ms would be 30 s; the cap is 4 s.
      const answer = await call(client, 'ticks', { every: 300, count: 100 }, () => (progress += 1));
      expect(answer).toMatchObject({ reason: 'upstream_timeout', error: expect.stringContaining('did not answer in time') });
      // About CAP_MS / 300 ms of progress came first (loose: a loaded machine is slow), far fewer than 100.
      expect(progress).toBeGreaterThanOrEqual(3);
      expect(progress).toBeLessThan(40);
    });
  });
});

/**
 * The `session` route (call-plan.ts): against a sessionful 2025-11-25 upstream (a transport per
 * session, as most deployed servers run), a 2025-era session's calls and 2026-07-28 calls go as
 * bytes on an upstream session, not through the SDK relay. The upstream tells the two apart by
 * the JSON-RPC id: the relay's SDK client numbers its requests, the fast path sends `platform-<n>`.
 */
describe('the fast path of tools/call on upstream sessions', () => {
  let upstream: CountingUpstream;
  let t: TestPlatform;
  let slug: string;
  let user: TestSession;
  const toolCalls = (from: number) => upstream.seen.slice(from).filter((s) => s.http === 'POST' && s.rpc?.startsWith('tools/call'));
  const route = (s: SeenRequest) => (typeof s.rpcId === 'string' && s.rpcId.startsWith('platform-') ? 'fast' : typeof s.rpcId === 'number' ? 'relay' : 'other');

  beforeAll(async () => {
    upstream = await startCountingUpstream('sessionful');
    t = await startPlatform({ CATALOG_FILE: 'none', MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000' });
    const admin = await adminSession(t);
    slug = await registerHttpService(t.url, admin.accessToken, { prefix: 'fs', instances: [upstream.url], credentials: [API_KEY_HEADER_CREDENTIAL] });
    user = await signUp(t.url);
    expect((await api(t.url, user.accessToken, 'PUT', `/v1/services/${slug}/credentials`, { api_key: 'good' })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  it.each(['legacy', 'modern'] as const)('a %s client: every call is one upstream request on the fast path, on a session the platform holds', async (era) => {
    const client = await connect(t.url, slug, user.accessToken, era);
    try {
      const from = upstream.seen.length;
      for (let i = 0; i < 10; i++) expect(await call(client, 'echo', { text: `s${i}` })).toEqual({ text: `echo:s${i}` });
      const calls = toolCalls(from);
      expect(calls.map((s) => `${route(s)} ${s.protocolVersion} ${s.status}`)).toEqual(Array.from({ length: 10 }, () => `fast ${LEGACY} 200`));
      expect(calls.every((s) => s.session !== undefined && upstream.opened.includes(s.session))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a 2025-era call with a progress token is relayed (progress is mapped back), on the same upstream session', async () => {
    const client = await connect(t.url, slug, user.accessToken, 'legacy');
    try {
      const from = upstream.seen.length;
      expect(await call(client, 'echo', { text: 'fast' })).toEqual({ text: 'echo:fast' });
      let progress = 0;
      expect(await call(client, 'ticks', { every: 10, count: 3 }, () => (progress += 1))).toEqual({ text: 'ticked 3' });
      expect(progress).toBe(3);
      const calls = toolCalls(from);
      expect(calls.map((s) => `${s.rpc} ${route(s)}`)).toEqual(['tools/call:echo fast', 'tools/call:ticks relay']);
      // One upstream session serves both ways of the client session.
      expect(new Set(calls.map((s) => s.session)).size).toBe(1);
    } finally {
      await client.close();
    }
  });
});

