import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { startEverythingHttp } from './support/upstream.js';
import { adminSession, apiCall, createApiKey, signUp, type TestSession } from './support/users.js';

/**
 * The REST the admin dashboard adds: live traffic from the request log (GET /v1/admin/traffic) and
 * "sign out everywhere" for a user (DELETE /v1/admin/users/{id}/sessions), audited; a service's
 * live tools for the tool policy editor (GET /v1/admin/services/{id}/tools); all admin-only.
 */
let t: TestPlatform;
let admin: TestSession;

beforeAll(async () => {
  t = await startPlatform({ LOG_FLUSH_INTERVAL_MS: '50' });
  admin = await adminSession(t);
}, 120_000);
afterAll(async () => t?.close());

async function mcpCalls(token: string, calls: Array<{ name: string; arguments: Record<string, unknown> }>) {
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/notes`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'dashboard-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    // An unknown tool is a JSON-RPC error, logged as status error; the SDK throws it.
    for (const call of calls) await client.callTool(call).catch(() => undefined);
  } finally {
    await client.close();
  }
}

describe('GET /v1/admin/traffic', () => {
  it('counts calls, errors and latency per service and in total over the window', async () => {
    const user = await signUp(t.url);
    const before = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/traffic?window_seconds=600');
    expect(before.status).toBe(200);
    const notesBefore = (before.json.services as Array<{ service: string; calls: number; errors: number }>).find((s) => s.service === 'notes');
    await mcpCalls(user.accessToken, [
      { name: 'create_note', arguments: { title: 'a', body: 'b' } },
      { name: 'create_note', arguments: { title: 'c', body: 'd' } },
      { name: 'no_such_tool', arguments: {} },
    ]);
    await t.platform.logging.requestLog.flush();
    const res = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/traffic?window_seconds=600');
    expect(res.status).toBe(200);
    const body = res.json as {
      window_seconds: number;
      total: { calls: number; errors: number; calls_per_second: number; error_rate: number; p50_latency_ms: number; p99_latency_ms: number };
      services: Array<{ service: string; calls: number; errors: number; p50_latency_ms: number | null; p99_latency_ms: number | null }>;
      series: Array<{ start: string; calls: number; errors: number }>;
      bucket_seconds: number;
    };
    expect(body.window_seconds).toBe(600);
    const notes = body.services.find((s) => s.service === 'notes')!;
    // initialize, notifications, tools/call ×3 … at least the three calls, one of them an error.
    expect(notes.calls - (notesBefore?.calls ?? 0)).toBeGreaterThanOrEqual(3);
    expect(notes.errors - (notesBefore?.errors ?? 0)).toBeGreaterThanOrEqual(1);
    expect(notes.p99_latency_ms).toBeGreaterThanOrEqual(notes.p50_latency_ms ?? 0);
    expect(body.total.calls).toBe(body.services.reduce((n, s) => n + s.calls, 0));
    expect(body.total.calls_per_second).toBeCloseTo(body.total.calls / 600, 2);
    expect(body.total.error_rate).toBeCloseTo(body.total.errors / body.total.calls, 3);
    expect(body.bucket_seconds).toBe(20);
    expect(body.series).toHaveLength(30);
    expect(body.series.reduce((n, s) => n + s.calls, 0)).toBe(body.total.calls);
  });

  it('refuses bad windows, unknown filters, users and API keys of users', async () => {
    for (const q of ['window_seconds=5', 'window_seconds=abc', 'kind=grpc', 'user=x']) {
      const res = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/traffic?${q}`);
      expect(res.status, q).toBe(400);
      expect((res.json.error as { code: string }).code).toBe('validation_failed');
    }
    const user = await signUp(t.url);
    expect((await apiCall(t.url, user.accessToken, 'GET', '/v1/admin/traffic')).status).toBe(403);
    const key = await createApiKey(t.url, user.accessToken);
    expect((await apiCall(t.url, key.key, 'GET', '/v1/admin/traffic')).status).toBe(403);
    expect((await fetch(`${t.url}/v1/admin/traffic`)).status).toBe(401);
  });
});

describe('DELETE /v1/admin/users/{id}/sessions', () => {
  it('signs the user out everywhere at once, keeps API keys, and audits it', async () => {
    const user = await signUp(t.url);
    const key = await createApiKey(t.url, user.accessToken);
    expect((await apiCall(t.url, user.accessToken, 'GET', '/v1/api-keys')).status).toBe(200);
    const res = await apiCall(t.url, admin.accessToken, 'DELETE', `/v1/admin/users/${user.userId}/sessions`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ revoked: 1 });
    expect((await apiCall(t.url, user.accessToken, 'GET', '/v1/api-keys')).status).toBe(401);
    const refresh = await fetch(`${t.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: user.refreshToken }),
    });
    expect(refresh.status).toBe(400);
    expect((await apiCall(t.url, key.key, 'GET', '/v1/api-keys')).status).toBe(200);
    const audit = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/audit?action=admin.sessions_revoked');
    const rows = audit.json.data as Array<{ actor_id: string; target_id: string; details: { count: number } }>;
    expect(rows[0]).toMatchObject({ actor_id: admin.userId, target_id: user.userId, details: { count: 1 } });
    expect((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/audit/verify')).json.ok).toBe(true);
  });

  it('404s an unknown user and refuses a non-admin', async () => {
    expect((await apiCall(t.url, admin.accessToken, 'DELETE', '/v1/admin/users/00000000-0000-4000-8000-000000000000/sessions')).status).toBe(404);
    expect((await apiCall(t.url, admin.accessToken, 'DELETE', '/v1/admin/users/not-a-uuid/sessions')).status).toBe(404);
    const user = await signUp(t.url);
    const other = await signUp(t.url);
    expect((await apiCall(t.url, user.accessToken, 'DELETE', `/v1/admin/users/${other.userId}/sessions`)).status).toBe(403);
    expect((await apiCall(t.url, other.accessToken, 'GET', '/v1/api-keys')).status).toBe(200);
  });
});

describe('GET /v1/admin/services/{id}/tools', () => {
  type ToolsAnswer = { service: string; tools: Array<{ name: string; description?: string; visible: boolean }>; missing_credentials?: string[] };

  it('lists the live tools of a builtin, marked by the tool policy, whatever the service state', async () => {
    const res = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/notes/tools');
    expect(res.status).toBe(200);
    const body = res.json as ToolsAnswer;
    expect(body.service).toBe('notes');
    expect(body.tools.map((x) => x.name).sort()).toEqual(['create_note', 'delete_note', 'get_note', 'list_notes', 'search_notes', 'update_note']);
    expect(body.tools.every((x) => x.visible && typeof x.description === 'string')).toBe(true);

    // A policy changes the marks, not the list; a disabled service still lists (the admin writes its policy first).
    expect((await apiCall(t.url, admin.accessToken, 'PATCH', '/v1/admin/services/notes', { tool_policy: { deny: ['delete_note'] }, enabled: false })).status).toBe(200);
    try {
      const after = (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/notes/tools')).json as ToolsAnswer;
      expect(after.tools).toHaveLength(6);
      expect(after.tools.filter((x) => !x.visible).map((x) => x.name)).toEqual(['delete_note']);
    } finally {
      expect((await apiCall(t.url, admin.accessToken, 'PATCH', '/v1/admin/services/notes', { tool_policy: {}, enabled: true })).status).toBe(200);
    }
  });

  it('lists an http upstream (a real server-everything on loopback), naming the credentials the admin has not stored', async () => {
    const upstream = await startEverythingHttp('streamableHttp');
    const slug = `everything-http-${Date.now().toString(36)}`;
    try {
      const created = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
        slug,
        title: 'Everything over http',
        kind: 'http',
        http: { instances: [upstream.url] },
        credentials: [{ name: 'token', title: 'Token', inject: { header: 'X-Token' } }],
      });
      expect(created.status).toBe(201);
      const res = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/services/${slug}/tools`);
      expect(res.status).toBe(200);
      const body = res.json as ToolsAnswer;
      expect(body.tools.map((x) => x.name)).toContain('echo');
      expect(body.missing_credentials).toEqual(['token']);

      // The upstream gone: the error says so, with the missing credential named.
      await upstream.stop();
      const down = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/services/${slug}/tools`);
      expect(down.status).toBeGreaterThanOrEqual(502);
      const error = down.json.error as { code: string; message: string };
      expect(error.code).toMatch(/^upstream_/);
      expect(error.message).toContain('you have stored no token');
    } finally {
      await upstream.stop();
      await apiCall(t.url, admin.accessToken, 'DELETE', `/v1/admin/services/${slug}`);
    }
  });

  it('404s an unknown service, refuses query parameters, users and their API keys', async () => {
    expect((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/no-such-service/tools')).status).toBe(404);
    expect((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/notes/tools?all=1')).status).toBe(400);
    const user = await signUp(t.url);
    expect((await apiCall(t.url, user.accessToken, 'GET', '/v1/admin/services/notes/tools')).status).toBe(403);
    const key = await createApiKey(t.url, user.accessToken);
    expect((await apiCall(t.url, key.key, 'GET', '/v1/admin/services/notes/tools')).status).toBe(403);
  });
});
