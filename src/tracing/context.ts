import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type ContextManager, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { Request } from 'express';
import { pino } from 'pino';

/**
 * The process-wide side of tracing: which tracer is active (set by `createTracing` while a traced
 * platform runs), the AsyncLocalStorage context manager, and the small helpers other code calls on
 * the request path (upstream spans, `traceparent` injection, log fields).
 *
 * One mechanism carries the trace to upstreams, on or off: the W3C propagator injects the span of
 * the active context, held by one AsyncLocalStorage context manager (`requestContext`). With
 * OpenTelemetry on it is registered with @opentelemetry/api and the active span is a real one (the
 * request's server span, or an upstream-call span inside it). Off, the request runs in a context
 * holding just its `req.trace` IDs as a non-recording span, so upstreams still receive the
 * request's trace ID and the platform's span ID as their parent (`enterRequestTrace`).
 */

// Incubating semantic-convention names, copied as the semconv package recommends.
export const ATTR_USER_ID = 'user.id';
const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
/** Platform-specific attributes (our own namespace). */
export const ATTR_PLATFORM_SERVICE = 'mcp_platform.service';
export const ATTR_PLATFORM_INSTANCE = 'mcp_platform.upstream.instance';
export const ATTR_PLATFORM_REQUEST_ID = 'mcp_platform.request_id';

/** The tracer of the running traced platform (one per process); undefined when tracing is off. */
let activeTracer: Tracer | undefined;

/** Called by `createTracing` (and with undefined at its shutdown). */
export function setActiveTracer(tracer: Tracer | undefined): void {
  activeTracer = tracer;
}

export const propagator = new W3CTraceContextPropagator();
/** Each traced request's context (its server span), to re-enter after callbacks that lose it (body parsing). */
const requestContexts = new WeakMap<Request, Context>();

/** Remembers a traced request's context for `resumeRequestContext`. */
export function rememberRequestContext(req: Request, ctx: Context): void {
  requestContexts.set(req, ctx);
}


/** Context manager on AsyncLocalStorage: the active context follows promises, timers and callbacks. */
export class AsyncLocalContextManager implements ContextManager {
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

/** The one context manager of the process: registered with @opentelemetry/api while tracing is on. */
export const requestContext = new AsyncLocalContextManager();

/** Records an error on a span by type only: messages may carry user input. */
export function markError(span: Span, err: unknown): void {
  const e = err as { code?: unknown; name?: unknown } | undefined;
  const type = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
  span.setAttribute(ATTR_ERROR_TYPE, type.slice(0, 100));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Runs `fn` inside a new child span of the active context, ending it when `fn` settles. */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes | undefined, kind: SpanKind, fn: (span: Span) => Promise<T>): Promise<T> {
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
 * Runs the rest of the request's chain in its trace context. Tracing on: re-enters the request's
 * server span (the body parser resumes the middleware chain from stream callbacks, outside it).
 * Off: a context holding the request's own trace and span IDs (`req.trace`), so that outgoing
 * requests carry them. The logging middleware calls this right after setting `req.trace`.
 */
export function enterRequestTrace(req: Request, next: () => void): void {
  const ctx = activeTracer ? requestContexts.get(req) : undefined;
  if (ctx) return void context.with(ctx, next);
  const ids = req.trace;
  if (activeTracer || !ids) return next();
  const span = trace.wrapSpanContext({ traceId: ids.traceId, spanId: ids.spanId, traceFlags: ids.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: false });
  requestContext.with(trace.setSpan(ROOT_CONTEXT, span), next);
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
 * name). Calls made inside it (the http transport's fetch) carry its `traceparent`. Off: calls `fn`
 * (its calls carry the request's own `traceparent`, see `enterRequestTrace`).
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

/**
 * Sets W3C `traceparent` (and `tracestate`) of the active span on an outgoing request's headers,
 * tracing on or off; outside any request (health probes) there is none and nothing is set.
 */
export function injectTraceContext(headers: Headers | Record<string, string>): void {
  const active = requestContext.active();
  if (active === ROOT_CONTEXT) return;
  if (headers instanceof Headers) propagator.inject(active, headers, { set: (carrier, key, value) => carrier.set(key, value) });
  else propagator.inject(active, headers, { set: (carrier, key, value) => void (carrier[key] = value) });
}

/** Runs `fn` outside any trace: background work a request merely triggers (a full request-log batch). */
export function untraced<T>(fn: () => T): T {
  return requestContext.active() === ROOT_CONTEXT ? fn() : requestContext.with(ROOT_CONTEXT, fn);
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
