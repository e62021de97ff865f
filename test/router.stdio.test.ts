import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../src/router/upstream/index.js';
import type { UpstreamLease } from '../src/router/contracts.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { childPids, EVERYTHING_ENTRY, everythingStdio, lingeringZombies, principal, textOf, until } from './support/upstream.js';

/**
 * The stdio pool against the real @modelcontextprotocol/server-everything, started as real child
 * processes through the platform's connector (platform.upstream). Process counts are read from `ps`.
 */

const tokenField = [{ name: 'token', title: 'API token', secret: true, required: true, inject: { env: 'API_TOKEN' } }];
const SAFE_BASE = new Set(['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER']);

describe('router upstream: stdio pool', () => {
  let t: TestPlatform;
  const sentinels: Record<string, string | undefined> = {};
  beforeAll(async () => {
    t = await startPlatform({ STDIO_MAX_PROCESSES: '4', STDIO_MAX_PER_USER: '2', STDIO_IDLE_TIMEOUT_MS: '600000' });
    // Platform secrets present in the parent's environment must never reach a child.
    for (const name of ['PLATFORM_ENCRYPTION_KEY', 'DATABASE_URL', 'ADMIN_PASSWORD', 'SUPABASE_JWT_SECRET', 'BUILTIN_SHARED_SECRET']) {
      sentinels[name] = process.env[name];
    }
    process.env.PLATFORM_ENCRYPTION_KEY = 'sentinel-master-key';
    process.env.ADMIN_PASSWORD = 'sentinel-admin-password';
    process.env.SUPABASE_JWT_SECRET = 'sentinel-jwt-secret';
    process.env.BUILTIN_SHARED_SECRET = 'sentinel-builtin-secret';
    process.env.DATABASE_URL ??= 'postgres://sentinel@127.0.0.1:1/sentinel';
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(sentinels)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await t?.close();
    expect(childPids(EVERYTHING_ENTRY)).toEqual([]);
    expect(await lingeringZombies()).toEqual([]);
  });

  it("gives each user's child only that user's credential and no platform secret", async () => {
    const alice = principal('alice');
    const bob = principal('bob');
    const leaseA = await t.platform.upstream.connect(alice, everythingStdio('everything', tokenField, { token: 'alice-token-111' }));
    const leaseB = await t.platform.upstream.connect(bob, everythingStdio('everything', tokenField, { token: 'bob-token-222' }));
    try {
      expect(leaseA.instance).not.toBe(leaseB.instance);
      const envA = JSON.parse(textOf(await leaseA.client.callTool({ name: 'get-env', arguments: {} }))) as Record<string, string>;
      const envB = JSON.parse(textOf(await leaseB.client.callTool({ name: 'get-env', arguments: {} }))) as Record<string, string>;
      expect(envA.API_TOKEN).toBe('alice-token-111');
      expect(envB.API_TOKEN).toBe('bob-token-222');
      for (const env of [envA, envB]) {
        for (const key of Object.keys(env)) expect(SAFE_BASE.has(key) || key === 'API_TOKEN').toBe(true);
        const all = JSON.stringify(env);
        expect(all).not.toContain('sentinel');
        expect(all).not.toContain(t.env.PLATFORM_ENCRYPTION_KEY!);
      }
      expect(JSON.stringify(envA)).not.toContain('bob-token-222');
      expect(JSON.stringify(envB)).not.toContain('alice-token-111');
    } finally {
      await leaseA.release();
      await leaseB.release();
    }
    // A second connect of the same (user, service) reuses the same child.
    const again = await t.platform.upstream.connect(alice, everythingStdio('everything', tokenField, { token: 'alice-token-111' }));
    expect(again.instance).toBe(leaseA.instance);
    await again.release();
  });

  it('starts one child for concurrent first calls of the same user and service', async () => {
    const erin = principal('erin');
    const leases = await Promise.all(Array.from({ length: 5 }, () => t.platform.upstream.connect(erin, everythingStdio('everything'))));
    try {
      expect(new Set(leases.map((l) => l.instance)).size).toBe(1);
      expect(t.platform.upstream.stdio.stats().entries.filter((e) => e.userId === 'erin')).toHaveLength(1);
      expect(t.platform.upstream.stdio.stats().entries.find((e) => e.userId === 'erin')?.leases).toBe(5);
      const results = await Promise.all(leases.map((l, i) => l.client.callTool({ name: 'echo', arguments: { message: `c${i}` } })));
      results.forEach((r, i) => expect(textOf(r)).toContain(`c${i}`));
    } finally {
      for (const lease of leases) await lease.release();
    }
  });

  it('refuses a user at the per-user cap with an error naming the cap, and makes room once a child is idle', async () => {
    const carol = principal('carol');
    const held: UpstreamLease[] = [];
    held.push(await t.platform.upstream.connect(carol, everythingStdio('svc-1')));
    held.push(await t.platform.upstream.connect(carol, everythingStdio('svc-2')));
    const err = await t.platform.upstream.connect(carol, everythingStdio('svc-3')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe('stdio_user_limit');
    expect((err as UpstreamError).cap).toEqual({ name: 'STDIO_MAX_PER_USER', limit: 2 });
    expect((err as UpstreamError).message).toContain('STDIO_MAX_PER_USER');
    await held[0]!.release();
    const third = await t.platform.upstream.connect(carol, everythingStdio('svc-3'));
    expect(textOf(await third.client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toContain('hi');
    await third.release();
    await held[1]!.release();
    expect(t.platform.upstream.stdio.stats().entries.filter((e) => e.userId === 'carol')).toHaveLength(2);
  });

  it('refuses when the whole pool is busy with stdio_pool_full', async () => {
    const held: UpstreamLease[] = [];
    try {
      for (let i = 0; i < 4; i++) held.push(await t.platform.upstream.connect(principal(`busy-${i}`), everythingStdio('everything')));
      const err = await t.platform.upstream.connect(principal('late'), everythingStdio('everything')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).code).toBe('stdio_pool_full');
      expect((err as UpstreamError).cap).toEqual({ name: 'STDIO_MAX_PROCESSES', limit: 4 });
      expect(t.platform.upstream.stdio.stats().processes).toBeLessThanOrEqual(4);
    } finally {
      for (const lease of held) await lease.release();
    }
  });

  it('fails the in-flight call of a child killed mid-call, then restarts it on the next call', async () => {
    const dave = principal('dave');
    const lease = await t.platform.upstream.connect(dave, everythingStdio('everything'));
    const pid = Number(lease.instance.replace('stdio:', ''));
    let progressed!: () => void;
    const started = new Promise<void>((r) => (progressed = r));
    const call = lease.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 } },
      { onprogress: () => progressed(), timeout: 60_000 },
    );
    const outcome = call.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await started;
    process.kill(pid, 'SIGKILL');
    const err = await outcome;
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/closed/i);
    await lease.release();

    const next = await t.platform.upstream.connect(dave, everythingStdio('everything'));
    expect(next.instance).not.toBe(lease.instance);
    expect(textOf(await next.client.callTool({ name: 'echo', arguments: { message: 'back' } }))).toContain('back');
    await next.release();
    expect(t.platform.upstream.stdio.stats().crashed).toBeGreaterThanOrEqual(1);
    expect(await lingeringZombies()).toEqual([]);
  });
});

describe('router upstream: stdio pool under churn', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ STDIO_MAX_PROCESSES: '3', STDIO_MAX_PER_USER: '1', STDIO_IDLE_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await t?.close();
    expect(childPids(EVERYTHING_ENTRY)).toEqual([]);
  });

  it('60 users in a row (20 times the cap) leave at most the cap of processes, and none after idle eviction', { timeout: 1_200_000 }, async () => {
    // Three users at a time (the cap): each takes a slot by evicting an idle child of an earlier user.
    // (It was 200 users: each is a node process started, ~0.6 s of CPU, 37 s of each CI run.)
    const USERS_IN_A_ROW = 60;
    let peak = 0;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < USERS_IN_A_ROW; i = next++) {
        const lease = await t.platform.upstream.connect(principal(`user-${i}`), everythingStdio('everything'));
        expect(textOf(await lease.client.callTool({ name: 'echo', arguments: { message: `n${i}` } }))).toContain(`n${i}`);
        await lease.release();
        const live = childPids(EVERYTHING_ENTRY).length;
        peak = Math.max(peak, live);
        expect(live).toBeLessThanOrEqual(3);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(t.platform.upstream.stdio.stats().started).toBeGreaterThanOrEqual(USERS_IN_A_ROW);
    expect(peak).toBeGreaterThan(0);
    await until(() => childPids(EVERYTHING_ENTRY).length === 0, 200);
    expect(t.platform.upstream.stdio.stats().processes).toBe(0);
    expect(await lingeringZombies()).toEqual([]);
  });
});
