import express, { type Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { PlatformDatabase } from '../db/index.js';
import { errorResponse, errors, jsonResponse, parseQuery, type OpenApiPaths } from '../gateway/index.js';

/**
 * `GET /v1/admin/traffic`: live traffic for the admin dashboard, from the request log (so it covers
 * every replica, unlike one replica's /metrics): calls per second, error rate and p50/p99 latency
 * over the last `window_seconds`, in total and per service, plus a per-bucket series for a chart.
 */
export const trafficQuery = z.strictObject({
  window_seconds: z.coerce.number().int().min(10).max(86_400).default(300),
  kind: z.enum(['mcp', 'rest']).default('mcp'),
});

const BUCKETS = 30;

const stats = z.object({
  calls: z.number().int(),
  errors: z.number().int(),
  calls_per_second: z.number(),
  error_rate: z.number().describe('errors / calls (0 when there were no calls)'),
  p50_latency_ms: z.number().nullable(),
  p99_latency_ms: z.number().nullable(),
});
export const trafficResponse = z.object({
  window_seconds: z.number().int(),
  kind: z.enum(['mcp', 'rest']),
  from: z.string(),
  to: z.string(),
  bucket_seconds: z.number().int(),
  total: stats,
  services: z.array(stats.extend({ service: z.string() })),
  series: z.array(z.object({ start: z.string(), calls: z.number().int(), errors: z.number().int() })),
});
type Stats = z.infer<typeof stats>;

interface StatsRow {
  calls: string | number;
  errors: string | number;
  p50: number | string | null;
  p99: number | string | null;
}

const toStats = (r: StatsRow | undefined, windowSeconds: number): Stats => {
  const calls = Number(r?.calls ?? 0);
  const errs = Number(r?.errors ?? 0);
  return {
    calls,
    errors: errs,
    calls_per_second: Math.round((calls / windowSeconds) * 1000) / 1000,
    error_rate: calls ? Math.round((errs / calls) * 10_000) / 10_000 : 0,
    p50_latency_ms: r?.p50 == null ? null : Math.round(Number(r.p50) * 10) / 10,
    p99_latency_ms: r?.p99 == null ? null : Math.round(Number(r.p99) * 10) / 10,
  };
};

export function trafficRouter(database: PlatformDatabase): Router {
  const router = express.Router();
  const { db } = database;
  router.get('/v1/admin/traffic', async (req, res) => {
    if (req.principal?.role !== 'admin') throw errors.forbidden('Administrators only');
    const q = parseQuery(trafficQuery, req);
    const to = new Date();
    const from = new Date(to.getTime() - q.window_seconds * 1000);
    const bucketSeconds = Math.max(1, Math.ceil(q.window_seconds / BUCKETS));
    const aggregates = [
      sql<string>`count(*)`.as('calls'),
      sql<string>`count(*) filter (where status = 'error')`.as('errors'),
      sql<number | null>`percentile_cont(0.5) within group (order by latency_ms)`.as('p50'),
      sql<number | null>`percentile_cont(0.99) within group (order by latency_ms)`.as('p99'),
    ];
    const base = db.selectFrom('request_log').where('time', '>=', from).where('time', '<', to).where('kind', '=', q.kind);
    const bucket = sql<Date>`date_bin(${sql.lit(`${bucketSeconds} seconds`)}::interval, time, ${sql.lit(from.toISOString())}::timestamptz)`;
    const [total, perService, series] = await Promise.all([
      base.select(aggregates).executeTakeFirst(),
      base.select([sql<string>`coalesce(service, '')`.as('service'), ...aggregates]).groupBy(sql`coalesce(service, '')`).orderBy(sql`count(*)`, 'desc').limit(200).execute(),
      base
        .select([bucket.as('start'), sql<string>`count(*)`.as('calls'), sql<string>`count(*) filter (where status = 'error')`.as('errors')])
        .groupBy(bucket)
        .orderBy(bucket)
        .execute(),
    ]);
    const byStart = new Map(series.map((s) => [new Date(s.start).getTime(), s]));
    const body: z.infer<typeof trafficResponse> = {
      window_seconds: q.window_seconds,
      kind: q.kind,
      from: from.toISOString(),
      to: to.toISOString(),
      bucket_seconds: bucketSeconds,
      total: toStats(total, q.window_seconds),
      services: perService.map((r) => ({ service: r.service || '(none)', ...toStats(r, q.window_seconds) })),
      // Every bucket, empty ones as zero, so a chart's time axis is even.
      series: Array.from({ length: Math.ceil(q.window_seconds / bucketSeconds) }, (_, i) => {
        const start = from.getTime() + i * bucketSeconds * 1000;
        const row = byStart.get(start);
        return { start: new Date(start).toISOString(), calls: Number(row?.calls ?? 0), errors: Number(row?.errors ?? 0) };
      }),
    };
    res.json(body);
  });
  return router;
}

export const trafficOpenApi: OpenApiPaths = {
  '/v1/admin/traffic': {
    get: {
      summary: 'Live traffic over the last window (admin): calls/s, error rate, p50/p99, in total and per service',
      description: 'From the request log, so every replica counts (rows arrive within LOG_FLUSH_INTERVAL_MS). `series` has about 30 even buckets for a chart.',
      tags: ['admin', 'logs'],
      operationId: 'adminTraffic',
      parameters: Object.entries(z.toJSONSchema(trafficQuery, { io: 'input' }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
      responses: {
        '200': jsonResponse('Traffic of the window', trafficResponse),
        '400': errorResponse('Invalid window or kind'),
        '401': errorResponse('Not signed in'),
        '403': errorResponse('Not an administrator'),
      },
    },
  },
};
