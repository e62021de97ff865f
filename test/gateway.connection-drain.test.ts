import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackConnections } from '../src/gateway/index.js';

/**
 * The server side of a drain (src/gateway/connection-drain.ts, docs/operations.md "Rolling
 * restart"): once it has begun, every answer says `Connection: close` and its connection is closed
 * when the answer is done, including an answer the app writes synchronously in its own `request`
 * listener (registered before the drain's, as `http.createServer(app)` does); an idle kept-alive
 * connection is not cut under a request the peer may be writing (it ends by the keep-alive
 * timeout); a connection that never sent a request gets Node's bare 408 after a grace.
 */
describe('connection drain', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function start(options: http.ServerOptions = {}) {
    let served = 0;
    server = http.createServer(options, (_req, res) => {
      served++;
      res.end('ok');
    });
    const drain = trackConnections(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { drain, port: (server.address() as AddressInfo).port, served: () => served };
  }

  const get = (port: number, agent: http.Agent) =>
    new Promise<{ connection: string | undefined; socketClosed: Promise<void> }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        const socketClosed = new Promise<void>((done) => res.socket.once('close', () => done()));
        res.resume();
        res.on('end', () => resolve({ connection: res.headers.connection, socketClosed }));
      });
      req.on('error', reject);
    });

  /** A raw connection: what it received, and whether the server closed it. */
  const raw = async (port: number) => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { socket, received: () => received, closed };
  };
  const request = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('an answer written synchronously by the app during a drain says Connection: close, and its connection closes', async () => {
    const { drain, port } = await start();
    const before = new http.Agent({ keepAlive: true });
    // A new connection for the request during the drain would be refused: the request is sent on a kept-alive one.
    try {
      expect((await get(port, before)).connection).toBe('keep-alive');
      const drained = drain.drain();
      const during = await get(port, before);
      expect(during.connection).toBe('close');
      await during.socketClosed;
      await drained;
    } finally {
      before.destroy();
    }
  });

  it('does not cut an idle kept-alive connection: a request written on it as the drain begins is served, then the connection closes', async () => {
    const { drain, port, served } = await start({ keepAliveTimeout: 5_000 });
    const peer = await raw(port);
    peer.socket.write(request);
    await until(() => peer.received().includes('ok'));
    expect(peer.received()).toContain('Connection: keep-alive');
    // The peer's next request is on its way as the drain begins (http.Server.close() reset it here).
    const drained = drain.drain();
    peer.socket.write(request);
    await peer.closed;
    await drained;
    expect(served()).toBe(2);
    const second = peer.received().slice(peer.received().indexOf('ok') + 2);
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second.toLowerCase()).toContain('connection: close');
  });

  it('lets an idle kept-alive connection end by the keep-alive timeout, then resolves', async () => {
    const { drain, port } = await start({ keepAliveTimeout: 300 });
    const peer = await raw(port);
    peer.socket.write(request);
    await until(() => peer.received().includes('ok'));
    let drained = false;
    const draining = drain.drain().then(() => (drained = true));
    expect(drain.holding()).toMatchObject({ connections: 1, idle: 1, requests: [] });
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).toBe(false);
    await peer.closed;
    await draining;
    expect(drained).toBe(true);
  });

  it('answers a connection that never sent a request with a bare 408 once it is older than the grace, and closes it', async () => {
    const { drain, port, served } = await start({ headersTimeout: 60_000, requestTimeout: 120_000 });
    const young = await raw(port);
    const drained = drain.drain();
    // Not cut at once: a client writes its first request as soon as it connects.
    await new Promise((r) => setTimeout(r, 100));
    expect(young.received()).toBe('');
    await young.closed;
    expect(young.received()).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    await drained;
    expect(served()).toBe(0);
  });
});
