import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRollup, UsageWriter, type StampedUsageEvent } from '../src/billing/meter.js';
import { PlanStore } from '../src/billing/plans.js';
import { Quotas } from '../src/billing/quota.js';
import { openDatabase, type PlatformDatabase } from '../src/db/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { signUp } from './support/users.js';

/**
 * The usage rollup (docs/billing.md, "Write-before-answer, rolled up behind"): the answer waits only
 * for the event and its `usage_pending` row; the counters are raised from that queue, each row once.
 * - two rollups at once (server mode: two connection pools, so their statements really overlap;
 *   embedded: PGlite's one connection interleaves their batches) count every queued event once;
 * - events written by a replica that stopped before its rollup ran (a crash) are counted once by the
 *   next rollup of a fresh one, and writing them again (a client's retry) counts nothing;
 * - a user whose calls are still queued (the counters not raised yet) is at the quota all the same.
 * test/billing.replicas.test.ts does the crash with a real SIGKILL of a replica (server mode).
 */
describe('billing: the usage rollup counts each written event once', () => {
  let t: TestPlatform;
  let second: PlatformDatabase | undefined;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    // Metering off in the platform itself: no rollup of its own runs beside the test's (the tables are there).
    t = await startPlatform({ CATALOG_FILE: 'none', BILLING_METERING: 'false' });
    // Server mode: a second pool on the same database and schema, as another replica would have.
    if (process.env.DATABASE_URL) {
      second = await openDatabase({ url: process.env.DATABASE_URL, dataDir: t.dataDir, schema: t.platform.database.schema, poolMax: 4, logger });
    }
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const db = () => t.platform.database.db;
  const table = (name: string) => sql.table(`${t.platform.database.schema}.${name}`);
  const writer = () => new UsageWriter({ database: t.platform.database, logger, batchSize: 50, writeBoundMs: 60_000 });
  // A rollup that runs only when flushed (no sweep within the test's time).
  const rollup = (database: PlatformDatabase, batchSize: number) => new UsageRollup({ database, logger, batchSize, delayMs: 60_000, sweepMs: 3_600_000 });
  const event = (userId: string, service: string, key = randomUUID()): StampedUsageEvent => ({
    key, userId, service, listingVersion: null, tool: 'echo', units: 2, status: key.charCodeAt(0) % 5 === 0 ? 'error' : 'ok', latencyMs: 3, at: new Date(),
  });
  const counters = async (userId: string) => {
    const { rows } = await sql<{ daily: number; errors: number; units: number; monthly: number; per_user: number; queued: number }>`select
        (select coalesce(sum(calls), 0)::int from ${table('usage_daily')} where user_id = ${userId}) as daily,
        (select coalesce(sum(errors), 0)::int from ${table('usage_daily')} where user_id = ${userId}) as errors,
        (select coalesce(sum(units), 0)::int from ${table('usage_daily')} where user_id = ${userId}) as units,
        (select coalesce(sum(calls), 0)::int from ${table('usage_monthly')} where user_id = ${userId}) as monthly,
        (select coalesce(sum(calls), 0)::int from ${table('usage_monthly_user')} where user_id = ${userId}) as per_user,
        (select count(*)::int from ${table('usage_pending')} where user_id = ${userId}) as queued`.execute(db());
    return rows[0]!;
  };

  it('two rollups at once, in small batches, count every queued event exactly once', async () => {
    const user = await signUp(t.url);
    const events = Array.from({ length: 3000 }, (_, i) => event(user.userId, ['alpha', 'beta', 'gamma'][i % 3]!));
    const w = writer();
    await Promise.all(events.map((e) => w.record(e)));
    await w.close();
    const errors = events.filter((e) => e.status === 'error').length;
    expect(await counters(user.userId)).toMatchObject({ daily: 0, queued: 3000 });

    const one = rollup(t.platform.database, 97);
    const two = rollup(second ?? t.platform.database, 89);
    expect(await Promise.all([one.flush(), two.flush()])).toEqual([0, 0]);
    expect(await counters(user.userId)).toEqual({ daily: 3000, errors, units: 6000, monthly: 3000, per_user: 3000, queued: 0 });
  });

  it('events written before a crash are counted once by the next rollup; written again, they count nothing', async () => {
    const user = await signUp(t.url);
    const events = Array.from({ length: 400 }, () => event(user.userId, 'alpha'));
    // The replica that wrote them stops before any rollup of its own (its writer has no rollup).
    const before = writer();
    await Promise.all(events.map((e) => before.record(e)));
    await before.close();
    expect(await counters(user.userId)).toMatchObject({ daily: 0, queued: 400 });
    // A fresh replica: its rollup runs at start.
    const after = rollup(t.platform.database, 150);
    after.start();
    for (const until = Date.now() + 10_000; (await counters(user.userId)).queued > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    await after.close();
    expect(await counters(user.userId)).toMatchObject({ daily: 400, monthly: 400, per_user: 400, queued: 0 });
    // The client retries every call (same keys) on the fresh replica: nothing written, nothing queued.
    const again = writer();
    await Promise.all(events.map((e) => again.record(e)));
    await again.close();
    expect(await rollup(t.platform.database, 150).flush()).toBe(0);
    expect(await counters(user.userId)).toMatchObject({ daily: 400, monthly: 400, per_user: 400, queued: 0 });
  });

  it('a user whose calls are queued and not rolled up yet is at the quota: refused', async () => {
    const plan = `roll-${randomBytes(3).toString('hex')}`;
    await sql`insert into ${table('plans')} (id, name, monthly_calls, service_quotas) values (${plan}, 'Rollup', 5, ${JSON.stringify({ beta: 3 })}::jsonb)`.execute(db());
    const user = await signUp(t.url);
    const w = writer();
    await Promise.all([...Array.from({ length: 3 }, () => event(user.userId, 'beta')), ...Array.from({ length: 2 }, () => event(user.userId, 'alpha'))].map((e) => w.record(e)));
    await w.close();
    // Another replica's first check of this user, while the five calls are only queued.
    const quotas = new Quotas({ store: new PlanStore(t.platform.database, plan), now: () => new Date(), cacheTtlMs: 60_000, minuteLimiter: () => { throw new Error('no per-minute limit in this plan'); } });
    const queued = (await counters(user.userId)).queued;
    const decision = await quotas.admit({ userId: user.userId, role: 'user' } as Parameters<Quotas['admit']>[0], 'alpha');
    expect(decision.refuse).toMatchObject({ quota: 'monthly_calls', used: 5, limit: 5 });
    expect(queued, 'the calls were still queued when the quota was read').toBe(5);
    const usage = await quotas.usage(user.userId);
    expect([usage.used, usage.perService.get('beta'), usage.perService.get('alpha')]).toEqual([5, 3, 2]);
  });
});
