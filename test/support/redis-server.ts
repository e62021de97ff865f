import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * A real redis-server of the test's own on a free port, for tests that need to stop Redis or that
 * need Redis in embedded mode. `available` is false when redis-server is not installed.
 */
export const redisServerAvailable = spawnSync('redis-server', ['--version']).status === 0;

export interface OwnRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

export async function startRedisServer(): Promise<OwnRedis & { pid(): number | undefined; restart(): Promise<void> }> {
  const port = await freePort();
  const launch = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(port, started);
    return started;
  };
  let child = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: () => child.pid,
    /** SIGKILL: no shutdown of Redis's own, connections are cut, the (unsaved) data is gone. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
    /** A new, empty redis-server on the same port (after stop()). */
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error('redis-server is still running');
      child = await launch();
    },
  };
}
