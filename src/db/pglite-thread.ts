import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { PGliteClient } from './pglite-dialect.js';

/**
 * Embedded PGlite in a worker thread (pglite-worker.ts). Its WebAssembly runs there, on the
 * second core, instead of on the event loop that serves requests; the dialect (pglite-dialect.ts)
 * sees the same `PGliteClient` as with an in-process PGlite.
 *
 * - Errors come back as errors with the same message and fields (`code`, `detail`, `constraint`, …),
 *   thrown at the caller's stack.
 * - If the worker dies (a crash, `terminate`), every pending and later query rejects; nothing waits forever.
 * - The worker keeps the process alive only while a query is pending, as an in-process PGlite would.
 */

/**
 * PostgreSQL settings given to PGlite at start (`-c name=value`). PGlite's defaults are a server's:
 * `shared_buffers` 128 MB, which the WebAssembly heap allocates and zeroes at start, so it is
 * resident for the life of the process (measured: 165 MB of RSS). PGlite reads its files through
 * the OS page cache, so a small buffer pool costs little; `wal_buffers` follows it (1/32).
 */
export const PGLITE_SETTINGS: readonly string[] = ['-c', 'shared_buffers=16MB'];

/** @internal what the worker receives as `workerData`. */
export interface WorkerSettings {
  dataDir: string;
  startParams: string[];
}
/** @internal */
export type WorkerRequest = { id: number; sql: string; params: unknown[] } | { id: number; close: true };
/** @internal */
export interface SerializedError {
  message: string;
  name?: string;
  fields: Record<string, string | number | boolean>;
}
/** @internal `id` 0 is the worker's start-up report. */
export type WorkerReply = { id: number; rows: unknown[]; affectedRows?: number | undefined } | { id: number; error: SerializedError };

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(err: Error): void;
  /** The caller's stack, for the error thrown to it. */
  site: Error;
}

function workerUrl(): { url: URL; execArgv: string[] } {
  // From source (tsx, vitest) the worker is TypeScript too and needs tsx's loader; built, it is plain JS.
  const fromSource = import.meta.url.endsWith('.ts');
  return {
    url: new URL(fromSource ? './pglite-worker.ts' : './pglite-worker.js', import.meta.url),
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  };
}

/**
 * SQLSTATE 08006 (connection_failure) on every query once the worker is gone: to its callers the
 * embedded database went away as a PostgreSQL server does, so the edge answers 503 (the database is
 * unavailable) instead of 500, and /readyz fails.
 */
const WORKER_GONE = { code: '08006' };

function revive(e: SerializedError, site: Error): Error {
  const err = new Error(e.message);
  Object.assign(err, e.fields);
  if (e.name !== undefined) err.name = e.name;
  err.stack = `${err.name}: ${e.message}\n${site.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return err;
}

export class PGliteThread implements PGliteClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly onExit: (err: Error) => void,
  ) {}

  /**
   * Starts the worker on `dataDir` and resolves once PGlite answers. A directory without a cluster
   * is first created by a child process (see pglite-worker.ts: initdb's memory leaves with it).
   */
  static async open(opts: { dataDir: string; onUnexpectedExit?: (err: Error) => void }): Promise<PGliteThread> {
    const settings: WorkerSettings = { dataDir: opts.dataDir, startParams: [...PGLITE_SETTINGS] };
    const { url, execArgv } = workerUrl();
    if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
      await promisify(execFile)(process.execPath, [...execArgv, fileURLToPath(url), JSON.stringify(settings)], {
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: Error & { stderr?: string }) => {
        throw new Error(`embedded database: could not create the cluster in ${opts.dataDir}: ${err.stderr?.trim() || err.message}`, { cause: err });
      });
    }
    const worker = new Worker(url, { workerData: settings, execArgv });
    let thread!: PGliteThread;
    const ready = new Promise<PGliteThread>((resolve, reject) => {
      thread = new PGliteThread(worker, (err) => {
        reject(err);
        if (thread.closing === undefined) opts.onUnexpectedExit?.(err);
      });
      const site = new Error('PGlite start');
      thread.pending.set(0, {
        resolve: (reply) => ('error' in reply ? reject(revive(reply.error, site)) : resolve(thread)),
        reject,
        site,
      });
    });
    worker.on('message', (reply: WorkerReply) => thread.settle(reply));
    worker.on('error', (err) => thread.fail(new Error(`embedded database worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => thread.fail(new Error(`embedded database worker exited (code ${code})`)));
    // Held (ref'd) while starting; afterwards only while a query is pending (settle unrefs it).
    return ready;
  }

  async query<R>(sql: string, params: unknown[]): Promise<{ rows: R[]; affectedRows?: number | undefined }> {
    const reply = await this.send({ id: this.nextId++, sql, params });
    return { rows: reply.rows as R[], affectedRows: reply.affectedRows };
  }

  /**
   * Closes PGlite (it writes what it holds), then ends the worker. A worker that has not closed
   * within `timeoutMs` (stuck in a statement) is stopped anyway: shutdown never waits forever.
   */
  close(timeoutMs = 30_000): Promise<void> {
    this.closing ??= (async () => {
      if (!this.dead) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.send({ id: this.nextId++, close: true }).catch(() => undefined),
          new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
        ]);
        clearTimeout(timer);
      }
      await this.terminate();
    })();
    return this.closing;
  }

  /** Stops the worker at once, without closing PGlite: pending and later queries reject. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private send(req: WorkerRequest): Promise<{ rows: unknown[]; affectedRows?: number | undefined }> {
    const site = new Error('query');
    if (this.dead) return Promise.reject(revive({ message: this.dead.message, fields: WORKER_GONE }, site));
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(req.id, {
        resolve: (reply) => {
          if ('error' in reply) reject(revive(reply.error, site));
          else resolve(reply);
        },
        reject,
        site,
      });
      this.worker.postMessage(req);
    });
  }

  private settle(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0 && !this.dead) this.worker.unref();
    p.resolve(reply);
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(revive({ message: err.message, fields: WORKER_GONE }, p.site));
    this.onExit(err);
  }
}
