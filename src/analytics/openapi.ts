import { z } from 'zod';
import { errorResponse, jsonResponse, type OpenApiOperation, type OpenApiPaths } from '../gateway/index.js';
import { MAX_RANGE_DAYS } from './routes.js';

const ms = z.number().nullable().describe('Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls');
const latency = { p50_ms: ms, p95_ms: ms, p99_ms: ms, mean_ms: ms.describe('Mean latency (exact), ms') };
const count = z.number().int().min(0);
const seriesPoint = z.object({
  start: z.iso.datetime().describe('Start of the bucket (UTC)'),
  calls: count,
  errors: count,
  rate_limited: count,
  error_rate: z.number(),
  ...latency,
  active_users: count.nullable().describe('Distinct users with a call; day buckets without `tool` only, else null'),
});
const series = z.object({
  bucket: z.enum(['hour', 'day']),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  service: z.string().nullable(),
  tool: z.string().nullable(),
  totals: seriesPoint.omit({ start: true }),
  points: z.array(seriesPoint).describe('One point per bucket of [from, to), empty buckets as zeros'),
});
const topTool = z.object({ service: z.string().nullable(), tool: z.string().nullable(), calls: count, errors: count, error_rate: z.number(), ...latency });
const topUser = z.object({
  user_id: z.string().describe('User ID (admins); a pseudonym for providers'),
  email: z.string().nullable(),
  calls: count,
  errors: count,
  services: count.describe('How many services the user called'),
});
const usersPoint = z.object({ day: z.iso.date(), active: count, new: count, returning: count });
const usersReport = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  service: z.string().nullable(),
  totals: z.object({ active: count, new: count, returning: count }).describe('Distinct users over the range; new: first call within it'),
  points: z.array(usersPoint),
});
const pressureRow = z.object({
  user_id: z.string(),
  email: z.string().nullable(),
  plan: z.string(),
  quota: z.string().describe('`monthly_calls` or `service_calls:<slug>`'),
  used: count,
  limit: count,
  percent: z.number(),
  over: z.boolean().describe('used ≥ limit: calls are refused'),
});

const time = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string', format: 'date-time' }, description });
const rangeParams = [
  time('from', 'Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day)'),
  time('to', 'End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now'),
];
const serviceParam = { name: 'service', in: 'query', required: false, schema: { type: 'string', maxLength: 200 }, description: 'Only this service (slug)' };
const limitParam = (max: number, dflt: number) => ({ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: max, default: dflt } });
const admin = {
  '400': errorResponse('validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range'),
  '401': errorResponse('Not signed in'),
  '403': errorResponse('Not an administrator'),
};
const op = (o: OpenApiOperation): OpenApiOperation => ({ ...o, tags: ['admin', 'analytics'] });

/** The admin analytics routes (docs/analytics.md). */
export const analyticsOpenApi: OpenApiPaths = {
  '/v1/admin/analytics/series': {
    get: op({
      summary: 'Calls, errors, p50/p95/p99 latency and active users over time (tools/call), per service and tool',
      description: `From the rollups, never the raw request log. Ranges: at most ${MAX_RANGE_DAYS.hour} days with bucket=hour, ${MAX_RANGE_DAYS.day} with bucket=day.`,
      operationId: 'adminAnalyticsSeries',
      parameters: [
        ...rangeParams,
        { name: 'bucket', in: 'query', required: false, schema: { type: 'string', enum: ['hour', 'day'], default: 'day' } },
        serviceParam,
        { name: 'tool', in: 'query', required: false, schema: { type: 'string', maxLength: 256 }, description: 'Only this tool (as the upstream names it)' },
      ],
      responses: { '200': jsonResponse('The series', series), ...admin },
    }),
  },
  '/v1/admin/analytics/top-tools': {
    get: op({
      summary: 'The most called tools over whole UTC days',
      operationId: 'adminAnalyticsTopTools',
      parameters: [...rangeParams, serviceParam, limitParam(100, 10)],
      responses: { '200': jsonResponse('Tools, most calls first', z.object({ data: z.array(topTool) })), ...admin },
    }),
  },
  '/v1/admin/analytics/top-users': {
    get: op({
      summary: 'The users with the most calls over whole UTC days',
      operationId: 'adminAnalyticsTopUsers',
      parameters: [...rangeParams, serviceParam, limitParam(100, 10)],
      responses: { '200': jsonResponse('Users, most calls first', z.object({ data: z.array(topUser) })), ...admin },
    }),
  },
  '/v1/admin/analytics/users': {
    get: op({
      summary: 'Active users per UTC day, new (first call that day) against returning',
      operationId: 'adminAnalyticsUsers',
      parameters: [...rangeParams, serviceParam],
      responses: { '200': jsonResponse('Active, new and returning users', usersReport), ...admin },
    }),
  },
  '/v1/admin/analytics/quota-pressure': {
    get: op({
      summary: "Users at or past a share of their plan's quotas this month, fullest first",
      operationId: 'adminAnalyticsQuotaPressure',
      parameters: [
        { name: 'min_percent', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 80 }, description: 'Least share of the quota used, percent' },
        limitParam(200, 50),
      ],
      responses: {
        '200': jsonResponse('Quota lines', z.object({ month_start: z.iso.datetime(), data: z.array(pressureRow) })),
        ...admin,
      },
    }),
  },
};

/**
 * The same routes for a marketplace provider, scoped to the services of their approved listings
 * (docs/analytics.md): users are pseudonyms, and quota pressure lists per-service quotas only.
 */
export const providerAnalyticsOpenApi: OpenApiPaths = Object.fromEntries(
  Object.entries(analyticsOpenApi).map(([path, item]) => {
    const get = item.get as OpenApiOperation;
    return [
      path.replace('/v1/admin/analytics/', '/v1/provider/analytics/'),
      {
        get: {
          ...get,
          summary: `${get.summary} — a provider's own listings`,
          description: `${get.description ? `${get.description} ` : ''}Only the services of the caller's approved marketplace listings; users as pseudonyms stable within that scope.`,
          operationId: get.operationId?.replace(/^admin/, 'provider'),
          tags: ['marketplace', 'analytics'],
          responses: { ...get.responses, '403': errorResponse('Not an approved marketplace provider') },
        },
      },
    ];
  }),
);
