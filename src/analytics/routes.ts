import { Router, type Request } from 'express';
import { z } from 'zod';
import { errors, parseQuery } from '../gateway/index.js';
import { ADMIN_SCOPE, type AnalyticsQueries, type AnalyticsScope, type Bucket } from './queries.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The longest range per bucket size: at most 336 hourly or 366 daily points. */
export const MAX_RANGE_DAYS: Record<Bucket, number> = { hour: 14, day: 366 };
/** The default range per bucket size when `from` is not given. */
const DEFAULT_RANGE_MS: Record<Bucket, number> = { hour: 24 * HOUR_MS, day: 30 * DAY_MS };

const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const slug = z.string().min(1).max(200);
const range = { from: isoTime.optional(), to: isoTime.optional() };

export const seriesQuery = z.strictObject({
  ...range,
  bucket: z.enum(['hour', 'day']).default('day'),
  service: slug.optional(),
  tool: z.string().min(1).max(256).optional(),
});
export const topQuery = z.strictObject({
  ...range,
  service: slug.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
export const usersQuery = z.strictObject({ ...range, service: slug.optional() });
export const quotaPressureQuery = z.strictObject({
  min_percent: z.coerce.number().int().min(1).max(1000).default(80),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** from/to with defaults, checked: from before to, no further apart than the bucket size allows. */
export function resolveRange(q: { from?: Date; to?: Date }, bucket: Bucket, now: Date): { from: Date; to: Date } {
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS[bucket]);
  if (from >= to) throw errors.validation([{ path: 'from', message: 'must be before to' }]);
  const max = MAX_RANGE_DAYS[bucket];
  if (to.getTime() - from.getTime() > max * DAY_MS) {
    throw errors.validation([{ path: 'to', message: `the range may span at most ${max} days with bucket=${bucket}` }]);
  }
  return { from, to };
}

export interface AnalyticsRoutesOptions {
  queries: AnalyticsQueries;
  /** The plan of users without one (BILLING_DEFAULT_PLAN), for quota pressure. */
  defaultPlan: string | undefined;
  now: () => Date;
}

/**
 * The analytics routes over one scope. The admin router (below) always passes ADMIN_SCOPE; a
 * provider's router passes its listings' services (docs/analytics.md, "Providers").
 */
export function analyticsRoutes(opts: AnalyticsRoutesOptions, scopeOf: (req: Request) => AnalyticsScope | Promise<AnalyticsScope>): Router {
  const { queries } = opts;
  const router = Router();
  router.get('/series', async (req, res) => {
    const q = parseQuery(seriesQuery, req);
    const { from, to } = resolveRange(q, q.bucket, opts.now());
    res.json(await queries.series(await scopeOf(req), { from, to, bucket: q.bucket, service: q.service, tool: q.tool }));
  });
  router.get('/top-tools', async (req, res) => {
    const q = parseQuery(topQuery, req);
    const { from, to } = resolveRange(q, 'day', opts.now());
    res.json({ data: await queries.topTools(await scopeOf(req), { from, to, limit: q.limit, service: q.service }) });
  });
  router.get('/top-users', async (req, res) => {
    const q = parseQuery(topQuery, req);
    const { from, to } = resolveRange(q, 'day', opts.now());
    res.json({ data: await queries.topUsers(await scopeOf(req), { from, to, limit: q.limit, service: q.service }) });
  });
  router.get('/users', async (req, res) => {
    const q = parseQuery(usersQuery, req);
    const { from, to } = resolveRange(q, 'day', opts.now());
    res.json(await queries.users(await scopeOf(req), { from, to, service: q.service }));
  });
  router.get('/quota-pressure', async (req, res) => {
    const q = parseQuery(quotaPressureQuery, req);
    const now = opts.now();
    res.json({
      month_start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
      data: await queries.quotaPressure(await scopeOf(req), { minPercent: q.min_percent, limit: q.limit, now, defaultPlan: opts.defaultPlan }),
    });
  });
  return router;
}

/** /v1/admin/analytics/… (mount after authenticate and requireRole('admin')). */
export function adminAnalyticsRouter(opts: AnalyticsRoutesOptions): Router {
  return analyticsRoutes(opts, () => ADMIN_SCOPE);
}
