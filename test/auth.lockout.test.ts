import { createClient, isAuthApiError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { DEFAULT_TEST_PASSWORD, signUp, uniqueEmail } from './support/users.js';

/**
 * Brute-force protection: failures counted per account and per IP (memory, or Redis when
 * REDIS_URL is set). All requests come from 127.0.0.1, so the IP budget is shared by the cases
 * below, which run in order: account lockout first, then the IP lockout.
 */
describe('auth: brute-force lockout', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({
      AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
      AUTH_LOGIN_MAX_FAILURES_PER_IP: '8',
      AUTH_LOGIN_LOCKOUT_SECONDS: '600',
    });
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  const login = (email: string, password: string) =>
    fetch(`${t.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  const errorCode = async (res: Response) => ((await res.json()) as { error_code?: string }).error_code;

  let failures = 0; // against the shared IP budget of 8
  const fail = async (email: string) => {
    const res = await login(email, 'wrong-password-x');
    failures++;
    return res;
  };

  it('locks an account after the configured failures, even for the right password; success resets the count', async () => {
    const a = await signUp(t.url);
    for (let i = 0; i < 2; i++) expect(await errorCode(await fail(a.email))).toBe('invalid_credentials');
    expect((await login(a.email, DEFAULT_TEST_PASSWORD)).status).toBe(200); // resets a's counter
    for (let i = 0; i < 2; i++) expect((await fail(a.email)).status).toBe(400);
    expect((await login(a.email, DEFAULT_TEST_PASSWORD)).status).toBe(200); // 2 < 3: still allowed

    const b = await signUp(t.url);
    for (let i = 0; i < 3; i++) expect(await errorCode(await fail(b.email))).toBe('invalid_credentials');
    const locked = await login(b.email, DEFAULT_TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorCode(locked)).toBe('over_request_rate_limit');
    // supabase-js sees the lockout as an AuthApiError with GoTrue's code.
    const viaJs = await createClient(t.url, 'k', { auth: { persistSession: false, autoRefreshToken: false } }).auth.signInWithPassword({
      email: b.email,
      password: DEFAULT_TEST_PASSWORD,
    });
    expect(isAuthApiError(viaJs.error)).toBe(true);
    expect(viaJs.error?.status).toBe(429);
    expect(viaJs.error?.code).toBe('over_request_rate_limit');
    // Another account from the same IP is not locked yet.
    const c = await signUp(t.url);
    expect((await login(c.email, DEFAULT_TEST_PASSWORD)).status).toBe(200);
  });

  it('locks the IP once its failure budget is spent, for every account', async () => {
    expect(failures).toBe(7);
    const d = await signUp(t.url);
    expect((await fail(uniqueEmail('nobody'))).status).toBe(400); // 8th failure; unknown accounts count too
    const res = await login(d.email, DEFAULT_TEST_PASSWORD);
    expect(res.status).toBe(429);
    expect(await errorCode(res)).toBe('over_request_rate_limit');
    // Sign-up and token refresh are not part of the sign-in lockout.
    expect((await signUp(t.url)).accessToken).toBeTruthy();
    const refreshed = await fetch(`${t.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: d.refreshToken }),
    });
    expect(refreshed.status).toBe(200);
  });
});

describe('auth: sign-up rate limit per IP', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ AUTH_SIGNUPS_PER_IP_PER_HOUR: '2' });
  }, 180_000);
  afterAll(async () => t?.close());

  it('accepts AUTH_SIGNUPS_PER_IP_PER_HOUR sign-ups from one IP, then answers 429 with Retry-After and creates nobody', async () => {
    await signUp(t.url);
    await signUp(t.url);
    const email = uniqueEmail();
    const res = await fetch(`${t.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: DEFAULT_TEST_PASSWORD }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error_code: 'over_request_rate_limit', msg: expect.stringContaining('sign-ups') });
    const row = await t.platform.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    expect(row).toBeUndefined();
  });
});
