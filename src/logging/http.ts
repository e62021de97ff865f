import type { Request, RequestHandler } from 'express';
import type { PlatformMetrics } from './metrics.js';
import type { McpCallFacts, McpCallFactsSource } from '../gateway/index.js';
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

/** The router's facts for one JSON-RPC id; a throwing collector costs the row its router facts, never the response. */
function readFacts(calls: McpCallFactsSource | undefined, id: unknown): McpCallFacts | undefined {
  if (!calls || typeof calls.get !== 'function') return undefined;
  try {
    return calls.get(id);
  } catch {
    return undefined;
  }
}

function socketBytes(req: Request): number {
  return req.socket?.bytesWritten ?? 0;
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
  // Express restores baseUrl when an error leaves a mounted router, so a route that threw (a
  // validation failure, say) would be logged as `POST /`: take the mount path from the URL instead.
  const base = req.baseUrl || mountPathOf(req, route.path);
  const joined = base && route.path === '/' ? base : `${base}${route.path}`;
  const known = templates.get(joined);
  if (known !== undefined) return known;
  const full = joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  const template = full.length > 200 ? full.slice(0, 200) : full || '/';
  if (templates.size < MAX_TEMPLATES) templates.set(joined, template);
  return template;
}

/** Route path → template, computed once per route (mount prefix + route path: as many as the app has routes). */
const templates = new Map<string, string>();
const MAX_TEMPLATES = 1_000;

/** The prefix of the request's path above a route path of as many segments (no wildcards in our routes). */
function mountPathOf(req: Request, routePath: string): string {
  const path = (req.originalUrl ?? req.url ?? '').split('?')[0]!;
  const routeSegments = routePath === '/' ? 0 : routePath.split('/').length - 1;
  const segments = path.replace(/\/+$/, '').split('/');
  return routeSegments ? segments.slice(0, -routeSegments).join('/') : segments.join('/');
}

export function httpInstrumentation(opts: HttpInstrumentationOptions): RequestHandler {
  const skip = opts.skipLog ?? ((req: Request) => DEFAULT_SKIP.test(req.path));
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const time = new Date();
    const bytesOutAtStart = socketBytes(req);
    const finish = () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // The web app's pages and files (src/web marks them on res.locals.webApp, read structurally) are
      // one route in the metrics and no request-log rows: page loads are not API traffic.
      const webApp = (res.locals as { webApp?: unknown }).webApp === true;
      const route = webApp ? 'web' : routeTemplate(req);
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
      if (!opts.logRest || webApp || skip(req)) return;
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
     * MCP rows: one per JSON-RPC request (not notifications) in a POST to /mcp or /mcp/{service}.
     * The edge facts (HTTP status, total latency, bytes, protocol version) are merged with what the
     * router collected for the same JSON-RPC id on `res.locals.mcpCalls` (real service, upstream
     * instance and latency, JSON-RPC error code, payloads for `full` capture, capture mode).
     */
    const recordMcp = (r: typeof req, status: number, seconds: number, time: Date, pathService: string | null) => {
      const body = r.body as unknown;
      const messages = (Array.isArray(body) ? body : [body]).filter(
        (m): m is JsonRpcMessage => !!m && typeof m === 'object' && typeof (m as JsonRpcMessage).method === 'string' && (m as JsonRpcMessage).id !== undefined,
      );
      if (!messages.length) return;
      const calls = res.locals.mcpCalls;
      const principal = r.principal ?? (r as typeof r & McpAuthView).auth?.extra?.mcpTarget?.principal;
      const headerVersion = r.headers['mcp-protocol-version'];
      const bytesIn = Number(r.headers['content-length'] ?? 0) || null;
      // Bytes this response put on the socket (headers included); per exchange, so a batch shares it.
      const bytesOut = socketBytes(r) - bytesOutAtStart || null;
      for (const m of messages.slice(0, 100)) {
        const method = m.method as string;
        const facts = readFacts(calls, m.id);
        const service = facts?.service ?? pathService;
        const rateLimited = status === 429 || facts?.rateLimited === true;
        const rpcError = status < 400 ? (facts?.errorCode ?? null) : null;
        const outcome = rateLimited ? 'rate_limited' : status >= 400 || rpcError !== null || facts?.toolError === true ? 'error' : 'ok';
        const upstreamSeconds = typeof facts?.upstreamMs === 'number' ? facts.upstreamMs / 1000 : undefined;
        // Label values stay bounded: a slug from the path is a label only once the endpoint resolved
        // it (it then left its collector); a refused request to /mcp/<anything> is `unresolved`.
        const label = calls || pathService === null ? (service ?? 'aggregate') : 'unresolved';
        opts.metrics.observeMcp(label, method, outcome, seconds, upstreamSeconds);
        if (facts?.tool && service) opts.metrics.observeMcpTool(service, facts.tool, outcome);
        // The router's per user + service limit answers inside the JSON-RPC response (HTTP 200).
        if (facts?.rateLimited && status !== 429) opts.metrics.rateLimited('user_service');
        const capture = facts?.capture ?? 'metadata';
        if (capture === 'off') continue;
        const version = typeof headerVersion === 'string' ? headerVersion : typeof m.params?.protocolVersion === 'string' ? m.params.protocolVersion : null;
        opts.requestLog.record(
          {
            time,
            kind: 'mcp',
            requestId: String(r.id ?? ''),
            traceId: r.trace?.traceId ?? null,
            userId: principal?.userId ?? null,
            apiKeyId: principal?.apiKeyId ?? null,
            service,
            upstreamInstance: facts?.instance ?? null,
            serviceVersion: facts?.version ?? null,
            method,
            target: facts?.target ?? rpcTarget(m),
            protocolVersion: version,
            status: outcome === 'ok' ? 'ok' : 'error',
            httpStatus: status,
            rpcErrorCode: rpcError,
            latencyMs: seconds * 1000,
            upstreamLatencyMs: facts?.upstreamMs ?? null,
            bytesIn,
            bytesOut,
            rateLimited,
            ...(capture === 'full' && facts?.payload
              ? {
                  payload: { request: facts.payload.request, response: facts.payload.response, headers: r.headers },
                  secrets: facts.secrets ?? [],
                  secretKeys: facts.secretKeys ?? [],
                }
              : {}),
          },
          capture,
        );
      }
    };
    // `close` follows `finish` on every response, and comes alone when the client went away first.
    res.on('close', finish);
    next();
  };
}
