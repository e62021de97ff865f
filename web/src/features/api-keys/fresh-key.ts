import { useSyncExternalStore } from 'react';
import { supabase } from '../../auth/supabase';

/**
 * The keys made in this tab, so "Connect a client" can fill one in. Memory only: never
 * localStorage, never a URL; gone on reload and on sign-out.
 */
export interface FreshKey {
  id: string;
  name: string;
  key: string;
}

let keys: FreshKey[] = [];
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function rememberFreshKey(k: FreshKey): void {
  keys = [k, ...keys.filter((x) => x.id !== k.id)];
  emit();
}

export function forgetFreshKey(id: string): void {
  keys = keys.filter((x) => x.id !== id);
  emit();
}

export function forgetFreshKeys(): void {
  keys = [];
  emit();
}

export function useFreshKeys(): FreshKey[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => keys,
  );
}

// A key made by one user is never offered to the next one in this tab.
supabase.auth.onAuthStateChange((event) => {
  if (event === 'SIGNED_OUT') forgetFreshKeys();
});
