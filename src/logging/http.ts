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
const MCP_PATH = /^\/mcp(?:\/([a-z0-9][a-z0-9_-]{0,63}))?\/?$/;

/** What the MCP endpoint leaves on the request (`req.auth`, the SDK's convention); read structurally, never imported. */
interface McpAuthView {
  auth?: { extra?: { mcpTarget?: { principal?: { userId?: string; apiKeyId?: string } } } };
}

interface JsonRpcMessage {
  id?: unknown;
  method?: unknown;
  params?: { name?: unknown; uri?: unknown; protocolVersion?: unknown };
}

/** Tool, prompt or resource a JSON-RPC request names. */
function rpcTarget(m: JsonRpcMessage): string | null {
  const p = m.params;
  if (!p || typeof p !== 'object') return null;
  if (typeof p.name === 'string') return p.name;
  if (typeof p.uri === 'string') return p.uri.split('?')[0]!;
  return null;
}

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
      if (req.method === 'POST') {
        const mcp = MCP_PATH.exec(req.path);
        if (mcp) {
          recordMcp(req, status, seconds, time, mcp[1] ?? null);
          return;
        }
      }
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
    /**
     * Gateway-level MCP rows: one per JSON-RPC request (not notifications) in a POST to /mcp or
     * /mcp/{service}, from what the edge sees (method, tool/prompt/resource, HTTP outcome). The
     * router can add upstream instance/latency and JSON-RPC error codes by calling `record` itself.
     */
    const recordMcp = (r: typeof req, status: number, seconds: number, time: Date, service: string | null) => {
      const body = r.body as unknown;
      const messages = (Array.isArray(body) ? body : [body]).filter(
        (m): m is JsonRpcMessage => !!m && typeof m === 'object' && typeof (m as JsonRpcMessage).method === 'string' && (m as JsonRpcMessage).id !== undefined,
      );
      const principal = r.principal ?? (r as typeof r & McpAuthView).auth?.extra?.mcpTarget?.principal;
      const headerVersion = r.headers['mcp-protocol-version'];
      const outcome = status === 429 ? 'rate_limited' : status >= 400 ? 'error' : 'ok';
      for (const m of messages.slice(0, 100)) {
        const method = m.method as string;
        opts.metrics.observeMcp(service ?? 'aggregate', method, outcome, seconds);
        const version = typeof headerVersion === 'string' ? headerVersion : typeof m.params?.protocolVersion === 'string' ? m.params.protocolVersion : null;
        opts.requestLog.record({
          time,
          kind: 'mcp',
          requestId: String(r.id ?? ''),
          traceId: r.trace?.traceId ?? null,
          userId: principal?.userId ?? null,
          apiKeyId: principal?.apiKeyId ?? null,
          service,
          method,
          target: rpcTarget(m),
          protocolVersion: version,
          status: outcome === 'ok' ? 'ok' : 'error',
          httpStatus: status,
          latencyMs: seconds * 1000,
          bytesIn: Number(r.headers['content-length'] ?? 0) || null,
          bytesOut: null,
          rateLimited: status === 429,
        });
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
