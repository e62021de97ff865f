import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonthCloser } from '../src/billing/month-close.js';
import { PriceBook } from '../src/billing/statements.js';
import { billingDb } from '../src/billing/tables.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall as api, signUp, type TestSession } from './support/users.js';

/**
 * The statement scheduler (docs/billing.md, "Finalised statements"; issue 16 part 2.3): after a
 * month has closed and the grace has passed, its statements are finalised once, by one of the
 * replicas checking at the same moment; a claim whose holder died is taken over after the lease.
 * The platform's clock is injected and moved (no sleeping); the checks are called directly (the
 * platform's own timer is set to a day, so it does not run during the test), the platform's and a
 * second replica's on the same database.
 */
describe('billing: statements finalised on schedule', () => {
  let t: TestPlatform;
  let now = new Date('2026-03-01T00:10:00.000Z'); // February has just closed
  let replicas: MonthCloser[];
  let ada: TestSession;
  let bob: TestSession;
  const GRACE_MS = 3_600_000;
  const LEASE_MS = 30 * 60_000;

  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: 'none', BILLING_FINALISE_GRACE_MS: String(GRACE_MS), BILLING_FINALISE_CHECK_MS: '86400000' }, { clock: () => now });
    const db = billingDb(t.platform.database);
    const second = new MonthCloser({
      db,
      schema: t.platform.database.schema,
      prices: new PriceBook(db, () => now),
      logger: t.platform.logger,
      now: () => now,
      graceMs: GRACE_MS,
      checkMs: 86_400_000,
      leaseMs: LEASE_MS,
      announce: false,
      // As the platform's own closer: the usage queued behind the answers is counted first.
      rollUp: (before) => t.platform.billing!.rollUp(before),
    });
    replicas = [t.platform.billing!.monthCloser!, second];
    ada = await signUp(t.url);
    bob = await signUp(t.url);
  }, 120_000);
  afterAll(async () => {
    await replicas?.[1]?.close();
    await t?.close();
  });

  const record = (user: TestSession, n: number) =>
    Promise.all(Array.from({ length: n }, () => t.platform.billing!.metering.record({ key: `call:${randomUUID()}`, userId: user.userId, service: 'sched', listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 1 })));
  const statement = async (user: TestSession, month: string) => (await api(t.url, user.accessToken, 'GET', `/v1/usage/statement?month=${month}`)).json;
  /** Every replica checks at the same moment; what each check finalised. */
  const checkAll = () => Promise.all([...replicas, ...replicas].map((r) => r.tick()));
  const closes = () => t.platform.database.db.withTables<{ billing_month_closes: { month: string; claimed_by: string; finished_at: Date | null; finalized: number | null } }>()
    .selectFrom('billing_month_closes').select([sql<string>`month::text`.as('month'), 'claimed_by', 'finished_at', 'finalized']).orderBy('month').execute();

  it('finalises the closed month once, after the grace, on one replica of those checking at once', async () => {
    await record(ada, 7);
    await record(bob, 3);
    expect(t.platform.billing!.monthCloser).toBeDefined();

    // February has closed, but its grace has not passed.
    const none = [[], [], [], []];
    now = new Date('2026-03-01T00:59:59.999Z');
    expect(await checkAll()).toEqual(none);
    // Later in March, February (no usage) is closed, once.
    now = new Date('2026-03-31T23:59:59.999Z');
    expect((await checkAll()).flat()).toEqual([{ month: '2026-02', finalized: 0, already_final: 0 }]);
    // March has ended, but its grace has not passed.
    for (const at of ['2026-04-01T00:00:00.000Z', '2026-04-01T00:59:59.999Z']) {
      now = new Date(at);
      expect(await checkAll(), at).toEqual(none);
    }
    expect((await statement(ada, '2026-03')).status).toBe('open');
    expect((await closes()).map((c) => c.month.slice(0, 10))).toEqual(['2026-02-01']);

    now = new Date('2026-04-01T01:00:00.000Z');
    const results = await checkAll();
    expect(results.flat()).toEqual([{ month: '2026-03', finalized: 2, already_final: 0 }]);
    expect(await statement(ada, '2026-03')).toMatchObject({ status: 'final', line_items: [{ service: 'sched', calls: 7 }] });
    expect(await statement(bob, '2026-03')).toMatchObject({ status: 'final', line_items: [{ service: 'sched', calls: 3 }] });
    expect((await closes()).map((c) => [c.month.slice(0, 10), c.finalized, c.finished_at !== null])).toEqual([['2026-02-01', 0, true], ['2026-03-01', 2, true]]);

    // Later checks in April find March done.
    now = new Date('2026-04-20T08:00:00.000Z');
    expect(await checkAll()).toEqual(none);
    // The admin route agrees: nothing left to finalise.
    const admin = await adminSession(t);
    expect((await api(t.url, admin.accessToken, 'POST', '/v1/admin/statements/finalize', { month: '2026-03' })).json).toEqual({ month: '2026-03', finalized: 0, already_final: 2 });
  });

  it('a claim whose holder died before finishing is taken over after the lease, by one replica', async () => {
    await record(ada, 2); // April
    // A replica claimed April at 01:10 and died.
    await t.platform.database.db.withTables<{ billing_month_closes: { month: string; claimed_by: string; claimed_at: string } }>()
      .insertInto('billing_month_closes').values({ month: '2026-04-01', claimed_by: 'dead-replica', claimed_at: '2026-05-01T01:10:00.000Z' }).execute();
    now = new Date('2026-05-01T01:39:59.000Z'); // within its lease
    expect(await checkAll()).toEqual([[], [], [], []]);
    expect((await statement(ada, '2026-04')).status).toBe('open');

    now = new Date('2026-05-01T01:40:01.000Z'); // past it
    const results = await checkAll();
    expect(results.flat()).toEqual([{ month: '2026-04', finalized: 1, already_final: 0 }]);
    expect(await statement(ada, '2026-04')).toMatchObject({ status: 'final', line_items: [{ service: 'sched', calls: 2 }] });
    const april = (await closes()).find((c) => c.month.startsWith('2026-04'))!;
    expect(april.claimed_by).not.toBe('dead-replica');
    expect(april.finalized).toBe(1);
  });

  it('after an outage longer than a month, every unfinalised past month is finalised, oldest first, a bounded number a check', async () => {
    // Usage in May and June; nothing checks until August (the platform was down over three month ends).
    now = new Date('2026-05-10T12:00:00.000Z');
    await record(ada, 4);
    await record(bob, 1);
    now = new Date('2026-06-20T12:00:00.000Z');
    await record(ada, 5);
    // A replica that finalises at most two months a check.
    const db = billingDb(t.platform.database);
    const bounded = new MonthCloser({ db, schema: t.platform.database.schema, prices: new PriceBook(db, () => now), logger: t.platform.logger, now: () => now, graceMs: GRACE_MS, checkMs: 86_400_000, leaseMs: LEASE_MS, announce: false, maxMonthsPerRun: 2, rollUp: (before) => t.platform.billing!.rollUp(before) });
    try {
      // 1 August, within July's grace: May and June are due (July is not yet).
      now = new Date('2026-08-01T00:30:00.000Z');
      expect(await bounded.tick()).toEqual([
        { month: '2026-05', finalized: 2, already_final: 0 },
        { month: '2026-06', finalized: 1, already_final: 0 },
      ]);
      expect(await bounded.tick()).toEqual([]);
      expect(await statement(ada, '2026-05')).toMatchObject({ status: 'final', line_items: [{ service: 'sched', calls: 4 }] });
      expect(await statement(bob, '2026-05')).toMatchObject({ status: 'final', line_items: [{ service: 'sched', calls: 1 }] });
      expect(await statement(ada, '2026-06')).toMatchObject({ status: 'final', line_items: [{ service: 'sched', calls: 5 }] });

      // Later, August 2026 unchecked until October: July, August and September are due; two now, one at the next check.
      now = new Date('2026-10-05T00:00:00.000Z');
      expect(await bounded.tick()).toEqual([
        { month: '2026-07', finalized: 0, already_final: 0 },
        { month: '2026-08', finalized: 0, already_final: 0 },
      ]);
      // The platform's and the second replica's checks at the same moment finish the last, once.
      expect((await checkAll()).flat()).toEqual([{ month: '2026-09', finalized: 0, already_final: 0 }]);
      expect(await checkAll()).toEqual([[], [], [], []]);
    } finally {
      await bounded.close();
    }
    expect((await closes()).map((c) => [c.month.slice(0, 7), c.finished_at !== null])).toEqual(
      ['2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'].map((m) => [m, true]),
    );
  });

  it('a month skipped among finished ones (its claim never finished) is found again and finalised', async () => {
    // June's close is rolled back to an unfinished claim long past its lease, as a holder that died would leave it.
    await t.platform.database.db.withTables<{ billing_month_closes: { month: string; claimed_by: string; claimed_at: string; finished_at: string | null } }>()
      .updateTable('billing_month_closes').set({ claimed_by: 'dead-replica', claimed_at: '2026-08-01T00:30:00.000Z', finished_at: null }).where('month', '=', '2026-06-01').execute();
    now = new Date('2026-10-20T00:00:00.000Z');
    // Its statements are final already: finalising again changes nothing, and the close is finished.
    expect((await checkAll()).flat()).toEqual([{ month: '2026-06', finalized: 0, already_final: 1 }]);
    expect((await closes()).find((c) => c.month.startsWith('2026-06'))).toMatchObject({ finished_at: expect.any(Date) });
  });
});
