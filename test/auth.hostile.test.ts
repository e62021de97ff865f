import { createHmac } from 'node:crypto';
import { decodeJwt, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, createApiKey, signIn, signUp, uniqueEmail, type TestSession } from './support/users.js';

/**
 * Hostile input against the Auth Service and the gateway's authentication. Every case checks the
 * documented error AND that nothing changed behind it.
 */
describe('auth: hostile input', () => {
  let t: TestPlatform;
  let ownKey: { kid: string; key: CryptoKey; publicJwk: JWK };
  beforeAll(async () => {
    t = await startPlatform();
    // Our real signing key, opened with the real vault, to sign tokens whose claims are wrong.
    const row = await t.platform.database.db.selectFrom('signing_keys').selectAll().where('active', '=', true).executeTakeFirstOrThrow();
    const jwk = JSON.parse(t.platform.vault.openString(row.private_jwk_sealed, `signing_key:${row.kid}`)) as JWK;
    ownKey = { kid: row.kid, key: (await importJWK(jwk, 'ES256')) as CryptoKey, publicJwk: row.public_jwk as JWK };
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { error?: { code: string } };
  const listKeys = async (token: string) => (await json(await fetch(`${t.url}/v1/api-keys`, { headers: bearer(token) }))).api_keys as unknown[];
  const tryCreateKey = (token: string) =>
    fetch(`${t.url}/v1/api-keys`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify({ name: 'forged' }) });

  /** Re-signs a real token's claims with changes, using our own key unless told otherwise. */
  async function resign(session: TestSession, changes: JWTPayload, opts: { key?: CryptoKey; kid?: string } = {}): Promise<string> {
    const claims = { ...decodeJwt(session.accessToken), ...changes };
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? ownKey.kid, typ: 'JWT' }).sign(opts.key ?? ownKey.key);
  }

  /** Asserts a forged token is refused by /v1 (401 invalid_token) and /auth/v1/user, and changed nothing. */
  async function expectRefused(victim: TestSession, token: string) {
    const res = await tryCreateKey(token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect((await json(res)).error?.code).toBe('invalid_token');
    const put = await fetch(`${t.url}/auth/v1/user`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ data: { pwned: true } }),
    });
    expect([401, 403]).toContain(put.status);
    expect(typeof (await json(put)).error_code).toBe('string');
    expect(await listKeys(victim.accessToken)).toEqual([]);
    const me = await json(await fetch(`${t.url}/auth/v1/user`, { headers: bearer(victim.accessToken) }));
    expect(me.user_metadata).toEqual({});
  }

  it('refuses alg=none', async () => {
    const v = await signUp(t.url);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(decodeJwt(v.accessToken))}.`;
    await expectRefused(v, token);
  });

  it('refuses HS256 signed with our public key (algorithm confusion)', async () => {
    const v = await signUp(t.url);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const signingInput = `${b64({ alg: 'HS256', kid: ownKey.kid, typ: 'JWT' })}.${b64(decodeJwt(v.accessToken))}`;
    for (const secret of [JSON.stringify(ownKey.publicJwk), JSON.stringify((await json(await fetch(`${t.url}/auth/v1/.well-known/jwks.json`))).keys)]) {
      const sig = createHmac('sha256', secret).update(signingInput).digest('base64url');
      await expectRefused(v, `${signingInput}.${sig}`);
    }
  });

  it('refuses a forged kid and a token signed by a stranger key under our kid', async () => {
    const v = await signUp(t.url);
    const { privateKey } = await generateKeyPair('ES256');
    await expectRefused(v, await resign(v, {}, { key: privateKey, kid: 'forged-kid' }));
    await expectRefused(v, await resign(v, {}, { key: privateKey }));
  });

  it('refuses expired, not-yet-valid, wrong-audience and wrong-issuer tokens signed with our own key', async () => {
    const v = await signUp(t.url);
    const now = Math.floor(Date.now() / 1000);
    // Sanity: a faithful re-signature is accepted, so the refusals below are about the claims.
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(await resign(v, {})) })).status).toBe(200);
    await expectRefused(v, await resign(v, { exp: now - 3600, iat: now - 7200 }));
    await expectRefused(v, await resign(v, { nbf: now + 3600 }));
    await expectRefused(v, await resign(v, { aud: 'service_role' }));
    await expectRefused(v, await resign(v, { iss: 'https://evil.example/auth/v1' }));
    await expectRefused(v, await resign(v, { sub: (await signUp(t.url)).userId })); // session of someone else
  });

  it('refuses the access token of a revoked (logged-out) session at once', async () => {
    const v = await signUp(t.url);
    const second = await signIn(t.url, v.email);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(v.accessToken) })).status).toBe(200); // now cached as valid
    const out = await fetch(`${t.url}/auth/v1/logout?scope=local`, { method: 'POST', headers: bearer(v.accessToken) });
    expect(out.status).toBe(204);
    await expectRefused(second, v.accessToken);
    const me = await fetch(`${t.url}/auth/v1/user`, { headers: bearer(v.accessToken) });
    expect(me.status).toBe(403);
    expect((await json(me)).error_code).toBe('session_not_found');
    // scope=local left the other session alone
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(second.accessToken) })).status).toBe(200);
  });

  it("stops a disabled user's tokens and API keys at once, and restores them on enable", async () => {
    const admin = await adminSession(t);
    const v = await signUp(t.url);
    const { key } = await createApiKey(t.url, v.accessToken);
    for (const cred of [v.accessToken, key]) expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(cred) })).status).toBe(200);
    const patch = (disabled: boolean) =>
      fetch(`${t.url}/v1/admin/users/${v.userId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
        body: JSON.stringify({ disabled }),
      });
    expect((await patch(true)).status).toBe(200);
    for (const cred of [v.accessToken, key]) {
      const res = await tryCreateKey(cred);
      expect(res.status).toBe(401);
      expect((await json(res)).error?.code).toBe('invalid_token');
    }
    const login = await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: v.email, password: 'correct-horse-battery-9' }),
    });
    expect(login.status).toBe(400);
    expect((await json(login)).error_code).toBe('user_banned');
    const refresh = await fetch(`${t.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: v.refreshToken }),
    });
    expect(refresh.status).toBe(400);
    expect((await patch(false)).status).toBe(200);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(key) })).status).toBe(200);
    expect((await listKeys(v.accessToken)).length).toBe(1); // only the one created before; none while disabled
  });

  it('treats reuse of a rotated refresh token as theft: refused, and the whole family dies', async () => {
    const v = await signUp(t.url);
    const rotate = (refresh_token: string) =>
      fetch(`${t.url}/auth/v1/token?grant_type=refresh_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token }),
      });
    const r1 = await rotate(v.refreshToken);
    expect(r1.status).toBe(200);
    const s2 = (await r1.json()) as { refresh_token: string; access_token: string };
    const r2 = await rotate(s2.refresh_token);
    expect(r2.status).toBe(200);
    const s3 = (await r2.json()) as { refresh_token: string; access_token: string };

    const reuse = await rotate(v.refreshToken);
    expect(reuse.status).toBe(400);
    expect((await json(reuse)).error_code).toBe('refresh_token_already_used');
    // The newest refresh token and every access token of the session are dead too.
    const newest = await rotate(s3.refresh_token);
    expect(newest.status).toBe(400);
    expect((await json(newest)).error_code).toBe('refresh_token_already_used');
    for (const token of [v.accessToken, s2.access_token, s3.access_token]) {
      expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(token) })).status).toBe(401);
    }
    // Another session of the same user is unaffected.
    const other = await signIn(t.url, v.email);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(other.accessToken) })).status).toBe(200);
    const unknown = await rotate('not-a-real-refresh-token');
    expect((await json(unknown)).error_code).toBe('refresh_token_not_found');
  });

  it("answers another user's API key ID with 404 on GET and DELETE, and deletes nothing", async () => {
    const owner = await signUp(t.url);
    const intruder = await signUp(t.url);
    const { id, key } = await createApiKey(t.url, owner.accessToken, { name: 'owner key' });
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${t.url}/v1/api-keys/${id}`, { method, headers: bearer(intruder.accessToken) });
      expect(res.status).toBe(404);
      expect((await json(res)).error?.code).toBe('not_found');
    }
    expect((await fetch(`${t.url}/v1/api-keys/not-a-uuid`, { headers: bearer(intruder.accessToken) })).status).toBe(404);
    expect((await fetch(`${t.url}/v1/api-keys/${id}`, { headers: bearer(owner.accessToken) })).status).toBe(200);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(key) })).status).toBe(200);
    expect(await listKeys(intruder.accessToken)).toEqual([]);
  });

  it('stores SQL metacharacters literally in every string field', async () => {
    const nasty = `'); drop table users; --`;
    const email = `o'brien'--+x${Date.now()}@example.test`;
    const password = `${nasty} " \\ %_`;
    const data = { name: `Robert${nasty}`, "k'ey": '%_\\', nested: { q: '" or 1=1 --' } };
    const s = await signUp(t.url, email, password, data);
    expect(s.email).toBe(email);
    const again = await signIn(t.url, email, password);
    expect(again.userId).toBe(s.userId);
    const me = await json(await fetch(`${t.url}/auth/v1/user`, { headers: bearer(again.accessToken) }));
    expect(me.user_metadata).toEqual(data);
    const { id } = await createApiKey(t.url, s.accessToken, { name: `key ${nasty} %_` });
    expect((await json(await fetch(`${t.url}/v1/api-keys/${id}`, { headers: bearer(s.accessToken) }))).name).toBe(`key ${nasty} %_`);

    const admin = await adminSession(t);
    const search = async (q: string) =>
      (await json(await fetch(`${t.url}/v1/admin/users?q=${encodeURIComponent(q)}`, { headers: bearer(admin.accessToken) }))).users as Array<{ id: string }>;
    expect((await search("o'brien'--")).map((u) => u.id)).toEqual([s.userId]);
    expect(await search('%')).toEqual([]); // % is matched literally, not as a wildcard
    expect(await search('_')).toEqual([]);
    expect(await search(`' or '1'='1`)).toEqual([]);
    // The tables are all still there.
    expect((await search('admin@example.test')).length).toBe(1);
  });

  it('rejects unknown fields instead of mass-assigning them; signup data cannot set the role', async () => {
    const s = await signUp(t.url, uniqueEmail(), undefined, { role: 'admin', app_metadata: { role: 'admin' } });
    const claims = decodeJwt(s.accessToken) as { app_metadata: { role: string } };
    expect(claims.app_metadata.role).toBe('user');
    const denied = await fetch(`${t.url}/v1/admin/users`, { headers: bearer(s.accessToken) });
    expect(denied.status).toBe(403);

    for (const body of [{ app_metadata: { role: 'admin' } }, { role: 'admin' }, { data: {}, email_confirmed_at: 'x' }]) {
      const res = await fetch(`${t.url}/auth/v1/user`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...bearer(s.accessToken) },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect((await json(res)).error_code).toBe('validation_failed');
    }
    const topLevel = await fetch(`${t.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: 'a-fine-password-1', app_metadata: { role: 'admin' } }),
    });
    expect(topLevel.status).toBe(400);
    expect((await json(topLevel)).error_code).toBe('validation_failed');
    const keyRes = await fetch(`${t.url}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(s.accessToken) },
      body: JSON.stringify({ name: 'k', user_id: (await adminSession(t)).userId }),
    });
    expect(keyRes.status).toBe(400);
    expect((await json(keyRes)).error?.code).toBe('validation_failed');
    expect(await listKeys(s.accessToken)).toEqual([]);
    const me = await json(await fetch(`${t.url}/auth/v1/user`, { headers: bearer(s.accessToken) }));
    expect((me.app_metadata as { role: string }).role).toBe('user');
  });

  it('refuses a role change by a non-admin with 403 and leaves the role unchanged', async () => {
    const u = await signUp(t.url);
    const res = await fetch(`${t.url}/v1/admin/users/${u.userId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...bearer(u.accessToken) },
      body: JSON.stringify({ role: 'admin' }),
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error?.code).toBe('forbidden');
    const admin = await adminSession(t);
    const view = await json(await fetch(`${t.url}/v1/admin/users/${u.userId}`, { headers: bearer(admin.accessToken) }));
    expect(view.role).toBe('user');
    const fresh = await signIn(t.url, u.email);
    expect((decodeJwt(fresh.accessToken) as { app_metadata: { role: string } }).app_metadata.role).toBe('user');
  });

  it('answers malformed JSON and oversized bodies on /auth/v1 in the GoTrue shape', async () => {
    const bad = await fetch(`${t.url}/auth/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error_code).toBe('bad_json');
    const big = await fetch(`${t.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(typeof (await json(big)).error_code).toBe('string');
  });
});
