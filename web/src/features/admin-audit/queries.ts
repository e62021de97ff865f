import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type AuditFilters = NonNullable<paths['/v1/admin/audit']['get']['parameters']['query']>;
export type AuditEntry = paths['/v1/admin/audit']['get']['responses'][200]['content']['application/json']['data'][number];
export type ChainCheck = paths['/v1/admin/audit/verify']['get']['responses'][200]['content']['application/json'];

export function useAudit(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: ['admin', 'audit', filters],
    queryFn: async ({ pageParam, signal }) => unwrap(await api.GET('/v1/admin/audit', { params: { query: { ...filters, limit: 50, cursor: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    staleTime: 0,
  });
}

/** Walks the whole hash chain on the server; a button press, not a query that refreshes by itself. */
export function useVerifyChain() {
  return useMutation({ mutationFn: async () => unwrap(await api.GET('/v1/admin/audit/verify')) });
}
