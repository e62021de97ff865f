import { lazy, Suspense, type ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { useIsAdmin } from '../auth/session';
import { LoadingState } from '../components/states';
import { NotAllowedPage, NotFoundPage } from './dead-end-pages';

/**
 * The admin dashboard's routes and navigation (docs/web.md, "Admin"). Each page is its own lazy
 * chunk, so a user's first load carries none of it.
 */
const OverviewPage = lazy(() => import('../features/admin-overview/overview-page'));
const UsersPage = lazy(() => import('../features/admin-users/users-page'));
const LogsPage = lazy(() => import('../features/admin-logs/logs-page'));
const AuditPage = lazy(() => import('../features/admin-audit/audit-page'));
const ErrorsPage = lazy(() => import('../features/admin-errors/errors-page'));
const ServicesAdminPage = lazy(() => import('../features/admin-services/services-admin-page'));
const MarketplaceReviewPage = lazy(() => import('../features/admin-marketplace/marketplace-review-page'));
const AnalyticsPage = lazy(() => import('../features/admin-analytics/analytics-page'));
const BillingPage = lazy(() => import('../features/admin-billing/billing-page'));

export const adminPaths = {
  overview: '/admin',
  users: '/admin/users',
  logs: '/admin/logs',
  audit: '/admin/audit',
  errors: '/admin/errors',
  services: '/admin/services',
  marketplace: '/admin/marketplace',
  analytics: '/admin/analytics',
  billing: '/admin/billing',
} as const;

export const adminNav = [
  { to: adminPaths.overview, label: 'Overview', hint: 'Traffic, pool, health', exact: true },
  { to: adminPaths.users, label: 'Users', hint: 'Roles, disable, sessions' },
  { to: adminPaths.services, label: 'Services admin', hint: 'Enable, roles, health' },
  { to: adminPaths.marketplace, label: 'Marketplace review', hint: 'Listings, providers' },
  { to: adminPaths.logs, label: 'Logs', hint: 'Every request' },
  { to: adminPaths.audit, label: 'Audit trail', hint: 'Security events, chain' },
  { to: adminPaths.errors, label: 'Error groups', hint: 'Unexpected failures' },
  { to: adminPaths.analytics, label: 'Analytics', hint: 'Calls, latency, users, quotas' },
  { to: adminPaths.billing, label: 'Billing', hint: 'Prices, statements, payouts, outbox' },
];

/** Admin pages for admins; anyone else gets "Not allowed" (and the API's 403 besides). */
function RequireAdmin({ children }: { children: ReactNode }) {
  return useIsAdmin() ? <Suspense fallback={<LoadingState label="Loading the page…" />}>{children}</Suspense> : <NotAllowedPage />;
}

/** Children of the signed-in layout route. */
export const adminRoutes: RouteObject[] = [
  { path: adminPaths.overview, element: <RequireAdmin><OverviewPage /></RequireAdmin> },
  { path: adminPaths.analytics, element: <RequireAdmin><AnalyticsPage /></RequireAdmin> },
  { path: adminPaths.users, element: <RequireAdmin><UsersPage /></RequireAdmin> },
  { path: adminPaths.logs, element: <RequireAdmin><LogsPage /></RequireAdmin> },
  { path: adminPaths.audit, element: <RequireAdmin><AuditPage /></RequireAdmin> },
  { path: adminPaths.errors, element: <RequireAdmin><ErrorsPage /></RequireAdmin> },
  { path: adminPaths.services, element: <RequireAdmin><ServicesAdminPage /></RequireAdmin> },
  { path: adminPaths.marketplace, element: <RequireAdmin><MarketplaceReviewPage /></RequireAdmin> },
  { path: adminPaths.billing, element: <RequireAdmin><BillingPage /></RequireAdmin> },
  { path: `${adminPaths.overview}/*`, element: <RequireAdmin><NotFoundPage /></RequireAdmin> },
];
