import { AuthApiError, createClient, isAuthApiError, isAuthWeakPasswordError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { bearer, uniqueEmail } from './support/users.js';

/** The real @supabase/supabase-js client against the running platform, as an app would use it. */
describe('auth: supabase-js end to end', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  }, 180_000); // embedded PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  const client = () => createClient(t.url, 'anything', { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });

  it('signUp, signInWithPassword, getUser, updateUser, refreshSession, signOut; then old tokens are refused', async () => {
    const supabase = client();
    const email = uniqueEmail('sbjs');
    const password = 'first-password-123';

    const signUp = await supabase.auth.signUp({ email, password, options: { data: { plan: 'free' } } });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session?.access_token).toBeTruthy();
    expect(signUp.data.user?.email).toBe(email);
    expect(signUp.data.user?.user_metadata).toEqual({ plan: 'free' });

    const signIn = await supabase.auth.signInWithPassword({ email, password });
    expect(signIn.error).toBeNull();
    const first = signIn.data.session!;
    expect(first.user.id).toBe(signUp.data.user!.id);

    const got = await supabase.auth.getUser();
    expect(got.error).toBeNull();
    expect(got.data.user?.id).toBe(first.user.id);

    const upd = await supabase.auth.updateUser({ data: { plan: 'pro', nick: 'ada' } });
    expect(upd.error).toBeNull();
    expect(upd.data.user?.user_metadata).toEqual({ plan: 'pro', nick: 'ada' });

    const pw = await supabase.auth.updateUser({ password: 'second-password-456' });
    expect(pw.error).toBeNull();

    const refreshed = await supabase.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.user.user_metadata).toEqual({ plan: 'pro', nick: 'ada' });

    // The new password works, the old one does not.
    const other = client();
    expect((await other.auth.signInWithPassword({ email, password: 'second-password-456' })).error).toBeNull();
    const oldPw = await client().auth.signInWithPassword({ email, password });
    expect(isAuthApiError(oldPw.error)).toBe(true);
    expect(oldPw.error?.code).toBe('invalid_credentials');

    const out = await supabase.auth.signOut(); // scope: global
    expect(out.error).toBeNull();

    // Old access tokens (first and refreshed) are refused by the gateway and by /auth/v1/user.
    for (const token of [first.access_token, second.access_token]) {
      const res = await fetch(`${t.url}/v1/api-keys`, { headers: bearer(token) });
      expect(res.status).toBe(401);
      const user = await client().auth.getUser(token);
      expect(user.data.user).toBeNull();
      expect(user.error).not.toBeNull();
    }
    // Old refresh tokens are refused.
    for (const refresh_token of [first.refresh_token, second.refresh_token]) {
      const r = await client().auth.refreshSession({ refresh_token });
      expect(r.data.session).toBeNull();
      expect(isAuthApiError(r.error)).toBe(true);
    }
    // The other client's session was also signed out (global scope).
    const otherUser = await other.auth.getUser();
    expect(otherUser.error).not.toBeNull();
  });

  it('surfaces a weak password as supabase-js AuthWeakPasswordError (code weak_password) with reasons', async () => {
    const { data, error } = await client().auth.signUp({ email: uniqueEmail('weak'), password: 'short' });
    expect(data.session).toBeNull();
    // supabase-js maps GoTrue's weak_password to its own AuthWeakPasswordError class.
    expect(isAuthWeakPasswordError(error)).toBe(true);
    expect(error?.code).toBe('weak_password');
    expect(error?.status).toBe(422);
    if (isAuthWeakPasswordError(error)) expect(error.reasons).toContain('length');
  });

  it('surfaces a wrong password as AuthApiError invalid_credentials, and a duplicate sign-up as user_already_exists', async () => {
    const supabase = client();
    const email = uniqueEmail('wrong');
    expect((await supabase.auth.signUp({ email, password: 'right-password-1' })).error).toBeNull();
    const { error } = await client().auth.signInWithPassword({ email, password: 'wrong-password-1' });
    expect(error).toBeInstanceOf(AuthApiError);
    expect(error?.code).toBe('invalid_credentials');
    expect(error?.status).toBe(400);
    expect(error?.message).toBe('Invalid login credentials');

    const dup = await client().auth.signUp({ email, password: 'another-password-2' });
    expect(isAuthApiError(dup.error)).toBe(true);
    expect(dup.error?.code).toBe('user_already_exists');
  });

  it('rejects the apikey header when AUTH_PUBLISHABLE_KEY is set', async () => {
    const locked = await startPlatform({ AUTH_PUBLISHABLE_KEY: 'pk_test_right' });
    try {
      const wrong = createClient(locked.url, 'pk_test_wrong', { auth: { persistSession: false, autoRefreshToken: false } });
      const bad = await wrong.auth.signUp({ email: uniqueEmail(), password: 'a-fine-password-1' });
      expect(isAuthApiError(bad.error)).toBe(true);
      expect(bad.error?.status).toBe(401);
      const right = createClient(locked.url, 'pk_test_right', { auth: { persistSession: false, autoRefreshToken: false } });
      const good = await right.auth.signUp({ email: uniqueEmail(), password: 'a-fine-password-1' });
      expect(good.error).toBeNull();
      // The JWKS stays public.
      expect((await fetch(`${locked.url}/auth/v1/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await locked.close();
    }
  }, 120_000); // starts a second platform
});
