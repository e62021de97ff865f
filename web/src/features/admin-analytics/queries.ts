import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type SeriesQuery = NonNullable<paths['/v1/admin/analytics/series']['get']['parameters']['query']>;
export type Series = paths['/v1/admin/analytics/series']['get']['responses'][200]['content']['application/json'];
export type RangeQuery = { from: string; to: string; service?: string };
export type TopTool = paths['/v1/admin/analytics/top-tools']['get']['responses'][200]['content']['application/json']['data'][number];
export type TopUser = paths['/v1/admin/analytics/top-users']['get']['responses'][200]['content']['application/json']['data'][number];
export type UsersReport = paths['/v1/admin/analytics/users']['get']['responses'][200]['content']['application/json'];
export type QuotaLine = paths['/v1/admin/analytics/quota-pressure']['get']['responses'][200]['content']['application/json']['data'][number];

const keys = {
  series: (q: SeriesQuery) => ['admin', 'analytics', 'series', q] as const,
  topTools: (q: RangeQuery) => ['admin', 'analytics', 'top-tools', q] as const,
  topUsers: (q: RangeQuery) => ['admin', 'analytics', 'top-users', q] as const,
  users: (q: RangeQuery) => ['admin', 'analytics', 'users', q] as const,
  quota: ['admin', 'analytics', 'quota-pressure'] as const,
};

export function useSeries(q: SeriesQuery) {
  return useQuery({
    queryKey: keys.series(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/analytics/series', { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useTopTools(q: RangeQuery) {
  return useQuery({
    queryKey: keys.topTools(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/analytics/top-tools', { params: { query: { ...q, limit: 10 } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useTopUsers(q: RangeQuery) {
  return useQuery({
    queryKey: keys.topUsers(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/analytics/top-users', { params: { query: { ...q, limit: 10 } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useUsersReport(q: RangeQuery) {
  return useQuery({
    queryKey: keys.users(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/analytics/users', { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useQuotaPressure() {
  return useQuery({
    queryKey: keys.quota,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/analytics/quota-pressure', { params: { query: { min_percent: 80, limit: 50 } }, signal })),
  });
}
