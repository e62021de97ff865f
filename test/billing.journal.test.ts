import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageJournal } from '../src/billing/journal.js';
import { UsageWriter, type StampedUsageEvent } from '../src/billing/meter.js';
import { startCountingUpstream, type CountingUpstream } from './fixtures/counting-upstream.js';
import { startServe, type ServeProcess } from './support/cli.js';
import { startPlatform, TEST_MASTER_KEY } from './support/platform.js';
import { apiCall as api, bearer, signIn, signUp } from './support/users.js';

/**
 * The usage journal of embedded PGlite (docs/billing.md, "The journal on embedded PGlite"): a call
 * is answered once its usage event is in an append-only file beside the data, and the events reach
 * PGlite behind the answers. Exactly once still holds: a crash between the answer and the insert
 * leaves the event in the journal, the next start inserts it, and a retry with the same key counts
 * nothing twice.
 */
const logger = pino({ level: 'silent' });
const lines = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .reduce((n, f) => n + readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).length, 0);

describe.skipIf(Boolean(process.env.DATABASE_URL))('usage journal (embedded PGlite)', () => {
  it('events left in the journal by a process that stopped before writing them are written at the next open, once each; a torn last line is skipped', async () => {
    const t = await startPlatform({ CATALOG_FILE: 'none', BILLING_METERING: 'false' });
    try {
      const user = await signUp(t.url);
      const dir = mkdtempSync(path.join(tmpdir(), 'mcp-journal-'));
      const event = (i: number): StampedUsageEvent => ({
        key: `j-${i}-${randomUUID()}`,
        userId: user.userId,
        service: 'journal-svc',
        listingVersion: null,
        tool: 'echo',
        units: 1,
        status: i % 5 === 0 ? 'error' : 'ok',
        latencyMs: i,
        at: new Date(),
      });
      const count = async () => Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.table(`${t.platform.database.schema}.usage_events`)} where user_id = ${user.userId}`.execute(t.platform.database.db)).rows[0]!.n);

      // A writer whose flush never comes (an hour): every record answers at once, nothing reaches PGlite.
      const first = UsageJournal.open(dir, logger);
      expect(first.leftovers).toEqual([]);
      const stalled = new UsageWriter({ database: t.platform.database, logger, batchSize: 10_000, writeBoundMs: 60_000, journal: { journal: first.journal, flushMs: 3_600_000 } });
      const events = Array.from({ length: 120 }, (_, i) => event(i));
      for (const e of events) await stalled.record(e);
      await stalled.record(events[3]!); // the same key again (a client's retry): recorded already
      expect(stalled.depth).toBe(120);
      expect(await count(), 'answered, not yet in PGlite').toBe(0);
      expect(lines(dir)).toBe(120);
      // The process dies here (no close): what it wrote is in the kernel, plus half a line it was writing.
      appendFileSync(path.join(dir, 'current.ndjson'), '["torn-key","');

      const second = UsageJournal.open(dir, logger);
      expect(second.leftovers.flatMap((l) => l.events.map((e) => e.key))).toEqual(events.map((e) => e.key));
      const writer = new UsageWriter({ database: t.platform.database, logger, batchSize: 50, writeBoundMs: 60_000, journal: { journal: second.journal, flushMs: 100 } });
      writer.recover(second.leftovers);
      expect(await writer.flush()).toBe(0);
      expect(await count()).toBe(120);
      expect(lines(dir), 'written files are removed').toBe(0);

      // The same leftovers once more (a crash after the insert, before the files went): nothing counts twice.
      const again = new UsageWriter({ database: t.platform.database, logger, batchSize: 50, writeBoundMs: 60_000 });
      again.recover([{ file: path.join(dir, 'gone.ndjson'), events }]);
      expect(await again.flush()).toBe(0);
      expect(await count()).toBe(120);
      const errors = Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.table(`${t.platform.database.schema}.usage_events`)} where user_id = ${user.userId} and status = 'error'`.execute(t.platform.database.db)).rows[0]!.n);
      expect(errors).toBe(24);
      await writer.close();
      await rm(dir, { recursive: true, force: true });
    } finally {
      await t.close();
    }
  });

  it('a journal that cannot be written: calls wait for their insert instead, and are still metered', async () => {
    const t = await startPlatform({ CATALOG_FILE: 'none', BILLING_METERING: 'false' });
    try {
      const user = await signUp(t.url);
      const dir = mkdtempSync(path.join(tmpdir(), 'mcp-journal-'));
      const { journal } = UsageJournal.open(dir, logger);
      await rm(dir, { recursive: true, force: true }); // the directory is gone: every append fails
      const writer = new UsageWriter({ database: t.platform.database, logger, batchSize: 50, writeBoundMs: 60_000, journal: { journal, flushMs: 3_600_000 } });
      await writer.record({ key: `nj-${randomUUID()}`, userId: user.userId, service: 's', listingVersion: null, tool: 't', units: 1, status: 'ok', latencyMs: 1, at: new Date() });
      expect(writer.depth, 'written before the answer').toBe(0);
      const n = Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.table(`${t.platform.database.schema}.usage_events`)} where user_id = ${user.userId}`.execute(t.platform.database.db)).rows[0]!.n);
      expect(n).toBe(1);
      await writer.close();
    } finally {
      await t.close();
    }
  });
});

/**
 * The whole platform, as a process: N calls with `Idempotency-Key`s, the process SIGKILLed mid-run
 * (calls in flight, answered events still only in the journal), restarted on the same DATA_DIR; the
 * calls it did not answer are sent again with their keys, and 50 answered ones too. The counters equal
 * the calls, exactly.
 */
const CALLS = Number(process.env.METER_TEST_CALLS ?? 600);
const MODERN = '2026-07-28';

describe.skipIf(Boolean(process.env.DATABASE_URL))('exactly-once metering on embedded PGlite across a SIGKILL', { timeout: 180_000 }, () => {
  const dirs: string[] = [];
  const processes: ServeProcess[] = [];
  let upstream: CountingUpstream | undefined;
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await upstream?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`${CALLS} calls, a SIGKILL between answers and their writes: the counters equal the calls`, async () => {
    upstream = await startCountingUpstream('modern');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-journal-serve-'));
    dirs.push(dataDir);
    const env = {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PLATFORM_ENCRYPTION_KEY: TEST_MASTER_KEY,
      CATALOG_FILE: 'none',
      ADMIN_EMAIL: 'admin@example.test',
      ADMIN_PASSWORD: 'admin-password-123',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000',
    };
    let serve = await startServe(env);
    processes.push(serve);
    const admin = await signIn(serve.url, 'admin@example.test', 'admin-password-123');
    const slug = `journal-${randomBytes(3).toString('hex')}`;
    const created = await api(serve.url, admin.accessToken, 'POST', '/v1/admin/services', { slug, title: slug, kind: 'http', http: { transport: 'streamable-http', instances: [upstream.url] } });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const user = await signUp(serve.url);

    const send = async (base: string, i: number): Promise<boolean> => {
      try {
        const res = await fetch(`${base}/mcp/${slug}`, {
          method: 'POST',
          headers: { ...bearer(user.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'echo', 'idempotency-key': `call-${i}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { text: `c${i}` }, _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': { name: 'journal', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } }),
        });
        const text = await res.text();
        if (res.status !== 200) return false;
        const body = text.startsWith('{') ? text : (text.split('\n').filter((l) => l.startsWith('data: ')).at(-1)?.slice(6) ?? '');
        const json = JSON.parse(body) as { id?: number; result?: { content?: Array<{ text?: string }> } };
        return json.id === i && json.result?.content?.[0]?.text === `echo:c${i}`;
      } catch {
        return false; // the connection died with the process
      }
    };

    const answered = new Set<number>();
    const unanswered: number[] = [];
    let next = 0;
    let killed = false;
    let journalLinesAtKill = 0;
    const worker = async () => {
      while (next < CALLS && !killed) {
        const i = next++;
        if (await send(serve.url, i)) answered.add(i);
        else unanswered.push(i);
        if (!killed && answered.size >= CALLS / 2) {
          killed = true;
          serve.child.kill('SIGKILL'); // the other workers' calls are in flight
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect((await serve.exited).signal).toBe('SIGKILL');
    journalLinesAtKill = lines(path.join(dataDir, 'usage-journal'));
    const answeredBeforeKill = answered.size;

    serve = await startServe(env);
    processes.push(serve);
    for (let i = next; i < CALLS; i++) unanswered.push(i);
    for (const i of unanswered) expect(await send(serve.url, i), `call ${i} sent again`).toBe(true);
    for (const i of unanswered) answered.add(i);
    // Answered calls sent again with their keys (the client lost the answers): answered, not counted again.
    for (let i = 0; i < 50; i++) expect(await send(serve.url, i), `call ${i} again`).toBe(true);

    const quota = await api(serve.url, admin.accessToken, 'GET', `/v1/admin/users/${user.userId}/quota`);
    const used = (quota.json.calls as { used: number }).used;
    console.log(
      `journal: ${CALLS} calls, ${answeredBeforeKill} answered before the SIGKILL, ${journalLinesAtKill} events in the journal at the kill, ` +
        `${unanswered.length} sent again after the restart, 50 answered ones sent again; quota used ${used}; upstream tools/call ${upstream.count('tools/call')}`,
    );
    expect(answered.size).toBe(CALLS);
    expect(journalLinesAtKill, 'the kill found answered events still in the journal').toBeGreaterThan(0);
    expect(used).toBe(CALLS);
    expect(lines(path.join(dataDir, 'usage-journal')), 'the journal is emptied once written').toBe(0);
    expect((await serve.stop('SIGTERM')).code).toBe(0);
  });
});
