import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { bearer, signUp, type TestSession } from './support/users.js';

/**
 * Database outage (server mode only: PGlite lives in-process and cannot go away). The platform
 * reaches PostgreSQL through a TCP proxy this test controls; cutting the proxy is the outage.
 */
const realUrl = process.env.DATABASE_URL;

class TcpProxy {
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
  }
  /** Stop accepting and drop every open connection: the database is gone. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe.skipIf(!realUrl)('logging: database outage', () => {
  let proxy: TcpProxy;
  let t: TestPlatform;
  let user: TestSession;
  beforeAll(async () => {
    const u = new URL(realUrl!);
    proxy = new TcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    await proxy.start();
    u.host = `127.0.0.1:${proxy.port}`;
    t = await startPlatform({ DATABASE_URL: u.toString(), LOG_FLUSH_INTERVAL_MS: '50' });
    user = await signUp(t.url);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.cut();
  });

  it('answers 503 where the database is needed, keeps the records, and writes them when it is back', async () => {
    const log = t.platform.logging.requestLog;
    for (let i = 0; i < 5; i++) await fetch(`${t.url}/before/${i}`, { headers: { 'x-request-id': `outage-pre-${i}` } });
    await log.flush();

    await proxy.cut();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${t.url}/during/${i}`, { headers: { 'x-request-id': `outage-during-${i}` } });
      expect(res.status).toBe(404); // needs no database
    }
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
    const keys = await fetch(`${t.url}/v1/api-keys`, { headers: { ...bearer(user.accessToken), 'x-request-id': 'outage-db-call' } });
    expect(keys.status).toBe(503);
    expect(((await keys.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    await expect(t.platform.logging.audit.record({ action: 'auth.logout', outcome: 'success', actorId: null })).rejects.toThrow();
    // the writer has tried and failed at least once; the records wait in the queue
    await new Promise((r) => setTimeout(r, 500));
    expect(log.depth).toBeGreaterThanOrEqual(20);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(Number(/^log_flush_failures_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^log_records_dropped_total (\d+)/m.exec(metrics)?.[1])).toBe(0);

    await proxy.start(); // same port: the database is back
    await log.flush(Date.now() + 60_000);
    expect(log.depth).toBe(0);
    const rows = await t.platform.database.db
      .selectFrom('request_log')
      .select(['request_id', 'http_status'])
      .where('request_id', 'like', 'outage-%')
      .execute();
    const ids = new Set(rows.map((r) => r.request_id));
    for (let i = 0; i < 5; i++) expect(ids).toContain(`outage-pre-${i}`);
    for (let i = 0; i < 20; i++) expect(ids).toContain(`outage-during-${i}`);
    expect(rows.find((r) => r.request_id === 'outage-db-call')?.http_status).toBe(503);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    // the 503 went through the edge error handler into error tracking; its group is written once the DB is back
    await t.platform.logging.errors.flush();
    const groups = await t.platform.database.db.selectFrom('error_groups').selectAll().where('source', '=', 'http').execute();
    expect(groups.some((g) => g.sample_request_id === 'outage-db-call')).toBe(true);
    expect((await fetch(`${t.url}/v1/api-keys`, { headers: bearer(user.accessToken) })).status).toBe(200);
  }, 120_000);
});
