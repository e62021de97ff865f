import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonthCloser } from '../src/billing/month-close.js';
import { PriceBook } from '../src/billing/statements.js';
import { billingDb } from '../src/billing/tables.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { apiCall as api, signUp, type TestSession } from './support/users.js';

/**
 * The statement scheduler when the database refuses its statements (src/billing/month-close.ts):
 * the claim's failure and the finalising's are logged with the month and the holder, and the same
 * closer finalises the month at its next check (not after the lease). The refusals are the
 * database's own: a trigger that raises on the claim's table, then on the statements' table.
 */
describe('billing: the month closer when the database refuses', () => {
  let t: TestPlatform;
  let now = new Date('2026-03-01T00:10:00.000Z');
  let ada: TestSession;
  let closer: MonthCloser;
  const lines: Array<Record<string, unknown>> = [];
  const GRACE_MS = 3_600_000;

  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: 'none', BILLING_FINALISE_GRACE_MS: String(GRACE_MS), BILLING_FINALISE_CHECK_MS: '86400000' }, { clock: () => now });
    const db = billingDb(t.platform.database);
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    closer = new MonthCloser({ db, schema: t.platform.database.schema, prices: new PriceBook(db, () => now), logger, now: () => now, graceMs: GRACE_MS, checkMs: 86_400_000, leaseMs: 30 * 60_000, announce: false, rollUp: (before) => t.platform.billing!.rollUp(before) });
    ada = await signUp(t.url);
  }, 120_000);
  afterAll(async () => {
    await closer?.close();
    await t?.close();
  });

  const schema = () => sql.id(t.platform.database.schema);
  /** A trigger that makes every insert into `table` fail, as a refusing database would. */
  const refuse = async (table: string) => {
    await sql`create or replace function ${schema()}.refuse_insert() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`.execute(t.platform.database.db);
    await sql`create trigger refuse_insert before insert on ${schema()}.${sql.id(table)} for each row execute function ${schema()}.refuse_insert()`.execute(t.platform.database.db);
  };
  const allow = (table: string) => sql`drop trigger refuse_insert on ${schema()}.${sql.id(table)}`.execute(t.platform.database.db);
  const errorsLogged = () => lines.filter((l) => l.level === 50).map((l) => ({ msg: l.msg, month: l.month, holder: typeof l['billing.holder'] === 'string' }));

  it('logs a refused claim with its month and holder, and finalises the month at the next check', async () => {
    await t.platform.billing!.metering.record({ key: `call:${randomUUID()}`, userId: ada.userId, service: 'close', listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 1 });
    now = new Date('2026-04-01T02:00:00.000Z'); // March (the first month with usage) is due
    await refuse('billing_month_closes');
    await expect(closer.tick()).rejects.toThrow(/refused by the test/);
    expect(errorsLogged()).toEqual([{ msg: 'claiming the closed month failed; retried at the next check', month: '2026-03', holder: true }]);
    await allow('billing_month_closes');
    expect(await closer.tick()).toEqual([{ month: '2026-03', finalized: 1, already_final: 0 }]);
    expect((await api(t.url, ada.accessToken, 'GET', '/v1/usage/statement?month=2026-03')).json).toMatchObject({ status: 'final' });
  });

  it('a failed finalising under its own claim is retried at its next check, within the lease', async () => {
    lines.length = 0;
    await t.platform.billing!.metering.record({ key: `call:${randomUUID()}`, userId: ada.userId, service: 'close', listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 1 });
    now = new Date('2026-05-01T02:00:00.000Z'); // April is due
    await refuse('statements');
    await expect(closer.tick()).rejects.toThrow(/refused by the test/);
    expect(errorsLogged()).toEqual([{ msg: 'finalising the closed month failed; retried at the next check', month: '2026-04', holder: true }]);
    await allow('statements');
    now = new Date('2026-05-01T02:01:00.000Z'); // one minute on: the claim's lease (30 min) still runs
    expect(await closer.tick()).toEqual([{ month: '2026-04', finalized: 1, already_final: 0 }]);
  });
});
