import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { PlatformDatabase } from '../db/index.js';
import type { PlatformMetrics } from './metrics.js';

/** Where an unexpected error came from. */
export type ErrorSource = 'http' | 'upstream' | 'stdio' | 'process' | 'internal';

export interface ErrorContext {
  source: ErrorSource;
  requestId?: string;
}

interface PendingGroup {
  fingerprint: string;
  type: string;
  message: string;
  topFrame: string | null;
  source: ErrorSource;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  sampleRequestId: string | null;
}

/** Message with the variable parts (ids, numbers, quoted values, urls, paths) replaced, so occurrences group. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<hex>')
    .replace(/(["'`])(?:(?!\1).){0,200}\1/g, '<str>')
    .replace(/\b\d+(\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/** First stack frame, without line/column (they move between releases) and without the absolute path prefix. */
export function topFrame(stack: string | undefined): string | null {
  const line = stack?.split('\n').find((l) => /^\s+at /.test(l));
  if (!line) return null;
  return line
    .trim()
    .replace(/^at /, '')
    .replace(/:\d+:\d+(\)?)$/, '$1')
    .replace(/(file:\/\/)?\/\S*?\/(src|dist|node_modules)\//, '$2/')
    .slice(0, 300);
}

export function fingerprintOf(type: string, message: string, frame: string | null): string {
  return createHash('sha256').update(`${type}\n${message}\n${frame ?? ''}`).digest('hex').slice(0, 32);
}

/**
 * Groups unexpected errors by fingerprint (type, normalized message, top frame). Captures are
 * aggregated in memory and upserted periodically, so a burst of errors costs one write per group.
 */
export class ErrorTracker {
  private pending = new Map<string, PendingGroup>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly database: PlatformDatabase,
    private readonly logger: Logger,
    private readonly metrics: PlatformMetrics,
    private readonly flushIntervalMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  capture(err: unknown, ctx: ErrorContext): string {
    const e = err instanceof Error ? err : new Error(typeof err === 'string' ? err : 'non-error thrown');
    const type = (e.constructor?.name && e.constructor.name !== 'Error' ? e.constructor.name : e.name) || 'Error';
    const message = normalizeMessage(e.message ?? '');
    const frame = topFrame(e.stack);
    const fingerprint = fingerprintOf(type, message, frame);
    const now = new Date();
    const g = this.pending.get(fingerprint);
    if (g) {
      g.count += 1;
      g.lastSeen = now;
      g.sampleRequestId ??= ctx.requestId ?? null;
    } else if (this.pending.size < 10_000) {
      this.pending.set(fingerprint, {
        fingerprint,
        type,
        message,
        topFrame: frame,
        source: ctx.source,
        count: 1,
        firstSeen: now,
        lastSeen: now,
        sampleRequestId: ctx.requestId ?? null,
      });
    }
    this.metrics.errorsTracked.inc({ source: ctx.source });
    return fingerprint;
  }

  async flush(): Promise<void> {
    if (this.writing) return this.writing;
    if (!this.pending.size) return;
    const groups = [...this.pending.values()];
    this.pending = new Map();
    this.writing = (async () => {
      try {
        await this.database.db
          .insertInto('error_groups')
          .values(
            groups.map((g) => ({
              fingerprint: g.fingerprint,
              type: g.type,
              message: g.message,
              top_frame: g.topFrame,
              source: g.source,
              count: String(g.count),
              first_seen: g.firstSeen,
              last_seen: g.lastSeen,
              sample_request_id: g.sampleRequestId,
            })),
          )
          .onConflict((oc) =>
            oc.column('fingerprint').doUpdateSet({
              count: sql`error_groups.count + excluded.count`,
              last_seen: sql`greatest(error_groups.last_seen, excluded.last_seen)`,
              sample_request_id: sql`coalesce(excluded.sample_request_id, error_groups.sample_request_id)`,
            }),
          )
          .execute();
      } catch (err) {
        // Put them back (merged with anything captured meanwhile) for the next round.
        for (const g of groups) {
          const cur = this.pending.get(g.fingerprint);
          if (cur) {
            cur.count += g.count;
            cur.firstSeen = g.firstSeen < cur.firstSeen ? g.firstSeen : cur.firstSeen;
          } else this.pending.set(g.fingerprint, g);
        }
        this.logger.warn({ 'error.message': (err as Error).message }, 'error groups: write failed; will retry');
      }
    })().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
