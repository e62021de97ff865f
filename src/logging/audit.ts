import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { AuditLogTable, PlatformDatabase } from '../db/index.js';
import { redactValue } from './redact.js';

/** Security events the audit trail records. Add new actions here, never rename one. */
export type AuditAction =
  | 'auth.signup'
  | 'auth.login'
  | 'auth.lockout'
  | 'auth.refresh_token_reuse'
  | 'auth.logout'
  | 'auth.user_updated'
  | 'auth.recovery_requested'
  | 'auth.email_verified'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'credential.stored'
  | 'credential.replaced'
  | 'credential.deleted'
  | 'admin.role_changed'
  | 'admin.user_disabled'
  | 'admin.user_enabled'
  | 'admin.user_created'
  | 'admin.sessions_revoked'
  | 'service.registered'
  | 'service.changed'
  | 'service.removed'
  | 'service.version_saved'
  | 'service.published'
  | 'service.rolled_back'
  | 'vault.key_rotated'
  | 'admin.user_exported'
  // the user's own export (GET /v1/me/export)
  | 'user.data_exported'
  | 'admin.user_deleted'
  // OAuth authorization server (src/oauth)
  | 'oauth.client_registered'
  | 'oauth.consent'
  | 'oauth.authorization'
  | 'oauth.token'
  | 'oauth.token_revoked'
  | 'oauth.grant_revoked'
  | 'upstream_oauth.connected'
  | 'upstream_oauth.disconnected'
  | 'upstream_oauth.refresh_refused'
  // plans and quotas (src/billing)
  | 'billing.plan_created'
  | 'billing.plan_changed'
  | 'billing.plan_removed'
  | 'billing.plan_assigned'
  | 'billing.price_set'
  | 'billing.price_removed'
  | 'billing.statements_finalized'
  | 'billing.event_redelivered'
  // the marketplace (src/marketplace)
  | 'marketplace.provider_applied'
  | 'marketplace.provider_granted'
  | 'marketplace.provider_approved'
  | 'marketplace.provider_rejected'
  | 'marketplace.provider_revoked'
  | 'marketplace.listing_submitted'
  | 'marketplace.version_submitted'
  | 'marketplace.version_inspected'
  | 'marketplace.version_approved'
  | 'marketplace.version_rejected'
  | 'marketplace.listing_withdrawn'
  | 'marketplace.listing_reinstated'
  | 'marketplace.installed'
  | 'marketplace.uninstalled'
  | 'marketplace.rated';

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

// ---------------------------------------------------------------------------------------------
// The tamper-evident audit trail (issue 4).

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);
/** Advisory lock that makes appends single-writer across replicas ("mcp-audt"). */
const AUDIT_LOCK_KEY = 0x6d63702d61756474n;

/** The hashed fields of one audit row: the table's columns except the chain links themselves. */
export type AuditRowFields = Omit<Selectable<AuditLogTable>, 'prev_hash' | 'hash'>;

/** Deterministic JSON: keys sorted at every level, undefined dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hash = sha256(prev_hash || canonical row), hex. */
export function auditHash(prevHash: string, row: AuditRowFields): string {
  const canonical = canonicalJson({ ...row, time: new Date(row.time).toISOString() });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

export interface AuditChainOptions {
  database: PlatformDatabase;
  logger: Logger;
  /** Called when an append fails (the metric), besides the error log line. */
  onAppendFailure?: () => void;
  /** Called for every event before it is appended (metrics: auth failures by reason). Must not throw. */
  onEvent?: (event: AuditEvent) => void;
}

/**
 * The audit sink backed by the `audit_log` table. Each append runs in a transaction holding an
 * advisory lock, reads the head of the chain and inserts seq+1 with its hash, so replicas never
 * fork the chain. Every event is also one structured log line (for ELK). An append that fails is
 * logged in full at error level and the error is re-thrown: a security event is never lost silently.
 */
export function chainedAuditSink(opts: AuditChainOptions): AuditSink {
  const log = opts.logger.child({ 'event.category': 'audit' });
  const raw = opts.database.db;
  return {
    async record(event) {
      try {
        opts.onEvent?.(event);
      } catch {
        // metrics never block the audit trail
      }
      const details = JSON.parse(JSON.stringify(redactValue(event.details ?? {}))) as Record<string, unknown>;
      const fields: Omit<AuditRowFields, 'seq'> = {
        time: new Date(),
        action: event.action,
        outcome: event.outcome,
        actor_id: event.actorId ?? null,
        target_type: event.targetType ?? null,
        target_id: event.targetId ?? null,
        ip: event.ip ?? null,
        user_agent: event.userAgent?.slice(0, 512) ?? null,
        request_id: event.requestId ?? null,
        details,
      };
      const ecs = {
        'event.action': event.action,
        'event.outcome': event.outcome,
        'user.id': fields.actor_id,
        'source.ip': fields.ip,
        'user_agent.original': fields.user_agent,
        'http.request.id': fields.request_id,
        audit: { target_type: fields.target_type, target_id: fields.target_id, details },
      };
      try {
        const seq = await raw.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_LOCK_KEY)})`.execute(trx);
          const head = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
          const row: AuditRowFields = { ...fields, seq: String(BigInt(head?.seq ?? '0') + 1n) };
          const prevHash = head?.hash ?? GENESIS_HASH;
          await trx
            .insertInto('audit_log')
            .values({ ...row, details: JSON.stringify(row.details), prev_hash: prevHash, hash: auditHash(prevHash, row) })
            .execute();
          return row.seq;
        });
        log.info({ ...ecs, 'audit.seq': seq }, `audit ${event.action} ${event.outcome}`);
      } catch (err) {
        opts.onAppendFailure?.();
        log.error({ ...ecs, 'error.message': (err as Error).message }, `audit ${event.action} ${event.outcome}: NOT appended to the chain`);
        throw err;
      }
    },
  };
}

export interface AuditVerification {
  ok: boolean;
  /** Rows checked (up to and including the first broken one). */
  checked: number;
  /** Last good row. */
  head: { seq: string; hash: string } | null;
  firstBroken?: { seq: string; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap'; expectedSeq?: string };
}

/** Walks the chain in order and reports the first row whose link or hash does not hold. */
export async function verifyAuditChain(database: PlatformDatabase, pageSize = 1000): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expected = 1n;
  let checked = 0;
  let head: AuditVerification['head'] = null;
  for (;;) {
    const rows = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', String(expected))
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      checked += 1;
      const seq = BigInt(r.seq);
      if (seq !== expected) return { ok: false, checked, head, firstBroken: { seq: String(seq), reason: 'sequence_gap', expectedSeq: String(expected) } };
      if (r.prev_hash !== prevHash) return { ok: false, checked, head, firstBroken: { seq: String(r.seq), reason: 'prev_hash_mismatch' } };
      const fields: AuditRowFields = {
        seq: String(r.seq),
        time: r.time,
        action: r.action,
        outcome: r.outcome,
        actor_id: r.actor_id,
        target_type: r.target_type,
        target_id: r.target_id,
        ip: r.ip,
        user_agent: r.user_agent,
        request_id: r.request_id,
        details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
      };
      if (auditHash(r.prev_hash, fields) !== r.hash) return { ok: false, checked, head, firstBroken: { seq: String(r.seq), reason: 'hash_mismatch' } };
      prevHash = r.hash;
      head = { seq: String(r.seq), hash: r.hash };
      expected = seq + 1n;
    }
    if (rows.length < pageSize) return { ok: true, checked, head };
  }
}
