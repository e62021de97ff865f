import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, signUp } from './support/users.js';

/**
 * Tokens issued by an external Supabase project. The local HTTP server below STANDS IN FOR
 * SUPABASE: it serves a JWKS at /auth/v1/.well-known/jwks.json exactly as a Supabase project does
 * (the only part of Supabase the gateway talks to). Legacy HS256 tokens use SUPABASE_JWT_SECRET.
 */
describe('auth: external Supabase tokens', () => {
  let t: TestPlatform;
  let fakeSupabase: http.Server;
  let supabaseUrl: string;
  let supabaseKey: CryptoKey;
  let jwksHits = 0;
  const secret = 'super-secret-jwt-token-with-at-least-32-characters-long';

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    supabaseKey = privateKey;
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'supabase-key-1', alg: 'ES256', use: 'sig' }] };
    fakeSupabase = http.createServer((req, res) => {
      if (req.url === '/auth/v1/.well-known/jwks.json') {
        jwksHits++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => fakeSupabase.listen(0, '127.0.0.1', r));
    supabaseUrl = `http://127.0.0.1:${(fakeSupabase.address() as AddressInfo).port}`;
    t = await startPlatform({ SUPABASE_URL: supabaseUrl, SUPABASE_JWT_SECRET: secret });
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => fakeSupabase?.close(r));
  });

  const now = () => Math.floor(Date.now() / 1000);
  const claims = (sub: string, extra: JWTPayload = {}): JWTPayload => ({
    iss: `${supabaseUrl}/auth/v1`,
    sub,
    aud: 'authenticated',
    role: 'authenticated',
    email: `${sub}@supabase.example`,
    iat: now(),
    exp: now() + 600,
    ...extra,
  });
  const es256 = (c: JWTPayload, key: CryptoKey = supabaseKey, kid = 'supabase-key-1') =>
    new SignJWT(c).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(key);
  const hs256 = (c: JWTPayload, s = secret) => new SignJWT(c).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(s));
  const status = async (token: string) => (await fetch(`${t.url}/v1/api-keys`, { headers: bearer(token) })).status;

  async function externalUsers(): Promise<Array<{ id: string; email: string | null; external_issuer: string | null }>> {
    const admin = await adminSession(t);
    const res = await fetch(`${t.url}/v1/admin/users?limit=200`, { headers: bearer(admin.accessToken) });
    const body = (await res.json()) as { users: Array<{ id: string; email: string | null; external_issuer: string | null }> };
    return body.users.filter((u) => u.external_issuer);
  }

  it('accepts an ES256 token verified against the project JWKS and provisions the user once', async () => {
    const sub = crypto.randomUUID();
    const token = await es256(claims(sub));
    expect(await status(token)).toBe(200);
    expect(await status(await es256(claims(sub)))).toBe(200);
    const mine = (await externalUsers()).filter((u) => u.email === `${sub}@supabase.example`);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.external_issuer).toBe(`${supabaseUrl}/auth/v1`);
    expect(jwksHits).toBeGreaterThanOrEqual(1);
  });

  it('accepts a legacy HS256 token signed with SUPABASE_JWT_SECRET', async () => {
    const sub = crypto.randomUUID();
    expect(await status(await hs256(claims(sub)))).toBe(200);
    expect((await externalUsers()).some((u) => u.email === `${sub}@supabase.example`)).toBe(true);
  });

  it('refuses wrong secret, unknown key, wrong issuer or audience, expired, and HS256 posing as our issuer', async () => {
    const before = (await externalUsers()).length;
    const sub = crypto.randomUUID();
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const bad = [
      await hs256(claims(sub), 'another-secret-another-secret-another-secret'),
      await es256(claims(sub), stranger),
      await es256(claims(sub), stranger, 'unknown-kid'),
      await es256(claims(sub, { iss: 'https://other.supabase.co/auth/v1' })),
      await hs256(claims(sub, { iss: 'https://other.supabase.co/auth/v1' })),
      await es256(claims(sub, { aud: 'anon' })),
      await es256(claims(sub, { exp: now() - 3600, iat: now() - 7200 })),
      await hs256(claims(sub, { iss: t.platform.config.AUTH_ISSUER })),
    ];
    for (const token of bad) {
      const res = await fetch(`${t.url}/v1/api-keys`, { headers: bearer(token) });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
    }
    expect((await externalUsers()).length).toBe(before); // nobody provisioned
  });

  it('never links an external identity to a local account with the same email', async () => {
    const local = await signUp(t.url);
    const before = await externalUsers();
    const sub = crypto.randomUUID();
    expect(await status(await es256(claims(sub, { email: local.email })))).toBe(200);
    const after = await externalUsers();
    const added = after.filter((u) => !before.some((b) => b.id === u.id));
    expect(added).toHaveLength(1); // an account of its own ...
    expect(added[0]?.id).not.toBe(local.userId);
    expect(added[0]?.email).toBeNull(); // ... without the local user's email
    // The local account still signs in as itself.
    const me = (await (await fetch(`${t.url}/auth/v1/user`, { headers: bearer(local.accessToken) })).json()) as { id: string };
    expect(me.id).toBe(local.userId);
  });

  it("stops a disabled external user's tokens", async () => {
    const sub = crypto.randomUUID();
    expect(await status(await es256(claims(sub)))).toBe(200);
    const user = (await externalUsers()).find((u) => u.email === `${sub}@supabase.example`);
    const admin = await adminSession(t);
    const res = await fetch(`${t.url}/v1/admin/users/${user?.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
      body: JSON.stringify({ disabled: true }),
    });
    expect(res.status).toBe(200);
    expect(await status(await es256(claims(sub)))).toBe(401);
  });
});
