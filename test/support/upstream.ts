import { execFileSync } from 'node:child_process';
import type { Principal } from '../../src/gateway/index.js';
import type { CredentialField, ResolvedService, ServiceDefinition } from '../../src/catalog/index.js';
import { freePort } from '../../src/ops/cluster.js';
import { EVERYTHING_ENTRY, startEverythingHttp as startShared, type EverythingHttp } from '../../src/ops/everything.js';

/** Helpers for the router upstream tests: principals, resolved services, and real child-process counts. */

export { EVERYTHING_ENTRY, type EverythingHttp };

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

export { freePort };

/** The real server-everything over HTTP (src/ops/everything.ts), killed outright by `stop()`. */
export function startEverythingHttp(mode: 'streamableHttp' | 'sse', port?: number): Promise<EverythingHttp> {
  return startShared(mode, { port, stopSignal: 'SIGKILL' });
}
