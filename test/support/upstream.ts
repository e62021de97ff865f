import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Principal } from '../../src/gateway/index.js';
import type { CredentialField, ResolvedService, ServiceDefinition } from '../../src/router/contracts.js';

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

export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

/** Polls `check` until it returns true (no timing assertion: the test's own timeout bounds it). */
export async function until(check: () => boolean | Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, intervalMs));
}
