import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';
import { forgetFreshKey, rememberFreshKey } from './fresh-key';

export type ApiKey = paths['/v1/api-keys']['get']['responses'][200]['content']['application/json']['api_keys'][number];
export type NewApiKey = paths['/v1/api-keys']['post']['requestBody']['content']['application/json'];
export type CreatedApiKey = paths['/v1/api-keys']['post']['responses'][201]['content']['application/json'];

const apiKeyKeys = { all: ['api-keys'] as const };

export function useApiKeys() {
  return useQuery({
    queryKey: apiKeyKeys.all,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/api-keys', { signal })).api_keys,
  });
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewApiKey): Promise<CreatedApiKey> => unwrap(await api.POST('/v1/api-keys', { body })),
    onSuccess: (created) => {
      rememberFreshKey({ id: created.id, name: created.name, key: created.key });
      void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all });
    },
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      unwrap(await api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } }));
      return id;
    },
    onSuccess: (id) => {
      forgetFreshKey(id);
      void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all });
    },
  });
}
