/** Tracing on (tracing.ts loads this module only with OTEL_TRACES_EXPORTER=otlp): the SDK, exporter and spans. */
import {
  context,
  defaultTextMapGetter,
  diag,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
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
import { routeTemplate } from './http.js';
import {
  ATTR_PLATFORM_REQUEST_ID,
  ATTR_USER_ID,
  currentTracer,
  inSpan,
  markError,
  propagator,
  rememberRequestContext,
  requestContext,
  setActiveTracer,
} from '../tracing/index.js';
import { TRACER_NAME, type Tracing, type TracingConfig, type TracingOptions } from './tracing.js';

const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)$/;
/** Longest wait for the last spans on shutdown (the exporter's own timeout is 10 s). */
const SHUTDOWN_FLUSH_MS = 5_000;

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

export function startTracing(opts: TracingOptions, url: string): Tracing {
  const { config, logger } = opts;
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
  // The same manager that carries the request's trace when tracing is off (src/tracing/context.ts).
  context.setGlobalContextManager(requestContext);
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
  setActiveTracer(tracer);
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
    rememberRequestContext(req, ctx);
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
      if (currentTracer() === tracer) setActiveTracer(undefined);
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

