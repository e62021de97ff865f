import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { freePort, startEverythingHttp, until, type EverythingHttp } from './support/upstream.js';
import { adminSession, bearer, type TestSession } from './support/users.js';

/**
 * Shared instance health (issue 3 §4, service discovery): the http balancer's ejections and
 * restores land in `service_instances` (seen by the admin API), and another replica's newer
 * `unhealthy` report ejects the instance here too, while a `healthy` report is never adopted.
 * The other replica is simulated by writing its report into the real table; the instance is the
 * real server-everything (Streamable HTTP) behind a port that is first closed, then served.
 */
describe('router upstream: shared instance health', () => {
  let t: TestPlatform;
  let admin: TestSession;
  let everything: EverythingHttp | undefined;
  let port: number;
  let url: string;
  let serviceId: string;

  beforeAll(async () => {
    t = await startPlatform({
      // Probes and syncs are driven by the test, not by timers.
      HTTP_HEALTH_INTERVAL_MS: '600000',
      HTTP_HEALTH_TIMEOUT_MS: '1000',
      HTTP_EJECT_AFTER_FAILURES: '1',
      HTTP_EJECT_BASE_MS: '200',
      HTTP_EJECT_MAX_MS: '400',
    });
    admin = await adminSession(t);
    port = await freePort();
    url = `http://127.0.0.1:${port}/mcp`;
    const res = await fetch(`${t.url}/v1/admin/services`, {
      method: 'POST',
      headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'shared-ev', title: 'Shared health demo', kind: 'http', http: { instances: [url] } }),
    });
    expect(res.status).toBe(201);
    serviceId = ((await res.json()) as { id: string }).id;
    t.platform.upstream.http.register(serviceId, url);
  });
  afterAll(async () => {
    await everything?.stop();
    await t?.close();
  });

  const view = async () => {
    const res = await fetch(`${t.url}/v1/admin/services/${serviceId}`, { headers: bearer(admin.accessToken) });
    const body = (await res.json()) as { instances: Array<{ url: string; status: string; status_changed_at: string | null; status_reported_by: string | null; consecutive_failures: number }> };
    return body.instances[0]!;
  };
  const report = async (status: 'healthy' | 'unhealthy', by: string, changedAt: Date) => {
    await t.platform.database.db
      .updateTable('service_instances')
      .set({ status, status_changed_at: changedAt, status_reported_by: by })
      .where('service_id', '=', serviceId)
      .execute();
  };
  const shared = () => t.platform.upstream.sharedHealth!;
  const local = () => t.platform.upstream.http.instanceHealth(url).status;

  it('writes this replica\'s ejections and restores into service_instances, seen by the admin API', async () => {
    const self = t.platform.upstream.replicas.self.id;
    expect((await view()).status).toBe('unknown');

    await t.platform.upstream.http.checkAll(); // the port is closed: ejected
    expect(local()).toBe('ejected');
    await shared().flush();
    const down = await view();
    expect(down).toMatchObject({ status: 'unhealthy', status_reported_by: self, consecutive_failures: 1 });
    expect(down.status_changed_at).not.toBeNull();

    everything = await startEverythingHttp('streamableHttp', port);
    await until(async () => {
      await t.platform.upstream.http.checkAll(); // half-open probe once the backoff has passed
      return local() === 'healthy';
    }, 100);
    await shared().flush();
    expect(await view()).toMatchObject({ status: 'healthy', status_reported_by: self, consecutive_failures: 0 });
  });

  it('adopts only another replica\'s newer unhealthy report, and restores on its own evidence', async () => {
    const self = t.platform.upstream.replicas.self.id;
    expect(local()).toBe('healthy');
    const { rows } = await sql<{ now: Date }>`select now() as now`.execute(t.platform.database.db);
    const dbNow = new Date(rows[0]!.now).getTime();

    // Older than this replica's own verdict (the restore above): ignored.
    await report('unhealthy', 'replica-other', new Date(dbNow - 3_600_000));
    expect(await shared().sync()).toEqual([]);
    // This replica's own report: ignored (it already acted on its evidence).
    await report('unhealthy', self, new Date(dbNow + 60_000));
    expect(await shared().sync()).toEqual([]);
    expect(local()).toBe('healthy');

    // Another replica's newer report: ejected here too.
    await report('unhealthy', 'replica-other', new Date(dbNow + 60_000));
    expect(await shared().sync()).toEqual([new URL(url).toString()]);
    expect(local()).toBe('ejected');
    expect(t.platform.upstream.http.instanceHealth(url).lastError).toBe('reported unhealthy by replica replica-other');

    // A healthy report of another replica is not evidence here.
    await report('healthy', 'replica-other', new Date(dbNow + 120_000));
    expect(await shared().sync()).toEqual([]);
    expect(local()).not.toBe('healthy');

    // This replica's own half-open probe restores it, and says so in the table.
    await until(async () => {
      await t.platform.upstream.http.checkAll();
      return local() === 'healthy';
    }, 100);
    await shared().flush();
    expect(await view()).toMatchObject({ status: 'healthy', status_reported_by: self });
  });

  it.skipIf(!process.env.DATABASE_URL)('reaches a second replica on the same database (server mode)', async () => {
    // A second platform on the same schema (and Redis prefix): another replica in this process.
    const other = await startPlatform({
      DATABASE_SCHEMA: t.env.DATABASE_SCHEMA,
      REDIS_KEY_PREFIX: t.env.REDIS_KEY_PREFIX,
      HTTP_HEALTH_INTERVAL_MS: '600000',
      HTTP_HEALTH_TIMEOUT_MS: '1000',
      HTTP_EJECT_AFTER_FAILURES: '1',
      HTTP_EJECT_BASE_MS: '200',
      HTTP_EJECT_MAX_MS: '400',
    });
    try {
      const deadPort = await freePort();
      const deadUrl = `http://127.0.0.1:${deadPort}/mcp`;
      const res = await fetch(`${t.url}/v1/admin/services/${serviceId}/instances`, {
        method: 'POST',
        headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
        body: JSON.stringify({ url: deadUrl }),
      });
      expect(res.status).toBe(201);
      t.platform.upstream.http.register(serviceId, deadUrl);
      other.platform.upstream.http.register(serviceId, deadUrl);
      expect(other.platform.upstream.http.instanceHealth(deadUrl).status).toBe('healthy');

      await t.platform.upstream.http.checkAll(); // replica 1 finds it down
      expect(t.platform.upstream.http.instanceHealth(deadUrl).status).toBe('ejected');
      await t.platform.upstream.sharedHealth!.flush();

      // Replica 2 never probed it, and ejects it from the shared report.
      expect(await other.platform.upstream.sharedHealth!.sync()).toEqual([new URL(deadUrl).toString()]);
      expect(other.platform.upstream.http.instanceHealth(deadUrl).status).toBe('ejected');
      // Its own view (admin API on replica 2) shows replica 1 as the reporter.
      const otherAdmin = await adminSession(other);
      const view2 = (await (await fetch(`${other.url}/v1/admin/services/${serviceId}`, { headers: bearer(otherAdmin.accessToken) })).json()) as {
        instances: Array<{ url: string; status: string; status_reported_by: string | null }>;
      };
      expect(view2.instances.find((i) => i.url === deadUrl)).toMatchObject({ status: 'unhealthy', status_reported_by: t.platform.upstream.replicas.self.id });
      // The healthy instance is untouched on replica 2.
      expect(other.platform.upstream.http.instanceHealth(url).status).toBe('healthy');
    } finally {
      await other.close();
    }
  });
});
