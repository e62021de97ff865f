import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';
import { serviceKeys } from '../services/queries';

export type ListingSummary = paths['/v1/marketplace/listings']['get']['responses'][200]['content']['application/json']['listings'][number];
export type Listing = paths['/v1/marketplace/listings/{id}']['get']['responses'][200]['content']['application/json'];
export type BrowseQuery = NonNullable<paths['/v1/marketplace/listings']['get']['parameters']['query']>;
export type Price = ListingSummary['price'];

export const marketplaceKeys = {
  all: ['marketplace'] as const,
  browse: (q: BrowseQuery) => ['marketplace', 'browse', q] as const,
  listing: (slug: string) => ['marketplace', 'listing', slug] as const,
};

/** Live listings matching the filters (GET /v1/marketplace/listings); the last page stays while the next loads. */
export function useListings(query: BrowseQuery) {
  return useQuery({
    queryKey: marketplaceKeys.browse(query),
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/marketplace/listings', { params: { query }, signal })).listings,
  });
}

/** One live listing with its tools, changelog and reviews (by slug). */
export function useListing(slug: string) {
  return useQuery({
    queryKey: marketplaceKeys.listing(slug),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/marketplace/listings/{id}', { params: { path: { id: slug } }, signal })),
  });
}

/** After an install, uninstall or rating: the listing, the browse lists and the user's services change. */
function useRefresh() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: marketplaceKeys.all });
    void queryClient.invalidateQueries({ queryKey: serviceKeys.all, exact: true });
  };
}

export function useInstall(id: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/marketplace/listings/{id}/install', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}

export function useUninstall(id: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async () => {
      unwrap(await api.DELETE('/v1/marketplace/listings/{id}/install', { params: { path: { id } } }));
    },
    onSuccess: refresh,
  });
}

export function useRate(id: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async (body: { rating: number; review: string }) => unwrap(await api.PUT('/v1/marketplace/listings/{id}/rating', { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
}

/** "Free", or "0.002 USD per call" (the API's 6 places, trailing zeros dropped). */
export function formatPrice(price: Price): string {
  if (!price) return 'Free';
  return `${formatAmount(price.per_call)} ${price.currency} per call`;
}

/** A decimal from the API without its trailing zeros: "0.002000" → "0.002", "0.000000" → "0". */
export function formatAmount(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal;
}

/** "4.5 of 5 (2 ratings)", or "No ratings yet". */
export function formatRating(rating: ListingSummary['rating']): string {
  if (rating.count === 0 || rating.average === null) return 'No ratings yet';
  return `${rating.average.toFixed(1)} of 5 (${rating.count} ${rating.count === 1 ? 'rating' : 'ratings'})`;
}
