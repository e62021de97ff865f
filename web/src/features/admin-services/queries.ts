import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type AdminService = paths['/v1/admin/services']['get']['responses'][200]['content']['application/json']['services'][number];
export type ServiceChange = paths['/v1/admin/services/{id}']['patch']['requestBody']['content']['application/json'];

export function useAdminServices() {
  return useQuery({
    queryKey: ['admin', 'services'],
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/services', { signal })).services,
  });
}

export function useChangeService() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, change }: { id: string; change: ServiceChange }) => unwrap(await api.PATCH('/v1/admin/services/{id}', { params: { path: { id } }, body: change })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['admin', 'services'] });
      void queryClient.invalidateQueries({ queryKey: ['admin', 'audit'] });
      void queryClient.invalidateQueries({ queryKey: ['services'] });
    },
  });
}
