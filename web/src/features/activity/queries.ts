import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type LogQuery = NonNullable<paths['/v1/logs']['get']['parameters']['query']>;
export type LogEntry = paths['/v1/logs']['get']['responses'][200]['content']['application/json']['data'][number];
export type UsageQuery = NonNullable<paths['/v1/usage']['get']['parameters']['query']>;
export type UsageRow = paths['/v1/usage']['get']['responses'][200]['content']['application/json']['data'][number];

export const activityKeys = {
  logs: (q: LogQuery) => ['activity', 'logs', q] as const,
  usage: (q: UsageQuery) => ['activity', 'usage', q] as const,
};

/** One page of the caller's own request log (GET /v1/logs), newest first. */
export function useOwnLogs(q: LogQuery) {
  return useQuery({
    queryKey: activityKeys.logs(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/logs', { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** The caller's usage time series (GET /v1/usage): per period and service. */
export function useOwnUsage(q: UsageQuery) {
  return useQuery({
    queryKey: activityKeys.usage(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/usage', { params: { query: q }, signal })),
  });
}

export type QuotaView = paths['/v1/usage/quota']['get']['responses'][200]['content']['application/json'];

/** The caller's plan and this month's calls against its quotas (GET /v1/usage/quota). */
export function useOwnQuota() {
  return useQuery({
    queryKey: ['activity', 'quota'] as const,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/usage/quota', { signal })),
  });
}
