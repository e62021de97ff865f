import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/cli.js';
import { TEST_MASTER_KEY } from './support/platform.js';

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('graceful shutdown of `serve` on SIGTERM', { timeout: 180_000 }, () => {
  let serve: ServeProcess | undefined;
  let dataDir = '';
  afterAll(async () => {
    await serve?.stop('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finishes the in-flight request, refuses new connections, and exits 0', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-shutdown-'));
    serve = await startServe({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PLATFORM_ENCRYPTION_KEY: TEST_MASTER_KEY,
      ...(process.env.DATABASE_URL
        ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: `t_sd_${randomBytes(4).toString('hex')}` }
        : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `test:sd:${randomBytes(4).toString('hex')}:` } : {}),
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    const port = Number(new URL(serve.url).port);

    // A slow in-flight request: headers sent, body still streaming when SIGTERM arrives.
    const body = JSON.stringify({ hello: 'world', pad: 'x'.repeat(50) });
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    let response = '';
    socket.on('data', (d: Buffer) => {
      response += d.toString('utf8');
    });
    const socketClosed = new Promise<void>((r) => socket.once('close', () => r()));
    // `Expect: 100-continue`: the server answers 100 once it has read the headers and started the
    // request, so SIGTERM surely finds a request in flight (on a loaded machine the server may not
    // have read the headers yet, and a connection without a request is idle: closed at once).
    socket.write(
      `POST /slow-upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    while (!response.startsWith('HTTP/1.1 100 ')) await new Promise((r) => setTimeout(r, 20));
    response = response.replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, '');
    socket.write(body.slice(0, 10));

    serve.child.kill('SIGTERM');
    // The listener closes: new connections are refused while the old request is still open.
    while (await connectable(port)) await new Promise((r) => setTimeout(r, 50));
    expect(serve.child.exitCode).toBeNull();

    // The rest of the body, without half-closing the socket: a client that sends FIN first may lose
    // the answer (Node's http server ends such a socket), which is not what this test is about.
    socket.write(body.slice(10));
    await socketClosed;
    expect(response).toMatch(/^HTTP\/1\.1 404 /);
    expect(response).toContain('"route_not_found"');

    const { code } = await serve.exited;
    expect(code).toBe(0);
    expect(serve.logs.some((l) => l.message === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
  });
});
