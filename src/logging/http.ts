import type { Request, RequestHandler } from 'express';
import type { PlatformMetrics } from './metrics.js';
import type { RequestLog } from './request-log.js';

/**
 * Per-request HTTP instrumentation: RED metrics by route template and one lean request-log row
 * per REST request, both taken when the response has finished (nothing on the request path).
 */
export interface HttpInstrumentationOptions {
  metrics: PlatformMetrics;
  requestLog: RequestLog;
  /** Write a request-log row for REST requests (LOG_REST_REQUESTS). */
  logRest: boolean;
  /** Paths whose requests get no request-log row: MCP endpoints log richer rows themselves, probes and scrapes are noise. */
  skipLog?: (req: Request) => boolean;
}

const DEFAULT_SKIP = /^\/(mcp(\/|$)|healthz$|readyz$|metrics$)/;

/** The route template that matched (`/v1/services/{id}`), or `unmatched`; never the raw URL. */
export function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  const base = req.baseUrl ?? '';
  const full = (base && route.path === '/' ? base : `${base}${route.path}`).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return full.length > 200 ? full.slice(0, 200) : full || '/';
}

export function httpInstrumentation(opts: HttpInstrumentationOptions): RequestHandler {
  const skip = opts.skipLog ?? ((req: Request) => DEFAULT_SKIP.test(req.path));
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const time = new Date();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeTemplate(req);
      // A client that went away before the response: record 499 (nginx's convention).
      const status = res.writableFinished ? res.statusCode : 499;
      opts.metrics.observeHttp(req.method, route, status, seconds);
      // The gateway's limiters answer 429: per IP before authentication, per user after it.
      if (status === 429) opts.metrics.rateLimited(req.principal ? 'user' : 'ip');
      // A 401 is a bearer token/API key the gateway refused (sign-in failures come from the audit events).
      else if (status === 401) opts.metrics.authFailed('unauthenticated');
      if (!opts.logRest || skip(req)) return;
      const bytesIn = Number(req.headers['content-length'] ?? 0) || 0;
      const len = res.getHeader('content-length');
      opts.requestLog.record({
        time,
        kind: 'rest',
        requestId: String(req.id ?? ''),
        traceId: req.trace?.traceId ?? null,
        userId: req.principal?.userId ?? null,
        apiKeyId: req.principal?.apiKeyId ?? null,
        method: req.method,
        route,
        status: status >= 400 ? 'error' : 'ok',
        httpStatus: status,
        latencyMs: seconds * 1000,
        bytesIn,
        bytesOut: len === undefined ? null : Number(len),
        rateLimited: status === 429,
      });
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
