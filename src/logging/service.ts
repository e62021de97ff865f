import http from 'node:http';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { PlatformDatabase } from '../db/index.js';
import { chainedAuditSink, verifyAuditChain, type AuditSink, type AuditVerification } from './audit.js';
import { ErrorTracker, type ErrorSource } from './error-groups.js';
import { httpInstrumentation } from './http.js';
import { PlatformMetrics, type DbPoolStats } from './metrics.js';
import { maintainPartitions } from './partitions.js';
import { RequestLog } from './request-log.js';
import { loggingRouter, metricsHandler } from './routes.js';
import { traceMiddleware } from './trace-middleware.js';

export type LoggingConfig = Pick<
  Config,
  | 'HOST'
  | 'LOG_RETENTION_DAYS'
  | 'LOG_PARTITION_DAYS_AHEAD'
  | 'LOG_MAINTENANCE_INTERVAL_MS'
  | 'LOG_QUEUE_MAX'
  | 'LOG_BATCH_SIZE'
  | 'LOG_FLUSH_INTERVAL_MS'
  | 'LOG_PAYLOAD_MAX_BYTES'
  | 'LOG_REST_REQUESTS'
  | 'METRICS_ENABLED'
  | 'METRICS_TOKEN'
  | 'METRICS_PORT'
>;

export interface LoggingServiceOptions {
  database: PlatformDatabase;
  logger: Logger;
  config: LoggingConfig;
  /** Database pool figures for the db_pool_* gauges (PostgreSQL only). */
  dbPool?: () => DbPoolStats | undefined;
}

/**
 * The Logging Service: one object the composition root builds and hands to the others as sinks
 * (request log, audit, metrics, error tracker). It never calls back into another component.
 */
export interface LoggingService {
  readonly metrics: PlatformMetrics;
  readonly requestLog: RequestLog;
  readonly audit: AuditSink;
  readonly errors: ErrorTracker;
  /** Trace context + HTTP metrics + REST request-log rows. Mount right after the edge middleware. */
  readonly middleware: RequestHandler[];
  /** The query APIs (/v1/logs, /v1/usage, /v1/admin/{logs,usage,audit,audit/verify,errors}). Needs req.principal. */
  readonly router: Router;
  /** GET /metrics for the main app; undefined when metrics are off or served on METRICS_PORT. */
  readonly metricsHandler: RequestHandler | undefined;
  /** For the edge error handler: record an unexpected (5xx) error. */
  captureError(err: unknown, source: ErrorSource, req?: Request): void;
  verifyAudit(): Promise<AuditVerification>;
  /** First maintenance pass (partitions, retention), timers, and the METRICS_PORT listener. */
  start(): Promise<void>;
  /** Drain the request log and error groups; stop timers and the metrics listener. */
  close(timeoutMs?: number): Promise<void>;
  /** Port of the separate metrics listener, once started. */
  metricsPort(): number | undefined;
}

export function createLoggingService(opts: LoggingServiceOptions): LoggingService {
  const { database, logger, config } = opts;
  const metrics = new PlatformMetrics({ ...(opts.dbPool ? { dbPool: opts.dbPool } : {}) });
  const requestLog = new RequestLog({
    database,
    logger,
    metrics,
    queueMax: config.LOG_QUEUE_MAX,
    batchSize: config.LOG_BATCH_SIZE,
    flushIntervalMs: config.LOG_FLUSH_INTERVAL_MS,
    payloadMaxBytes: config.LOG_PAYLOAD_MAX_BYTES,
  });
  const errorTracker = new ErrorTracker(database, logger, metrics, Math.max(config.LOG_FLUSH_INTERVAL_MS, 1000));
  const audit = chainedAuditSink({
    database,
    logger,
    onAppendFailure: () => metrics.auditAppendFailures.inc(),
    onEvent: (event) => {
      // Sign-in failures reach the audit sink with a reason; count them by that (bounded) reason.
      if (event.action === 'auth.login' && event.outcome === 'failure') {
        const reason = event.details?.reason;
        metrics.authFailed(typeof reason === 'string' && /^[a-z_]{1,40}$/.test(reason) ? reason : 'other');
      }
    },
  });
  const handler = config.METRICS_ENABLED ? metricsHandler(metrics, config.METRICS_TOKEN) : undefined;
  let maintenanceTimer: NodeJS.Timeout | undefined;
  let metricsServer: http.Server | undefined;

  const maintain = async () => {
    try {
      const { created, dropped } = await maintainPartitions(database, {
        retentionDays: config.LOG_RETENTION_DAYS,
        daysAhead: config.LOG_PARTITION_DAYS_AHEAD,
      });
      if (created.length || dropped.length) logger.info({ created, dropped }, 'request log partitions maintained');
    } catch (err) {
      logger.warn({ 'error.message': (err as Error).message }, 'request log partition maintenance failed; will retry');
    }
  };

  return {
    metrics,
    requestLog,
    audit,
    errors: errorTracker,
    middleware: [traceMiddleware(), httpInstrumentation({ metrics, requestLog, logRest: config.LOG_REST_REQUESTS })],
    router: loggingRouter({ database }),
    metricsHandler: config.METRICS_PORT ? undefined : handler,
    captureError(err, source, req) {
      errorTracker.capture(err, { source, ...(req?.id ? { requestId: String(req.id) } : {}) });
    },
    verifyAudit: () => verifyAuditChain(database),
    async start() {
      await maintain();
      maintenanceTimer ??= setInterval(() => void maintain(), config.LOG_MAINTENANCE_INTERVAL_MS);
      maintenanceTimer.unref();
      requestLog.start();
      errorTracker.start();
      if (config.METRICS_PORT && handler && !metricsServer) {
        const app = express();
        app.disable('x-powered-by');
        app.get('/metrics', handler);
        const server = http.createServer(app);
        metricsServer = server;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.METRICS_PORT, config.HOST, () => resolve());
        });
      }
    },
    async close(timeoutMs = 30_000) {
      if (maintenanceTimer) clearInterval(maintenanceTimer);
      maintenanceTimer = undefined;
      await requestLog.close(timeoutMs);
      await errorTracker.close();
      const server = metricsServer;
      metricsServer = undefined;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    metricsPort() {
      const a = metricsServer?.address();
      return a && typeof a === 'object' ? a.port : undefined;
    },
  };
}
