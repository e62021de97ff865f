import { hostname } from 'node:os';
import { pino, type Logger, type DestinationStream } from 'pino';
import { activeTraceFields } from '../tracing/index.js';

/**
 * Structured JSON logs on stdout, with field names from the Elastic Common Schema so that
 * Filebeat/Logstash ship them without custom parsing. Secrets are redacted by path; code must
 * still never put a secret into a message string.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.apikey',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  '*.password',
  'new_password',
  '*.new_password',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'credentials',
  '*.credentials',
];

/**
 * ECS puts errors under `error.type` / `error.message` / `error.stack_trace`. Code logs `{ err }`
 * (pino's convention); this maps it. The stack stays in the log (never in a response).
 */
function ecsError(obj: Record<string, unknown>): Record<string, unknown> {
  const err = obj.err ?? (obj.error instanceof Error ? obj.error : undefined);
  if (err === undefined) return obj;
  const { err: _drop, error: _drop2, ...rest } = obj;
  void _drop2;
  void _drop;
  const e = err as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown; constructor?: { name?: string } };
  // Flat dotted keys: pino's own serializer for its errorKey would otherwise rewrite a nested object.
  return {
    ...rest,
    'error.type': typeof e.name === 'string' ? e.name : (e.constructor?.name ?? 'Error'),
    'error.message': typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.stack === 'string' ? { 'error.stack_trace': e.stack } : {}),
    ...(e.code !== undefined ? { 'error.code': String(e.code) } : {}),
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      messageKey: 'message',
      errorKey: 'error',
      timestamp: () => `,"@timestamp":"${new Date().toISOString()}"`,
      base: { 'service.name': 'mcp-platform', 'process.pid': process.pid, 'host.hostname': hostname(), 'ecs.version': '8.11.0' },
      formatters: {
        level: (label) => ({ 'log.level': label }),
        log: ecsError,
      },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      mixin: activeTraceFields,
    },
    destination,
  );
}

export type { Logger } from 'pino';
