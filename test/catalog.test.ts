import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/gateway/index.js';
import type { StdioServiceConfig } from '../src/catalog/index.js';
import { CatalogFileError, DEFAULT_CATALOG_FILE, loadCatalogFile } from '../src/catalog/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, signUp, type TestSession } from './support/users.js';

async function insertUser(t: TestPlatform, role: 'user' | 'admin' = 'user'): Promise<Principal> {
  const row = await t.platform.database.db
    .insertInto('users')
    .values({ email: `${randomUUID()}@example.test`, role, user_metadata: '{}', app_metadata: '{}' })
    .returning(['id', 'email', 'role'])
    .executeTakeFirstOrThrow();
  return { userId: row.id, email: row.email, role: row.role, via: 'jwt' };
}

describe('service catalog (registry + ServiceCatalog)', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  }, 180_000);
  afterAll(async () => t?.close());

  it('applies the shipped catalog file on start', async () => {
    const all = await t.platform.catalog.registry.all();
    const slugs = all.map((r) => r.definition.slug);
    expect(slugs).toEqual(expect.arrayContaining(['notes', 'everything', 'github', 'slack', 'github-remote']));
    for (const r of all) expect(r.source).toBe('catalog');
    const github = all.find((r) => r.definition.slug === 'github')!;
    expect(github.definition.enabled).toBe(false);
    expect(github.definition.credentialSchema).toEqual([
      expect.objectContaining({ name: 'token', secret: true, required: true, inject: { env: 'GITHUB_PERSONAL_ACCESS_TOKEN' } }),
    ]);
    const remote = all.find((r) => r.definition.slug === 'github-remote')!;
    expect(remote.definition.config).toMatchObject({ kind: 'http', instances: ['https://api.githubcopilot.com/mcp/'] });
    expect(remote.instances).toEqual([expect.objectContaining({ url: 'https://api.githubcopilot.com/mcp/', status: 'unknown' })]);
  });

  it('resolves `everything` to the platform Node running the installed package script', async () => {
    const user = await insertUser(t);
    const resolved = await t.platform.catalog.catalog.resolve(user, 'everything');
    expect(resolved).toBeDefined();
    const config = resolved!.definition.config as StdioServiceConfig;
    expect(config.command).toBe(process.execPath);
    expect(config.args[0]).toMatch(/server-everything[\\/]dist[\\/]index\.js$/);
    expect(config.args.slice(1)).toEqual(['stdio']);
    expect(resolved!.credentials).toEqual({});
  });

  it('lists usable services honouring enabled, roles, API-key scope and required credentials', async () => {
    const user = await insertUser(t);
    const usable = (await t.platform.catalog.catalog.listUsable(user)).map((s) => s.definition.slug);
    expect(usable).toEqual(['everything', 'notes']);

    const scoped: Principal = { ...user, via: 'api_key', services: ['notes'] };
    expect((await t.platform.catalog.catalog.listUsable(scoped)).map((s) => s.definition.slug)).toEqual(['notes']);
    expect(await t.platform.catalog.catalog.resolve(scoped, 'everything')).toBeUndefined();

    // Enable github: still not usable until the user stores the required token.
    const github = (await t.platform.catalog.registry.find('github'))!;
    await t.platform.catalog.registry.update(github.definition.id, { enabled: true });
    expect(await t.platform.catalog.catalog.resolve(user, 'github')).toBeUndefined();
    await t.platform.catalog.credentials.put(user.userId, github.definition.id, { token: 'ghp_exampleexampleexample1234' });
    const resolved = await t.platform.catalog.catalog.resolve(user, 'github');
    expect(resolved?.credentials).toEqual({ token: 'ghp_exampleexampleexample1234' });

    // Another user does not see the first user's credentials.
    const other = await insertUser(t);
    expect(await t.platform.catalog.catalog.resolve(other, 'github')).toBeUndefined();

    // Admin-only service.
    await t.platform.catalog.registry.update(github.definition.id, { roles: ['admin'] });
    expect(await t.platform.catalog.catalog.resolve(user, 'github')).toBeUndefined();
    await t.platform.catalog.registry.update(github.definition.id, { roles: ['user', 'admin'], enabled: false });
    expect(await t.platform.catalog.catalog.resolve(user, 'github')).toBeUndefined();
  });

  it('stores credentials sealed, bound to user and service', async () => {
    const user = await insertUser(t);
    const notes = (await t.platform.catalog.registry.find('notes'))!;
    await t.platform.catalog.credentials.put(user.userId, notes.definition.id, { x: 'plaintext-secret-value' });
    const row = await t.platform.database.db
      .selectFrom('user_credentials')
      .selectAll()
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(row.sealed).not.toContain('plaintext-secret-value');
    expect(row.key_id).toBe(t.platform.vault.activeKeyId);
    expect(row.sealed.startsWith(`v1.${t.platform.vault.activeKeyId}.`)).toBe(true);
    // Copy the sealed value onto another user's row: it must not open there.
    const other = await insertUser(t);
    await t.platform.database.db
      .insertInto('user_credentials')
      .values({ user_id: other.userId, service_id: notes.definition.id, sealed: row.sealed, key_id: row.key_id })
      .execute();
    expect(await t.platform.catalog.credentials.get(other.userId, notes.definition.id)).toBeUndefined();
  });
});

describe('catalog file validation', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'catalog-file-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('names the entry and the field of each problem', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'services:',
        '  - slug: ok-one',
        '    title: OK',
        '    kind: builtin',
        '    builtin: { server: notes }',
        '  - slug: broken',
        '    title: Broken',
        '    kind: stdio',
        '    stdio: { command: x }',
        '    credentials:',
        '      - { name: token, title: T, inject: { env: NODE_OPTIONS } }',
        '  - slug: ghost',
        '    title: Ghost',
        '    kind: builtin',
        '    builtin: { server: nope }',
        '    surprise: true',
      ].join('\n'),
    );
    const err = await loadCatalogFile(file, new Set(['notes'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CatalogFileError);
    const message = (err as Error).message;
    expect(message).toContain('services[1] (broken).credentials.0.inject');
    expect(message).toContain('services[2] (ghost)');
    expect(message).toContain('surprise');
  });

  it('fails platform start-up with that message', async () => {
    const file = path.join(dir, 'dup.yaml');
    await writeFile(
      file,
      'version: 1\nservices:\n  - { slug: a, title: A, kind: builtin, builtin: { server: notes } }\n  - { slug: a, title: B, kind: builtin, builtin: { server: notes } }\n',
    );
    await expect(startPlatform({ CATALOG_FILE: file, DATA_DIR: path.join(dir, 'data') })).rejects.toThrow(/services\[1\] \(a\)\.slug: duplicate slug "a"/);
  }, 180_000);
});

describe('admin service registry API', () => {
  let t: TestPlatform;
  let admin: TestSession;
  let user: TestSession;

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { error?: { code: string; message: string } } };
  };

  beforeAll(async () => {
    t = await startPlatform();
    admin = await adminSession(t);
    user = await signUp(t.url);
  }, 180_000);
  afterAll(async () => t?.close());

  it('is for admins only', async () => {
    expect((await api(user.accessToken, 'GET', '/v1/admin/services')).status).toBe(403);
    expect((await api(user.accessToken, 'POST', '/v1/admin/services', { slug: 'x', title: 'x', kind: 'builtin', builtin: { server: 'notes' } })).status).toBe(403);
    expect((await api(user.accessToken, 'PATCH', '/v1/admin/services/github', { enabled: true })).status).toBe(403);
    const list = await api(admin.accessToken, 'GET', '/v1/admin/services');
    expect(list.status).toBe(200);
    const github = (list.json.services as Array<Record<string, unknown>>).find((s) => s.slug === 'github')!;
    expect(github).toMatchObject({ source: 'catalog', enabled: false, payload_capture: 'metadata' });
    expect(github.credential_schema).toEqual([expect.objectContaining({ inject: { env: 'GITHUB_PERSONAL_ACCESS_TOKEN' } })]);
  });

  it('registers, changes, and removes an http service and its instances', async () => {
    const created = await api(admin.accessToken, 'POST', '/v1/admin/services', {
      slug: 'remote-demo',
      title: 'Remote demo',
      kind: 'http',
      http: { instances: ['http://127.0.0.1:9/mcp'] },
      credentials: [{ name: 'api_key', title: 'API key', inject: { header: 'X-Api-Key' } }],
      tool_policy: { deny: ['dangerous'] },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      slug: 'remote-demo',
      source: 'admin',
      enabled: true,
      roles: ['user', 'admin'],
      tool_policy: { deny: ['dangerous'] },
      config: { kind: 'http', transport: 'streamable-http', instances: ['http://127.0.0.1:9/mcp'] },
      instances: [expect.objectContaining({ url: 'http://127.0.0.1:9/mcp', source: 'admin', status: 'unknown', consecutive_failures: 0 })],
    });
    const id = created.json.id as string;
    expect((await api(admin.accessToken, 'POST', '/v1/admin/services', { slug: 'remote-demo', title: 'again', kind: 'builtin', builtin: { server: 'notes' } })).json.error?.code).toBe('slug_taken');

    const inst = await api(admin.accessToken, 'POST', `/v1/admin/services/${id}/instances`, { url: 'http://127.0.0.1:10/mcp' });
    expect(inst.status).toBe(201);
    expect((await api(admin.accessToken, 'POST', `/v1/admin/services/${id}/instances`, { url: 'http://127.0.0.1:10/mcp' })).status).toBe(409);
    expect((await api(admin.accessToken, 'POST', '/v1/admin/services/notes/instances', { url: 'http://127.0.0.1:10/mcp' })).status).toBe(400);
    const withTwo = await api(admin.accessToken, 'GET', `/v1/admin/services/remote-demo`);
    expect((withTwo.json.instances as unknown[]).length).toBe(2);
    // The router's definition follows.
    const def = (await t.platform.catalog.registry.find('remote-demo'))!.definition;
    expect(def.config).toMatchObject({ kind: 'http', instances: ['http://127.0.0.1:9/mcp', 'http://127.0.0.1:10/mcp'] });

    expect((await api(admin.accessToken, 'DELETE', `/v1/admin/services/${id}/instances/${inst.json.id as string}`)).status).toBe(204);
    expect((await api(admin.accessToken, 'DELETE', `/v1/admin/services/${id}/instances/${inst.json.id as string}`)).status).toBe(404);

    const patched = await api(admin.accessToken, 'PATCH', `/v1/admin/services/${id}`, { title: 'Renamed', roles: ['admin'], http: { transport: 'sse' } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ title: 'Renamed', roles: ['admin'], config: { transport: 'sse' } });
    expect((await api(admin.accessToken, 'PATCH', `/v1/admin/services/${id}`, { stdio: { command: 'x' } })).status).toBe(400);
    // Now admin-only: the user does not see it.
    expect((await api(user.accessToken, 'GET', '/v1/services/remote-demo')).status).toBe(404);

    expect((await api(admin.accessToken, 'DELETE', `/v1/admin/services/${id}`)).status).toBe(204);
    expect((await api(admin.accessToken, 'GET', `/v1/admin/services/${id}`)).status).toBe(404);
  });

  it('rejects invalid definitions with the field named', async () => {
    const bad: Array<[unknown, string]> = [
      [{ slug: 'Bad Slug', title: 'x', kind: 'builtin', builtin: { server: 'notes' } }, 'slug'],
      [{ slug: 'x1', title: 'x', kind: 'builtin', builtin: { server: 'nope' } }, 'builtin.server'],
      [{ slug: 'x2', title: 'x', kind: 'stdio', stdio: { command: 'node' }, credentials: [{ name: 'k', title: 'k', inject: { env: 'LD_PRELOAD' } }] }, 'credentials.0.inject'],
      [{ slug: 'x3', title: 'x', kind: 'http', http: { instances: ['ftp://example.test'] } }, 'http.instances.0'],
      [{ slug: 'x4', title: 'x', kind: 'http', http: {}, credentials: [{ name: 'k', title: 'k', inject: { header: 'Host' } }] }, 'credentials.0.inject'],
      [{ slug: 'x5', title: 'x', kind: 'builtin', builtin: { server: 'notes' }, source: 'catalog' }, '(root)'],
    ];
    for (const [body, path] of bad) {
      const res = await api(admin.accessToken, 'POST', '/v1/admin/services', body);
      expect(res.status, path).toBe(400);
      expect((res.json.error as unknown as { details: Array<{ path: string }> }).details.map((d) => d.path).join(' ')).toContain(path);
    }
  });

  it('lets admins change only operational fields of catalog services, and keeps those edits across catalog re-application', async () => {
    const conflict = await api(admin.accessToken, 'PATCH', '/v1/admin/services/github', { title: 'Mine now' });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error?.code).toBe('catalog_managed');
    expect((await api(admin.accessToken, 'DELETE', '/v1/admin/services/everything')).json.error?.code).toBe('catalog_managed');

    const ok = await api(admin.accessToken, 'PATCH', '/v1/admin/services/everything', { roles: ['admin'], payload_capture: 'full' });
    expect(ok.status).toBe(200);
    expect((await api(user.accessToken, 'GET', '/v1/services/everything')).status).toBe(404);

    // What a restart does: apply the shipped file again.
    await t.platform.catalog.registry.applyCatalog(await loadCatalogFile(DEFAULT_CATALOG_FILE, new Set(['notes'])));
    const after = (await t.platform.catalog.registry.fresh('everything'))!;
    expect(after.definition.roles).toEqual(['admin']);
    expect(after.payloadCapture).toBe('full');
    expect(after.definition.title).toBe('Everything (MCP demo server)');
  });
});
