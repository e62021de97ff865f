import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { PayloadCapture, PlatformDatabase, RequestLogTable } from '../db/index.js';
import type { PlatformMetrics } from './metrics.js';
import { ensurePartitions } from './partitions.js';
import { rollupCtes } from './rollups.js';
import { capturePayload, redactHeaders } from './redact.js';
import { untraced } from '../tracing/index.js';

export interface RequestLogEntry {
  /** When the request arrived; defaults to now. */
  time?: Date;
  kind: 'mcp' | 'rest';
  requestId: string;
  traceId?: string | null;
  userId?: string | null;
  apiKeyId?: string | null;
  /** Service slug (MCP). */
  service?: string | null;
  /** Upstream instance that served it: URL, `stdio:<pid>`, `builtin:<name>`. */
  upstreamInstance?: string | null;
  /** The `openapi` service version that served it (docs/builder.md, "Versions"). */
  serviceVersion?: number | null;
  /** JSON-RPC method (MCP) or HTTP method (REST). */
  method: string;
  /** Tool, prompt or resource name (MCP). */
  target?: string | null;
  /** Route template (REST), e.g. `/v1/services/{id}`. */
  route?: string | null;
  protocolVersion?: string | null;
  status: 'ok' | 'error';
  httpStatus?: number | null;
  rpcErrorCode?: number | null;
  latencyMs: number;
  upstreamLatencyMs?: number | null;
  bytesIn?: number | null;
  bytesOut?: number | null;
  rateLimited?: boolean;
  /** Stored only with `full` capture, after redaction and capping. */
  payload?: {
    request?: unknown;
    response?: unknown;
    headers?: Record<string, string | string[] | undefined>;
  };
  /** Exact values to mask in a captured payload (e.g. the caller's decrypted credentials). */
  secrets?: string[];
  /** Key names to redact in a captured payload (e.g. the service's credential field names). */
  secretKeys?: string[];
}

export interface RequestLogOptions {
  database: PlatformDatabase;
  logger: Logger;
  metrics: PlatformMetrics;
  queueMax: number;
  batchSize: number;
  flushIntervalMs: number;
  payloadMaxBytes: number;
  /** Longest backoff between retries of a failing batch. */
  maxBackoffMs?: number;
  /** Update the analytics rollups in the same statement as each batch (docs/analytics.md); default true. */
  rollups?: boolean;
}

/** A queued row: plain JSON, written with one `jsonb_to_recordset` parameter per batch. */
type Row = {
  [K in keyof Omit<RequestLogTable, 'id' | 'time' | 'payload' | 'rate_limited'>]: RequestLogTable[K];
} & { time: string; rate_limited: boolean; payload: unknown };

/** Column → SQL type, in insert order. */
const COLUMNS: Array<[keyof Row, string]> = [
  ['time', 'timestamptz'],
  ['kind', 'text'],
  ['request_id', 'text'],
  ['trace_id', 'text'],
  ['user_id', 'uuid'],
  ['api_key_id', 'uuid'],
  ['service', 'text'],
  ['upstream_instance', 'text'],
  ['service_version', 'integer'],
  ['method', 'text'],
  ['target', 'text'],
  ['route', 'text'],
  ['protocol_version', 'text'],
  ['status', 'text'],
  ['http_status', 'integer'],
  ['rpc_error_code', 'integer'],
  ['latency_ms', 'double precision'],
  ['upstream_latency_ms', 'double precision'],
  ['bytes_in', 'integer'],
  ['bytes_out', 'integer'],
  ['rate_limited', 'boolean'],
  ['payload', 'jsonb'],
];
const COLUMN_LIST = sql.join(COLUMNS.map(([c]) => sql.id(c)));
const RECORD_DEF = sql.raw(COLUMNS.map(([c, t]) => `"${c}" ${t}`).join(', '));

/**
 * The request-log writer. `record` never waits for the database: it appends to a bounded queue
 * that a background loop writes in multi-row inserts. A failing batch stays at the head of the
 * queue and is retried with exponential backoff; records are lost only when the queue overflows,
 * and every loss is counted (metric `log_records_dropped_total`) and logged.
 */
export class RequestLog {
  private queue: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly opts: RequestLogOptions) {
    this.log = opts.logger.child({ 'event.dataset': 'mcp-platform.request_log' });
    // Read when scraped: no gauge update per queued row.
    opts.metrics.readLogQueueDepth(() => this.queue.length);
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.tick(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  get depth(): number {
    return this.queue.length;
  }

  /** Queue one entry. Synchronous and cheap; never throws. */
  record(entry: RequestLogEntry, capture: PayloadCapture = 'metadata'): void {
    if (capture === 'off') return;
    if (this.queue.length >= this.opts.queueMax) {
      this.drop(1);
      return;
    }
    try {
      this.queue.push(this.toRow(entry, capture));
    } catch (err) {
      this.log.error({ err }, 'request log entry could not be prepared');
      return;
    }
    // The batch belongs to no request's trace, even though this request filled it.
    if (this.queue.length >= this.opts.batchSize && Date.now() >= this.retryAt) void untraced(() => this.tick());
  }

  /** Writes everything queued now. Resolves when the queue is empty or `deadline` (epoch ms) passes. */
  async flush(deadline = Date.now() + 30_000): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      if (this.flushing) {
        await this.flushing;
        continue;
      }
      if (Date.now() >= deadline) break;
      const wait = this.retryAt - Date.now();
      if (wait > 0) await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
      if (Date.now() >= deadline) break;
      this.retryAt = 0;
      await this.tick(true);
    }
    if (this.queue.length) {
      this.log.error({ 'log_records.lost': this.queue.length }, 'request log: records could not be written before the deadline');
    }
  }

  /** Stops the loop and drains the queue (bounded by `timeoutMs`). Records that still cannot be written are counted as dropped. */
  async close(timeoutMs = 30_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush(Date.now() + timeoutMs);
    if (this.queue.length) {
      this.drop(this.queue.length, true);
      this.queue = [];
    }
    this.opts.metrics.logQueueDepth.set(0);
  }

  private tick(drain = false): Promise<void> {
    if (this.flushing) return this.flushing;
    if (!this.queue.length || Date.now() < this.retryAt) return Promise.resolve();
    this.flushing = this.writeBatches(drain)
      .catch((err: unknown) => this.log.error({ err }, 'request log: writer failed'))
      .finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /**
   * Writes one batch of what is queued, then more only while full batches wait (or everything, when
   * `drain`). Rows that arrive while a batch is written wait for the next interval: a statement has
   * a fixed cost (about 8 ms on PGlite with the rollups, whatever its size), so writing the queue
   * down to empty under steady traffic made batches of a few dozen rows and cost that much per row.
   */
  private async writeBatches(drain: boolean): Promise<void> {
    const { database, metrics, batchSize } = this.opts;
    for (let first = true; this.queue.length > 0 && (first || drain || this.queue.length >= batchSize); first = false) {
      const batch = this.queue.slice(0, batchSize);
      const stop = metrics.logFlushDuration.startTimer();
      try {
        await this.insert(batch);
        stop();
      } catch (caught) {
        let err = caught;
        if (isDataError(err)) {
          // A row the database refuses (not an outage): write the batch row by row, drop only the bad ones.
          stop();
          const done = await this.insertOneByOne(batch);
          this.queue.splice(0, done);
          metrics.logQueueDepth.set(this.queue.length);
          if (done === batch.length) continue;
          err = new Error('database unavailable during row-by-row write');
        }
        metrics.logFlushFailures.inc();
        this.failures += 1;
        const backoff = Math.min(this.opts.maxBackoffMs ?? 30_000, 100 * 2 ** Math.min(this.failures, 12));
        this.retryAt = Date.now() + backoff;
        const e = err as { message?: string; code?: string };
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.log.warn(
            { 'error.message': e.message, 'error.code': e.code, 'log_queue.depth': this.queue.length, 'retry.backoff_ms': backoff, 'retry.attempt': this.failures, storage: database.kind },
            'request log: batch write failed; retrying with backoff',
          );
        }
        return;
      }
      this.queue.splice(0, batch.length);
      metrics.logRecordsWritten.inc(batch.length);
      metrics.logQueueDepth.set(this.queue.length);
      if (this.failures) this.log.info({ 'retry.attempt': this.failures }, 'request log: writes recovered');
      this.failures = 0;
    }
  }

  private async insert(batch: Row[]): Promise<void> {
    // Nobody waits for these rows: on embedded PGlite, the calls' own writes go first.
    const { background: db, schema } = this.opts.database;
    // One JSON parameter per batch: far cheaper to build than a 22-column multi-row VALUES list.
    const insertRows = sql`insert into ${sql.table(`${schema}.request_log`)} (${COLUMN_LIST})
          select ${COLUMN_LIST} from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as r(${RECORD_DEF})`;
    // The rollups ride in the same statement (src/logging/rollups.ts): they commit with the rows or not at all.
    const write = () =>
      (this.opts.rollups === false
        ? insertRows
        : sql`with inserted as (${insertRows} returning time, kind, method, service, target, user_id, status, latency_ms, rate_limited),
              ${rollupCtes(schema, 'inserted')}
              select 1`
      ).execute(db.withoutPlugins());
    try {
      await write();
    } catch (err) {
      // A row outside every partition (clock past the partitions made ahead): create them, retry once.
      if ((err as { code?: string }).code !== '23514' || !/no partition/i.test((err as Error).message)) throw err;
      const times = batch.map((r) => Date.parse(r.time));
      await ensurePartitions(this.opts.database, new Date(Math.min(...times)), new Date(Math.max(...times)));
      await write();
    }
  }

  /** Returns how many rows of the batch were handled (written or dropped as invalid). */
  private async insertOneByOne(batch: Row[]): Promise<number> {
    let done = 0;
    for (const row of batch) {
      try {
        await this.insert([row]);
        this.opts.metrics.logRecordsWritten.inc();
      } catch (err) {
        if (!isDataError(err)) return done;
        this.log.error({ 'error.message': (err as Error).message, 'http.request.id': row.request_id }, 'request log: row rejected by the database');
        this.drop(1);
      }
      done += 1;
    }
    return done;
  }

  private drop(count: number, atShutdown = false): void {
    this.opts.metrics.logRecordsDropped.inc(count);
    this.droppedSinceLog += count;
    const now = Date.now();
    if (atShutdown || now - this.lastDropLog >= 10_000) {
      this.log.error(
        { 'log_records.dropped': this.droppedSinceLog, 'log_queue.max': this.opts.queueMax, shutdown: atShutdown },
        atShutdown ? 'request log: records lost at shutdown' : 'request log: queue full, records dropped',
      );
      this.lastDropLog = now;
      this.droppedSinceLog = 0;
    }
  }

  private toRow(e: RequestLogEntry, capture: PayloadCapture): Row {
    let payload: unknown = null;
    if (capture === 'full' && e.payload) {
      const secrets = { secrets: e.secrets ?? [], keys: e.secretKeys ?? [] };
      const max = this.opts.payloadMaxBytes;
      payload = ({
        ...(e.payload.headers ? { headers: redactHeaders(e.payload.headers, secrets) } : {}),
        ...(e.payload.request !== undefined ? { request: capturePayload(e.payload.request, max, secrets) } : {}),
        ...(e.payload.response !== undefined ? { response: capturePayload(e.payload.response, max, secrets) } : {}),
      });
    }
    return {
      time: (e.time ?? new Date()).toISOString(),
      kind: e.kind,
      request_id: e.requestId.slice(0, 128),
      trace_id: e.traceId ?? null,
      user_id: uuidOrNull(e.userId),
      api_key_id: uuidOrNull(e.apiKeyId),
      service: e.service ?? null,
      upstream_instance: e.upstreamInstance ?? null,
      service_version: e.serviceVersion ?? null,
      method: e.method.slice(0, 128),
      target: e.target?.slice(0, 256) ?? null,
      route: e.route?.slice(0, 256) ?? null,
      protocol_version: e.protocolVersion?.slice(0, 32) ?? null,
      status: e.status,
      http_status: e.httpStatus ?? null,
      rpc_error_code: e.rpcErrorCode ?? null,
      latency_ms: e.latencyMs,
      upstream_latency_ms: e.upstreamLatencyMs ?? null,
      bytes_in: e.bytesIn ?? null,
      bytes_out: e.bytesOut ?? null,
      rate_limited: e.rateLimited ?? false,
      payload,
    };
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity): retrying the same row cannot help. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^2[23]/.test(code)) return false;
  return !/no partition/i.test((err as Error).message);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function uuidOrNull(v: string | null | undefined): string | null {
  return v && UUID.test(v) ? v : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
