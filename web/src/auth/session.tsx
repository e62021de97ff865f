import type { Session } from '@supabase/supabase-js';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { supabase } from './supabase';

interface AuthState {
  /** `undefined` while the stored session is being read. */
  session: Session | null | undefined;
}

const AuthContext = createContext<AuthState>({ session: undefined });

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const queryClient = useQueryClient();
  useEffect(() => {
    let active = true;
    void supabase.auth.getSession().then(({ data }) => active && setSession(data.session));
    const { data } = supabase.auth.onAuthStateChange((event, next) => {
      setSession(next);
      // Nothing of the previous user's data stays in the query cache.
      if (event === 'SIGNED_OUT') queryClient.clear();
    });
    return () => {
      active = false;
      data.subscription.unsubscribe();
    };
  }, [queryClient]);
  return <AuthContext.Provider value={{ session }}>{children}</AuthContext.Provider>;
}

export function useSession(): Session | null | undefined {
  return useContext(AuthContext).session;
}

/**
 * Whether the signed-in user is an admin, as the session's user says (`app_metadata.role`). The UI
 * uses it only to offer or hide admin pages; the server decides on every request.
 */
export function useIsAdmin(): boolean {
  return useSession()?.user.app_metadata.role === 'admin';
}
