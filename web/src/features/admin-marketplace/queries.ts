import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type ReviewItem = paths['/v1/admin/marketplace/reviews']['get']['responses'][200]['content']['application/json']['reviews'][number];
export type ReviewState = ReviewItem['state'];
export type ProviderApplication = paths['/v1/admin/marketplace/providers']['get']['responses'][200]['content']['application/json']['providers'][number];
export type AdminListing = paths['/v1/admin/marketplace/listings']['get']['responses'][200]['content']['application/json']['listings'][number];
export type ListingFilter = 'live' | 'withdrawn' | 'all';

export const adminMarketplaceKeys = {
  all: ['admin', 'marketplace'] as const,
  reviews: (state: ReviewState) => ['admin', 'marketplace', 'reviews', state] as const,
  providers: ['admin', 'marketplace', 'providers'] as const,
  listings: (state: ListingFilter) => ['admin', 'marketplace', 'listings', state] as const,
};

/** Every listing (or only those on the marketplace, or withdrawn), newest first. */
export function useAdminListings(state: ListingFilter) {
  return useQuery({
    queryKey: adminMarketplaceKeys.listings(state),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/v1/admin/marketplace/listings', { params: { query: state === 'all' ? {} : { state } }, signal })).listings,
  });
}

/** Withdraws any listing, with the reason the provider will see. */
export function useAdminWithdraw() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, reason }: { id: string; reason: string }) =>
      unwrap(await api.POST('/v1/admin/marketplace/listings/{id}/withdraw', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: adminMarketplaceKeys.all }),
  });
}

/** Puts a withdrawn listing back (its live version's address is checked again by the API). */
export function useAdminReinstate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id }: { id: string }) => unwrap(await api.POST('/v1/admin/marketplace/listings/{id}/reinstate', { params: { path: { id } }, body: {} })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: adminMarketplaceKeys.all }),
  });
}

/** The review queue (pending by default), oldest first, with what the platform saw on inspection. */
export function useReviews(state: ReviewState) {
  return useQuery({
    queryKey: adminMarketplaceKeys.reviews(state),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/marketplace/reviews', { params: { query: { state } }, signal })).reviews,
  });
}

/** Pending provider applications. */
export function usePendingProviders() {
  return useQuery({
    queryKey: adminMarketplaceKeys.providers,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/marketplace/providers', { params: { query: { status: 'pending' } }, signal })).providers,
  });
}

export type Decision = { decision: 'approve' } | { decision: 'reject'; reason: string };

export function useDecideVersion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ listingId, version, body }: { listingId: string; version: number; body: Decision }) =>
      unwrap(await api.POST('/v1/admin/marketplace/reviews/{id}/{version}/decision', { params: { path: { id: listingId, version } }, body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: adminMarketplaceKeys.all }),
  });
}

/** Connects to the version again (after a fix at the provider's end). */
export function useReinspect() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ listingId, version }: { listingId: string; version: number }) =>
      unwrap(await api.POST('/v1/admin/marketplace/reviews/{id}/{version}/inspect', { params: { path: { id: listingId, version } }, body: {} })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: adminMarketplaceKeys.all }),
  });
}

export function useDecideProvider() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ userId, body }: { userId: string; body: Decision }) =>
      unwrap(await api.POST('/v1/admin/marketplace/providers/{id}/decision', { params: { path: { id: userId } }, body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: adminMarketplaceKeys.all }),
  });
}
