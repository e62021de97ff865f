import { createClient } from '@supabase/supabase-js';
import { publishableKey } from '../app/page-meta';

/**
 * supabase-js against the platform's own Supabase-compatible /auth/v1 (docs/auth.md): same
 * origin, so no CORS. The session (access + refresh token) is kept by supabase-js in
 * localStorage and refreshed by it; nothing else of ours is stored in the browser.
 */
export const supabase = createClient(window.location.origin, publishableKey() || 'platform-web', {
  auth: {
    persistSession: true,
    autoRefreshToken: true,
    detectSessionInUrl: false,
    storageKey: 'mcp-platform-auth',
  },
});

/** The current access token, refreshed by supabase-js when it is about to expire. */
export async function accessToken(): Promise<string | undefined> {
  const { data } = await supabase.auth.getSession();
  return data.session?.access_token;
}
