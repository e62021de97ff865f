import type { AuthError, AuthResponse } from '@supabase/supabase-js';
import { supabase } from '../../auth/supabase';

/** The token of a mailed link (`#token_hash=…&type=…`, docs/auth.md "Email"); a pure read, safe in render. */
export function readLinkToken(expected: 'recovery' | 'signup'): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const token = fragment.get('token_hash') ?? undefined;
  const type = fragment.get('type');
  if (!token || (type !== null && type !== expected)) return undefined;
  return token;
}

/** Removes the fragment from the address bar (after it was read), so the token stays out of history and screenshots. */
export function forgetLinkToken(): void {
  if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
}

// A token works once: React's development double-render must not spend it twice.
const pending = new Map<string, Promise<AuthResponse>>();

/** Trades the link's token for a session (POST /auth/v1/verify), once per token. */
export function verifyLinkToken(type: 'recovery' | 'signup', token: string): Promise<{ error: AuthError | null }> {
  let call = pending.get(token);
  if (!call) {
    call = supabase.auth.verifyOtp({ type, token_hash: token });
    pending.set(token, call);
  }
  return call.then(({ error }) => ({ error }));
}
