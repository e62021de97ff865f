import type { Router } from 'express';
import type { PlatformDatabase } from '../db/index.js';
import { AnalyticsQueries } from './queries.js';
import { adminAnalyticsRouter, analyticsRoutes } from './routes.js';

export { analyticsOpenApi, providerAnalyticsOpenApi } from './openapi.js';
export {
  ADMIN_SCOPE,
  AnalyticsQueries,
  type AnalyticsScope,
  type Bucket,
  type Series,
  type SeriesPoint,
  type TopTool,
  type TopUser,
  type UsersReport,
  type QuotaPressureRow,
} from './queries.js';
export { analyticsRoutes, resolveRange, MAX_RANGE_DAYS } from './routes.js';

/**
 * Analytics over the request log's rollups (docs/analytics.md). The rollups are written by the
 * request-log writer (src/logging/rollups.ts); this folder only reads them.
 *
 * For providers (the marketplace): build `analyticsRoutes(options, scopeOf)` with a `scopeOf` that
 * answers `{ services: <the slugs of the provider's listings' services>, identifyUsers: false }`,
 * and mount it after the provider check, e.g. at /v1/provider/analytics.
 */
export interface AnalyticsOptions {
  database: PlatformDatabase;
  /** BILLING_DEFAULT_PLAN (quota pressure counts users without a plan on it). */
  defaultPlan: string | undefined;
  now?: () => Date;
}

export interface Analytics {
  readonly queries: AnalyticsQueries;
  /** /series, /top-tools, /top-users, /users, /quota-pressure: mount at /v1/admin/analytics after requireRole('admin'). */
  readonly adminRouter: Router;
  /** The same routes over another scope (providers). */
  scopedRouter(scopeOf: Parameters<typeof analyticsRoutes>[1]): Router;
}

export function createAnalytics(opts: AnalyticsOptions): Analytics {
  const queries = new AnalyticsQueries(opts.database);
  const routeOptions = { queries, defaultPlan: opts.defaultPlan, now: opts.now ?? (() => new Date()) };
  return {
    queries,
    adminRouter: adminAnalyticsRouter(routeOptions),
    scopedRouter: (scopeOf) => analyticsRoutes(routeOptions, scopeOf),
  };
}
