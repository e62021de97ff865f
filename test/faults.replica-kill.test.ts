import { afterAll, describe, expect, it } from 'vitest';
import { descendantsOf } from '../src/ops/index.js';
import { clusterTestsRun, clusterTraffic, startTestCluster, type TestCluster } from './support/cluster.js';
import { alive, waitUntil } from './support/wait.js';

/**
 * Fault matrix (issue 14 §3): one replica SIGKILLed under traffic, on real processes (three
 * `serve` replicas on PostgreSQL and Redis behind HAProxy, src/ops/cluster.ts). The replica killed
 * is one that runs stdio children (it owns some users' `everything` service). Invariants:
 * - its stdio children die with it: no orphan, checked by pid (they exit when their stdin, the
 *   dead replica's pipe, closes);
 * - ownership moves: the users' stdio calls are served again, by children on the other replicas;
 * - the clients' 2025-era sessions (sealed, any replica serves them) go on through the others;
 * - only requests in flight at the moment of the kill may fail (counted, not timed).
 * Server mode only, needs haproxy.
 */

describe.skipIf(!clusterTestsRun)('faults: one replica SIGKILLed (server mode, needs haproxy)', { timeout: 600_000 }, () => {
  let t: TestCluster | undefined;
  afterAll(async () => t?.close(), 120_000);

  it('its stdio children die with it, ownership moves, and every session goes on through the others', async () => {
    t = await startTestCluster();
    const { cluster } = t;
    const traffic = await clusterTraffic(cluster, 4);
    // Every user's stdio child started (on its owner) before the kill.
    expect(await traffic.checkSessions()).toEqual([]);
    const children = new Map(cluster.replicas.map((r) => [r.slot, descendantsOf(r.child.pid!)]));
    const victim = [...cluster.replicas].sort((a, b) => children.get(b.slot)!.length - children.get(a.slot)!.length)[0]!;
    const orphans = children.get(victim.slot)!;
    expect(orphans.length).toBeGreaterThan(0);

    traffic.start(10);
    await new Promise((r) => setTimeout(r, 2_000));
    const atKill = traffic.snapshot();
    victim.child.kill('SIGKILL');
    await victim.exited;
    // Every session answers again through the remaining replicas (stdio ones from new owners),
    // while the traffic goes on: the time to recover.
    const recoveredMs = await waitUntil('every session answers', async () => (await traffic.checkSessions()).length === 0, 60_000);
    // No orphans: each of its stdio children exits once its stdin (the dead replica's pipe) closes.
    const childrenGoneMs = await waitUntil('the killed replica’s stdio children exit', () => orphans.every((pid) => !alive(pid)), 20_000);
    await new Promise((r) => setTimeout(r, 5_000));
    const during = await traffic.stop();
    const survivors = cluster.replicas.filter((r) => r.slot !== victim.slot);
    const survivorChildren = survivors.flatMap((r) => descendantsOf(r.child.pid!));
    console.log(
      `replica kill: ${victim.id} (pid ${victim.child.pid}) SIGKILLed with ${orphans.length} stdio children (pids ${orphans.join(', ')}), all gone within ${childrenGoneMs} ms after the sessions recovered; ` +
        `every session answered again ${recoveredMs} ms after the kill; traffic from the kill on: sent ${during.sent - atKill.sent}, failed ${during.failed - atKill.failed} ` +
        `(in flight at the kill: ${atKill.inFlight}); ${JSON.stringify(during.errorReasons)}; the survivors now run ${survivorChildren.length} stdio children`,
    );
    expect(orphans.filter(alive)).toEqual([]);
    expect(during.failed - atKill.failed).toBeLessThanOrEqual(atKill.inFlight);
    expect(during.sent - atKill.sent).toBeGreaterThan(50);
    // The users whose children died are served by children on the other replicas now.
    expect(survivorChildren.length).toBeGreaterThanOrEqual(traffic.userIds.length);
    await traffic.close();
  });
});
