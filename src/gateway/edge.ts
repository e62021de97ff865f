import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { ApiError, errorBody, errors } from './errors.js';
import { requestIdFor } from './request-context.js';

export interface EdgeOptions {
  logger: Logger;
  bodyLimitBytes: number;
  corsOrigins: string[];
  /** Middlewares to run before the body is parsed (e.g. the per-IP rate limit). */
  beforeBody?: RequestHandler[];
}

/**
 * The first middlewares every request meets: request ID, access log, security headers, CORS,
 * and a size-limited JSON body parser.
 */
export function edgeMiddleware(opts: EdgeOptions): RequestHandler[] {
  const requestId: RequestHandler = (req, res, next) => {
    req.id = requestIdFor(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    next();
  };
  // Access log in ECS field names (one line per request, at completion). Quiet req/res loggers keep
  // every line of the request free of the raw request object; `http.request.id` is bound instead.
  const accessLog = pinoHttp({
    logger: opts.logger,
    genReqId: (req) => (req as express.Request).id,
    // Bound on the request's child logger (req.log), so every line logged for this request —
    // access line and anything a handler logs through req.log — carries the ECS request id.
    customAttributeKeys: { reqId: 'http.request.id' },
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    customProps: (req) => {
      const r = req as express.Request & { trace?: { traceId: string } };
      return {
        'http.request.id': r.id,
        ...(r.trace ? { 'trace.id': r.trace.traceId } : {}),
        ...(r.principal ? { 'user.id': r.principal.userId } : {}),
      };
    },
    customSuccessObject: (req, res, val: { responseTime?: number }) => ecsAccess(req as express.Request, res, val.responseTime),
    customErrorObject: (req, res, _err, val: { responseTime?: number }) => ecsAccess(req as express.Request, res, val.responseTime),
    customSuccessMessage: (req, res) => `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode}`,
  });
  const corsHandler = cors({
    origin: opts.corsOrigins.includes('*') ? true : opts.corsOrigins,
    credentials: false,
    exposedHeaders: [
      'X-Request-Id',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'RateLimit-Policy',
      'Mcp-Session-Id',
      'WWW-Authenticate',
    ],
    maxAge: 600,
  });
  const jsonBody = express.json({ limit: opts.bodyLimitBytes, strict: false, type: ['application/json', 'application/*+json'] });
  return [requestId, accessLog, helmet(), corsHandler, ...(opts.beforeBody ?? []), jsonBody];
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
      apiError = errors.unavailable();
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

/** Database or Redis connection failures become 503 instead of 500. */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Connection is closed/i.test(
    e.message ?? '',
  );
}
