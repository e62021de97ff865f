import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logging/index.js';
import { testEnv } from './support/platform.js';
import { bearer, createApiKey, signIn, signUp, uniqueEmail } from './support/users.js';

/** The Auth Service reports security events to the AuditSink (the chained audit_log), without secrets in it or in the log. */
describe('auth: audit events', () => {
  let platform: Platform;
  let url: string;
  let dataDir: string;
  let env: Record<string, string>;
  const lines: string[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-auth-audit-'));
    const logger = createLogger('info', new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
    env = testEnv({ DATA_DIR: dataDir, AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: '2' });
    platform = await createPlatform(loadConfig(env), { logger });
    url = `http://127.0.0.1:${(await platform.listen(0)).port}`;
  }, 180_000);
  afterAll(async () => {
    await platform?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('records signup, login, lockout, reuse, logout, update, api keys and admin changes', async () => {
    const password = 'audit-password-123';
    const u = await signUp(url, uniqueEmail('audit'), password);
    const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const r1 = (await (await post('/auth/v1/token?grant_type=refresh_token', { refresh_token: u.refreshToken })).json()) as { access_token: string };
    await post('/auth/v1/token?grant_type=refresh_token', { refresh_token: u.refreshToken }); // reuse
    const victim = await signUp(url, uniqueEmail('audit'), password);
    for (let i = 0; i < 3; i++) await post('/auth/v1/token?grant_type=password', { email: victim.email, password: 'wrong-password-zz' });
    await fetch(`${url}/auth/v1/user`, { method: 'PUT', headers: { 'content-type': 'application/json', ...bearer(victim.accessToken) }, body: JSON.stringify({ data: { a: 1 } }) });
    const { id, key } = await createApiKey(url, victim.accessToken);
    await fetch(`${url}/v1/api-keys/${id}`, { method: 'DELETE', headers: bearer(victim.accessToken) });
    const admin = await signIn(url, env.ADMIN_EMAIL ?? '', env.ADMIN_PASSWORD);
    for (const body of [{ role: 'admin' }, { role: 'user' }, { disabled: true }, { disabled: false }]) {
      await fetch(`${url}/v1/admin/users/${victim.userId}`, { method: 'PATCH', headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) }, body: JSON.stringify(body) });
    }
    await post('/auth/v1/logout', {}, bearer(victim.accessToken));

    // The audit trail of record is the hash-chained table (the Logging Service's sink).
    const rows = await platform.database.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'actor_id', 'target_id', 'details'])
      .orderBy('seq')
      .execute();
    const events = rows.map((r) => ({ action: r.action, outcome: r.outcome, actorId: r.actor_id, targetId: r.target_id }));
    const actions = new Set(events.map((e) => `${e.action}:${e.outcome}`));
    for (const a of [
      'auth.signup:success',
      'auth.login:success',
      'auth.login:failure',
      'auth.lockout:success',
      'auth.refresh_token_reuse:failure',
      'auth.user_updated:success',
      'api_key.created:success',
      'api_key.revoked:success',
      'admin.role_changed:success',
      'admin.user_disabled:success',
      'admin.user_enabled:success',
      'auth.logout:success',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(events.find((e) => e.action === 'admin.role_changed')?.actorId).toBe(admin.userId);
    expect(events.find((e) => e.action === 'auth.refresh_token_reuse')?.actorId).toBe(u.userId);
    // The count of sessions a logout ended is kept (a secret-looking name, but a number).
    expect(rows.find((r) => r.action === 'auth.logout')?.details).toMatchObject({ sessions: expect.any(Number) });

    const all = lines.join('\n') + JSON.stringify(rows);
    for (const secret of [password, 'wrong-password-zz', u.refreshToken, u.accessToken, r1.access_token, key, victim.accessToken]) {
      expect(all).not.toContain(secret);
    }
  });
});
