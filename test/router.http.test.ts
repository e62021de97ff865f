import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../src/router/upstream/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { freePort, principal, service, startEverythingHttp, textOf, until, type EverythingHttp } from './support/upstream.js';

/**
 * The http balancer against the real server-everything in Streamable HTTP and HTTP+SSE modes.
 * Two stand-ins for broken instances, both plain local sockets: one that accepts connections and
 * never answers (a hung instance), and a closed port (a down instance).
 */

const TIMEOUT_MS = 1500;

describe('router upstream: http balancer', () => {
  let t: TestPlatform;
  let everything: EverythingHttp;
  let hung: net.Server;
  let hungUrl: string;
  const hungSockets = new Set<net.Socket>();
  const extra: EverythingHttp[] = [];

  beforeAll(async () => {
    t = await startPlatform({
      HTTP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      HTTP_HEALTH_INTERVAL_MS: '200',
      HTTP_HEALTH_TIMEOUT_MS: '500',
      HTTP_EJECT_AFTER_FAILURES: '2',
      HTTP_EJECT_BASE_MS: '300',
      HTTP_EJECT_MAX_MS: '1000',
    });
    everything = await startEverythingHttp('streamableHttp');
    hung = net.createServer((socket) => {
      hungSockets.add(socket);
      socket.on('close', () => hungSockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    hungUrl = `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    await t?.close();
    await everything?.stop();
    for (const e of extra) await e.stop();
    for (const s of hungSockets) s.destroy();
    await new Promise<void>((r) => (hung ? hung.close(() => r()) : r()));
  });

  it('connects through Streamable HTTP, negotiates a protocol version and calls tools', async () => {
    const lease = await t.platform.upstream.connect(principal('alice'), service({ id: 'ev-http', config: { kind: 'http', instances: [everything.url], transport: 'streamable-http' } }));
    try {
      expect(lease.instance).toBe(everything.url);
      expect(lease.client.getServerVersion()?.name).toContain('everything');
      const tools = await lease.client.listTools();
      expect(tools.tools.map((x) => x.name)).toContain('echo');
      expect(textOf(await lease.client.callTool({ name: 'echo', arguments: { message: 'over http' } }))).toContain('over http');
    } finally {
      await lease.release();
    }
  });

  it("injects only the user's credential headers upstream", async () => {
    // A recording reverse proxy in front of the real server shows what the platform sends.
    const seen: http.IncomingHttpHeaders[] = [];
    const target = new URL(everything.url);
    const proxy = http.createServer((req, res) => {
      seen.push(req.headers);
      const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/mcp`;
    try {
      const svc = service(
        {
          id: 'ev-auth',
          credentialSchema: [
            { name: 'token', title: 'Token', secret: true, required: true, inject: { header: 'Authorization', template: 'Bearer {value}' } },
            { name: 'team', title: 'Team', secret: false, required: false, inject: { header: 'X-Team' } },
          ],
          config: { kind: 'http', instances: [url], transport: 'streamable-http' },
        },
        { token: 'user-upstream-token', team: 'blue' },
      );
      const lease = await t.platform.upstream.connect(principal('alice'), svc);
      await lease.client.callTool({ name: 'echo', arguments: { message: 'x' } });
      await lease.release();
      expect(seen.length).toBeGreaterThan(0);
      for (const headers of seen.filter((h) => h['mcp-session-id'] || h['content-type'])) {
        expect(headers.authorization).toBe('Bearer user-upstream-token');
        expect(headers['x-team']).toBe('blue');
        expect(headers.cookie).toBeUndefined();
      }
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('fails a hung instance with a timeout error within the bound, then serves from a healthy one', async () => {
    const only = service({ id: 'hung-only', config: { kind: 'http', instances: [hungUrl], transport: 'streamable-http' } });
    const started = Date.now();
    const err = await t.platform.upstream.connect(principal('bob'), only).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe('upstream_timeout');
    expect(elapsed).toBeLessThan(TIMEOUT_MS * 8); // bounded by the platform timeout, not the SDK's 60 s default

    const mixed = service({ id: 'hung-mixed', config: { kind: 'http', instances: [hungUrl, everything.url], transport: 'streamable-http' } });
    await until(() => t.platform.upstream.http.instanceHealth(hungUrl).status !== 'healthy');
    const lease = await t.platform.upstream.connect(principal('bob'), mixed);
    expect(lease.instance).toBe(everything.url);
    expect(textOf(await lease.client.callTool({ name: 'echo', arguments: { message: 'ok' } }))).toContain('ok');
    await lease.release();
  });

  it('propagates cancellation to a pending upstream request', async () => {
    // A hung instance of its own, so that the health of the other one does not interfere.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/mcp`;
    try {
      const only = service({ id: 'hung-cancel', config: { kind: 'http', instances: [url], transport: 'streamable-http', timeoutMs: 60_000 } });
      const controller = new AbortController();
      const pending = t.platform.upstream.connect(principal('bob'), only, { signal: controller.signal }).catch((e: unknown) => e);
      await until(() => sockets.size > 0);
      controller.abort();
      const err = await pending;
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).code).toBe('upstream_cancelled');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('ejects a down instance, retries the refused connection on a healthy one, and restores it when it comes back', async () => {
    const downPort = await freePort();
    const downUrl = `http://127.0.0.1:${downPort}/mcp`;
    const changes: Array<{ url: string; status: string }> = [];
    const unsubscribe = t.platform.upstream.http.onHealthChange((h) => changes.push({ url: h.url, status: h.status }));
    const svc = service({ id: 'down-mixed', config: { kind: 'http', instances: [downUrl, everything.url], transport: 'streamable-http' } });
    for (let i = 0; i < 4; i++) {
      const lease = await t.platform.upstream.connect(principal('carol'), svc);
      expect(lease.instance).toBe(everything.url);
      expect(textOf(await lease.client.callTool({ name: 'echo', arguments: { message: `r${i}` } }))).toContain(`r${i}`);
      await lease.release();
    }
    await until(() => t.platform.upstream.http.instanceHealth(downUrl).status !== 'healthy');
    expect(t.platform.upstream.http.instanceHealth(downUrl).ejections).toBeGreaterThanOrEqual(1);

    // The instance comes back: the next probe restores it, and round-robin sends sessions to it again.
    const revived = await startEverythingHttp('streamableHttp', downPort);
    extra.push(revived);
    await until(() => t.platform.upstream.http.instanceHealth(downUrl).status === 'healthy');
    const instances = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const lease = await t.platform.upstream.connect(principal('carol'), svc);
      instances.add(lease.instance);
      await lease.client.callTool({ name: 'echo', arguments: { message: 'again' } });
      await lease.release();
    }
    expect(instances).toEqual(new Set([downUrl, everything.url]));
    unsubscribe();
    // Listeners (e.g. the catalog persisting service_instances.status) saw the ejection and the restore.
    const mine = changes.filter((c) => c.url === downUrl).map((c) => c.status);
    expect(mine[0]).toBe('ejected');
    expect(mine.at(-1)).toBe('healthy');
  });

  it('answers upstream_unavailable when every instance is down', async () => {
    const a = `http://127.0.0.1:${await freePort()}/mcp`;
    const err = await t.platform.upstream
      .connect(principal('dave'), service({ id: 'all-down', config: { kind: 'http', instances: [a], transport: 'streamable-http' } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe('upstream_unavailable');
  });

  it('uses instances registered at run time', async () => {
    t.platform.upstream.http.register('runtime-svc', everything.url);
    const lease = await t.platform.upstream.connect(principal('erin'), service({ id: 'runtime-svc', config: { kind: 'http', instances: [], transport: 'streamable-http' } }));
    expect(lease.instance).toBe(everything.url);
    await lease.release();
    expect(t.platform.upstream.http.health()['runtime-svc']?.map((h) => h.url)).toEqual([everything.url]);
  });

  it('speaks the older HTTP+SSE transport to an sse upstream', async () => {
    const sse = await startEverythingHttp('sse');
    extra.push(sse);
    const lease = await t.platform.upstream.connect(principal('frank'), service({ id: 'ev-sse', config: { kind: 'http', instances: [sse.url], transport: 'sse' } }));
    try {
      expect(textOf(await lease.client.callTool({ name: 'echo', arguments: { message: 'via sse' } }))).toContain('via sse');
    } finally {
      await lease.release();
    }
  });
});
