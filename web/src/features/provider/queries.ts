import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type ProviderStatus = paths['/v1/marketplace/provider']['get']['responses'][200]['content']['application/json'];
export type ProviderListing = paths['/v1/marketplace/provider/listings']['get']['responses'][200]['content']['application/json']['listings'][number];
export type ListingSubmission = paths['/v1/marketplace/provider/listings']['post']['requestBody']['content']['application/json'];

export const providerKeys = {
  all: ['provider'] as const,
  status: ['provider', 'status'] as const,
  listings: ['provider', 'listings'] as const,
  stats: (id: string) => ['provider', 'stats', id] as const,
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

/** The provider's listings with every version (only for approved providers). */
export function useProviderListings(enabled: boolean) {
  return useQuery({
    queryKey: providerKeys.listings,
    enabled,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/marketplace/provider/listings', { signal })).listings,
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
