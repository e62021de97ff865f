import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';
import { saveCsv } from './csv';

export type Price = paths['/v1/admin/prices']['get']['responses'][200]['content']['application/json']['prices'][number];
export type Statement = paths['/v1/admin/users/{id}/statement']['get']['responses'][200]['content']['application/json'];
export type PayoutReport = paths['/v1/admin/payouts']['get']['responses'][200]['content']['application/json'];
export type BillingEvent = paths['/v1/admin/billing/events']['get']['responses'][200]['content']['application/json']['events'][number];
export type EventState = BillingEvent['state'];

export const billingKeys = {
  prices: ['admin', 'billing', 'prices'] as const,
  statement: (userId: string, month: string) => ['admin', 'billing', 'statement', userId, month] as const,
  payouts: (month: string) => ['admin', 'billing', 'payouts', month] as const,
  events: (state: EventState | null) => ['admin', 'billing', 'events', state] as const,
};

/** Per-call prices of services (set by an admin, or by a marketplace listing's approval). */
export function usePrices() {
  return useQuery({ queryKey: billingKeys.prices, queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/prices', { signal })).prices });
}

/** A user's statement of a month: open (so far) or final (the snapshot). */
export function useStatement(userId: string | null, month: string) {
  return useQuery({
    queryKey: billingKeys.statement(userId ?? '', month),
    enabled: userId !== null && month !== '',
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/v1/admin/users/{id}/statement', { params: { path: { id: userId! }, query: { month } }, signal, parseAs: 'json' })) as Statement,
  });
}

/** Sets a service's per-call price (a new one, or a change: both kept in the price history). */
export function useSetPrice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ service, price_per_call, currency }: { service: string; price_per_call: string; currency: string }) =>
      unwrap(await api.PUT('/v1/admin/prices/{service}', { params: { path: { service } }, body: { price_per_call, currency } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin', 'billing'] }),
  });
}

/** Removes a service's price: its calls are free from now on (final statements keep theirs). */
export function useRemovePrice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (service: string) => unwrap(await api.DELETE('/v1/admin/prices/{service}', { params: { path: { service } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin', 'billing'] }),
  });
}

/** Downloads a user's statement of a month as CSV (the API's `format=csv`). */
export function useStatementCsv() {
  return useMutation({
    mutationFn: async ({ userId, month }: { userId: string; month: string }) =>
      saveCsv(await api.GET('/v1/admin/users/{id}/statement', { params: { path: { id: userId }, query: { month, format: 'csv' } }, parseAs: 'text' }), `statement-${month}-${userId.slice(0, 8)}.csv`),
  });
}

/** Downloads every provider's payouts of a month as CSV. */
export function usePayoutsCsv() {
  return useMutation({
    mutationFn: async (month: string) => saveCsv(await api.GET('/v1/admin/payouts', { params: { query: { month, format: 'csv' } }, parseAs: 'text' }), `payouts-${month}.csv`),
  });
}

export function useFinalise() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (month: string) => unwrap(await api.POST('/v1/admin/statements/finalize', { body: { month } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin', 'billing', 'statement'] }),
  });
}

/** Every provider's payout report of a month. */
export function usePayouts(month: string) {
  return useQuery({
    queryKey: billingKeys.payouts(month),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/payouts', { params: { query: { month } }, signal, parseAs: 'json' })) as PayoutReport,
    placeholderData: keepPreviousData,
  });
}

/** The webhook outbox, newest first. */
export function useEvents(state: EventState | null) {
  return useQuery({
    queryKey: billingKeys.events(state),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/admin/billing/events', { params: { query: { ...(state ? { state } : {}), limit: 100 } }, signal })).events,
    placeholderData: keepPreviousData,
    // While an event waits for delivery, look again every 2 s (its state changes without a click here).
    refetchInterval: (query) => (query.state.data?.some((e) => e.state === 'pending') ? 2_000 : false),
  });
}

export function useRedeliver() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/v1/admin/billing/events/{id}/redeliver', { params: { path: { id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin', 'billing', 'events'] }),
  });
}
