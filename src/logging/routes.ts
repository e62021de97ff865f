import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { PlatformDatabase } from '../db/index.js';
import { errors, errorResponse, jsonResponse, parseQuery, type OpenApiOperation, type OpenApiPaths, type Principal } from '../gateway/index.js';
import { verifyAuditChain } from './audit.js';
import type { PlatformMetrics } from './metrics.js';
import { trafficOpenApi, trafficRouter } from './traffic.js';

/** Query APIs over the request log, audit trail, usage and error groups. */

const MAX_LIMIT = 200;
const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a service slug');
const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const limit = z.coerce.number().int().min(1).max(MAX_LIMIT).default(50);
const cursor = z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page');

const logFilters = {
  from: isoTime.optional(),
  to: isoTime.optional(),
  service: slug.optional(),
  tool: z.string().min(1).max(256).optional(),
  kind: z.enum(['mcp', 'rest']).optional(),
  status: z.union([z.enum(['ok', 'error']), z.coerce.number().int().min(100).max(599)]).optional(),
  min_latency_ms: z.coerce.number().min(0).max(86_400_000).optional(),
  limit,
  cursor: cursor.optional(),
};
const ownLogsQuery = z.strictObject(logFilters);
const adminLogsQuery = z.strictObject({ ...logFilters, user_id: z.uuid().optional() });
const auditQuery = z.strictObject({
  from: isoTime.optional(),
  to: isoTime.optional(),
  actor_id: z.string().min(1).max(128).optional(),
  action: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must be an audit action such as auth.login').optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  limit,
  cursor: cursor.optional(),
});
const usageFilters = {
  from: isoTime.optional(),
  to: isoTime.optional(),
  period: z.enum(['hour', 'day', 'month']).default('day'),
  service: slug.optional(),
  kind: z.enum(['mcp', 'rest']).default('mcp'),
};
const ownUsageQuery = z.strictObject(usageFilters);
const adminUsageQuery = z.strictObject({ ...usageFilters, user_id: z.uuid().optional() });
const errorsQuery = z.strictObject({
  source: z.enum(['http', 'upstream', 'stdio', 'process', 'internal']).optional(),
  limit,
  cursor: cursor.optional(),
});

function encodeCursor(parts: Record<string, string>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}
function decodeCursor<S extends z.ZodType>(schema: S, raw: string | undefined): z.output<S> | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw errors.validation([{ path: 'cursor', message: 'must be a cursor returned by a previous page' }]);
}
const logCursor = z.strictObject({ t: z.iso.datetime(), id: z.string().regex(/^\d{1,19}$/) });
const auditCursor = z.strictObject({ seq: z.string().regex(/^\d{1,19}$/) });
const errorCursor = z.strictObject({ t: z.iso.datetime(), f: z.string().regex(/^[0-9a-f]{1,64}$/) });

function principalOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}
function adminOf(req: Request): Principal {
  const p = principalOf(req);
  if (p.role !== 'admin') throw errors.forbidden('Administrators only');
  return p;
}

const DAY_MS = 86_400_000;

export interface LoggingRoutesOptions {
  database: PlatformDatabase;
}

export function loggingRouter({ database }: LoggingRoutesOptions): Router {
  const router = express.Router();
  const { db } = database;

  const listLogs = async (q: z.output<typeof adminLogsQuery>, userId: string | undefined) => {
    let query = db.selectFrom('request_log').selectAll();
    if (userId) query = query.where('user_id', '=', userId);
    if (q.from) query = query.where('time', '>=', q.from);
    if (q.to) query = query.where('time', '<', q.to);
    if (q.service) query = query.where('service', '=', q.service);
    if (q.tool) query = query.where('target', '=', q.tool);
    if (q.kind) query = query.where('kind', '=', q.kind);
    if (q.status === 'ok' || q.status === 'error') query = query.where('status', '=', q.status);
    else if (typeof q.status === 'number') query = query.where('http_status', '=', q.status);
    if (q.min_latency_ms !== undefined) query = query.where('latency_ms', '>=', q.min_latency_ms);
    const c = decodeCursor(logCursor, q.cursor);
    if (c) query = query.where(sql<SqlBool>`(time, id) < (${new Date(c.t)}::timestamptz, ${c.id}::bigint)`);
    const rows = await query.orderBy('time', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      data: page.map((r) => ({ ...r, id: String(r.id), time: new Date(r.time).toISOString() })),
      next_cursor: rows.length > q.limit && last ? encodeCursor({ t: new Date(last.time).toISOString(), id: String(last.id) }) : null,
    };
  };

  const usage = async (q: z.output<typeof adminUsageQuery>, userId: string | undefined) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw errors.validation([{ path: 'from', message: 'must be before to' }]);
    // The period is a zod enum, inlined as a literal so SELECT and GROUP BY are the same expression.
    const bucket = sql<Date>`date_trunc(${sql.lit(q.period)}, time, 'UTC')`;
    let query = db
      .selectFrom('request_log')
      .select([
        bucket.as('period_start'),
        'user_id',
        'service',
        sql<string>`count(*)`.as('calls'),
        sql<string>`count(*) filter (where status = 'error')`.as('errors'),
        sql<string>`count(*) filter (where rate_limited)`.as('rate_limited'),
        sql<number | null>`percentile_cont(0.5) within group (order by latency_ms)`.as('p50_latency_ms'),
        sql<number | null>`percentile_cont(0.95) within group (order by latency_ms)`.as('p95_latency_ms'),
        sql<string | null>`sum(bytes_in)`.as('bytes_in'),
        sql<string | null>`sum(bytes_out)`.as('bytes_out'),
      ])
      .where('time', '>=', from)
      .where('time', '<', to)
      .where('kind', '=', q.kind);
    if (userId) query = query.where('user_id', '=', userId);
    if (q.service) query = query.where('service', '=', q.service);
    const rows = await query.groupBy([bucket, 'user_id', 'service']).orderBy(bucket).orderBy('user_id').orderBy('service').limit(10_000).execute();
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      period: q.period,
      kind: q.kind,
      data: rows.map((r) => ({
        period_start: new Date(r.period_start).toISOString(),
        user_id: r.user_id,
        service: r.service,
        calls: Number(r.calls),
        errors: Number(r.errors),
        rate_limited: Number(r.rate_limited),
        p50_latency_ms: r.p50_latency_ms === null ? null : Number(r.p50_latency_ms),
        p95_latency_ms: r.p95_latency_ms === null ? null : Number(r.p95_latency_ms),
        bytes_in: r.bytes_in === null ? 0 : Number(r.bytes_in),
        bytes_out: r.bytes_out === null ? 0 : Number(r.bytes_out),
      })),
    };
  };

  router.get('/v1/logs', async (req, res) => {
    const p = principalOf(req);
    res.json(await listLogs(parseQuery(ownLogsQuery, req), p.userId));
  });
  router.get('/v1/admin/logs', async (req, res) => {
    adminOf(req);
    const q = parseQuery(adminLogsQuery, req);
    res.json(await listLogs(q, q.user_id));
  });
  router.get('/v1/usage', async (req, res) => {
    const p = principalOf(req);
    res.json(await usage(parseQuery(ownUsageQuery, req), p.userId));
  });
  router.get('/v1/admin/usage', async (req, res) => {
    adminOf(req);
    const q = parseQuery(adminUsageQuery, req);
    res.json(await usage(q, q.user_id));
  });
  router.get('/v1/admin/audit', async (req, res) => {
    adminOf(req);
    const q = parseQuery(auditQuery, req);
    let query = db.selectFrom('audit_log').selectAll();
    if (q.from) query = query.where('time', '>=', q.from);
    if (q.to) query = query.where('time', '<', q.to);
    if (q.actor_id) query = query.where('actor_id', '=', q.actor_id);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.outcome) query = query.where('outcome', '=', q.outcome);
    const c = decodeCursor(auditCursor, q.cursor);
    if (c) query = query.where('seq', '<', c.seq);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    res.json({
      data: page.map((r) => ({ ...r, seq: String(r.seq), time: new Date(r.time).toISOString() })),
      next_cursor: rows.length > q.limit && last ? encodeCursor({ seq: String(last.seq) }) : null,
    });
  });
  router.get('/v1/admin/audit/verify', async (req, res) => {
    adminOf(req);
    parseQuery(z.strictObject({}), req);
    const result = await verifyAuditChain(database);
    res.status(200).json(result);
  });
  router.get('/v1/admin/errors', async (req, res) => {
    adminOf(req);
    const q = parseQuery(errorsQuery, req);
    let query = db.selectFrom('error_groups').selectAll();
    if (q.source) query = query.where('source', '=', q.source);
    const c = decodeCursor(errorCursor, q.cursor);
    if (c) query = query.where(sql<SqlBool>`(last_seen, fingerprint) < (${new Date(c.t)}::timestamptz, ${c.f})`);
    const rows = await query.orderBy('last_seen', 'desc').orderBy('fingerprint', 'desc').limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    res.json({
      data: page.map((r) => ({
        ...r,
        count: Number(r.count),
        first_seen: new Date(r.first_seen).toISOString(),
        last_seen: new Date(r.last_seen).toISOString(),
      })),
      next_cursor: rows.length > q.limit && last ? encodeCursor({ t: new Date(last.last_seen).toISOString(), f: last.fingerprint }) : null,
    });
  });
  router.use(trafficRouter(database));
  return router;
}

/** `GET /metrics` handler; with a token, only `Authorization: Bearer <token>` may scrape. */
export function metricsHandler(metrics: PlatformMetrics, token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return async (req, res) => {
    if (expected) {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw errors.unauthorized('Metrics token required');
    }
    const { contentType, body } = await metrics.render();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  };
}

// ---- OpenAPI fragment ----
const queryParams = (schema: z.ZodObject): Array<Record<string, unknown>> =>
  Object.entries(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }).properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));
const page = (item: Record<string, unknown>) => ({
  type: 'object',
  properties: { data: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
  required: ['data', 'next_cursor'],
});
const str = { type: 'string' };
const strOrNull = { type: ['string', 'null'] };
const intOrNull = { type: ['integer', 'null'] };
const logRow = {
  type: 'object',
  description: 'One request-log entry',
  properties: {
    id: str, time: str, kind: { type: 'string', enum: ['mcp', 'rest'] }, request_id: str, trace_id: strOrNull, user_id: strOrNull, api_key_id: strOrNull,
    service: strOrNull, upstream_instance: strOrNull,
    service_version: { type: ['integer', 'null'], description: 'The version of an openapi service that served it (docs/builder.md)' }, method: str, target: strOrNull, route: strOrNull, protocol_version: strOrNull,
    status: { type: 'string', enum: ['ok', 'error'] }, http_status: intOrNull, rpc_error_code: intOrNull, latency_ms: { type: 'number' },
    upstream_latency_ms: { type: ['number', 'null'] }, bytes_in: intOrNull, bytes_out: intOrNull, rate_limited: { type: 'boolean' },
    payload: { description: 'Captured request/response payload (services with payload capture), else null' },
  },
  required: ['id', 'time', 'kind', 'request_id', 'user_id', 'service', 'method', 'target', 'route', 'status', 'http_status', 'rpc_error_code', 'latency_ms', 'rate_limited'],
};
const auditRow = {
  type: 'object',
  description: 'One audit entry (hash-chained)',
  properties: {
    seq: str, time: str, action: str, outcome: { type: 'string', enum: ['success', 'failure'] }, actor_id: strOrNull, target_type: strOrNull,
    target_id: strOrNull, ip: strOrNull, user_agent: strOrNull, request_id: strOrNull, details: { type: 'object' }, prev_hash: str, hash: str,
  },
  required: ['seq', 'time', 'action', 'outcome', 'actor_id', 'target_type', 'target_id', 'ip', 'details', 'prev_hash', 'hash'],
};
const errorGroupRow = {
  type: 'object',
  description: 'Unexpected errors with one fingerprint',
  properties: {
    fingerprint: str, type: str, message: str, top_frame: strOrNull, source: str, count: { type: 'integer' }, first_seen: str, last_seen: str,
    sample_request_id: strOrNull,
  },
  required: ['fingerprint', 'type', 'message', 'top_frame', 'source', 'count', 'first_seen', 'last_seen', 'sample_request_id'],
};
const count = { type: 'integer', minimum: 0 };
const msOrNull = { type: ['number', 'null'], description: 'Milliseconds; null when the bucket has no latency' };
const usageRow = {
  type: 'object',
  description: 'One bucket of the time series: one period (UTC) and service (and user, for admins)',
  properties: {
    period_start: { type: 'string', format: 'date-time', description: 'Start of the period (date_trunc in UTC)' },
    user_id: strOrNull,
    service: { ...strOrNull, description: 'Service slug; null for requests outside a service' },
    calls: count,
    errors: count,
    rate_limited: count,
    p50_latency_ms: msOrNull,
    p95_latency_ms: msOrNull,
    bytes_in: count,
    bytes_out: count,
  },
  required: ['period_start', 'user_id', 'service', 'calls', 'errors', 'rate_limited', 'p50_latency_ms', 'p95_latency_ms', 'bytes_in', 'bytes_out'],
};
const usageBody = {
  type: 'object',
  description: 'A time series: rows ordered by period_start, then user and service; periods without requests are absent',
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    period: { type: 'string', enum: ['hour', 'day', 'month'] },
    kind: { type: 'string', enum: ['mcp', 'rest'] },
    data: { type: 'array', items: usageRow },
  },
  required: ['from', 'to', 'period', 'kind', 'data'],
};
const common = {
  '400': errorResponse('Invalid filter or cursor'),
  '401': errorResponse('Not signed in'),
};
const adminCommon = { ...common, '403': errorResponse('Not an administrator') };
const op = (o: OpenApiOperation): OpenApiOperation => o;

export const loggingOpenApi: OpenApiPaths = {
  ...trafficOpenApi,
  '/v1/logs': {
    get: op({
      summary: 'Your own request log, newest first',
      tags: ['logs'],
      parameters: queryParams(ownLogsQuery),
      responses: { '200': jsonResponse('A page of entries', page(logRow)), ...common },
    }),
  },
  '/v1/usage': {
    get: op({
      summary: 'Your usage per period and service: calls, errors, p50/p95 latency, bytes',
      tags: ['logs'],
      parameters: queryParams(ownUsageQuery),
      responses: { '200': jsonResponse('Usage rows', usageBody), ...common },
    }),
  },
  '/v1/admin/logs': {
    get: op({
      summary: 'Every request-log entry, newest first',
      tags: ['admin', 'logs'],
      parameters: queryParams(adminLogsQuery),
      responses: { '200': jsonResponse('A page of entries', page(logRow)), ...adminCommon },
    }),
  },
  '/v1/admin/usage': {
    get: op({
      summary: 'Usage per period, user and service',
      tags: ['admin', 'logs'],
      parameters: queryParams(adminUsageQuery),
      responses: { '200': jsonResponse('Usage rows', usageBody), ...adminCommon },
    }),
  },
  '/v1/admin/audit': {
    get: op({
      summary: 'The audit trail, newest first',
      tags: ['admin'],
      parameters: queryParams(auditQuery),
      responses: { '200': jsonResponse('A page of audit entries', page(auditRow)), ...adminCommon },
    }),
  },
  '/v1/admin/audit/verify': {
    get: op({
      summary: 'Verify the audit hash chain; reports the first broken link',
      tags: ['admin'],
      responses: {
        '200': jsonResponse('Verification result', {
          type: 'object',
          properties: {
            ok: { type: 'boolean' },
            checked: { type: 'integer' },
            head: { type: ['object', 'null'], properties: { seq: str, hash: str }, required: ['seq', 'hash'] },
            firstBroken: {
              type: 'object',
              properties: { seq: str, reason: { type: 'string', enum: ['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap'] }, expectedSeq: str },
              required: ['seq', 'reason'],
            },
          },
          required: ['ok', 'checked', 'head'],
        }),
        ...adminCommon,
      },
    }),
  },
  '/metrics': {
    get: op({
      summary: 'Prometheus metrics (text exposition format)',
      description: 'Public unless METRICS_TOKEN is set (then `Authorization: Bearer <token>`); absent here when METRICS_PORT serves it on a port of its own.',
      tags: ['admin'],
      security: [],
      responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': errorResponse('Wrong or missing metrics token') },
    }),
  },
  '/v1/admin/errors': {
    get: op({
      summary: 'Unexpected errors grouped by fingerprint, most recent first',
      tags: ['admin'],
      parameters: queryParams(errorsQuery),
      responses: { '200': jsonResponse('A page of error groups', page(errorGroupRow)), ...adminCommon },
    }),
  },
};
