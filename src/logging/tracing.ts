import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  defaultTextMapGetter,
  diag,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type ContextManager,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_PATH,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pino, type Logger } from 'pino';
import type { Config } from '../config/index.js';
import { routeTemplate } from './http.js';

/**
 * OpenTelemetry tracing, off unless OTEL_TRACES_EXPORTER=otlp. Manual spans only (no
 * auto-instrumentation): a server span per HTTP request (continuing an incoming `traceparent`),
 * children for auth, rate limits, upstream MCP calls and DB queries, exported in batches as
 * OTLP/HTTP JSON. When off, every helper here hands back the function it was given or calls
 * straight through: the hot path allocates no span, no context, nothing.
 *
 * The active span travels in an AsyncLocalStorage-backed context manager (registered with
 * @opentelemetry/api while tracing is on), so router code can start children and inject
 * `traceparent` without a request object.
 */
export type TracingConfig = Pick<
  Config,
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_HEADERS'
  | 'OTEL_SERVICE_NAME'
  | 'OTEL_TRACES_SAMPLER'
  | 'OTEL_TRACES_SAMPLER_ARG'
  | 'OTEL_BSP_SCHEDULE_DELAY'
  | 'OTEL_BSP_MAX_QUEUE_SIZE'
  | 'REPLICA_ID'
>;

// Incubating semantic-convention names, copied as the semconv package recommends.
const ATTR_USER_ID = 'user.id';
const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
/** Platform-specific attributes (our own namespace). */
export const ATTR_PLATFORM_SERVICE = 'mcp_platform.service';
export const ATTR_PLATFORM_INSTANCE = 'mcp_platform.upstream.instance';
export const ATTR_PLATFORM_REQUEST_ID = 'mcp_platform.request_id';

export const TRACER_NAME = 'mcp-platform';

const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)$/;
/** Longest wait for the last spans on shutdown (the exporter's own timeout is 10 s). */
const SHUTDOWN_FLUSH_MS = 5_000;

/** The tracer of the running traced platform (one per process); undefined when tracing is off. */
let activeTracer: Tracer | undefined;
const propagator = new W3CTraceContextPropagator();
/** Each traced request's context (its server span), to re-enter after callbacks that lose it (body parsing). */
const requestContexts = new WeakMap<Request, Context>();

/** Context manager on AsyncLocalStorage: the active context follows promises, timers and callbacks. */
class AsyncLocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.storage.run(ctx, () => fn(...args))) as unknown as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

export interface Tracing {
  readonly enabled: boolean;
  /** Mount first (before the edge): starts the request's server span and sets `req.trace` from it. */
  readonly serverSpans: RequestHandler | undefined;
  /** A middleware run inside a child span `name` (the handler itself when tracing is off). */
  middleware(name: string, handler: RequestHandler, attributes?: Attributes): RequestHandler;
  /** An async function run inside a child span `name` (the function itself when tracing is off). */
  traced<A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>, attributes?: Attributes): (...args: A) => Promise<R>;
  /** Flush queued spans and stop exporting (graceful shutdown). */
  shutdown(): Promise<void>;
}

const OFF: Tracing = {
  enabled: false,
  serverSpans: undefined,
  middleware: (_name, handler) => handler,
  traced: (_name, fn) => fn,
  shutdown: async () => undefined,
};

function samplerFor(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG);
  switch (config.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** OTLP/HTTP traces URL: the signal-specific endpoint as given, else `<endpoint>/v1/traces` (OTel spec). */
export function otlpTracesUrl(config: Pick<TracingConfig, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>): string {
  return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

export interface TracingOptions {
  config: TracingConfig;
  logger: Logger;
  serviceVersion: string;
}

/**
 * Builds tracing from config. With `otlp` it registers the tracer provider and context manager
 * with @opentelemetry/api (process-wide; a second traced platform in the same process runs untraced).
 */
export function createTracing(opts: TracingOptions): Tracing {
  const { config, logger } = opts;
  if (config.OTEL_TRACES_EXPORTER !== 'otlp') return OFF;
  if (activeTracer) {
    logger.warn('OpenTelemetry tracing is already running in this process; this platform runs untraced');
    return OFF;
  }
  const url = otlpTracesUrl(config);
  const exporter = new OTLPTraceExporter({ url, headers: config.OTEL_EXPORTER_OTLP_HEADERS ?? {} });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME,
      [ATTR_SERVICE_VERSION]: opts.serviceVersion,
      [ATTR_SERVICE_INSTANCE_ID]: config.REPLICA_ID,
    }),
    sampler: samplerFor(config),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
        maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
        maxExportBatchSize: Math.min(512, config.OTEL_BSP_MAX_QUEUE_SIZE),
      }),
    ],
  });
  const contextManager = new AsyncLocalContextManager();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  // Export failures reach the platform log (never the exported payload or headers), at most one a minute.
  let lastDiag = 0;
  let suppressed = 0;
  const diagError = (message: string) => {
    const now = Date.now();
    if (now - lastDiag < 60_000) {
      suppressed += 1;
      return;
    }
    lastDiag = now;
    logger.warn({ 'otel.diag': true, 'otel.diag.suppressed': suppressed }, `OpenTelemetry: ${String(message).slice(0, 300)}`);
    suppressed = 0;
  };
  diag.setLogger(
    {
      error: diagError,
      warn: (message: string) => logger.debug({ 'otel.diag': true }, `OpenTelemetry: ${message.slice(0, 300)}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { suppressOverrideMessage: true },
  );
  const tracer = provider.getTracer(TRACER_NAME, opts.serviceVersion);
  activeTracer = tracer;
  logger.info({ 'otel.traces.endpoint': new URL(url).origin, 'otel.traces.sampler': config.OTEL_TRACES_SAMPLER }, 'OpenTelemetry tracing on');

  const serverSpans: RequestHandler = (req, res, next) => {
    // Probes and scrapes would be a trace every few seconds per replica: not traced.
    if (UNTRACED_PATHS.test(req.path)) return next();
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          // The path only: query strings can carry tokens.
          [ATTR_URL_PATH]: req.path,
          ...(req.socket.remoteAddress ? { [ATTR_CLIENT_ADDRESS]: req.socket.remoteAddress } : {}),
          ...(typeof req.headers['user-agent'] === 'string' ? { [ATTR_USER_AGENT_ORIGINAL]: req.headers['user-agent'].slice(0, 256) } : {}),
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    const own = span.spanContext();
    const caller = trace.getSpanContext(parent);
    req.trace = {
      traceId: own.traceId,
      spanId: own.spanId,
      ...(caller ? { parentSpanId: caller.spanId } : {}),
      sampled: (own.traceFlags & 1) === 1,
    };
    requestContexts.set(req, ctx);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const status = res.writableFinished ? res.statusCode : 499;
      const route = routeTemplate(req);
      if (route !== 'unmatched') {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${req.method} ${route}`);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (req.id !== undefined) span.setAttribute(ATTR_PLATFORM_REQUEST_ID, String(req.id));
      const userId = req.principal?.userId ?? mcpUserId(req);
      if (userId) span.setAttribute(ATTR_USER_ID, userId);
      if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(ctx, next);
  };

  return {
    enabled: true,
    serverSpans,
    middleware(name, handler, attributes) {
      return (req: Request, res: Response, next: NextFunction) => {
        const parent = context.active();
        const span = tracer.startSpan(name, { attributes }, parent);
        let ended = false;
        const end = (err?: unknown) => {
          if (ended) return;
          ended = true;
          if (err !== undefined && err !== 'route' && err !== 'router') markError(span, err);
          else if (res.statusCode === 429) span.setAttribute('rate_limit.limited', true);
          span.end();
        };
        res.once('close', () => end());
        // The rest of the chain runs in the parent's context, not inside this span.
        const done: NextFunction = (err?: unknown) => {
          end(err);
          context.with(parent, () => next(err));
        };
        return context.with(trace.setSpan(parent, span), () => {
          try {
            const out = handler(req, res, done) as unknown;
            if (out instanceof Promise) {
              return out.catch((err: unknown) => {
                end(err);
                throw err;
              });
            }
            return out;
          } catch (err) {
            end(err);
            throw err;
          }
        });
      };
    },
    traced(name, fn, attributes) {
      return (...args) => inSpan(tracer, name, attributes, SpanKind.INTERNAL, () => fn(...args));
    },
    async shutdown() {
      if (activeTracer === tracer) activeTracer = undefined;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SHUTDOWN_FLUSH_MS)));
      try {
        const outcome = await Promise.race([provider.shutdown(), bound]);
        if (outcome === 'timeout') logger.warn({ 'otel.traces.endpoint': new URL(url).origin }, 'OpenTelemetry: the collector did not take the last spans in time');
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message } }, 'OpenTelemetry: flushing spans on shutdown failed');
      } finally {
        clearTimeout(timer);
      }
      trace.disable();
      context.disable();
      diag.disable();
    },
  };
}

/** The MCP endpoint's caller, read structurally (the endpoint leaves it on `req.auth`). */
function mcpUserId(req: Request): string | undefined {
  const auth = (req as Request & { auth?: { extra?: { mcpTarget?: { principal?: { userId?: unknown } } } } }).auth;
  const id = auth?.extra?.mcpTarget?.principal?.userId;
  return typeof id === 'string' ? id : undefined;
}

/** Records an error on a span by type only: messages may carry user input. */
function markError(span: Span, err: unknown): void {
  const e = err as { code?: unknown; name?: unknown } | undefined;
  const type = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
  span.setAttribute(ATTR_ERROR_TYPE, type.slice(0, 100));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Runs `fn` inside a new child span of the active context, ending it when `fn` settles. */
async function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes | undefined, kind: SpanKind, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = context.active();
  const span = tracer.startSpan(name, { kind, ...(attributes ? { attributes } : {}) }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    markError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Re-enters the request's context (its server span). The body parser resumes the middleware
 * chain from stream callbacks, outside it; the logging middleware calls this right after.
 */
export function resumeRequestContext(req: Request, next: () => void): void {
  const ctx = activeTracer ? requestContexts.get(req) : undefined;
  if (ctx) context.with(ctx, next);
  else next();
}

/** Where an upstream instance is, without userinfo, query or fragment (those can hold secrets). */
function safeInstance(instance: string): string {
  if (!/^https?:/i.test(instance)) return instance.slice(0, 200);
  try {
    const u = new URL(instance);
    return `${u.origin}${u.pathname}`.slice(0, 500);
  } catch {
    return 'invalid-url';
  }
}

export interface UpstreamCallInfo {
  /** The service's slug. */
  service: string;
  /** The lease's instance: URL, `stdio:<pid>` or `builtin:<name>`. */
  instance: string;
  /** The JSON-RPC method sent upstream. */
  method: string;
  /** The request params; only the tool or prompt name is read from them, never arguments. */
  params?: Record<string, unknown> | undefined;
}

/**
 * Runs one forwarded MCP request inside a client span (service, instance, method, tool or prompt
 * name). Calls made inside it (the http transport's fetch) carry its `traceparent`. Off: calls `fn`.
 */
export function traceUpstreamCall<T>(info: UpstreamCallInfo, fn: () => Promise<T>): Promise<T> {
  const tracer = activeTracer;
  if (!tracer) return fn();
  const name = typeof info.params?.name === 'string' ? info.params.name.slice(0, 200) : undefined;
  const attributes: Attributes = {
    [ATTR_MCP_METHOD_NAME]: info.method,
    [ATTR_PLATFORM_SERVICE]: info.service,
    [ATTR_PLATFORM_INSTANCE]: safeInstance(info.instance),
  };
  if (name && info.method === 'tools/call') attributes[ATTR_GEN_AI_TOOL_NAME] = name;
  if (name && info.method === 'prompts/get') attributes[ATTR_GEN_AI_PROMPT_NAME] = name;
  return inSpan(tracer, `upstream ${info.method}`, attributes, SpanKind.CLIENT, fn);
}

/** Sets W3C `traceparent` (and `tracestate`) of the active span on an outgoing request's headers. */
export function injectTraceContext(headers: Headers): void {
  if (!activeTracer) return;
  propagator.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/** Runs `fn` outside any trace: background work a request merely triggers (a full request-log batch). */
export function untraced<T>(fn: () => T): T {
  return activeTracer ? context.with(ROOT_CONTEXT, fn) : fn();
}

/** The active span of the current async context, when tracing is on. */
export function activeSpan(): Span | undefined {
  return activeTracer ? trace.getSpan(context.active()) : undefined;
}

const CHINDINGS = pino.symbols.chindingsSym;

/**
 * pino mixin: `trace.id`/`span.id` of the active span on lines logged outside the request's own
 * logger (component loggers called during a request). Lines of `req.log` carry them already.
 */
export function activeTraceFields(_merge: object, _level: number, logger: object): Record<string, string> {
  if (!activeTracer) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const bound = (logger as Record<symbol, unknown>)[CHINDINGS];
  if (typeof bound === 'string' && bound.includes('"trace.id"')) return {};
  const sc = span.spanContext();
  return { 'trace.id': sc.traceId, 'span.id': sc.spanId };
}

/** The tracer for other parts of the Logging Service (DB spans); undefined when tracing is off. */
export function currentTracer(): Tracer | undefined {
  return activeTracer;
}
