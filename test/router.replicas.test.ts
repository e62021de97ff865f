import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatabaseReplicaDirectory,
  RedisReplicaDirectory,
  ReplicaRing,
  stdioOwnershipKey,
  type ReplicaDirectory,
} from '../src/router/upstream/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { everythingStdio, principal, until } from './support/upstream.js';
import { adminSession, bearer, signUp } from './support/users.js';

/**
 * Stdio ownership across replicas: rendezvous hashing over the replicas that heartbeat into the
 * real database (router_replicas) and, in server mode, the real Redis. Several rings on one
 * directory stand for several replicas. Also the admin view of the pool.
 */
describe('router upstream: replica ownership', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  });
  afterAll(async () => t?.close());

  it('uses Redis when configured, else a single replica for embedded PGlite', () => {
    expect(t.platform.upstream.replicas.kind).toBe(process.env.REDIS_URL ? 'redis' : t.platform.config.embedded ? 'single' : 'database');
    expect(t.platform.upstream.replicas.self.address).toBe(`http://127.0.0.1:${new URL(t.url).port}`);
  });

  const directories = (): Array<[string, ReplicaDirectory]> => {
    const out: Array<[string, ReplicaDirectory]> = [['database', new DatabaseReplicaDirectory(t.platform.database)]];
    if (t.platform.redis) out.push(['redis', new RedisReplicaDirectory(t.platform.redis)]);
    return out;
  };

  it('gives every key one owner that all replicas agree on, and moves only the keys of a replica that leaves', async () => {
    for (const [kind, directory] of directories()) {
      const options = { heartbeatMs: 60_000, ttlMs: 60_000 };
      const rings = ['replica-a', 'replica-b', 'replica-c'].map((id) => new ReplicaRing(directory, { ...options, id, address: `http://${id}:8080` }));
      try {
        for (const ring of rings) await ring.refresh();
        for (const ring of rings) await ring.refresh();
        // In server mode the platform's own replica beats into the same directory too.
        const platformReplica = t.platform.upstream.replicas.self.id;
        const ours = (ring: ReplicaRing) => ring.replicas().map((r) => r.id).filter((id) => id !== platformReplica);
        for (const ring of rings) expect(ours(ring), kind).toEqual(['replica-a', 'replica-b', 'replica-c']);

        const keys = Array.from({ length: 300 }, (_, i) => stdioOwnershipKey(`user-${i}`, 'service-1'));
        const before = new Map(keys.map((k) => [k, rings[0]!.ownerOf(k).id]));
        for (const ring of rings) for (const k of keys) expect(ring.ownerOf(k).id).toBe(before.get(k));
        const counts = new Map<string, number>();
        for (const owner of before.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
        for (const id of ['replica-a', 'replica-b', 'replica-c']) expect(counts.get(id) ?? 0, `${kind}: ${id} owns some keys`).toBeGreaterThan(30);
        expect(keys.filter((k) => rings[1]!.isLocal(k)).length).toBe(counts.get('replica-b'));

        await rings[2]!.close(); // replica-c leaves
        await rings[0]!.refresh();
        await rings[1]!.refresh();
        expect(ours(rings[0]!)).toEqual(['replica-a', 'replica-b']);
        for (const k of keys) {
          const owner = rings[0]!.ownerOf(k).id;
          expect(rings[1]!.ownerOf(k).id).toBe(owner);
          if (before.get(k) !== 'replica-c') expect(owner, `${kind}: ${k} stays`).toBe(before.get(k));
        }
      } finally {
        for (const ring of rings) await ring.close();
      }
    }
  });

  it('announces a starting replica only once it joins (it listens), at the address it joins with', async () => {
    for (const [kind, directory] of directories()) {
      const options = { heartbeatMs: 60_000, ttlMs: 60_000 };
      const serving = new ReplicaRing(directory, { ...options, id: 'serving', address: 'http://serving:8080' });
      const starting = new ReplicaRing(directory, { ...options, id: 'starting', address: 'http://starting:0', announce: false });
      try {
        await serving.refresh();
        // The starting replica reads the ring (it forwards correctly from the start) but is not in it.
        await starting.refresh();
        expect(starting.replicas().map((r) => r.id), kind).toContain('serving');
        await serving.refresh();
        expect(serving.replicas().map((r) => r.id), kind).not.toContain('starting');
        await starting.join('http://starting:41234');
        await serving.refresh();
        expect(serving.replicas().find((r) => r.id === 'starting'), kind).toEqual({ id: 'starting', address: 'http://starting:41234' });
      } finally {
        await serving.close();
        await starting.close();
      }
    }
  });

  it('drops a replica whose heartbeat stops after the TTL', async () => {
    for (const [, directory] of directories()) {
      const ring = new ReplicaRing(directory, { id: 'live-one', address: 'http://live:8080', heartbeatMs: 60_000, ttlMs: 500 });
      try {
        await directory.beat({ id: 'ghost', address: 'http://ghost:8080' });
        await ring.refresh();
        expect(ring.replicas().map((r) => r.id)).toContain('ghost');
        await until(async () => {
          await ring.refresh();
          return !ring.replicas().some((r) => r.id === 'ghost');
        }, 100);
        expect(ring.replicas().map((r) => r.id).filter((id) => id !== t.platform.upstream.replicas.self.id)).toEqual(['live-one']);
      } finally {
        await ring.close();
      }
    }
  });
});

describe('router upstream: admin view of the pool', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ STDIO_MAX_PROCESSES: '7', STDIO_MAX_PER_USER: '3' });
  });
  afterAll(async () => t?.close());

  it('shows pool size, caps, children, instance health and replicas to admins only', async () => {
    const lease = await t.platform.upstream.connect(principal('pool-user'), everythingStdio('everything'));
    await lease.release();
    const admin = await adminSession(t);
    const res = await fetch(`${t.url}/v1/admin/router/pool`, { headers: bearer(admin.accessToken) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      replica: { id: string };
      replicas: { live: Array<{ id: string }> };
      stdio: { processes: number; maxProcesses: number; maxPerUser: number; entries: Array<{ userId: string; serviceSlug: string; pid: number }> };
      http: Record<string, unknown>;
    };
    expect(body.stdio.maxProcesses).toBe(7);
    expect(body.stdio.maxPerUser).toBe(3);
    expect(body.stdio.processes).toBe(1);
    expect(body.stdio.entries[0]).toMatchObject({ userId: 'pool-user', serviceSlug: 'everything' });
    expect(body.stdio.entries[0]!.pid).toBeGreaterThan(0);
    expect(body.replicas.live.map((r) => r.id)).toContain(body.replica.id);
    expect(body.http).toEqual({});

    const user = await signUp(t.url);
    expect((await fetch(`${t.url}/v1/admin/router/pool`, { headers: bearer(user.accessToken) })).status).toBe(403);
    expect((await fetch(`${t.url}/v1/admin/router/pool`)).status).toBe(401);
    expect((await fetch(`${t.url}/v1/admin/router/pool?x=1`, { headers: bearer(admin.accessToken) })).status).toBe(400);
  });
});
