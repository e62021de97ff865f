import { afterAll, describe, expect, it } from 'vitest';
import { requestLogRows, type RestartReport } from '../src/ops/index.js';
import { clusterTestsRun, clusterTraffic, startTestCluster, type TestCluster } from './support/cluster.js';
import { alive } from './support/wait.js';

/**
 * A rolling restart under load (issue 14 §2), on real processes: three `serve` replicas on
 * PostgreSQL and Redis behind HAProxy (src/ops/cluster.ts), mixed traffic through HAProxy
 * (2025-era sessions to a stdio and an http service, 2026 stateless calls to both), and every
 * replica in turn SIGTERMed, drained and replaced by a new process that passes /readyz and is UP
 * in HAProxy before the next goes. Server mode only: PGlite is one process's database.
 */
// Runs in CI's server mode (.ci/run: DATABASE_URL and REDIS_URL). The drain ends forwarded stdio
// sessions and public GET streams at once, and a forwarded call whose owner drains leases again
// from the next owner (docs/operations.md, "Rolling restart"), so the assertion is zero failed
// requests.

describe.skipIf(!clusterTestsRun)('cluster: rolling restart under load (server mode, needs haproxy)', { timeout: 1_500_000 }, () => {
  let t: TestCluster | undefined;
  afterAll(async () => t?.close(), 120_000);

  it('loses no request, keeps every session, and logs a row per answered request', async () => {
    // CLUSTER_KEEP_DIR=1 keeps the replicas' logs (the directory is printed) to look into a failure.
    t = await startTestCluster({ keepDir: process.env.CLUSTER_KEEP_DIR === '1' });
    const { cluster } = t;
    if (process.env.CLUSTER_KEEP_DIR === '1') console.log(`cluster directory (kept): ${cluster.dir}`);
    const traffic = await clusterTraffic(cluster, 2);
    const firstIds = cluster.replicas.map((r) => r.id);
    const firstPids = cluster.replicas.map((r) => r.child.pid);

    traffic.start(10);
    await new Promise((r) => setTimeout(r, 3_000));
    const restarts: RestartReport[] = await cluster.rollingRestart();
    await new Promise((r) => setTimeout(r, 3_000));
    const during = await traffic.stop();

    // Every replica was replaced by a new process, each old one exited cleanly (exit 0 after its drain).
    expect(restarts.map((r) => r.oldId)).toEqual(firstIds);
    expect(restarts.every((r) => r.exitCode === 0)).toBe(true);
    expect(cluster.replicas.map((r) => r.child.pid).some((pid) => firstPids.includes(pid))).toBe(false);
    expect((await cluster.lbState()).map((s) => s.status)).toEqual(['UP', 'UP', 'UP']);

    // Zero failed client requests, and traffic of every kind flowed throughout.
    console.log(`rolling restart: sent ${during.sent}, answered ${during.answered}, failed ${during.failed}, skipped ${during.skipped}; ${JSON.stringify(during.byKind)}; ${JSON.stringify(during.errorReasons)}; ${restarts.map((r) => `${r.oldId} drained in ${r.drainMs} ms, successor ready in ${r.readyMs} ms`).join('; ')}`);
    expect(during.errorSamples).toEqual([]);
    expect(during.failed).toBe(0);
    expect(during.sent).toBeGreaterThan(100);
    for (const kind of Object.values(during.byKind)) expect(kind.sent).toBeGreaterThan(20);

    // Every session opened before the restart still works on the new replicas.
    expect(await traffic.checkSessions()).toEqual([]);

    // One request-log row per answered request (the calls and the sessions' initialize), no more, no less.
    const after = traffic.snapshot();
    const answered = after.answered + traffic.initializes;
    expect(after.failed).toBe(0);
    const rows = await requestLogRows(t.databaseUrl, t.schema, traffic.userIds, answered);
    console.log(`request-log rows ${rows} for ${answered} answered requests`);
    expect(rows).toBe(answered);
    await traffic.close();

    // Stopping the cluster leaves no process behind (replicas, their stdio children, HAProxy).
    const before = cluster.descendants();
    expect(before.length).toBeGreaterThanOrEqual(4);
    await t.close();
    t = undefined;
    expect(before.filter(alive)).toEqual([]);
  });
});
