import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Level, Logger } from 'pino';
import { ApiError, errorBody, errors } from './errors.js';
import { isRedisFailure } from './redis-failures.js';
import { requestIdFor } from './request-context.js';

export interface EdgeOptions {
  logger: Logger;
  bodyLimitBytes: number;
  corsOrigins: string[];
  /** Middlewares to run before the body is parsed (e.g. the per-IP rate limit). */
  beforeBody?: RequestHandler[];
  /**
   * Path prefixes whose routes parse their own bodies, after authentication, with a limit of their
   * own (the builder's `/v1/builder/`, for API documents larger than `bodyLimitBytes`).
   */
  ownBodyPrefixes?: string[];
}

/** What the CORS layer lets browsers read of a response. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Mcp-Session-Id',
  'WWW-Authenticate',
];

/**
 * The first middlewares every request meets: request ID, access log, security headers, CORS,
 * and a size-limited JSON body parser.
 *
 * The first four are one middleware, and helmet's and cors' work is done once, at start: helmet's
 * headers depend on nothing in the request (its defaults have no per-request parts), so they are
 * taken from one run of helmet against a recording response and set as they are on every
 * response; for anything but a preflight, cors sets `Vary: Origin`, echoes an allowed `Origin` and
 * sets the exposed headers, which is done here without cors' per-request option merging and
 * callbacks. Preflights (OPTIONS) still go through cors itself. Same headers, same order, as
 * running helmet() and cors() per request (test/gateway.test.ts compares them).
 */
export function edgeMiddleware(opts: EdgeOptions): RequestHandler[] {
  const accessLog = accessLogMiddleware(opts.logger);
  const anyOrigin = opts.corsOrigins.includes('*');
  const allowedOrigins = new Set(opts.corsOrigins);
  const corsHandler = cors({
    origin: anyOrigin ? true : opts.corsOrigins,
    credentials: false,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  const exposed = EXPOSED_HEADERS.join(',');
  const security = securityHeaders();
  const front: RequestHandler = (req, res, next) => {
    req.id = requestIdFor(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    accessLog(req, res);
    for (const [name, value] of security.set) res.setHeader(name, value);
    for (const name of security.removed) res.removeHeader(name);
    if (req.method === 'OPTIONS') return corsHandler(req, res, next);
    const origin = req.headers.origin;
    if (origin && (anyOrigin || allowedOrigins.has(origin))) res.setHeader('Access-Control-Allow-Origin', origin);
    varyOnOrigin(res);
    res.setHeader('Access-Control-Expose-Headers', exposed);
    next();
  };
  const parseJson = express.json({ limit: opts.bodyLimitBytes, strict: false, type: ['application/json', 'application/*+json'] });
  const own = opts.ownBodyPrefixes ?? [];
  const jsonBody: RequestHandler = own.length ? (req, res, next) => (own.some((p) => req.path.startsWith(p)) ? next() : parseJson(req, res, next)) : parseJson;
  return [front, ...(opts.beforeBody ?? []), jsonBody];
}

/** Adds `Origin` to `Vary`, as cors (through the vary package) does. */
function varyOnOrigin(res: express.Response): void {
  const existing = res.getHeader('Vary');
  if (existing === undefined) {
    res.setHeader('Vary', 'Origin');
    return;
  }
  const value = Array.isArray(existing) ? existing.join(', ') : String(existing);
  if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(value)) res.setHeader('Vary', value ? `${value}, Origin` : 'Origin');
}

/**
 * helmet()'s headers with its defaults, recorded once: what it sets and removes on a response, in
 * order. It sets them synchronously and reads nothing of the request.
 */
export function securityHeaders(): { set: Array<[string, string]>; removed: string[] } {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void set.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
  };
  let called = false;
  helmet()({ headers: {}, method: 'GET' } as never, recorder as never, () => void (called = true));
  if (!called) throw new Error('helmet did not set its headers synchronously');
  return { set, removed };
}

/** The edge's logger on a request, and the request's own logger made from it on first use. */
const ROOT_LOGGER = Symbol('edge.logger');
const BOUND_LOGGER = Symbol('edge.requestLogger');
type LoggedRequest = express.Request & { [ROOT_LOGGER]?: Logger; [BOUND_LOGGER]?: Logger };

/**
 * `req.log`, one getter on Express's request prototype (not a property defined on every request):
 * the request's logger bound to `http.request.id` (and `trace.id`/`span.id` once the trace
 * middleware has set them), made on first read from the logger the edge left on the request.
 * Undefined on a request the edge did not see.
 */
function defineRequestLogger(): void {
  if (Object.getOwnPropertyDescriptor(express.request, 'log')) return;
  Object.defineProperty(express.request, 'log', {
    configurable: true,
    enumerable: false,
    get(this: LoggedRequest) {
      const root = this[ROOT_LOGGER];
      return root && (this[BOUND_LOGGER] ??= root.child(requestBindings(this)));
    },
    set(this: LoggedRequest, value: Logger) {
      this[BOUND_LOGGER] = value;
    },
  });
}

/**
 * Access log in ECS field names: one line per request when its response closes (`debug` for
 * 2xx/3xx, `info` for 4xx, `error` for 5xx), through `req.log`, so every line a handler logs carries
 * the request's IDs. The line is built only when its level is on; per request the edge sets one
 * property and one listener (`close` follows `finish` on every response, and comes alone when the
 * client went away first). pino-http made four child loggers and the line's object for every
 * request even with the level off.
 */
function accessLogMiddleware(logger: Logger): (req: express.Request, res: express.Response) => void {
  defineRequestLogger();
  return (req, res) => {
    const started = performance.now();
    (req as LoggedRequest)[ROOT_LOGGER] = logger;
    res.on('close', () => {
      const status = res.statusCode;
      const level: Level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      const line = { ...ecsAccess(req, res, performance.now() - started), ...(req.principal ? { 'user.id': req.principal.userId } : {}) };
      req.log[level](line, `${req.method} ${(req.originalUrl ?? req.url ?? '').split('?')[0]} ${status}`);
    });
  };
}

function requestBindings(req: express.Request): Record<string, string> {
  const trace = (req as express.Request & { trace?: { traceId: string; spanId: string } }).trace;
  return { 'http.request.id': req.id, ...(trace ? { 'trace.id': trace.traceId, 'span.id': trace.spanId } : {}) };
}

/** ECS fields of one access-log line. Query strings can carry tokens: the path only. */
function ecsAccess(req: express.Request, res: { statusCode: number }, responseTimeMs: number | undefined): Record<string, unknown> {
  return {
    'event.kind': 'event',
    'event.category': 'web',
    'http.request.method': req.method,
    'url.path': (req.originalUrl ?? req.url ?? '').split('?')[0],
    'http.response.status_code': res.statusCode,
    // ECS event.duration is in nanoseconds.
    'event.duration': Math.round((responseTimeMs ?? 0) * 1e6),
    'source.ip': req.socket?.remoteAddress,
    'user_agent.original': req.headers?.['user-agent'],
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'route_not_found', `No route for ${req.method} ${req.path}`));
};

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Turns any thrown error into the platform's JSON error shape. Never sends a stack. */
export interface ErrorHandlerOptions {
  /** Called for every 5xx answer with the original error (the Logging Service groups them). Must not throw. */
  onUnexpectedError?: (err: unknown, req: express.Request, status: number) => void;
}

export function errorHandler(logger: Logger, bodyLimitBytes: number, opts: ErrorHandlerOptions = {}): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError: ApiError;
    const parserError = err as BodyParserError;
    if (err instanceof ApiError) apiError = err;
    else if (parserError?.type === 'entity.too.large') apiError = errors.payloadTooLarge(bodyLimitBytes);
    else if (parserError?.type === 'entity.parse.failed') apiError = errors.badRequest('Malformed JSON in request body');
    else if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported')
      apiError = errors.unsupportedMediaType();
    else if (parserError?.type === 'request.aborted') apiError = errors.badRequest('Request aborted by the client');
    else if (isUnavailable(err)) {
      apiError = errors.unavailable(isRedisFailure(err) ? undefined : 'The database is unavailable; try again shortly');
      (req.log ?? logger).warn({ err: { message: (err as Error).message } }, 'backing service unavailable');
    } else {
      apiError = errors.internal();
      (req.log ?? logger).error({ err }, 'unhandled error');
    }
    if (apiError.status >= 500 && opts.onUnexpectedError) {
      try {
        opts.onUnexpectedError(err, req, apiError.status);
      } catch {
        // error tracking must never break the error response
      }
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(apiError.headers ?? {})) res.setHeader(k, v);
    res.status(apiError.status).json(errorBody(apiError, String(req.id)));
  };
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003']);

/**
 * Database or Redis connection failures become 503 instead of 500. Redis's are known structurally
 * (redis-failures.ts: the shared connection marks its commands' failures) and answered without a
 * name; every other connection failure that reaches a handler is PostgreSQL's (node-postgres:
 * socket errors, SQLSTATE 57P0x/08xxx, its pool's messages), named in the answer without its
 * address or credentials.
 */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (isRedisFailure(err)) return true;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(e.message ?? '');
}
