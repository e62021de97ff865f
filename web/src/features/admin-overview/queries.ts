import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type Traffic = paths['/v1/admin/traffic']['get']['responses'][200]['content']['application/json'];
export type Pool = paths['/v1/admin/router/pool']['get']['responses'][200]['content']['application/json'];

/** How often the overview refreshes (the request log flushes every second). */
export const REFRESH_MS = 5_000;

export function useTraffic(windowSeconds: number) {
  return useQuery({
    queryKey: ['admin', 'traffic', windowSeconds],
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/traffic', { params: { query: { window_seconds: windowSeconds } }, signal })),
    refetchInterval: REFRESH_MS,
    staleTime: 0,
  });
}

export function usePool() {
  return useQuery({
    queryKey: ['admin', 'pool'],
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/router/pool', { signal })),
    refetchInterval: REFRESH_MS,
    staleTime: 0,
  });
}
