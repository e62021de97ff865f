import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type AdminService = paths['/v1/admin/services']['get']['responses'][200]['content']['application/json']['services'][number];
export type ServiceChange = paths['/v1/admin/services/{id}']['patch']['requestBody']['content']['application/json'];
export type NewService = paths['/v1/admin/services']['post']['requestBody']['content']['application/json'];
export type ServiceTools = paths['/v1/admin/services/{id}/tools']['get']['responses'][200]['content']['application/json'];

const servicesKey = ['admin', 'services'] as const;

/** A change to the registry shows in this view, the audit trail and the user's services list. */
function afterChange(queryClient: QueryClient) {
  void queryClient.invalidateQueries({ queryKey: servicesKey });
  void queryClient.invalidateQueries({ queryKey: ['admin', 'audit'] });
  void queryClient.invalidateQueries({ queryKey: ['admin', 'pool'] });
  void queryClient.invalidateQueries({ queryKey: ['services'] });
}

export function useAdminServices() {
  return useQuery({
    queryKey: servicesKey,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/services', { signal })).services,
  });
}

/** The tools the upstream lists right now (connects as the admin); only when asked for. */
export function useServiceTools(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['admin', 'services', id, 'tools'],
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/services/{id}/tools', { params: { path: { id } }, signal })),
    enabled,
    retry: false,
    staleTime: 30_000,
  });
}

export function useChangeService() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, change }: { id: string; change: ServiceChange }) => unwrap(await api.PATCH('/v1/admin/services/{id}', { params: { path: { id } }, body: change })),
    onSuccess: () => afterChange(queryClient),
  });
}

export function useRegisterService() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (service: NewService) => unwrap(await api.POST('/v1/admin/services', { body: service })),
    onSuccess: () => afterChange(queryClient),
  });
}

export function useRemoveService() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/v1/admin/services/{id}', { params: { path: { id } } })),
    onSuccess: () => afterChange(queryClient),
  });
}

export function useAddInstance(serviceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (url: string) => unwrap(await api.POST('/v1/admin/services/{id}/instances', { params: { path: { id: serviceId } }, body: { url } })),
    onSuccess: () => afterChange(queryClient),
  });
}

export function useRemoveInstance(serviceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (instanceId: string) =>
      unwrap(await api.DELETE('/v1/admin/services/{id}/instances/{instanceId}', { params: { path: { id: serviceId, instanceId } } })),
    onSuccess: () => afterChange(queryClient),
  });
}
