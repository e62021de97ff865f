import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { EVERYTHING_ENTRY, freePort, startEverythingHttp, textOf, until, type EverythingHttp } from './support/upstream.js';
import { adminSession, bearer, createApiKey, signUp, type TestSession } from './support/users.js';

/**
 * MCP request-log rows written from the router's facts, through the real gateway: a stdio service
 * (the real server-everything) with `full` capture whose credential is echoed back by the upstream
 * (`get-env` prints the child's environment), the aggregate /mcp, a real http upstream
 * (server-everything over Streamable HTTP), and the metrics the router drives.
 */

const SECRET = 'qz7-plat-Secr3t-value-91xk';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('logging: MCP rows from the router', () => {
  let t: TestPlatform;
  let everything: EverythingHttp;
  let admin: TestSession;
  const lines: string[] = [];

  async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...bearer(token) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function connect(path: string, token: string, era: 'legacy' | 'modern'): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}${path}`), {
      requestInit: { headers: { Authorization: `Bearer ${token}`, traceparent: TRACEPARENT } },
    });
    const client = new Client({ name: 'log-test', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
    await client.connect(transport);
    return client;
  }

  async function userWithSecret(): Promise<TestSession> {
    const user = await signUp(t.url);
    const put = await api(user.accessToken, 'PUT', '/v1/services/echoenv/credentials', { api_token: SECRET });
    expect(put.status, JSON.stringify(put.json)).toBeLessThan(300);
    return user;
  }

  async function rows(userId: string) {
    await t.platform.logging.requestLog.flush();
    return t.platform.database.db.selectFrom('request_log').selectAll().where('kind', '=', 'mcp').where('user_id', '=', userId).orderBy('time').execute();
  }

  const metrics = async () => (await fetch(`${t.url}/metrics`)).text();
  const sample = (text: string, series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    t = await startPlatform({ LOG_FLUSH_INTERVAL_MS: '50', LOG_PAYLOAD_MAX_BYTES: '65536' }, { logger: createLogger('debug', sink) });
    everything = await startEverythingHttp('streamableHttp');
    admin = await adminSession(t);
    const stdio = await api(admin.accessToken, 'POST', '/v1/admin/services', {
      slug: 'echoenv',
      title: 'Echo env',
      kind: 'stdio',
      stdio: { command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'] },
      payload_capture: 'full',
      tool_policy: { allow: ['get-env', 'echo'] },
      credentials: [{ name: 'api_token', title: 'API token', inject: { env: 'ECHO_API_TOKEN' } }],
    });
    expect(stdio.status, JSON.stringify(stdio.json)).toBe(201);
    const http = await api(admin.accessToken, 'POST', '/v1/admin/services', {
      slug: 'ev-http',
      title: 'Everything over HTTP',
      kind: 'http',
      http: { transport: 'streamable-http', instances: [everything.url] },
    });
    expect(http.status, JSON.stringify(http.json)).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await everything?.stop();
    await t?.close();
  }, 120_000);

  describe.each(['legacy', 'modern'] as const)('/mcp/{service}, %s client, full capture', (era) => {
    it('writes one row per request with router facts, and the credential appears nowhere', async () => {
      const user = await userWithSecret();
      // The modern client authenticates with an API key, so the row names it.
      const key = era === 'modern' ? await createApiKey(t.url, user.accessToken) : undefined;
      const client = await connect('/mcp/echoenv', key?.key ?? user.accessToken, era);
      try {
        const env = textOf(await client.callTool({ name: 'get-env', arguments: {} }));
        expect(env).toContain(SECRET); // the upstream really echoes the credential back
        expect(textOf(await client.callTool({ name: 'echo', arguments: { message: `say ${SECRET}` } }))).toContain(SECRET);
        // Refused by the allow list: a JSON-RPC error inside an HTTP 200.
        const refused = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(refused).toBeInstanceOf(Error);
      } finally {
        await client.close();
      }
      const all = await rows(user.userId);
      const calls = all.filter((r) => r.method === 'tools/call');
      expect(calls.map((r) => r.target).sort()).toEqual(['echo', 'get-env', 'get-sum']); // one row each, no duplicates
      const getEnv = calls.find((r) => r.target === 'get-env')!;
      expect(getEnv).toMatchObject({
        service: 'echoenv',
        status: 'ok',
        http_status: 200,
        rpc_error_code: null,
        rate_limited: false,
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        api_key_id: key?.id ?? null,
      });
      expect(getEnv.request_id).toBeTruthy();
      expect(getEnv.upstream_instance).toMatch(/^stdio:\d+$/);
      expect(getEnv.upstream_latency_ms).toBeGreaterThan(0);
      expect(getEnv.latency_ms).toBeGreaterThanOrEqual(getEnv.upstream_latency_ms!);
      expect(getEnv.bytes_in).toBeGreaterThan(0);
      expect(getEnv.bytes_out).toBeGreaterThan(0);
      if (era === 'modern') expect(getEnv.protocol_version).toBe('2026-07-28');
      else expect(getEnv.protocol_version).toMatch(/^2025-\d{2}-\d{2}$/);
      const payload = getEnv.payload as { request: { name: string }; response: { content: Array<{ text: string }> }; headers: Record<string, string> };
      expect(payload.request.name).toBe('get-env');
      expect(payload.response.content[0]!.text).toContain('ECHO_API_TOKEN');
      expect(payload.response.content[0]!.text).toContain('[REDACTED]');
      expect(payload.headers.authorization).toBe('[REDACTED]');

      const refusedRow = calls.find((r) => r.target === 'get-sum')!;
      expect(refusedRow).toMatchObject({ service: 'echoenv', status: 'error', http_status: 200, rpc_error_code: -32602 });

      // Initialize (legacy) or discovery (modern) rows carry the service too.
      expect(all.every((r) => r.service === 'echoenv')).toBe(true);
      const everything = JSON.stringify(all);
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(user.accessToken);
      if (key) expect(everything).not.toContain(key.key);
      expect(lines.join('')).not.toContain(SECRET);
    });
  });

  it('names the real service and upstream name for the aggregate /mcp', async () => {
    const user = await userWithSecret();
    const client = await connect('/mcp', user.accessToken, 'legacy');
    try {
      expect(textOf(await client.callTool({ name: 'echoenv__echo', arguments: { message: SECRET } }))).toContain(SECRET);
    } finally {
      await client.close();
    }
    const call = (await rows(user.userId)).find((r) => r.method === 'tools/call')!;
    expect(call).toMatchObject({ service: 'echoenv', target: 'echo', status: 'ok' });
    expect(call.upstream_instance).toMatch(/^stdio:\d+$/);
    expect(JSON.stringify(call)).not.toContain(SECRET);
    expect(JSON.stringify(call.payload)).toContain('[REDACTED]');
  });

  it('counts a tool result with isError: true as an error (row, metrics, usage), on the stdio and the http upstream', async () => {
    const user = await userWithSecret();
    for (const slug of ['echoenv', 'ev-http']) {
      const client = await connect(`/mcp/${slug}`, user.accessToken, slug === 'echoenv' ? 'legacy' : 'modern');
      try {
        // The upstream's own input validation: a result with isError, not a JSON-RPC error.
        const failed = (await client.callTool({ name: 'echo', arguments: {} })) as { isError?: boolean };
        expect(failed.isError, slug).toBe(true);
        expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'fine' } }))).toContain('fine');
      } finally {
        await client.close();
      }
    }
    const calls = (await rows(user.userId)).filter((r) => r.method === 'tools/call');
    expect(calls.map((r) => [r.service, r.status, r.rpc_error_code, r.http_status])).toEqual([
      ['echoenv', 'error', null, 200],
      ['echoenv', 'ok', null, 200],
      ['ev-http', 'error', null, 200],
      ['ev-http', 'ok', null, 200],
    ]);
    expect(sample(await metrics(), 'mcp_tool_calls_total{service="echoenv",tool="echo",outcome="error"}')).toBeGreaterThanOrEqual(1);
    // Usage: the upstream ran and answered each call, so all four are billable; two are errors.
    await t.platform.billing!.rollUp(); // embedded: the journal's events reach the table behind the answers
    const usage = await sql<{ service: string; status: string }>`select service, status from ${sql.table(`${t.platform.database.schema}.usage_events`)} where user_id = ${user.userId} order by occurred_at`.execute(t.platform.database.db);
    expect(usage.rows.map((r) => [r.service, r.status])).toEqual([
      ['echoenv', 'error'],
      ['echoenv', 'ok'],
      ['ev-http', 'error'],
      ['ev-http', 'ok'],
    ]);
  });

  it('records the http instance, drives upstream and MCP metrics, and writes no row with capture off', async () => {
    const user = await signUp(t.url);
    const client = await connect('/mcp/ev-http', user.accessToken, 'modern');
    try {
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hello' } }))).toContain('hello');
    } finally {
      await client.close();
    }
    const call = (await rows(user.userId)).find((r) => r.method === 'tools/call')!;
    expect(call).toMatchObject({ service: 'ev-http', target: 'echo', status: 'ok', upstream_instance: everything.url, payload: null });

    const m = await metrics();
    const inst = `service="ev-http",instance="${everything.url}"`;
    expect(sample(m, `mcp_upstream_instance_up{${inst}}`)).toBe(1);
    expect(m).toContain(`mcp_upstream_circuit_state{${inst}} 0`);
    expect(sample(m, 'mcp_requests_total{service="echoenv",method="tools/call",outcome="ok"}')).toBeGreaterThanOrEqual(5);
    expect(sample(m, 'mcp_requests_total{service="echoenv",method="tools/call",outcome="error"}')).toBeGreaterThanOrEqual(2);
    expect(sample(m, 'mcp_tool_calls_total{service="echoenv",tool="get-env",outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(m).not.toContain('tool="get-sum"'); // not in the allow list: never a label
    expect(sample(m, 'mcp_upstream_duration_seconds_count{service="echoenv"}')).toBeGreaterThanOrEqual(5);
    expect(sample(m, 'mcp_stdio_pool_size{service="echoenv"}')).toBeGreaterThanOrEqual(1);
    const before = sample(m, 'mcp_requests_total{service="ev-http",method="tools/call",outcome="ok"}');
    expect(before).toBeGreaterThanOrEqual(1);

    // Capture off: metrics still count, no row.
    expect((await api(admin.accessToken, 'PATCH', '/v1/admin/services/ev-http', { payload_capture: 'off' })).status).toBe(200);
    const quiet = await signUp(t.url);
    const again = await connect('/mcp/ev-http', quiet.accessToken, 'modern');
    try {
      await again.callTool({ name: 'echo', arguments: { message: 'unlogged' } });
    } finally {
      await again.close();
    }
    expect(await rows(quiet.userId)).toEqual([]);
    expect(sample(await metrics(), 'mcp_requests_total{service="ev-http",method="tools/call",outcome="ok"}')).toBe(before + 1);

    // A slug the endpoint never resolved does not become a label.
    const lost = await fetch(`${t.url}/mcp/no-such-svc-42`, {
      method: 'POST',
      headers: { ...bearer(quiet.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }),
    });
    expect(lost.status).toBe(404);
    const after = await metrics();
    expect(after).not.toContain('no-such-svc-42');
    expect(sample(after, 'mcp_requests_total{service="unresolved",method="tools/call",outcome="error"}')).toBeGreaterThanOrEqual(1);
  });

  it('reports an ejected http instance as down with an open circuit, and the JSON-RPC error in its row', async () => {
    const down = `http://127.0.0.1:${await freePort()}/mcp`; // nothing listens there
    const reg = await api(admin.accessToken, 'POST', '/v1/admin/services', { slug: 'ev-down', title: 'Down', kind: 'http', http: { transport: 'streamable-http', instances: [down] } });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const user = await signUp(t.url);
    const res = await fetch(`${t.url}/mcp/ev-down`, {
      method: 'POST',
      headers: { ...bearer(user.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} }),
    });
    const text = await res.text();
    expect(text).toContain('"error"');
    const inst = `service="ev-down",instance="${down}"`;
    expect(sample(await metrics(), `mcp_upstream_instance_up{${inst}}`)).toBe(1); // joined the pool, not yet judged
    // Active probes, run here instead of waiting for the interval: each fails, the third ejects.
    for (let i = 0; i < 3; i++) await t.platform.upstream.http.checkAll();
    const m = await metrics();
    expect(m).toContain(`mcp_upstream_instance_up{${inst}} 0`);
    expect(m).toContain(`mcp_upstream_circuit_state{${inst}} 2`);
    const row = (await rows(user.userId)).find((r) => r.method === 'tools/list')!;
    expect(row).toMatchObject({ service: 'ev-down', status: 'error', http_status: 200, upstream_instance: null });
    expect(row.rpc_error_code).toBeLessThan(0); // the connector's JSON-RPC error, inside an HTTP 200
  });

  it('counts a crashed stdio child and shrinks the pool gauge', async () => {
    const children = t.platform.upstream.stdio.stats().entries.filter((e) => e.serviceSlug === 'echoenv' && e.pid !== null);
    expect(children.length).toBeGreaterThan(0);
    const before = await metrics();
    const size = sample(before, 'mcp_stdio_pool_size{service="echoenv"}');
    expect(size).toBe(children.length);
    const crashes = sample(before, 'mcp_stdio_child_crashes_total{service="echoenv"}');
    process.kill(children[0]!.pid!, 'SIGKILL');
    // Bounded by the test timeout, not by a clock assertion.
    await until(async () => sample(await metrics(), 'mcp_stdio_child_crashes_total{service="echoenv"}') === crashes + 1);
    expect(sample(await metrics(), 'mcp_stdio_pool_size{service="echoenv"}')).toBe(size - 1);
  });
});
