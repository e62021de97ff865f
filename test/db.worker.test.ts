import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/index.js';
// The worker's own client: the crash case needs its handle, which the database does not expose.
import { PGliteThread } from '../src/db/pglite-thread.js';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { errorHandler } from '../src/gateway/index.js';

const embedded = !process.env.DATABASE_URL;

// Embedded PGlite runs in a worker thread (src/db/pglite-thread.ts); these check the seams of that move.
describe.skipIf(!embedded)('embedded PGlite in a worker thread', () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mcp-pglite-worker-'));
    dirs.push(dir);
    const template = process.env.MCP_TEST_PGLITE_TEMPLATE;
    if (template) await cp(template, path.join(dir, 'pglite'), { recursive: true });
    return dir;
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('surfaces database errors with their SQLSTATE and fields, and keeps serving after them', async () => {
    const database = await openDatabase({ dataDir: await dataDir(), schema: 'mcp_platform', poolMax: 1, logger: pino({ level: 'silent' }) });
    try {
      const raw = database.db.withoutPlugins();
      await sql`create table worker_probe (id int primary key, at timestamptz not null, data bytea, doc jsonb)`.execute(raw);
      const at = new Date('2026-01-02T03:04:05.678Z');
      await sql`insert into worker_probe values (1, ${at}, ${Buffer.from([0, 1, 255])}, ${JSON.stringify({ a: [1, 'x'] })}::jsonb)`.execute(raw);

      const dup = await sql`insert into worker_probe (id, at) values (1, now())`.execute(raw).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(Error);
      expect(dup).toMatchObject({ code: '23505', constraint: 'worker_probe_pkey', table: 'worker_probe' });
      expect((dup as Error).message).toMatch(/duplicate key value violates unique constraint "worker_probe_pkey"/);
      // Thrown at the caller's stack, not the worker's.
      expect((dup as Error).stack).toContain('db.worker.test.ts');

      await expect(sql`select 1/0`.execute(raw)).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
      await expect(sql`selec 1`.execute(raw)).rejects.toMatchObject({ code: '42601' });

      // Values cross the thread boundary with their types.
      const { rows } = await sql<{ id: number; at: Date; data: Uint8Array; doc: unknown }>`select * from worker_probe`.execute(raw);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.at).toBeInstanceOf(Date);
      expect(rows[0]!.at.toISOString()).toBe(at.toISOString());
      expect([...rows[0]!.data]).toEqual([0, 1, 255]);
      expect(rows[0]!.doc).toEqual({ a: [1, 'x'] });

      // A failed statement inside a transaction rolls the transaction back, as on a server.
      await expect(
        database.db.transaction().execute(async (trx) => {
          await sql`insert into worker_probe (id, at) values (2, now())`.execute(trx.withoutPlugins());
          await sql`insert into worker_probe (id, at) values (2, now())`.execute(trx.withoutPlugins());
        }),
      ).rejects.toMatchObject({ code: '23505' });
      const count = await sql<{ n: number }>`select count(*)::int as n from worker_probe`.execute(raw);
      expect(count.rows[0]!.n).toBe(1);
    } finally {
      await database.close();
    }
  });

  it('rejects pending and later queries when the worker dies, and still closes', async () => {
    const thread = await PGliteThread.open({ dataDir: path.join(await dataDir(), 'pglite') });
    await expect(thread.query('select 1 as one', [])).resolves.toMatchObject({ rows: [{ one: 1 }] });
    const pending = thread.query('select pg_sleep(20)', []);
    const outcome = pending.then(
      () => 'resolved',
      (err: Error & { code?: string }) => `${err.code}: ${err.message}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const stoppedAt = Date.now();
    await thread.terminate();
    // SQLSTATE 08006, as a PostgreSQL connection failure: the edge answers 503, not 500 (test/gateway.test.ts).
    expect(await outcome).toMatch(/^08006: embedded database worker exited/);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    await expect(thread.query('select 1', [])).rejects.toMatchObject({ code: '08006', message: expect.stringMatching(/embedded database worker exited/) });
    // What a handler's failed query answers through the edge: 503, the database named, nothing else.
    const app = express();
    app.get('/', (_req, _res, next) => void thread.query('select 1', []).catch(next));
    app.use(errorHandler(pino({ level: 'silent' }), 2048));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect([res.status, ((await res.json()) as { error: { message: string } }).error.message]).toEqual([503, 'The database is unavailable; try again shortly']);
    } finally {
      await new Promise((r) => server.close(r));
    }
    await thread.close(); // resolves: nothing left to wait for
  });
  it('a query of db waiting for the connection goes before the background builder\'s waiting writes (the request log)', async () => {
    const database = await openDatabase({ dataDir: await dataDir(), schema: 'mcp_platform', poolMax: 1, logger: pino({ level: 'silent' }) });
    try {
      const raw = database.db.withoutPlugins();
      const background = database.background.withoutPlugins();
      await sql`create table lane_probe (n serial primary key, who text not null)`.execute(raw);
      // Both builders used once before (a driver's first use initializes it, a few ticks later in the queue).
      await sql`select 1`.execute(background);
      const order: string[] = [];
      let releaseHolder!: () => void;
      const holding = new Promise<void>((r) => (releaseHolder = r));
      let held!: () => void;
      const isHeld = new Promise<void>((r) => (held = r));
      // A transaction holds the one connection while the others queue for it.
      const holder = raw.transaction().execute(async (trx) => {
        await sql`insert into lane_probe (who) values ('holder')`.execute(trx);
        held();
        await holding;
      });
      await isHeld;
      const writes = [
        sql`insert into lane_probe (who) values ('background 1')`.execute(background).then(() => order.push('background 1')),
        sql`insert into lane_probe (who) values ('background 2')`.execute(background).then(() => order.push('background 2')),
        sql`insert into lane_probe (who) values ('call 1')`.execute(raw).then(() => order.push('call 1')),
        sql`insert into lane_probe (who) values ('call 2')`.execute(raw).then(() => order.push('call 2')),
      ];
      releaseHolder();
      await holder;
      await Promise.all(writes);
      // Within a lane in arrival order; the calls' writes, queued last, went first.
      expect(order).toEqual(['call 1', 'call 2', 'background 1', 'background 2']);
      const rows = await sql<{ who: string }>`select who from lane_probe order by n`.execute(raw);
      expect(rows.rows.map((r) => r.who)).toEqual(['holder', 'call 1', 'call 2', 'background 1', 'background 2']);

      // Never starved: behind twenty waiting calls, a background write goes after eight of them.
      order.length = 0;
      let releaseAgain!: () => void;
      const holdingAgain = new Promise<void>((r) => (releaseAgain = r));
      let heldAgain!: () => void;
      const isHeldAgain = new Promise<void>((r) => (heldAgain = r));
      const again = raw.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        heldAgain();
        await holdingAgain;
      });
      await isHeldAgain;
      const more = [
        sql`select 1`.execute(background).then(() => order.push('background')),
        ...Array.from({ length: 20 }, (_, i) => sql`select 1`.execute(raw).then(() => order.push(`call ${i}`))),
      ];
      releaseAgain();
      await again;
      await Promise.all(more);
      expect(order.indexOf('background')).toBe(8);
    } finally {
      await database.close();
    }
  });
});
