/**
 * The thread that runs embedded PGlite (started by pglite-thread.ts, never imported).
 *
 * As a worker thread: PGlite executes every statement in WebAssembly on the thread that calls it.
 * Here that thread is this worker, so the platform's event loop only posts the SQL and receives
 * the rows.
 *
 * As a child process (`node pglite-worker.js <settings JSON>`): creates the cluster in
 * an empty data directory (initdb) and exits. initdb needs a second WebAssembly instance and an
 * in-memory copy of the new cluster; in the platform's process that was several hundred MB, which
 * V8 keeps until a GC it has no reason to run on an idle server and which the allocator keeps even
 * after it (measured: 130 MB still resident after a worker thread that ran initdb had exited).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { WorkerReply, WorkerRequest, WorkerSettings, SerializedError } from './pglite-thread.js';

const settings = (parentPort ? workerData : JSON.parse(process.argv[2] ?? '{}')) as WorkerSettings;

// PGlite's WebAssembly (~9 MB) is compiled by Liftoff only, without V8's dynamic tier-up to
// TurboFan: the tier-up's compilations on V8's background threads left ~35-40 MB resident in their
// allocator arenas on an idle server (docs/benchmarks.md, "Memory"). Set before PGlite compiles its
// module (at create); the flag is process-wide, and the main thread compiles no WebAssembly of its
// own that matters (undici's HTTP parser). Not when the operator sets WebAssembly tiering themselves.
const operatorFlags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
if (!operatorFlags.some((f) => /^--(no-)?(liftoff|wasm[-_]tier|wasm[-_]dynamic[-_]tiering)/.test(f))) v8.setFlagsFromString('--liftoff-only');

function serialize(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  // PGlite's DatabaseError carries the server's fields (code, detail, constraint, …) as own properties.
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return { message: err.message, name: err.name, fields };
}

const open = () => PGlite.create({ dataDir: settings.dataDir, startParams: [...PGlite.defaultStartParams, ...settings.startParams] });

if (!parentPort) {
  // Child process: create the cluster and exit; a failure is the exit code and the message on stderr.
  await (await open()).close();
} else {
  const port = parentPort;
  let client: PGlite;
  try {
    client = await open();
  } catch (err) {
    port.postMessage({ id: 0, error: serialize(err) } satisfies WorkerReply);
    port.close(); // the thread ends; the opener rejects with this error
    throw err;
  }
  // Opening PGlite grew this thread's young generation to 16 MB, resident for nothing while idle:
  // one memory-reducing GC gives it back (Node 22; see src/startup-heap.ts for the same on the main thread).
  v8.setFlagsFromString('--expose-gc');
  // Flags are process-wide: another thread (a second PGlite worker starting) may have switched it
  // off again in between; then there is no GC this time (best effort, never an error).
  const gc = runInNewContext("typeof gc === 'function' ? gc : undefined") as ((options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void) | undefined;
  v8.setFlagsFromString('--no-expose-gc');
  gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  port.on('message', (req: WorkerRequest) => {
    if ('close' in req) {
      client.close().then(
        () => {
          port.postMessage({ id: req.id, rows: [] } satisfies WorkerReply);
          port.close();
        },
        (err: unknown) => port.postMessage({ id: req.id, error: serialize(err) } satisfies WorkerReply),
      );
      return;
    }
    client.query(req.sql, req.params).then(
      (result) => {
        try {
          port.postMessage({ id: req.id, rows: result.rows, affectedRows: result.affectedRows } satisfies WorkerReply);
        } catch (err) {
          // A value the structured clone cannot carry fails this query, not the worker.
          port.postMessage({ id: req.id, error: serialize(err) } satisfies WorkerReply);
        }
      },
      (err: unknown) => port.postMessage({ id: req.id, error: serialize(err) } satisfies WorkerReply),
    );
  });
  port.postMessage({ id: 0, rows: [] } satisfies WorkerReply);
}
