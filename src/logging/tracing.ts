import type { RequestHandler } from 'express';
import type { Attributes } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { currentTracer } from '../tracing/index.js';

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

export const TRACER_NAME = 'mcp-platform';


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
 * The OpenTelemetry SDK and OTLP exporter are loaded only then (tracing-sdk.ts): with tracing off the
 * platform does not carry them (docs/benchmarks.md, "Memory").
 */
export async function createTracing(opts: TracingOptions): Promise<Tracing> {
  const { config, logger } = opts;
  if (config.OTEL_TRACES_EXPORTER !== 'otlp') return OFF;
  if (currentTracer()) {
    logger.warn('OpenTelemetry tracing is already running in this process; this platform runs untraced');
    return OFF;
  }
  const { startTracing } = await import('./tracing-sdk.js');
  return startTracing(opts, otlpTracesUrl(config));
}
