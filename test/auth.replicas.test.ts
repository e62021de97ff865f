import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { bearer, DEFAULT_TEST_PASSWORD, signIn, signUp } from './support/users.js';

/**
 * Two replicas on one PostgreSQL schema and one Redis prefix. Needs DATABASE_URL and REDIS_URL
 * (the server-mode run); embedded PGlite cannot be shared by two servers, so it is skipped there.
 */
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.skipIf(!shared)('auth: two replicas', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  beforeAll(async () => {
    const unique = randomBytes(4).toString('hex');
    // A long cache TTL, so that only the Redis invalidation can explain a prompt refusal on B.
    const common = {
      DATABASE_SCHEMA: `t_rep_${unique}`,
      REDIS_KEY_PREFIX: `test:rep:${unique}:`,
      AUTH_REVOCATION_CACHE_TTL_MS: '60000',
      AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
    };
    [a, b] = await Promise.all([startPlatform(common), startPlatform(common)]);
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('share one signing key: a token from A is accepted by B', async () => {
    const u = await signUp(a.url);
    expect((await fetch(`${b.url}/v1/api-keys`, { headers: bearer(u.accessToken) })).status).toBe(200);
    const jwksA = await (await fetch(`${a.url}/auth/v1/.well-known/jwks.json`)).json();
    const jwksB = await (await fetch(`${b.url}/auth/v1/.well-known/jwks.json`)).json();
    expect(jwksB).toEqual(jwksA);
  });

  it('a logout on A is honoured by B although B had cached the session as valid', async () => {
    const u = await signUp(a.url);
    expect((await fetch(`${b.url}/v1/api-keys`, { headers: bearer(u.accessToken) })).status).toBe(200); // B caches it for 60 s
    expect((await fetch(`${a.url}/auth/v1/logout`, { method: 'POST', headers: bearer(u.accessToken) })).status).toBe(204);
    // Pub/sub delivery is asynchronous: poll, far below the 60 s TTL that would otherwise apply.
    let status = 200;
    for (let i = 0; i < 100 && status === 200; i++) {
      status = (await fetch(`${b.url}/v1/api-keys`, { headers: bearer(u.accessToken) })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
  });

  it('share one brute-force budget: failures on A lock the account on B', async () => {
    const u = await signUp(a.url);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${a.url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: u.email, password: 'wrong-password-1' }),
      });
      expect(res.status).toBe(400);
    }
    const onB = await fetch(`${b.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, password: DEFAULT_TEST_PASSWORD }),
    });
    expect(onB.status).toBe(429);
    await expect(signIn(b.url, u.email)).rejects.toThrow(/429/);
  });
});
