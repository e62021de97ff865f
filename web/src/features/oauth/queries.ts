import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type ConsentDetails = paths['/oauth/consent/{uid}/details']['get']['responses'][200]['content']['application/json'];
export type Grant = paths['/v1/oauth/grants']['get']['responses'][200]['content']['application/json']['grants'][number];

/** The pending authorization this browser started (the interaction cookie rides along: same origin). */
export function useConsentDetails(uid: string) {
  return useQuery({
    queryKey: ['oauth-consent', uid],
    queryFn: async ({ signal }): Promise<ConsentDetails> => unwrap(await api.GET('/oauth/consent/{uid}/details', { params: { path: { uid } }, signal })),
    retry: false,
    staleTime: Infinity,
  });
}

export function useConsentDecision(uid: string) {
  return useMutation({
    mutationFn: async (body: { approve: boolean; csrf_token: string }) =>
      unwrap(await api.POST('/oauth/consent/{uid}/decision', { params: { path: { uid } }, body })).redirect_to,
  });
}

const grantKeys = { all: ['oauth-grants'] as const };

export function useGrants() {
  return useQuery({
    queryKey: grantKeys.all,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/oauth/grants', { signal })).grants,
  });
}

export function useRevokeGrant() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      unwrap(await api.DELETE('/v1/oauth/grants/{id}', { params: { path: { id } } }));
      return id;
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: grantKeys.all }),
  });
}

/** How a client is named on the pages: its own name, else the host of its metadata document or its ID. */
export function clientLabel(client: { client_id: string; client_name: string | null }): string {
  if (client.client_name) return client.client_name;
  return URL.parse(client.client_id)?.host ?? client.client_id;
}
