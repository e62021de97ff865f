import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type AdminUser = paths['/v1/admin/users']['get']['responses'][200]['content']['application/json']['users'][number];
export type UserChange = paths['/v1/admin/users/{id}']['patch']['requestBody']['content']['application/json'];

export function useAdminUsers(q: string) {
  return useInfiniteQuery({
    queryKey: ['admin', 'users', q],
    queryFn: async ({ pageParam, signal }) =>
      unwrap(await api.GET('/v1/admin/users', { params: { query: { q: q || undefined, limit: 50, cursor: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Every admin action changes the audit trail too: both views refresh. */
function useAdminInvalidation() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
    void queryClient.invalidateQueries({ queryKey: ['admin', 'audit'] });
  };
}

export function useChangeUser() {
  const invalidate = useAdminInvalidation();
  return useMutation({
    mutationFn: async ({ id, change }: { id: string; change: UserChange }) => unwrap(await api.PATCH('/v1/admin/users/{id}', { params: { path: { id } }, body: change })),
    onSuccess: invalidate,
  });
}

export function useRevokeSessions() {
  const invalidate = useAdminInvalidation();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/v1/admin/users/{id}/sessions', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}
