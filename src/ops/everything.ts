import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { freePort } from './cluster.js';

const require = createRequire(import.meta.url);
/** The real @modelcontextprotocol/server-everything entry point (a project dependency). */
export const EVERYTHING_ENTRY = require.resolve('@modelcontextprotocol/server-everything/package.json').replace(/package\.json$/, 'dist/index.js');

export interface EverythingHttp {
  port: number;
  /** The MCP endpoint: /mcp (Streamable HTTP) or /sse. */
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface EverythingHttpOptions {
  /** The port to listen on (a free one when not given). */
  port?: number;
  /** How `stop()` ends the process. */
  stopSignal?: NodeJS.Signals;
}

/**
 * Starts the real server-everything over HTTP, `streamableHttp` (endpoint /mcp) or `sse` (endpoint
 * /sse): the http service of the demo cluster and its traffic, and the tests' HTTP upstream.
 */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse', options: EverythingHttpOptions = {}): Promise<EverythingHttp> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [EVERYTHING_ENTRY, mode], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (/listening|running/i.test(seen)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited early (${code}): ${seen.slice(-500)}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    url: `http://127.0.0.1:${port}/${mode === 'sse' ? 'sse' : 'mcp'}`,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill(options.stopSignal ?? 'SIGTERM');
      await exited;
    },
  };
}
