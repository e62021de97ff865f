import { Badge, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { supabase } from '../../auth/supabase';
import type { paths } from '../../api/schema';
import { when } from '../../components/format';
import { RevocableTable } from '../../components/revocable-table';
import { ErrorState, LoadingState } from '../../components/states';

type OwnSession = paths['/v1/me/sessions']['get']['responses'][200]['content']['application/json']['sessions'][number];

const sessionsKey = ['account', 'sessions'] as const;

/** A readable name for a User-Agent: the browser and the system, or the raw string when neither is known. */
export function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown client';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /(Chrome|Chromium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : undefined;
  const system = /iPhone|iPad/.test(userAgent)
    ? 'iOS'
    : /Android/.test(userAgent)
      ? 'Android'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  if (browser || system) return [browser ?? 'A browser', system && `on ${system}`].filter(Boolean).join(' ');
  return userAgent.length > 60 ? `${userAgent.slice(0, 60)}…` : userAgent;
}

/** The browsers and devices signed in to this account (`GET /v1/me/sessions`), each of which can be ended. */
export function SessionList() {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: sessionsKey,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/me/sessions', { signal })).sessions,
  });
  const end = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/v1/me/sessions/{id}', { params: { path: { id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
  if (sessions.isPending) return <LoadingState label="Loading your sessions…" />;
  if (sessions.isError) return <ErrorState title="Could not load your sessions" error={sessions.error} onRetry={() => void sessions.refetch()} />;
  return (
    <RevocableTable<OwnSession>
      label="Your sessions"
      rows={sessions.data}
      rowKey={(s) => s.id}
      rowProps={(s) => ({ 'data-session': s.current ? 'current' : 'other' })}
      minWidth={560}
      columns={[
        {
          header: 'Device',
          cell: (s) => (
            <>
              <Text size="sm" component="div" title={s.user_agent ?? undefined}>
                {deviceOf(s.user_agent)}{' '}
                {s.current && (
                  <Badge size="xs" variant="light" color="teal">
                    this browser
                  </Badge>
                )}
              </Text>
              {s.ip && (
                <Text size="xs" c="dimmed">
                  from {s.ip}
                </Text>
              )}
            </>
          ),
        },
        { header: 'Signed in', cell: (s) => when(s.created_at) },
        { header: 'Last active', cell: (s) => when(s.refreshed_at ?? s.created_at) },
      ]}
      action={{ label: 'Sign out', ariaLabel: (s) => `Sign out ${deviceOf(s.user_agent)}${s.current ? ' (this browser)' : ''}, signed in ${when(s.created_at)}` }}
      confirm={{
        title: (s) => (s.current ? 'Sign out this browser?' : `Sign out ${deviceOf(s.user_agent)}?`),
        body: 'That session ends now: its browser or device has to sign in again. API keys keep working.',
        confirmLabel: 'Sign out',
        cancelLabel: 'Keep it',
        errorTitle: 'The session was not ended',
        pending: end.isPending,
        error: end.error,
        onConfirm: (s, close) => {
          // This browser's own session: an ordinary sign-out (it ends the session on the server too).
          if (s.current) return void supabase.auth.signOut({ scope: 'local' }).then(close);
          end.mutate(s.id, {
            onSuccess: () => {
              close();
              notifications.show({ color: 'teal', title: 'Session ended', message: `${deviceOf(s.user_agent)} is signed out.` });
            },
          });
        },
      }}
    />
  );
}
