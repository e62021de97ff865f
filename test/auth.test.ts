import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, signIn, signUp, uniqueEmail } from './support/users.js';

describe('auth: sign-up, sign-in, JWKS, /v1 authentication', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  it('signs up (autoconfirm) and returns a GoTrue session with an ES256 token that the JWKS verifies', async () => {
    const email = uniqueEmail();
    const res = await fetch(`${t.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a-good-password-1', data: { name: 'Ada' } }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { user: Record<string, unknown>; access_token: string };
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    expect(typeof body.refresh_token).toBe('string');
    expect(body.user).toMatchObject({ email, aud: 'authenticated', user_metadata: { name: 'Ada' }, app_metadata: { role: 'user', provider: 'email' } });

    const header = decodeProtectedHeader(body.access_token);
    expect(header.alg).toBe('ES256');
    const jwks = (await (await fetch(`${t.url}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/); // no private part
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks as never), {
      issuer: `${t.platform.config.AUTH_ISSUER}`,
      audience: 'authenticated',
      algorithms: ['ES256'],
    });
    expect(payload).toMatchObject({
      sub: body.user.id,
      email,
      role: 'authenticated',
      aal: 'aal1',
      app_metadata: { role: 'user', provider: 'email', providers: ['email'] },
      user_metadata: { name: 'Ada' },
    });
    expect(typeof payload.session_id).toBe('string');
  });

  it('signs in with a password, and refuses a wrong one with invalid_credentials', async () => {
    const u = await signUp(t.url);
    const again = await signIn(t.url, u.email);
    expect(again.userId).toBe(u.userId);
    const res = await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, password: 'not-the-password' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'invalid_credentials', code: 'invalid_credentials' });
  });

  it('requires a Bearer token on /v1 and accepts a valid one', async () => {
    const none = await fetch(`${t.url}/v1/api-keys`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    const junk = await fetch(`${t.url}/v1/api-keys`, { headers: bearer('not-a-token') });
    expect(junk.status).toBe(401);
    expect(junk.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(((await junk.json()) as { error: { code: string } }).error.code).toBe('invalid_token');

    const u = await signUp(t.url);
    const ok = await fetch(`${t.url}/v1/api-keys`, { headers: bearer(u.accessToken) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ api_keys: [] });
  });

  it('gives the configured admin the admin role, and refuses admin routes to users', async () => {
    const admin = await adminSession(t);
    const list = await fetch(`${t.url}/v1/admin/users`, { headers: bearer(admin.accessToken) });
    expect(list.status).toBe(200);
    const u = await signUp(t.url);
    const denied = await fetch(`${t.url}/v1/admin/users`, { headers: bearer(u.accessToken) });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('answers an unknown grant_type with unsupported_grant_type', async () => {
    for (const q of ['?grant_type=client_credentials', '']) {
      const res = await fetch(`${t.url}/auth/v1/token${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error_code: 'unsupported_grant_type' });
    }
  });

  it('returns the user on GET /auth/v1/user', async () => {
    const u = await signUp(t.url);
    const res = await fetch(`${t.url}/auth/v1/user`, { headers: bearer(u.accessToken) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: u.userId, email: u.email });
  });

  it('rotates the signing key: new tokens use the new kid, old tokens keep verifying, both are published', async () => {
    const before = await signUp(t.url);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const { retired, active } = await t.platform.auth.rotateSigningKey();
    expect(retired).toBe(oldKid);
    expect(active).not.toBe(oldKid);
    const after = await signIn(t.url, before.email);
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(active);
    for (const token of [before.accessToken, after.accessToken]) {
      expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(token) })).status).toBe(200);
    }
    const jwks = (await (await fetch(`${t.url}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, active]));
  });

  it('drops a retired key from the JWKS, and refuses its tokens, once no token it signed can still be valid', async () => {
    const before = await signUp(t.url);
    const oldKid = decodeProtectedHeader(before.accessToken).kid!;
    const { active: middle } = await t.platform.auth.rotateSigningKey();
    // Retired longer ago than the access-token lifetime + skew (as if the rotation were hours old).
    await t.platform.database.db
      .updateTable('signing_keys')
      .set({ retired_at: new Date(Date.now() - 3 * 3600_000) })
      .where('kid', '=', oldKid)
      .execute();
    const { retired, active } = await t.platform.auth.rotateSigningKey();
    expect(retired).toBe(middle);
    const jwks = (await (await fetch(`${t.url}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    const kids = jwks.keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([middle, active]));
    expect(kids).not.toContain(oldKid);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(before.accessToken) })).status).toBe(401);
  });
});
