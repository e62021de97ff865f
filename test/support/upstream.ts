import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Principal } from '../../src/gateway/index.js';
import type { CredentialField, ResolvedService, ServiceDefinition } from '../../src/catalog/index.js';

/** Helpers for the router upstream tests: principals, resolved services, and real child-process counts. */

const require = createRequire(import.meta.url);
/** The real @modelcontextprotocol/server-everything entry point (a project dependency). */
export const EVERYTHING_ENTRY = require.resolve('@modelcontextprotocol/server-everything/package.json').replace(/package\.json$/, 'dist/index.js');

export function principal(userId: string, role: Principal['role'] = 'user'): Principal {
  return { userId, role, email: `${userId}@example.test`, via: 'jwt' };
}

export function service(
  partial: Partial<ServiceDefinition> & Pick<ServiceDefinition, 'id' | 'config'>,
  credentials: Record<string, string> = {},
): ResolvedService {
  const definition: ServiceDefinition = {
    slug: partial.id,
    title: partial.id,
    description: '',
    kind: partial.config.kind,
    enabled: true,
    roles: ['user', 'admin'],
    toolPolicy: {},
    credentialSchema: [],
    ...partial,
  };
  return { definition, credentials };
}

export function everythingStdio(id: string, credentialSchema: CredentialField[] = [], credentials: Record<string, string> = {}): ResolvedService {
  return service({ id, credentialSchema, config: { kind: 'stdio', command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'] } }, credentials);
}

/** PIDs of this process's direct children whose command line contains `needle` (live, not zombies). */
export function childPids(needle: string): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are no children
  }
  return out
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => !!m && m[3]!.includes(needle))
    .map((m) => Number(m[1]));
}

/** Zombie (defunct) children of this process, any command. */
export function zombieChildren(): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p[1]?.startsWith('Z'))
    .map((p) => Number(p[0]));
}

/**
 * Zombies that outlive a short grace period. A child that has just exited stays a zombie until
 * Node's event loop reaps it, and `ps` runs synchronously (blocking that loop), so one snapshot
 * can show a zombie that is about to be reaped. A leak is one that never goes away.
 */
export async function lingeringZombies(graceMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  let zombies = zombieChildren();
  while (zombies.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    zombies = zombieChildren();
  }
  return zombies;
}

export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

/** Polls `check` until it returns true (no timing assertion: the test's own timeout bounds it). */
export async function until(check: () => boolean | Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, intervalMs));
}

/** A port that was free a moment ago (for a child that must listen on a known port). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface EverythingHttp {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts the real server-everything in `streamableHttp` (endpoint /mcp) or `sse` (endpoint /sse) mode. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse', port?: number): Promise<EverythingHttp> {
  const { spawn } = await import('node:child_process');
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, [EVERYTHING_ENTRY, mode], {
    env: { PATH: process.env.PATH ?? '', PORT: String(chosen) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (/listening|running/i.test(seen)) resolve();
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited early (${code}): ${seen.slice(-500)}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    port: chosen,
    url: `http://127.0.0.1:${chosen}/${mode === 'sse' ? 'sse' : 'mcp'}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
