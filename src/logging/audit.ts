import type { Logger } from 'pino';

/** Security events the audit trail records. Add new actions here, never rename one. */
export type AuditAction =
  | 'auth.signup'
  | 'auth.login'
  | 'auth.lockout'
  | 'auth.refresh_token_reuse'
  | 'auth.logout'
  | 'auth.user_updated'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'credential.stored'
  | 'credential.replaced'
  | 'credential.deleted'
  | 'admin.role_changed'
  | 'admin.user_disabled'
  | 'admin.user_enabled'
  | 'admin.user_created'
  | 'service.registered'
  | 'service.changed'
  | 'service.removed'
  | 'vault.key_rotated';

export interface AuditEvent {
  action: AuditAction;
  outcome: 'success' | 'failure';
  /** The user who acted; null for anonymous (a failed login) or the system. */
  actorId: string | null;
  targetType?: string;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string;
  /** Non-secret context (e.g. the failure reason). Never a password, token or credential. */
  details?: Record<string, unknown>;
}

/** Where components report security events. The Logging Service implements it. */
export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}

/** Interim sink: one structured log line per event (the Logging Service adds the chained table). */
export function logAuditSink(logger: Logger): AuditSink {
  const log = logger.child({ 'event.category': 'audit' });
  return {
    async record(event) {
      log.info({ audit: event }, `audit ${event.action} ${event.outcome}`);
    },
  };
}
