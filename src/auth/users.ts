import type { Selectable } from 'kysely';
import type { PlatformRole, UsersTable } from '../db/index.js';

export type UserRow = Selectable<UsersTable>;

/** The `app_metadata` we publish: provider info plus the platform role, which only admins change. */
export function appMetadata(user: UserRow): Record<string, unknown> {
  const stored = (user.app_metadata ?? {}) as Record<string, unknown>;
  const provider = user.external_issuer ? 'supabase' : 'email';
  return {
    provider: typeof stored.provider === 'string' ? stored.provider : provider,
    providers: Array.isArray(stored.providers) ? stored.providers : [provider],
    ...stored,
    role: user.role satisfies PlatformRole,
  };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A user as GoTrue's `/user` returns it (the subset supabase-js reads). */
export function gotrueUser(user: UserRow): Record<string, unknown> {
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: '',
    confirmed_at: iso(user.email_confirmed_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: appMetadata(user),
    user_metadata: user.user_metadata ?? {},
    identities: [],
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    is_anonymous: false,
    ...(user.disabled_at ? { banned_until: 'infinity' } : {}),
  };
}

/** A user as the admin API lists it. */
export function adminUser(user: UserRow): Record<string, unknown> {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    disabled: user.disabled_at !== null,
    disabled_at: iso(user.disabled_at),
    external_issuer: user.external_issuer,
    user_metadata: user.user_metadata ?? {},
    app_metadata: appMetadata(user),
    last_sign_in_at: iso(user.last_sign_in_at),
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
  };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
