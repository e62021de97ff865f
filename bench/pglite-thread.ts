/**
 * Benchmark (not a test): what request-log writes cost the event loop with embedded PGlite, with
 * PGlite on the main thread (as before issue 11) and in its worker thread (src/db/pglite-thread.ts).
 *
 *   npx tsx bench/pglite-thread.ts [--rows 20000] [--batch 500] [--rounds 5]
 *
 * For each placement: a migrated copy of one data directory; the real RequestLog (queue, batches of
 * `--batch` rows written with one jsonb_to_recordset insert) is fed `--rows` metadata rows while a
 * 1 ms interval timer stands in for request handling; then the queue is flushed. Reported per
 * placement (median of rounds, placements alternating): wall time, CPU of the main thread (the
 * event loop) and of the whole process per row, and the event loop's delay (p99, max) while the
 * rows were written: the time a request arriving then would have waited.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Kysely, WithSchemaPlugin, sql } from 'kysely';
import { pino } from 'pino';
import { migrate, openDatabase, type Database, type PlatformDatabase } from '../src/db/index.js';
import { PGliteDialect } from '../src/db/pglite-dialect.js';
import { PGLITE_SETTINGS } from '../src/db/pglite-thread.js';
import { PlatformMetrics, RequestLog } from '../src/logging/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const ROUNDS = Number(values.rounds);
const SCHEMA = 'mcp_platform';
const logger = pino({ level: 'silent' });

type Placement = 'main thread' | 'worker thread';

function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime + stime, USER_HZ 100
}

async function openOnMainThread(dataDir: string): Promise<PlatformDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const client = await PGlite.create({ dataDir: path.join(dataDir, 'pglite'), startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] });
  const raw = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  const db = raw.withPlugin(new WithSchemaPlugin(SCHEMA));
  return {
    db,
    background: db,
    kind: 'pglite',
    schema: SCHEMA,
    ping: async () => void (await sql`select 1`.execute(raw)),
    close: () => raw.destroy(),
    poolStats: () => undefined,
  };
}

interface Figures {
  seconds: number;
  loopUsPerRow: number;
  processUsPerRow: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

async function round(template: string, placement: Placement): Promise<Figures> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-bench-pglite-'));
  await cp(template, path.join(dataDir, 'pglite'), { recursive: true });
  const database = placement === 'main thread' ? await openOnMainThread(dataDir) : await openDatabase({ dataDir, schema: SCHEMA, poolMax: 1, logger });
  try {
    const log = new RequestLog({
      database,
      logger,
      metrics: new PlatformMetrics({ defaultMetrics: false }),
      queueMax: ROWS + 1,
      batchSize: BATCH,
      flushIntervalMs: 60_000,
      payloadMaxBytes: 1024,
    });
    await sql`select 1`.execute(database.db); // warm
    const ticker = setInterval(() => undefined, 1);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const loop0 = mainThreadCpuUs();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ROWS; i++) {
      log.record({ kind: 'mcp', requestId: `r-${i}`, method: 'tools/call', service: 'echo', target: 'echo', status: 'ok', latencyMs: 1.5, bytesIn: 120, bytesOut: 300 });
      if (i % 50 === 49) await new Promise((r) => setImmediate(r)); // requests arrive over time
    }
    await log.flush();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const loopUs = mainThreadCpuUs() - loop0;
    delay.disable();
    clearInterval(ticker);
    const n = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(`${SCHEMA}.request_log`)}`.execute(database.db.withoutPlugins())).rows[0]!.n);
    if (n !== ROWS) throw new Error(`${placement}: ${n} rows written, expected ${ROWS}`);
    await log.close();
    return {
      seconds,
      loopUsPerRow: loopUs / ROWS,
      processUsPerRow: (cpu.user + cpu.system) / ROWS,
      delayP99Ms: delay.percentile(99) / 1e6,
      delayMaxMs: delay.max / 1e6,
    };
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const root = await mkdtemp(path.join(tmpdir(), 'mcp-bench-pglite-template-'));
try {
  const first = await openDatabase({ dataDir: root, schema: SCHEMA, poolMax: 1, logger });
  await migrate(first);
  await first.close();
  const template = path.join(root, 'pglite');
  const results: Record<Placement, Figures[]> = { 'main thread': [], 'worker thread': [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Placement[] = r % 2 === 0 ? ['main thread', 'worker thread'] : ['worker thread', 'main thread'];
    for (const p of order) results[p].push(await round(template, p));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`${ROWS} request-log rows in batches of ${BATCH}, ${ROUNDS} rounds alternating (median); node ${process.version}`);
  console.log('| PGlite on | wall s | main-thread CPU µs/row | process CPU µs/row | loop delay p99 ms | loop delay max ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const p of ['main thread', 'worker thread'] as const) {
    const f = (k: keyof Figures, d = 1) => med(results[p].map((x) => x[k])).toFixed(d);
    console.log(`| ${p} | ${f('seconds', 2)} | ${f('loopUsPerRow')} | ${f('processUsPerRow')} | ${f('delayP99Ms')} | ${f('delayMaxMs')} |`);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
