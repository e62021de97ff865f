import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, createApiKey, signIn, signUp, uniqueEmail } from './support/users.js';

describe('auth: personal API keys', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { error?: { code: string } };

  it('shows a key once, stores only its sha256, lists it without the secret, and accepts it as Bearer', async () => {
    const u = await signUp(t.url);
    const res = await fetch(`${t.url}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(u.accessToken) },
      body: JSON.stringify({ name: 'ci', services: ['notes', 'github'] }),
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    const key = created.key as string;
    expect(key).toMatch(/^mcp_sk_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'ci', services: ['notes', 'github'], expires_at: null });
    expect(key.startsWith(created.prefix as string)).toBe(true);

    const row = await t.platform.database.db.selectFrom('api_keys').selectAll().where('id', '=', created.id as string).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key);

    const list = await json(await fetch(`${t.url}/v1/api-keys`, { headers: bearer(key) }));
    expect(list.api_keys).toEqual([expect.objectContaining({ id: created.id, name: 'ci' })]);
    expect(JSON.stringify(list)).not.toContain(key);
    const one = await json(await fetch(`${t.url}/v1/api-keys/${created.id as string}`, { headers: bearer(u.accessToken) }));
    expect(one.key).toBeUndefined();
    expect(one.last_used_at).not.toBeNull(); // it was just used
  });

  it('revokes a key at once on DELETE', async () => {
    const u = await signUp(t.url);
    const { id, key } = await createApiKey(t.url, u.accessToken);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(key) })).status).toBe(200); // cached as valid
    const del = await fetch(`${t.url}/v1/api-keys/${id}`, { method: 'DELETE', headers: bearer(u.accessToken) });
    expect(del.status).toBe(204);
    const after = await fetch(`${t.url}/v1/api-keys`, { headers: bearer(key) });
    expect(after.status).toBe(401);
    expect((await json(after)).error?.code).toBe('invalid_token');
    expect((await fetch(`${t.url}/v1/api-keys/${id}`, { headers: bearer(u.accessToken) })).status).toBe(404);
    expect((await fetch(`${t.url}/v1/api-keys/${id}`, { method: 'DELETE', headers: bearer(u.accessToken) })).status).toBe(404);
  });

  it('refuses an expired key, and an expiry in the past at creation', async () => {
    const u = await signUp(t.url);
    const past = await fetch(`${t.url}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(u.accessToken) },
      body: JSON.stringify({ name: 'old', expires_at: '2020-01-01T00:00:00Z' }),
    });
    expect(past.status).toBe(400);
    expect((await json(past)).error?.code).toBe('validation_failed');

    const { id, key } = await createApiKey(t.url, u.accessToken, { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    // Let the hour pass: move the stored expiry into the past before the key's first use.
    await t.platform.database.db.updateTable('api_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    const res = await fetch(`${t.url}/v1/api-keys`, { headers: bearer(key) });
    expect(res.status).toBe(401);
    expect((await json(res)).error?.code).toBe('invalid_token');
  });

  it('keeps a scoped key within its scope when it mints keys', async () => {
    const u = await signUp(t.url);
    const { key } = await createApiKey(t.url, u.accessToken, { services: ['notes'] });
    const widen = await fetch(`${t.url}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify({ name: 'wider', services: ['notes', 'github'] }),
    });
    expect(widen.status).toBe(403);
    const inherit = await fetch(`${t.url}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify({ name: 'same scope' }),
    });
    expect(inherit.status).toBe(201);
    expect((await json(inherit)).services).toEqual(['notes']);
  });

  it('validates the body: name required, slugs only, no unknown fields', async () => {
    const u = await signUp(t.url);
    for (const body of [{}, { name: '' }, { name: 'x', services: ['Not A Slug'] }, { name: 'x', services: [] }, { name: 'x', key_hash: 'abc' }]) {
      const res = await fetch(`${t.url}/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(u.accessToken) },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect((await json(res)).error?.code).toBe('validation_failed');
    }
    expect((await json(await fetch(`${t.url}/v1/api-keys`, { headers: bearer(u.accessToken) }))).api_keys).toEqual([]);
  });
});

describe('auth: admin users', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { error?: { code: string } };
  const get = async (token: string, query: string) => json(await fetch(`${t.url}/v1/admin/users${query}`, { headers: bearer(token) }));
  const patch = (token: string, id: string, body: unknown) =>
    fetch(`${t.url}/v1/admin/users/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify(body) });

  it('searches by email and pages with a stable cursor', async () => {
    const admin = await adminSession(t);
    const tag = `pg${Date.now().toString(36)}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await signUp(t.url, uniqueEmail(tag))).userId);
    await signUp(t.url, uniqueEmail('unrelated'));

    const all = await get(admin.accessToken, `?q=${tag.toUpperCase()}&limit=200`);
    expect((all.users as Array<{ id: string }>).map((u) => u.id).sort()).toEqual([...made].sort());

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(admin.accessToken, `?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const users = page.users as Array<{ id: string; email: string; role: string; disabled: boolean }>;
      expect(users.length).toBeLessThanOrEqual(2);
      for (const u of users) expect(u).toMatchObject({ role: 'user', disabled: false });
      seen.push(...users.map((u) => u.id));
      cursor = page.next_cursor as string | null;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made); // creation order, no duplicates, nothing skipped

    const bad = await fetch(`${t.url}/v1/admin/users?cursor=garbage`, { headers: bearer(admin.accessToken) });
    expect(bad.status).toBe(400);
    const unknownParam = await fetch(`${t.url}/v1/admin/users?role=admin`, { headers: bearer(admin.accessToken) });
    expect(unknownParam.status).toBe(400);
  });

  it('promotes and demotes; the new role applies to existing tokens at once and appears in new tokens', async () => {
    const admin = await adminSession(t);
    const u = await signUp(t.url);
    expect((await fetch(`${t.url}/v1/admin/users`, { headers: bearer(u.accessToken) })).status).toBe(403);
    const up = await patch(admin.accessToken, u.userId, { role: 'admin' });
    expect(up.status).toBe(200);
    expect(await json(up)).toMatchObject({ id: u.userId, role: 'admin', app_metadata: expect.objectContaining({ role: 'admin' }) });
    expect((await fetch(`${t.url}/v1/admin/users`, { headers: bearer(u.accessToken) })).status).toBe(200);
    const row = await t.platform.database.db.selectFrom('users').select(['role', 'app_metadata']).where('id', '=', u.userId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'admin', app_metadata: { role: 'admin', provider: 'email' } });
    const fresh = await signIn(t.url, u.email);
    expect((decodeJwt(fresh.accessToken) as { app_metadata: { role: string } }).app_metadata.role).toBe('admin');

    const down = await patch(admin.accessToken, u.userId, { role: 'user' });
    expect(down.status).toBe(200);
    expect((await fetch(`${t.url}/v1/admin/users`, { headers: bearer(fresh.accessToken) })).status).toBe(403);
  });

  it('disables and enables, with 404 for unknown users and strict bodies', async () => {
    const admin = await adminSession(t);
    const u = await signUp(t.url);
    const off = await json(await patch(admin.accessToken, u.userId, { disabled: true }));
    expect(off).toMatchObject({ disabled: true });
    expect((await fetch(`${t.url}/auth/v1/user`, { headers: bearer(u.accessToken) })).status).toBe(403);
    const on = await json(await patch(admin.accessToken, u.userId, { disabled: false }));
    expect(on).toMatchObject({ disabled: false });
    expect((await fetch(`${t.url}/auth/v1/user`, { headers: bearer(u.accessToken) })).status).toBe(200);

    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await patch(admin.accessToken, id, { disabled: true });
      expect(res.status).toBe(404);
      expect((await json(res)).error?.code).toBe('not_found');
    }
    for (const body of [{}, { role: 'root' }, { disabled: 'yes' }, { role: 'user', email: 'x@y.z' }]) {
      const res = await patch(admin.accessToken, u.userId, body);
      expect(res.status).toBe(400);
      expect((await json(res)).error?.code).toBe('validation_failed');
    }
  });

  it('will not remove the last active admin', async () => {
    const admin = await adminSession(t);
    for (const body of [{ role: 'user' }, { disabled: true }]) {
      const res = await patch(admin.accessToken, admin.userId, body);
      expect(res.status).toBe(409);
      expect((await json(res)).error?.code).toBe('last_admin');
    }
    expect((await fetch(`${t.url}/v1/admin/users`, { headers: bearer(admin.accessToken) })).status).toBe(200);
  });
});
