import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logging/index.js';
import { adminSession, bearer, createApiKey, signIn, signUp, type TestSession } from './support/users.js';
import { startPlatform, testEnv, type TestPlatform } from './support/platform.js';

/** Per-user credentials through the real REST API, with real logins. */

interface ErrorJson {
  error: { code: string; message: string; details?: Array<{ path?: string; message: string }> };
}

describe('per-user credentials', () => {
  let t: TestPlatform;
  let admin: TestSession;
  let alice: TestSession;
  let bob: TestSession;

  const api = async (token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...(token ? bearer(token) : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  beforeAll(async () => {
    t = await startPlatform();
    admin = await adminSession(t);
    alice = await signUp(t.url);
    bob = await signUp(t.url);
    for (const slug of ['github', 'slack']) {
      const res = await api(admin.accessToken, 'PATCH', `/v1/admin/services/${slug}`, { enabled: true });
      expect(res.status).toBe(200);
    }
  }, 180_000);
  afterAll(async () => t?.close());

  it('needs authentication', async () => {
    expect((await api(undefined, 'GET', '/v1/services')).status).toBe(401);
    expect((await api(undefined, 'PUT', '/v1/services/github/credentials', { token: 'x' })).status).toBe(401);
  });

  it('lists the catalog with connected flags and credential schemas without injection details', async () => {
    const res = await api(alice.accessToken, 'GET', '/v1/services');
    expect(res.status).toBe(200);
    const services = (res.json!.services as Array<Record<string, unknown>>).map((s) => [s.slug, s.connected]);
    expect(services).toEqual([
      ['everything', true],
      ['github', false],
      ['notes', true],
      ['slack', false],
    ]);
    const github = (await api(alice.accessToken, 'GET', '/v1/services/github')).json!;
    expect(github.credential_schema).toEqual([
      { name: 'token', title: 'GitHub personal access token', description: expect.any(String), secret: true, required: true, max_length: 512 },
    ]);
    expect(JSON.stringify(github)).not.toContain('GITHUB_PERSONAL_ACCESS_TOKEN');
    // by UUID too
    expect((await api(alice.accessToken, 'GET', `/v1/services/${github.id as string}`)).json!.slug).toBe('github');
    // disabled or unknown → 404
    expect((await api(alice.accessToken, 'GET', '/v1/services/github-remote')).status).toBe(404);
    expect((await api(alice.accessToken, 'GET', '/v1/services/nope')).status).toBe(404);
  });

  it('rejects bodies that do not fit the schema, without echoing values, and stores nothing', async () => {
    const secret = 'ghp_DO_NOT_ECHO_THIS_VALUE_1234567890';
    const cases: Array<[unknown, string]> = [
      [{ token: secret, extra: 'x' }, '(root)'],
      [{}, 'token'],
      [{ token: '' }, 'token'],
      [{ token: 'x'.repeat(513) }, 'token'],
      [{ token: `${secret}\r\nX-Injected: 1` }, 'token'],
      [{ token: 12345 }, 'token'],
      [[secret], '(root)'],
    ];
    for (const [body, path] of cases) {
      const res = await api(alice.accessToken, 'PUT', '/v1/services/github/credentials', body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      const err = (res.json as unknown as ErrorJson).error;
      expect(err.code).toBe('validation_failed');
      expect(err.details?.map((d) => d.path)).toContain(path);
      expect(res.text).not.toContain(secret);
    }
    expect((await api(alice.accessToken, 'GET', '/v1/services/github/credentials')).status).toBe(404);
    // A service that takes no credentials.
    const notes = await api(alice.accessToken, 'PUT', '/v1/services/notes/credentials', {});
    expect(notes.status).toBe(400);
    expect((notes.json as unknown as ErrorJson).error.message).toMatch(/takes no credentials/);
    // A service the caller cannot see.
    expect((await api(alice.accessToken, 'PUT', '/v1/services/github-remote/credentials', { token: 'abc' })).status).toBe(404);
  });

  it('stores, masks, replaces and deletes; the router sees each change at once', async () => {
    const first = 'ghp_first_value_abcdefghijklmnop_WXYZ';
    const put = await api(alice.accessToken, 'PUT', '/v1/services/github/credentials', { token: first });
    expect(put.status).toBe(201);
    expect(put.json!.fields).toEqual({ token: { set: true, masked: '••••WXYZ' } });
    expect(put.text).not.toContain(first);
    const got = await api(alice.accessToken, 'GET', '/v1/services/github/credentials');
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ service: 'github', fields: { token: { set: true, masked: '••••WXYZ' } } });
    expect(got.text).not.toContain(first);
    expect((await api(alice.accessToken, 'GET', '/v1/services/github')).json!.connected).toBe(true);

    const principal = { userId: alice.userId, role: 'user' as const, email: alice.email, via: 'jwt' as const };
    expect((await t.platform.catalog.catalog.resolve(principal, 'github'))?.credentials).toEqual({ token: first });

    const second = 'short';
    const replaced = await api(alice.accessToken, 'PUT', '/v1/services/github/credentials', { token: second });
    expect(replaced.status).toBe(200);
    expect(replaced.json!.fields).toEqual({ token: { set: true, masked: '••••' } });
    expect((await t.platform.catalog.catalog.resolve(principal, 'github'))?.credentials).toEqual({ token: second });
    expect((await t.platform.catalog.catalog.listUsable(principal)).map((s) => s.definition.slug)).toContain('github');

    expect((await api(alice.accessToken, 'DELETE', '/v1/services/github/credentials')).status).toBe(204);
    expect((await api(alice.accessToken, 'GET', '/v1/services/github/credentials')).status).toBe(404);
    expect((await api(alice.accessToken, 'DELETE', '/v1/services/github/credentials')).status).toBe(404);
    expect(await t.platform.catalog.catalog.resolve(principal, 'github')).toBeUndefined();
  });

  it('shows non-secret fields in clear and keeps optional ones optional', async () => {
    const res = await api(alice.accessToken, 'PUT', '/v1/services/slack/credentials', { bot_token: 'xoxb-1234567890-abcdefgh', team_id: 'T0123' });
    expect(res.status).toBe(201);
    expect(res.json!.fields).toEqual({
      bot_token: { set: true, masked: '••••efgh' },
      team_id: { set: true, value: 'T0123' },
      channel_ids: { set: false },
    });
  });

  it("keeps one user's credentials from another", async () => {
    await api(alice.accessToken, 'PUT', '/v1/services/github/credentials', { token: 'ghp_alice_only_value_0000000000' });
    expect((await api(bob.accessToken, 'GET', '/v1/services/github/credentials')).status).toBe(404);
    expect((await api(bob.accessToken, 'DELETE', '/v1/services/github/credentials')).status).toBe(404);
    expect((await api(bob.accessToken, 'GET', '/v1/services/github')).json!.connected).toBe(false);
    const bobPrincipal = { userId: bob.userId, role: 'user' as const, email: bob.email, via: 'jwt' as const };
    expect(await t.platform.catalog.catalog.resolve(bobPrincipal, 'github')).toBeUndefined();
    // Alice's value is intact.
    const alicePrincipal = { userId: alice.userId, role: 'user' as const, email: alice.email, via: 'jwt' as const };
    expect((await t.platform.catalog.catalog.resolve(alicePrincipal, 'github'))?.credentials).toEqual({ token: 'ghp_alice_only_value_0000000000' });
  });

  it('honours an API key scoped to some services', async () => {
    const { key } = await createApiKey(t.url, alice.accessToken, { services: ['notes'] });
    const list = await api(key, 'GET', '/v1/services');
    expect(list.status).toBe(200);
    expect((list.json!.services as Array<{ slug: string }>).map((s) => s.slug)).toEqual(['notes']);
    expect((await api(key, 'GET', '/v1/services/github')).status).toBe(404);
    expect((await api(key, 'PUT', '/v1/services/github/credentials', { token: 'x' })).status).toBe(404);
  });

  it('drops other replicas’ cached credentials at once through Redis', async (ctx) => {
    if (!process.env.DATABASE_URL || !process.env.REDIS_URL) ctx.skip(); // needs a shared database and Redis
    const other = await startPlatform({
      DATABASE_SCHEMA: t.env.DATABASE_SCHEMA,
      REDIS_KEY_PREFIX: t.env.REDIS_KEY_PREFIX,
      CREDENTIAL_CACHE_TTL_MS: '3600000', // only an invalidation message can refresh it
    });
    try {
      const principal = { userId: alice.userId, role: 'user' as const, email: alice.email, via: 'jwt' as const };
      await api(alice.accessToken, 'PUT', '/v1/services/github/credentials', { token: 'before-change' });
      expect((await other.platform.catalog.catalog.resolve(principal, 'github'))?.credentials).toEqual({ token: 'before-change' });
      await api(alice.accessToken, 'PUT', '/v1/services/github/credentials', { token: 'after-change' });
      let seen: unknown;
      for (let i = 0; i < 100; i++) {
        seen = (await other.platform.catalog.catalog.resolve(principal, 'github'))?.credentials;
        if ((seen as { token?: string } | undefined)?.token === 'after-change') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toEqual({ token: 'after-change' });
      await api(alice.accessToken, 'DELETE', '/v1/services/github/credentials');
      for (let i = 0; i < 100; i++) {
        seen = await other.platform.catalog.catalog.resolve(principal, 'github');
        if (seen === undefined) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('credential audit trail', () => {
  let t: { platform: Platform; url: string; dataDir: string; env: Record<string, string> };
  const lines: string[] = [];

  beforeAll(async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'credentials-audit-'));
    const env = testEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    });
    const platform = await createPlatform(loadConfig(env), { logger: createLogger('info', sink) });
    const address = await platform.listen(0);
    t = { platform, url: `http://127.0.0.1:${address.port}`, dataDir, env };
  }, 180_000);
  afterAll(async () => {
    await t?.platform.close();
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('records stored/replaced/deleted in the audit trail with field names; the value is in no audit row and no log line', async () => {
    const admin = await signIn(t.url, t.env.ADMIN_EMAIL!, t.env.ADMIN_PASSWORD!);
    await fetch(`${t.url}/v1/admin/services/github`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
      body: JSON.stringify({ enabled: true }),
    });
    const user = await signUp(t.url);
    const secret = 'ghp_AUDIT_SECRET_never_logged_123456';
    for (const method of ['PUT', 'PUT', 'DELETE']) {
      const res = await fetch(`${t.url}/v1/services/github/credentials`, {
        method,
        headers: { 'content-type': 'application/json', ...bearer(user.accessToken) },
        ...(method === 'PUT' ? { body: JSON.stringify({ token: secret }) } : {}),
      });
      expect(res.status).toBeLessThan(300);
    }
    // Also a rejected body carrying the secret.
    await fetch(`${t.url}/v1/services/github/credentials`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bearer(user.accessToken) },
      body: JSON.stringify({ token: secret, extra: secret }),
    });
    const audits = await t.platform.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target_type', 'details'])
      .where('action', 'in', ['credential.stored', 'credential.replaced', 'credential.deleted', 'service.changed'])
      .orderBy('seq')
      .execute();
    expect(audits.map((a) => a.action)).toEqual(['service.changed', 'credential.stored', 'credential.replaced', 'credential.deleted']);
    expect(audits[1]).toMatchObject({ actor_id: user.userId, target_type: 'service', details: { service: 'github', fields: ['token'] } });
    const everything = await t.platform.database.db.selectFrom('audit_log').selectAll().execute();
    expect(JSON.stringify(everything)).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
  });
});
