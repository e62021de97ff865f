import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RotationReport } from '../src/app.js';
import { signingKeyContext } from '../src/auth/index.js';
import { parseMasterKey, Vault } from '../src/vault/index.js';
import { startPlatform, TEST_MASTER_KEY, type TestPlatform } from './support/platform.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const NEW_KEY = `next:${randomBytes(32).toString('base64')}`;

/** Runs the real CLI (`src/main.ts rotate-keys`) as a child process against the test's database. */
async function rotateCli(env: Record<string, string>): Promise<{ code: number; report: RotationReport }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'rotate-keys'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 120_000,
    });
    return { code: 0, report: JSON.parse(stdout) as RotationReport };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code === 'number' && e.stdout) return { code: e.code, report: JSON.parse(e.stdout) as RotationReport };
    throw new Error(`rotate-keys failed: ${e.stderr ?? String(err)}`);
  }
}

describe('rotate-keys CLI', () => {
  let dataDir: string;
  let schemaEnv: Record<string, string>;
  let env: Record<string, string>;
  let userId: string;
  let serviceId: string;
  let signingKeys: number;
  let kid: string;
  const newKeyId = parseMasterKey(NEW_KEY, 'test').id;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rotate-keys-'));
    // 1. A platform under the old key stores a credential and a signing key.
    const t: TestPlatform = await startPlatform({ DATA_DIR: dataDir });
    schemaEnv = t.env.DATABASE_SCHEMA ? { DATABASE_SCHEMA: t.env.DATABASE_SCHEMA } : {};
    env = t.env;
    try {
      const user = await t.platform.database.db
        .insertInto('users')
        .values({ email: `${randomUUID()}@example.test`, user_metadata: '{}', app_metadata: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow();
      userId = user.id;
      serviceId = (await t.platform.catalog.registry.find('github'))!.definition.id;
      await t.platform.catalog.credentials.put(userId, serviceId, { token: 'ghp_rotation_test_value_123456' });
      // auth's own signing key(s), created at start-up, are rotated too.
      const keys = await t.platform.database.db.selectFrom('signing_keys').select('kid').execute();
      signingKeys = keys.length;
      kid = keys[0]!.kid;
    } finally {
      await t.close();
    }
    expect(signingKeys).toBeGreaterThan(0);
  }, 180_000);
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('re-encrypts credentials and signing keys under the new key and reports counts', async () => {
    const first = await rotateCli({ ...env, PLATFORM_ENCRYPTION_KEY: NEW_KEY, PLATFORM_ENCRYPTION_KEYS_PREVIOUS: TEST_MASTER_KEY });
    expect(first.code).toBe(0);
    expect(first.report).toEqual({
      active_key_id: newKeyId,
      credentials: { total: 1, rotated: 1, unchanged: 0, failed: 0 },
      signing_keys: { total: signingKeys, rotated: signingKeys, unchanged: 0, failed: 0 },
      oauth_tokens: { total: 0, rotated: 0, unchanged: 0, failed: 0 },
      // The OAuth server's cookie keys, sealed once at the first start.
      oauth_cookie_keys: { total: 1, rotated: 1, unchanged: 0, failed: 0 },
    });
    // Idempotent.
    const again = await rotateCli({ ...env, PLATFORM_ENCRYPTION_KEY: NEW_KEY, PLATFORM_ENCRYPTION_KEYS_PREVIOUS: TEST_MASTER_KEY });
    expect(again.report.credentials).toEqual({ total: 1, rotated: 0, unchanged: 1, failed: 0 });
    expect(again.report.signing_keys).toEqual({ total: signingKeys, rotated: 0, unchanged: signingKeys, failed: 0 });
  }, 300_000);

  it('leaves every value readable with only the new key (auth starts: its signing key opens)', async () => {
    const t = await startPlatform({ DATA_DIR: dataDir, ...schemaEnv, PLATFORM_ENCRYPTION_KEY: NEW_KEY });
    try {
      const row = await t.platform.database.db.selectFrom('user_credentials').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
      expect(row.key_id).toBe(newKeyId);
      expect(Vault.keyIdOf(row.sealed)).toBe(newKeyId);
      expect(await t.platform.catalog.credentials.get(userId, serviceId)).toEqual({ token: 'ghp_rotation_test_value_123456' });
      const sk = await t.platform.database.db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirstOrThrow();
      expect(Vault.keyIdOf(sk.private_jwk_sealed)).toBe(newKeyId);
      expect(JSON.parse(t.platform.vault.openString(sk.private_jwk_sealed, signingKeyContext(kid)))).toHaveProperty('d');
    } finally {
      await t.close();
    }
  }, 300_000);

  it('counts values it cannot open as failures and exits non-zero', async () => {
    // Without the previous key the old values could not be opened; simulate a stray value under an unknown key.
    const t = await startPlatform({ DATA_DIR: dataDir, ...schemaEnv, PLATFORM_ENCRYPTION_KEY: NEW_KEY });
    const stray = new Vault(parseMasterKey(`lost:${randomBytes(32).toString('base64')}`, 'test'));
    try {
      const other = await t.platform.database.db
        .insertInto('users')
        .values({ email: `${randomUUID()}@example.test`, user_metadata: '{}', app_metadata: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.platform.database.db
        .insertInto('user_credentials')
        .values({ user_id: other.id, service_id: serviceId, sealed: stray.seal('{"token":"x"}', `credential:${other.id}:${serviceId}`), key_id: 'lost' })
        .execute();
    } finally {
      await t.close();
    }
    const res = await rotateCli({ ...env, PLATFORM_ENCRYPTION_KEY: NEW_KEY });
    expect(res.code).toBe(1);
    expect(res.report.credentials).toEqual({ total: 2, rotated: 0, unchanged: 1, failed: 1 });
  }, 300_000);
});
