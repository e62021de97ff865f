import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackConnections } from '../src/gateway/index.js';

/**
 * The server side of a drain (src/gateway/connection-drain.ts, docs/operations.md "Rolling
 * restart"): once it has begun, every answer says `Connection: close` and its connection is closed
 * when the answer is done, including an answer the app writes synchronously in its own `request`
 * listener (registered before the drain's, as `http.createServer(app)` does).
 */
describe('connection drain', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const get = (port: number, agent: http.Agent) =>
    new Promise<{ connection: string | undefined; socketClosed: Promise<void> }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        const socketClosed = new Promise<void>((done) => res.socket.once('close', () => done()));
        res.resume();
        res.on('end', () => resolve({ connection: res.headers.connection, socketClosed }));
      });
      req.on('error', reject);
    });

  it('an answer written synchronously by the app during a drain says Connection: close, and its connection closes', async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    const drain = trackConnections(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const before = new http.Agent({ keepAlive: true });
    // A new connection for the request during the drain: begin() closes the idle ones.
    const after = new http.Agent({ keepAlive: true });
    try {
      expect((await get(port, before)).connection).toBe('keep-alive');
      drain.begin();
      const during = await get(port, after);
      expect(during.connection).toBe('close');
      await during.socketClosed;
    } finally {
      before.destroy();
      after.destroy();
    }
  });
});
