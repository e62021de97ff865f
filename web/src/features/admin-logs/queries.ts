import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type LogFilters = NonNullable<paths['/v1/admin/logs']['get']['parameters']['query']>;
export type LogEntry = paths['/v1/admin/logs']['get']['responses'][200]['content']['application/json']['data'][number];

export function useAdminLogs(filters: LogFilters) {
  return useInfiniteQuery({
    queryKey: ['admin', 'logs', filters],
    queryFn: async ({ pageParam, signal }) => unwrap(await api.GET('/v1/admin/logs', { params: { query: { ...filters, limit: 50, cursor: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    staleTime: 0,
  });
}
