import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { bearer, DEFAULT_TEST_PASSWORD, signIn, signUp } from './support/users.js';

/**
 * REDIS_URL is set but nothing listens there (a port we opened and closed again). Documented
 * behaviour: the platform starts anyway, sign-in works, the lockout counts in process memory, and
 * revocation is still immediate on this replica.
 */
describe('auth: with Redis unreachable', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    t = await startPlatform({ REDIS_URL: `redis://127.0.0.1:${port}`, AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: '2' });
  }, 180_000);
  afterAll(async () => t?.close());

  it('signs up, signs in, and locks out from memory', async () => {
    const u = await signUp(t.url);
    expect((await signIn(t.url, u.email)).userId).toBe(u.userId);
    const login = (password: string) =>
      fetch(`${t.url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: u.email, password }),
      });
    expect((await login('wrong-password-1')).status).toBe(400);
    expect((await login('wrong-password-1')).status).toBe(400);
    expect((await login(DEFAULT_TEST_PASSWORD)).status).toBe(429);
  });

  it('still refuses a logged-out token at once on this replica', async () => {
    const u = await signUp(t.url);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(u.accessToken) })).status).toBe(200);
    expect((await fetch(`${t.url}/auth/v1/logout`, { method: 'POST', headers: bearer(u.accessToken) })).status).toBe(204);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(u.accessToken) })).status).toBe(401);
  });
});
