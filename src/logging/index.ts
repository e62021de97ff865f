export { createLogger, REDACT_PATHS, type Logger } from './logger.js';
export {
  logAuditSink,
  chainedAuditSink,
  verifyAuditChain,
  type AuditAction,
  type AuditEvent,
  type AuditSink,
  type AuditVerification,
} from './audit.js';
// ---- Logging Service (issue 4) ----
export { createLoggingService, type LoggingService, type LoggingConfig, type LoggingServiceOptions } from './service.js';
export { RequestLog, type RequestLogEntry } from './request-log.js';
export { PlatformMetrics, boundedMcpMethod, type CircuitState, type DbPoolStats } from './metrics.js';
export { ErrorTracker, type ErrorSource } from './error-groups.js';
export { createTracing, otlpTracesUrl, type Tracing, type TracingConfig } from './tracing.js';
export { tracedDialect } from './tracing-db.js';
export { redactValue, capturePayload, redactHeaders, REDACTED } from './redact.js';
export { routeTemplate } from './http.js';
export { loggingOpenApi } from './routes.js';
export { maintainPartitions, listPartitions, ensurePartitions } from './partitions.js';
export {
  LATENCY_BUCKET_COUNT,
  HISTOGRAM_COLUMNS,
  latencyBucket,
  latencyBucketBounds,
  histogramQuantile,
  rollupRequestLog,
} from './rollups.js';
