import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { isPlatformApiError, unwrap } from '../../api/errors';
import type { components, paths } from '../../api/schema';

export type Service = paths['/v1/services']['get']['responses'][200]['content']['application/json']['services'][number];
export type CredentialField = Service['credential_schema'][number];
export type StoredCredentials = paths['/v1/services/{id}/credentials']['get']['responses'][200]['content']['application/json'];
export type ApiErrorBody = components['schemas']['Error'];

export const serviceKeys = {
  all: ['services'] as const,
  credentials: (slug: string) => ['services', slug, 'credentials'] as const,
};

/** The catalog the signed-in user may use (GET /v1/services). */
export function useServices() {
  return useQuery({
    queryKey: serviceKeys.all,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/services', { signal })).services,
  });
}

/** What the user stored for a service, secrets masked by the server; `null` when nothing is stored. */
export function useStoredCredentials(slug: string, enabled: boolean) {
  return useQuery({
    queryKey: serviceKeys.credentials(slug),
    enabled,
    queryFn: async ({ signal }) => {
      try {
        return unwrap(await api.GET('/v1/services/{id}/credentials', { params: { path: { id: slug } }, signal }));
      } catch (err) {
        if (isPlatformApiError(err) && err.status === 404) return null;
        throw err;
      }
    },
  });
}

export function useSaveCredentials(slug: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (values: Record<string, string>) =>
      unwrap(await api.PUT('/v1/services/{id}/credentials', { params: { path: { id: slug } }, body: values })),
    onSuccess: (stored) => {
      queryClient.setQueryData(serviceKeys.credentials(slug), stored);
      void queryClient.invalidateQueries({ queryKey: serviceKeys.all, exact: true });
    },
  });
}

export function useDisconnect(slug: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      unwrap(await api.DELETE('/v1/services/{id}/credentials', { params: { path: { id: slug } } }));
    },
    onSuccess: () => {
      queryClient.setQueryData(serviceKeys.credentials(slug), null);
      void queryClient.invalidateQueries({ queryKey: serviceKeys.all, exact: true });
    },
  });
}

/**
 * Upstream OAuth (services whose catalog entry has `http.oauth`): the provider's authorization
 * URL, which the browser then opens (docs/oauth.md Part 2); it comes back to /services?connected=<slug>.
 */
export function useOAuthStart(slug: string) {
  return useMutation({
    mutationFn: async () => unwrap(await api.GET('/v1/services/{id}/oauth/start', { params: { path: { id: slug } } })),
    onSuccess: ({ authorization_url }) => window.location.assign(authorization_url),
  });
}

/** Revokes the tokens at the provider and deletes them. */
export function useOAuthDisconnect(slug: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      unwrap(await api.DELETE('/v1/services/{id}/oauth', { params: { path: { id: slug } } }));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: serviceKeys.all, exact: true }),
  });
}

export type ServiceStatus = 'connected' | 'needs_credentials' | 'needs_oauth' | 'ready';

/**
 * `ready`: nothing to connect; `connected`: every required credential stored and, for an OAuth
 * service, its account connected; `needs_oauth`: the OAuth connection is what is missing.
 */
export function serviceStatus(s: Service): ServiceStatus {
  if (s.credential_schema.length === 0 && !s.oauth) return 'ready';
  if (s.connected) return 'connected';
  return s.oauth && !s.oauth.connected ? 'needs_oauth' : 'needs_credentials';
}
