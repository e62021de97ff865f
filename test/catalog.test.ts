import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/gateway/index.js';
import type { StdioServiceConfig } from '../src/router/contracts.js';
import { CatalogFileError, loadCatalogFile } from '../src/router/catalog/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';

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
  });
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
  });
});
