import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type ProviderStatus = paths['/v1/marketplace/provider']['get']['responses'][200]['content']['application/json'];
export type ProviderListing = paths['/v1/marketplace/provider/listings']['get']['responses'][200]['content']['application/json']['listings'][number];
export type ListingSubmission = paths['/v1/marketplace/provider/listings']['post']['requestBody']['content']['application/json'];
export type VersionSubmission = paths['/v1/marketplace/provider/listings/{id}/versions']['post']['requestBody']['content']['application/json'];
export type AnalyticsRange = { from: string; to: string; bucket: 'hour' | 'day' };

export const providerKeys = {
  all: ['provider'] as const,
  status: ['provider', 'status'] as const,
  listings: ['provider', 'listings'] as const,
  allStats: ['provider', 'stats'] as const,
  stats: (id: string) => ['provider', 'stats', id] as const,
  series: (q: AnalyticsRange) => ['provider', 'analytics', 'series', q] as const,
  topTools: (q: AnalyticsRange) => ['provider', 'analytics', 'top-tools', q] as const,
};

/** The caller's provider record; `{ status: 'none' }` when they never applied. */
export function useProviderStatus() {
  return useQuery({
    queryKey: providerKeys.status,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/marketplace/provider', { signal })),
  });
}

export function useApply() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { display_name: string; note: string }) => unwrap(await api.POST('/v1/marketplace/provider', { body })),
    onSuccess: (status) => queryClient.setQueryData(providerKeys.status, status),
  });
}

/** The provider's listings with every version, and whether npm listings are enabled here (only for approved providers). */
export function useProviderListings(enabled: boolean) {
  return useQuery({
    queryKey: providerKeys.listings,
    enabled,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/marketplace/provider/listings', { signal })),
  });
}

/** Installs, calls, errors and revenue over the last 30 days (no user's identity). */
export function useListingStats(id: string, enabled: boolean) {
  return useQuery({
    queryKey: providerKeys.stats(id),
    enabled,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/marketplace/provider/listings/{id}/stats', { params: { path: { id } }, signal })),
  });
}

export function useSubmitListing() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ListingSubmission) => unwrap(await api.POST('/v1/marketplace/provider/listings', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: providerKeys.listings }),
  });
}

export function useSubmitVersion(listingId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: VersionSubmission) => unwrap(await api.POST('/v1/marketplace/provider/listings/{id}/versions', { params: { path: { id: listingId } }, body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: providerKeys.listings }),
  });
}

/** Withdraws one of the provider's listings: off the marketplace, no new installs; existing installs keep working. */
export function useWithdrawListing(listingId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { reason?: string }) => unwrap(await api.POST('/v1/marketplace/provider/listings/{id}/withdraw', { params: { path: { id: listingId } }, body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: providerKeys.listings }),
  });
}

/** Puts a listing the provider withdrew back on the marketplace (its pending versions back in review). */
export function useReinstateListing(listingId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/marketplace/provider/listings/{id}/reinstate', { params: { path: { id: listingId } }, body: {} })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: providerKeys.listings }),
  });
}

/** Calls, errors and latency over time across the provider's own listings (docs/analytics.md). */
export function useProviderSeries(q: AnalyticsRange) {
  return useQuery({
    queryKey: providerKeys.series(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/provider/analytics/series', { params: { query: q }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useProviderTopTools(q: AnalyticsRange) {
  return useQuery({
    queryKey: providerKeys.topTools(q),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/provider/analytics/top-tools', { params: { query: { from: q.from, to: q.to, limit: 10 } }, signal })),
    placeholderData: keepPreviousData,
  });
}
