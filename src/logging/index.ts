export { createLogger, REDACT_PATHS, type Logger } from './logger.js';
export { logAuditSink, type AuditAction, type AuditEvent, type AuditSink } from './audit.js';
