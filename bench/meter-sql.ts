/**
 * Measurement (not a test): what the usage meter's statements cost per event on the embedded store,
 * by batch size, counted as process CPU (the PGlite worker thread included) and statements.
 *
 *   npx tsx bench/meter-sql.ts            (embedded PGlite in a temporary directory)
 *   DATABASE_URL=postgres://…/<db> npx tsx bench/meter-sql.ts   (PostgreSQL; the server's CPU is not counted)
 *
 * 1. The foreground write (`UsageWriter`'s one statement per batch, what a call's answer waits for),
 *    at batch sizes 1, 4, 16 and 64: CPU ms and wall ms per event and per statement.
 * 2. Where the meter has it (docs/billing.md, "rolled up behind"), the rollup of everything written
 *    in 1: CPU ms per event, statements.
 * 3. The batch sizes a closed loop of C callers gets from group commit (C = 4, 16): events per statement.
 * Runs the same on a tree before the rollup (then 2 is skipped), so the two can be compared.
 * METER_SQL_ANNOUNCE=1: with the webhook outbox's `usage.recorded` rows (the bench's platforms have no outbox).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import * as meter from '../src/billing/meter.js';
import { migrate, openDatabase } from '../src/db/index.js';

const logger = pino({ level: 'silent' });
const dir = await mkdtemp(path.join(tmpdir(), 'meter-sql-'));
const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: dir, schema: 'meter_sql', poolMax: 4, logger });
await migrate(database);
const userId = randomUUID();
await sql`insert into ${sql.table('meter_sql.users')} (id, email) values (${userId}, ${`${userId}@bench.test`})`.execute(database.db);

type Insert = (events: meter.StampedUsageEvent[]) => Promise<Set<string>>;
const announce = process.env.METER_SQL_ANNOUNCE === '1';
console.log(`${database.kind}, outbox rows ${announce ? 'on' : 'off'}`);
const writer = new meter.UsageWriter({ database, logger, batchSize: 500, writeBoundMs: 60_000, announce } as meter.UsageWriterOptions);
const insert: Insert = (writer as unknown as { insert: Insert }).insert.bind(writer);
const event = (): meter.StampedUsageEvent => ({ key: randomUUID(), userId, service: `svc${Math.floor(Math.random() * 3)}`, listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 2, at: new Date() });
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// Warm up (plans cached, JIT).
for (let i = 0; i < 50; i++) await insert([event(), event()]);

const EVENTS = Number(process.env.METER_SQL_EVENTS ?? 960);
{
  // The floor: a statement that does nothing, through the same path (Kysely, the worker, PGlite).
  const c0 = cpuMs();
  for (let i = 0; i < EVENTS; i++) await sql`select 1`.execute(database.db);
  console.log(`floor: select 1, CPU ${((cpuMs() - c0) / EVENTS).toFixed(3)} ms/statement`);
}
let written = 0;
console.log('foreground write (what the answer waits for):');
for (const size of [1, 4, 16, 64]) {
  const rounds = Math.ceil(EVENTS / size);
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) await insert(Array.from({ length: size }, event));
  const cpu = cpuMs() - c0;
  const wall = performance.now() - t0;
  written += rounds * size;
  console.log(`  batch ${String(size).padStart(2)}: ${rounds} statements, CPU ${(cpu / (rounds * size)).toFixed(3)} ms/event (${(cpu / rounds).toFixed(2)} ms/statement), wall ${(wall / rounds).toFixed(2)} ms/statement`);
}

const Rollup = (meter as Record<string, unknown>).UsageRollup as (new (o: object) => { flush(): Promise<number> }) | undefined;
if (Rollup) {
  const rollup = new Rollup({ database, logger, batchSize: 5_000, delayMs: 200, sweepMs: 60_000, announce });
  const c0 = cpuMs();
  const t0 = performance.now();
  const left = await rollup.flush();
  const cpu = cpuMs() - c0;
  console.log(`rollup of ${written + 100} queued events: CPU ${(cpu / (written + 100)).toFixed(3)} ms/event, wall ${(performance.now() - t0).toFixed(0)} ms, left ${left}`);
} else console.log('rollup: none in this tree (the counters and the outbox are raised in the foreground statement)');

for (const callers of [4, 16]) {
  let statements = 0;
  let events = 0;
  (writer as unknown as { insert: Insert }).insert = (batch) => {
    statements++;
    events += batch.length;
    return insert(batch);
  };
  const per = Math.ceil(EVENTS / callers);
  await Promise.all(Array.from({ length: callers }, async () => {
    for (let i = 0; i < per; i++) await writer.record(event());
  }));
  console.log(`closed loop C=${callers}: ${events} events in ${statements} statements (${(events / statements).toFixed(1)} per statement)`);
}
const counts = await sql<{ t: string; n: number }>`select 'usage_events' as t, count(*)::int as n from meter_sql.usage_events union all select 'billing_events', count(*)::int from meter_sql.billing_events`.execute(database.db);
console.log(counts.rows.map((r) => `${r.t} ${r.n}`).join(', '));
await database.close();
await rm(dir, { recursive: true, force: true });
