import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageWriter } from '../src/billing/meter.js';
import { PlanStore } from '../src/billing/plans.js';
import { Quotas } from '../src/billing/quota.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall as api, signUp } from './support/users.js';

/**
 * The quota cache (docs/billing.md, "Precision across replicas"), on the platform's database: calls
 * another replica metered reach this replica's checks when its cached counts are read again. An
 * expired state is read beside the call that finds it (that call goes on with the old counts);
 * with no cache, every call reads first. The cache's age is moved with Date.now, not by sleeping.
 */
describe('billing: the quota cache, read again beside the call', () => {
  let t: TestPlatform;
  let plan: string;
  const TTL_MS = 60_000;

  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: 'none' });
    const admin = await adminSession(t);
    plan = `cache-${randomBytes(3).toString('hex')}`;
    expect((await api(t.url, admin.accessToken, 'POST', '/v1/admin/plans', { id: plan, name: 'Cache', monthly_calls: 5 })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  const quotasWith = (cacheTtlMs: number) =>
    new Quotas({ store: new PlanStore(t.platform.database, plan), now: () => new Date(), cacheTtlMs, minuteLimiter: () => { throw new Error('no per-minute limit in this plan'); } });
  /** Five calls metered by another replica: the user's monthly quota used up. */
  const elsewhere = async (userId: string) => {
    const writer = new UsageWriter({ database: t.platform.database, logger: pino({ level: 'silent' }), batchSize: 10, writeBoundMs: 60_000 });
    await Promise.all(Array.from({ length: 5 }, () => writer.record({ key: `call:${randomUUID()}`, userId, service: 'cached', listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 1, at: new Date() })));
    await writer.close();
  };

  it('an expired state: the call that finds it goes on with the old counts, a later one sees the fresh ones', async () => {
    const user = await signUp(t.url);
    const principal = { userId: user.userId, role: 'user' } as Parameters<Quotas['admit']>[0];
    const quotas = quotasWith(TTL_MS);
    expect((await quotas.admit(principal, 'cached')).refuse).toBeUndefined(); // read: nothing used
    await elsewhere(user.userId);
    expect((await quotas.admit(principal, 'cached')).refuse).toBeUndefined(); // cached, not expired

    const base = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => base + TTL_MS + 1);
    expect((await quotas.admit(principal, 'cached')).refuse, 'the call that finds the state expired').toBeUndefined();
    // The read runs beside it; once it has landed, calls are refused.
    let admittedMeanwhile = 0;
    for (let i = 0; i < 500; i++) {
      const decision = await quotas.admit(principal, 'cached');
      if (decision.refuse) {
        expect(decision.refuse).toMatchObject({ quota: 'monthly_calls', used: 5, limit: 5 });
        break;
      }
      admittedMeanwhile++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(admittedMeanwhile).toBeLessThan(500);
    vi.restoreAllMocks();
  });

  it('with no cache (0 ms), every call reads first', async () => {
    const user = await signUp(t.url);
    const principal = { userId: user.userId, role: 'user' } as Parameters<Quotas['admit']>[0];
    const quotas = quotasWith(0);
    expect((await quotas.admit(principal, 'cached')).refuse).toBeUndefined();
    await elsewhere(user.userId);
    expect((await quotas.admit(principal, 'cached')).refuse).toMatchObject({ quota: 'monthly_calls', used: 5, limit: 5 });
  });
});
