import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      messageKey: 'message',
      errorKey: 'error',
      timestamp: () => `,"@timestamp":"${new Date().toISOString()}"`,
      base: { 'service.name': 'mcp-platform', 'process.pid': process.pid },
      formatters: {
        level: (label) => ({ 'log.level': label }),
      },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    destination,
  );
}

export type { Logger } from 'pino';
