import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAction, AuditEvent } from '../src/logging/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';

const run = promisify(execFile);

/** Tamper-evident audit trail: chained appends, append-only table, verification (API, CLI). */
describe('logging: audit trail', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ LOG_FLUSH_INTERVAL_MS: '50' });
  }, 180_000); // PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  const event = (action: AuditAction, i: number): AuditEvent => ({
    action,
    outcome: i % 3 === 0 ? 'failure' : 'success',
    actorId: i % 3 === 0 ? null : '0b7d6b4e-5c1d-4a4e-9d4c-5b8b0a1d2c3e',
    targetType: 'user',
    targetId: `target-${i}`,
    ip: '203.0.113.7',
    userAgent: 'vitest',
    requestId: `req-${i}`,
    details: { reason: i % 3 === 0 ? 'bad_password' : undefined, attempt: i, password: 'must-not-be-stored' },
  });

  it('appends chained rows, concurrently without forks, and never stores a secret', async () => {
    const actions: AuditAction[] = ['auth.signup', 'auth.login', 'auth.login', 'auth.lockout', 'auth.refresh_token_reuse', 'auth.logout', 'api_key.created', 'api_key.revoked', 'credential.stored', 'credential.replaced', 'credential.deleted', 'admin.role_changed', 'admin.user_disabled', 'admin.user_enabled', 'service.registered', 'service.changed', 'service.removed', 'vault.key_rotated'];
    // start-up already appended (the admin bootstrap); the chain continues from there
    const before = (await t.platform.database.db.selectFrom('audit_log').select('seq').execute()).length;
    await t.platform.logging.audit.record(event('auth.signup', 1));
    await Promise.all(actions.map((a, i) => t.platform.logging.audit.record(event(a, i + 2))));
    const rows = await t.platform.database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: before + actions.length + 1 }, (_, i) => i + 1));
    expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(new Set(rows.slice(before).map((r) => r.action))).toEqual(new Set(actions));
    expect(rows[before + 1]).toMatchObject({ ip: '203.0.113.7', user_agent: 'vitest', target_type: 'user' });
    expect(JSON.stringify(rows)).not.toContain('must-not-be-stored');
    expect(await t.platform.logging.verifyAudit()).toMatchObject({ ok: true, checked: rows.length });
  });

  it('keeps counts under secret-looking names and redacts the secrets themselves', async () => {
    await t.platform.logging.audit.record({
      action: 'auth.logout',
      outcome: 'success',
      actorId: null,
      details: {
        scope: 'global',
        sessions: 3,
        api_keys: 2,
        max_tokens: 1000,
        session_ttl: 60,
        session_id: 'sess-id-must-not-be-stored',
        sessionId: 'sess-id2-must-not-be-stored',
        'mcp-session-id': 'mcp-sess-must-not-be-stored',
        password: 123456,
        // Numbers that are the secret although the key's last word is not a secret's name.
        auth_code: 246813,
        password_value: 975310,
        token: 'tok-must-not-be-stored',
        ended: ['a', 'b'],
      },
    });
    const row = await t.platform.database.db.selectFrom('audit_log').select('details').where('action', '=', 'auth.logout').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(row.details).toEqual({
      scope: 'global',
      sessions: 3,
      api_keys: 2,
      max_tokens: 1000,
      session_ttl: 60,
      session_id: '[REDACTED]',
      sessionId: '[REDACTED]',
      'mcp-session-id': '[REDACTED]',
      password: '[REDACTED]',
      auth_code: '[REDACTED]',
      password_value: '[REDACTED]',
      token: '[REDACTED]',
      ended: ['a', 'b'],
    });
    expect(JSON.stringify(row)).not.toMatch(/must-not-be-stored|123456|246813|975310/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const db = t.platform.database.db;
    await expect(db.updateTable('audit_log').set({ outcome: 'success' }).where('seq', '=', '1').execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('seq', '=', '2').execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate ${sql.table(`${t.platform.database.schema}.audit_log`)}`.execute(db.withoutPlugins())).rejects.toThrow(/append-only/);
    expect(await t.platform.logging.verifyAudit()).toMatchObject({ ok: true });
  });

  it('finds a row altered directly in the database (API and CLI)', async () => {
    const { database } = t.platform;
    // Tamper as a superuser would: triggers off for this transaction only, then change one row.
    await database.db.withoutPlugins().transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update ${sql.table(`${database.schema}.audit_log`)} set target_id = 'someone-else' where seq = 4`.execute(trx);
    });
    const result = await t.platform.logging.verifyAudit();
    expect(result).toMatchObject({ ok: false, checked: 4, head: { seq: '3' }, firstBroken: { seq: '4', reason: 'hash_mismatch' } });

    // The CLI reads the same database; PGlite allows one process at a time, so stop ours first.
    const { dataDir, env } = t;
    await t.platform.close();
    const cli = await run(path.resolve('node_modules/.bin/tsx'), ['src/main.ts', 'audit-verify'], {
      env: { PATH: process.env.PATH ?? '', ...env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    }).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    expect(cli.code).toBe(3);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, firstBroken: { seq: '4', reason: 'hash_mismatch' } });
  }, 120_000);
});
