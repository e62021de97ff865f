/**
 * Trace context, below every component: W3C `traceparent` parsing, the process's active
 * OpenTelemetry tracer and context, and the helpers the request path calls (upstream spans,
 * `traceparent` on outgoing requests, trace fields for log lines). The Logging Service turns
 * tracing on (`createTracing`, exporter and server spans); the router and others only call these.
 */
export { newSpanId, parseTraceparent, type TraceContext } from './w3c.js';
export {
  activeTraceFields,
  ATTR_PLATFORM_REQUEST_ID,
  ATTR_USER_ID,
  currentTracer,
  enterRequestTrace,
  injectTraceContext,
  inSpan,
  markError,
  propagator,
  rememberRequestContext,
  requestContext,
  setActiveTracer,
  traceUpstreamCall,
  untraced,
  type UpstreamCallInfo,
} from './context.js';
