import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, testEnv, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, createApiKey, signIn, signUp, type TestSession } from './support/users.js';

/**
 * The operator CLI (issue 14 §7): backup → change → restore round trip, and the data-subject
 * commands, each run as the real `mcp-platform` process (from source) against the store the suite
 * runs on: embedded PGlite in a temp DATA_DIR, or — with DATABASE_URL — PostgreSQL in a schema of
 * the test's own (pg_dump / psql from the machine's postgresql-client).
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const serverMode = Boolean(process.env.DATABASE_URL);

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src', 'main.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('operator CLI: backup, restore, export-user, delete-user', () => {
  let dir: string;
  let env: Record<string, string>;
  let t: TestPlatform | undefined;
  let before: TestSession;
  let serviceSlug: string;
  const backupFile = () => path.join(dir, serverMode ? 'platform.pgdump' : 'platform.tar.gz');

  const start = async () => {
    t = await startPlatform(env);
    return t;
  };
  const stop = async () => {
    await t?.close();
    t = undefined;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcp-ops-cli-'));
    env = testEnv({ DATA_DIR: path.join(dir, 'data'), CATALOG_FILE: 'none' });
    const p = await start();
    const admin = await adminSession(p);
    serviceSlug = 'backup-svc';
    const created = await apiCall(p.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug: serviceSlug,
      title: 'Backed up',
      kind: 'http',
      http: { instances: ['http://127.0.0.1:9/mcp'] },
      credentials: [{ name: 'token', title: 'Token', secret: true, required: true, inject: { header: 'X-Token' } }],
    });
    expect(created.status).toBe(201);
    before = await signUp(p.url);
    expect((await apiCall(p.url, before.accessToken, 'PUT', `/v1/services/${serviceSlug}/credentials`, { token: 'sealed-secret-1' })).status).toBe(201);
    await createApiKey(p.url, before.accessToken, { name: 'laptop' });
    await p.platform.database.db.insertInto('notes').values({ user_id: before.userId, title: 'kept note', body: 'in the backup', tags: ['x'], created_at: new Date(), updated_at: new Date() }).execute();
    // What the OAuth authorization server (oidc-provider, src/oauth/adapter.ts) keeps for a user who
    // connected an MCP client: a grant (the remembered consent), tokens of that grant (one of them
    // without account_id: it still names the grant), and another user's grant that must stay.
    const payload = (o: Record<string, unknown>) => JSON.stringify(o);
    await p.platform.database.db
      .insertInto('oauth_payloads')
      .values([
        { model: 'Grant', id: 'grant-of-before', payload: payload({ accountId: before.userId, clientId: 'c1' }), account_id: before.userId, client_id: 'c1', grant_id: null, uid: null, expires_at: null },
        { model: 'AccessToken', id: 'at-of-before', payload: payload({ accountId: before.userId, grantId: 'grant-of-before' }), account_id: before.userId, client_id: 'c1', grant_id: 'grant-of-before', uid: null, expires_at: null },
        { model: 'RefreshToken', id: 'rt-of-before', payload: payload({ grantId: 'grant-of-before' }), account_id: null, client_id: 'c1', grant_id: 'grant-of-before', uid: null, expires_at: null },
        { model: 'Grant', id: 'grant-of-admin', payload: payload({ accountId: admin.userId, clientId: 'c1' }), account_id: admin.userId, client_id: 'c1', grant_id: null, uid: null, expires_at: null },
      ])
      .execute();
    // A service `before` built (BUILDER_USERS), with one saved version: theirs to export, and to lose with the account.
    const built = await p.platform.database.db
      .insertInto('services')
      .values({ slug: 'before-built', title: 'Built by before', kind: 'openapi', config: JSON.stringify({}), credential_schema: JSON.stringify([]), tool_policy: JSON.stringify({}), owner_id: before.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await p.platform.database.db
      .insertInto('service_versions')
      .values({ service_id: built.id, version: 1, definition: JSON.stringify({ openapi: { openapi: '3.1.0' }, credentials: [] }), created_by: before.userId })
      .execute();
    // The marketplace (0017): `before` is a provider (approved by the admin) with a listing of
    // backup-svc, installed it and rated it; the admin rated it too (not `before`'s to export).
    const t_ = (name: string) => sql.table(`${p.platform.database.schema}.${name}`);
    const mdb = p.platform.database.db.withoutPlugins();
    await sql`insert into ${t_('marketplace_providers')} (user_id, display_name, note, status, decided_by, decided_at)
              values (${before.userId}, 'Before Ltd', 'we make echoes', 'approved', ${admin.userId}, now())`.execute(mdb);
    const listing = await sql<{ id: string }>`
      insert into ${t_('marketplace_listings')} (provider_id, slug, kind, service_id, live_version)
      select ${before.userId}, 'before-listing', 'http', id, 1 from ${t_('services')} where slug = ${serviceSlug} returning id`.execute(mdb);
    const listingId = listing.rows[0]!.id;
    await sql`insert into ${t_('marketplace_listing_versions')} (listing_id, version, title, source, state)
              values (${listingId}, 1, 'Before listing', ${JSON.stringify({ type: 'http', url: 'http://127.0.0.1:9/mcp', transport: 'streamable-http' })}::jsonb, 'approved')`.execute(mdb);
    await sql`insert into ${t_('service_installs')} (user_id, service_id) select ${before.userId}, id from ${t_('services')} where slug = ${serviceSlug}`.execute(mdb);
    await sql`insert into ${t_('marketplace_ratings')} (listing_id, user_id, rating, body) values
              (${listingId}, ${before.userId}, 4, 'echoes well'), (${listingId}, ${admin.userId}, 2, 'the admin’s own review')`.execute(mdb);
    await stop();
  }, 180_000);

  afterAll(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('backs up, and a restore brings back exactly the backed-up state (sealed credentials open, audit chain intact)', async () => {
    const made = await cli(env, 'backup', '--out', backupFile());
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ kind: serverMode ? 'postgres' : 'pglite', schema: env.DATABASE_SCHEMA ?? 'mcp_platform' });
    expect((JSON.parse(made.stdout) as { bytes: number }).bytes).toBeGreaterThan(1000);

    // After the backup: the credential is replaced and a new user signs up.
    let p = await start();
    expect((await apiCall(p.url, before.accessToken, 'PUT', `/v1/services/${serviceSlug}/credentials`, { token: 'changed-later' })).status).toBe(200);
    const later = await signUp(p.url);
    if (!serverMode) {
      // Embedded: the running platform holds DATA_DIR; a backup now is refused, not half-taken.
      const busy = await cli(env, 'backup', '--out', path.join(dir, 'busy.tar.gz'));
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/DATA_DIR is in use by process/);
    }
    await stop();

    const refused = await cli(env, 'restore', '--in', backupFile());
    expect(refused.code).toBe(2);
    const restored = await cli(env, 'restore', '--in', backupFile(), '--yes');
    expect(restored.code, restored.stderr).toBe(0);

    p = await start();
    const session = await signIn(p.url, before.email);
    expect((await apiCall(p.url, session.accessToken, 'GET', `/v1/services/${serviceSlug}/credentials`)).status).toBe(200);
    // The sealed value opens under the master key and is the one backed up, not the later one.
    const service = (await p.platform.catalog.registry.find(serviceSlug))!;
    p.platform.catalog.credentials.invalidate();
    expect(await p.platform.catalog.credentials.get(before.userId, service.definition.id)).toEqual({ token: 'sealed-secret-1' });
    await expect(signIn(p.url, later.email)).rejects.toThrow(/failed: 400/);
    expect((await p.platform.logging.verifyAudit()).ok).toBe(true);
    await stop();
  }, 240_000);

  it('refuses a file that is not a backup, and a backup of the other store kind', async () => {
    const junk = path.join(dir, 'junk.bin');
    await writeFile(junk, 'not a backup at all');
    const res = await cli(env, 'restore', '--in', junk, '--yes');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/is not a platform backup/);
    const other = path.join(dir, 'other-kind');
    await writeFile(other, serverMode ? Buffer.from([0x1f, 0x8b, 0, 0]) : Buffer.from('PGDMP....'));
    const wrongKind = await cli(env, 'restore', '--in', other, '--yes');
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toMatch(serverMode ? /embedded \(PGlite\) backup; unset DATABASE_URL/ : /PostgreSQL backup \(pg_dump\); set DATABASE_URL/);
  }, 60_000);

  it('export-user writes what is stored about the user, without secrets, and is audited', async () => {
    const out = path.join(dir, 'export.json');
    const res = await cli(env, 'export-user', before.email, '--out', out);
    expect(res.code, res.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    const data = JSON.parse(text) as Record<string, unknown>;
    expect(data.user).toMatchObject({ id: before.userId, email: before.email, has_password: true });
    expect(data.api_keys).toEqual([expect.objectContaining({ name: 'laptop' })]);
    expect(data.service_credentials).toEqual([expect.objectContaining({ service: serviceSlug })]);
    expect(data.notes).toEqual([expect.objectContaining({ title: 'kept note', body: 'in the backup' })]);
    expect(data.authorized_clients).toEqual([expect.objectContaining({ client_id: 'c1' })]);
    expect(data.built_services).toEqual([expect.objectContaining({ slug: 'before-built', kind: 'openapi', versions: [expect.objectContaining({ version: 1, definition: { openapi: { openapi: '3.1.0' }, credentials: [] } })] })]);
    expect(data.marketplace_installs).toEqual([expect.objectContaining({ service: serviceSlug, listing: 'before-listing', installed_at: expect.any(String) })]);
    expect(data.marketplace_ratings).toEqual([expect.objectContaining({ listing: 'before-listing', rating: 4, body: 'echoes well' })]);
    expect(data.marketplace_provider).toMatchObject({
      display_name: 'Before Ltd',
      note: 'we make echoes',
      status: 'approved',
      listings: [{ slug: 'before-listing', kind: 'http', live_version: 1, versions: [expect.objectContaining({ version: 1, title: 'Before listing', state: 'approved' })] }],
    });
    expect(data.marketplace_provider).not.toHaveProperty('decided_by');
    expect(text).not.toContain('the admin’s own review');
    expect((data.audit_events as Array<{ action: string }>).map((e) => e.action)).toContain('credential.stored');
    for (const secret of ['encrypted_password', 'key_hash', 'token_hash', 'sealed-secret-1', '$argon2']) expect(text).not.toContain(secret);
    expect((await cli(env, 'export-user', 'nobody@example.test')).stderr).toMatch(/no user nobody@example.test/);
  }, 60_000);

  it('delete-user removes the user and their data in one go, keeps the audit chain verifiable, and spares the last admin', async () => {
    expect((await cli(env, 'delete-user', before.email)).code).toBe(2);
    const lastAdmin = await cli(env, 'delete-user', env.ADMIN_EMAIL!, '--yes');
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.stderr).toMatch(/last enabled admin/);

    const res = await cli(env, 'delete-user', before.userId, '--yes');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ user_id: before.userId, deleted: { api_keys: 1, service_credentials: 1, notes: 1, oauth_payloads: 3 } });
    expect((JSON.parse(res.stdout) as { deleted: { sessions: number } }).deleted.sessions).toBeGreaterThanOrEqual(1);

    const p = await start();
    await expect(signIn(p.url, before.email)).rejects.toThrow(/failed: 400/);
    const db = p.platform.database.db;
    for (const table of ['sessions', 'api_keys', 'user_credentials', 'notes', 'request_log'] as const) {
      const left = await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', before.userId).executeTakeFirst();
      expect(Number(left?.n), table).toBe(0);
    }
    expect(await db.selectFrom('services').select('slug').where('owner_id', '=', before.userId).execute()).toEqual([]);
    const oauthLeft = await db.selectFrom('oauth_payloads').select(['model', 'id']).where('id', 'in', ['grant-of-before', 'at-of-before', 'rt-of-before', 'grant-of-admin']).execute();
    expect(oauthLeft).toEqual([{ model: 'Grant', id: 'grant-of-admin' }]);
    const actions = await db.selectFrom('audit_log').select(['action', 'details']).where('target_id', '=', before.userId).orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['admin.user_exported', 'admin.user_deleted']));
    expect((await p.platform.logging.verifyAudit()).ok).toBe(true);
    await stop();
  }, 120_000);
});
