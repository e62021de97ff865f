import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, createApiKey, signUp, type TestSession } from './support/users.js';

/**
 * Issue 12, "the first ten minutes": an error names the real cause and what to do, instead of a
 * "not found" that reads as a typo or a validation message about a field the client did send.
 */
describe('errors that name the cause', () => {
  let t: TestPlatform;
  let ada: TestSession;
  let admin: TestSession;
  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: undefined });
    ada = await signUp(t.url);
    admin = await adminSession(t);
  });
  afterAll(async () => t?.close());

  const mcp = (slug: string, token: string) =>
    fetch(`${t.url}/mcp/${slug}`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    }).then(async (res) => {
      // A refusal is JSON; a served initialize may be an SSE stream (its message is not needed).
      const text = await res.text();
      return { status: res.status, message: res.ok ? '' : ((JSON.parse(text) as { error?: { message?: string } }).error?.message ?? '') };
    });

  it('a key scoped to other services gets 403 naming its scope, not "not found"', async () => {
    const { key } = await createApiKey(t.url, ada.accessToken, { services: ['notes'] });
    const refused = await mcp('everything', key);
    expect(refused.status).toBe(403);
    expect(refused.message).toContain('may use only notes');
    expect(refused.message).toContain('everything is outside its scope');
    // The same key still works where it may go; a service that does not exist is still 404.
    expect((await mcp('notes', key)).status).toBe(200);
    expect(await mcp('no-such-service', key)).toEqual({ status: 404, message: 'Service no-such-service not found' });
  });

  it('a disabled service says disabled, and one that needs credentials says how to connect it', async () => {
    const disabled = await mcp('github-remote', ada.accessToken);
    expect(disabled.status).toBe(403);
    expect(disabled.message).toMatch(/github-remote is disabled on this platform; an administrator can enable it/);
    expect((await apiCall(t.url, admin.accessToken, 'PATCH', '/v1/admin/services/github-remote', { enabled: true })).status).toBe(200);
    const needs = await mcp('github-remote', ada.accessToken);
    expect(needs.status).toBe(403);
    expect(needs.message).toContain('needs your credentials first');
    expect(needs.message).toContain('PUT /v1/services/github-remote/credentials');
    // A service restricted to admins stays invisible to a user: 404, as if it did not exist.
    expect((await apiCall(t.url, admin.accessToken, 'PATCH', '/v1/admin/services/github-remote', { roles: ['admin'] })).status).toBe(200);
    expect((await mcp('github-remote', ada.accessToken)).status).toBe(404);
    expect((await apiCall(t.url, admin.accessToken, 'PATCH', '/v1/admin/services/github-remote', { enabled: false, roles: ['user', 'admin'] })).status).toBe(200);
  });

  it('a REST body that is not JSON gets 415 naming the content type, and creates nothing', async () => {
    const before = await apiCall(t.url, ada.accessToken, 'GET', '/v1/api-keys');
    for (const type of ['text/plain', undefined]) {
      const res = await fetch(`${t.url}/v1/api-keys`, {
        method: 'POST',
        headers: { ...bearer(ada.accessToken), ...(type ? { 'content-type': type } : {}) },
        // Bytes, not a string: fetch would label a string text/plain by itself.
        body: new TextEncoder().encode(JSON.stringify({ name: 'laptop' })),
      });
      expect(res.status).toBe(415);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unsupported_media_type');
      expect(body.error.message).toContain(type ? `sent as ${type}` : 'without a Content-Type');
      expect(body.error.message).toContain('Content-Type: application/json');
    }
    const after = await apiCall(t.url, ada.accessToken, 'GET', '/v1/api-keys');
    expect(after.json).toEqual(before.json);
    // The GoTrue routes too, in GoTrue's error shape.
    const signup = await fetch(`${t.url}/auth/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.c&password=x' });
    expect(signup.status).toBe(415);
    expect(await signup.json()).toMatchObject({ error_code: 'bad_json', msg: expect.stringContaining('application/x-www-form-urlencoded') });
  });

  it('logs a request refused by validation under its route, not `POST /`', async () => {
    const res = await fetch(`${t.url}/v1/admin/services`, {
      method: 'POST',
      headers: { ...bearer(admin.accessToken), 'content-type': 'application/json', 'x-request-id': 'invalid-service-1' },
      body: JSON.stringify({ slug: 'x' }),
    });
    expect(res.status).toBe(400);
    const bad = await fetch(`${t.url}/v1/api-keys/not-a-uuid`, { headers: { ...bearer(ada.accessToken), 'x-request-id': 'invalid-key-id-1' } });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    await t.platform.logging.requestLog.flush();
    const rows = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/logs?kind=rest&limit=200');
    const byId = new Map((rows.json.data as Array<{ request_id: string; route: string }>).map((r) => [r.request_id, r.route]));
    expect(byId.get('invalid-service-1')).toBe('/v1/admin/services');
    expect(byId.get('invalid-key-id-1')).toBe('/v1/api-keys/{id}');
  });
});

describe('a token from before a change of address', () => {
  it('is refused with the issuer the platform uses now and the PUBLIC_URL hint', async () => {
    // One store for both starts: the same data directory (embedded) or schema (PostgreSQL).
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-platform-issuer-'));
    const shared = { DATA_DIR: dataDir, DATABASE_SCHEMA: process.env.DATABASE_URL ? `t_${randomBytes(4).toString('hex')}` : undefined };
    const before = await startPlatform({ ...shared, PUBLIC_URL: 'http://127.0.0.1:1111' });
    const session = await signUp(before.url);
    await before.close();
    const after = await startPlatform(shared);
    try {
      const res = await fetch(`${after.url}/v1/api-keys`, { headers: bearer(session.accessToken) });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain(`it now issues tokens as ${after.platform.config.AUTH_ISSUER}`);
      expect(body.error.message).toContain('PUBLIC_URL');
    } finally {
      await after.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
