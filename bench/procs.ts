/**
 * Process helpers for the MCP benchmark: start children and wait for them to listen, stop them,
 * read their memory from /proc (Linux).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

const started = new Set<ChildProcess>();

/** Every child this module started and that is still running gets SIGTERM (on exit paths). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((c) => stop(c)));
}

export function stop(child: ChildProcess, graceMs = 5_000): Promise<void> {
  started.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface Started {
  child: ChildProcess;
  pid: number;
  /** stdout + stderr so far (bounded), for error messages. */
  output(): string;
}

/**
 * Spawns a process and resolves once `ready` matches its output (stdout or stderr) and returns a
 * string, or rejects when the process exits first or `timeoutMs` passes.
 */
export function startProcess(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; name: string; timeoutMs?: number; ready: (output: string) => string | undefined },
): Promise<Started & { value: string }> {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('utf8');
    if (buf.length > 200_000) buf = buf.slice(-20_000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.once('exit', () => started.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      void stop(child);
      reject(new Error(`${options.name} did not become ready within ${options.timeoutMs ?? 60_000} ms: ${buf.slice(-2000)}`));
    }, options.timeoutMs ?? 60_000);
    const check = () => {
      const value = options.ready(buf);
      if (value === undefined) return;
      done();
      resolve({ child, pid: child.pid!, value, output: () => buf });
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${options.name} exited (${code}) before it was ready: ${buf.slice(-2000)}`));
    };
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('spawn', check);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('spawn', check);
    child.once('exit', onExit);
  });
}

/** A port that was free a moment ago (for peers that must be told their port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM), or undefined when the process is gone. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;

/** CPU time (user + system) a process has used so far, in ms, or undefined when it is gone (Linux /proc). */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks; // utime, stime
  } catch {
    return undefined;
  }
}

/** Direct children of `pid`: pid, RSS in KiB and command line. */
export function childrenOf(pid: number): Array<{ pid: number; rssKb: number; args: string }> {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,rss=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), rssKb: Number(m[2]), args: m[3]! }));
}

/** RSS of a process and all its descendants, in KiB, and how many processes that is. */
export function treeRssKb(pid: number): { rssKb: number; processes: number } {
  let rssKb = procStatusKb(pid, 'VmRSS') ?? 0;
  let processes = rssKb ? 1 : 0;
  for (const c of childrenOf(pid)) {
    const sub = treeRssKb(c.pid);
    rssKb += sub.rssKb;
    processes += sub.processes;
  }
  return { rssKb, processes };
}

/** True when a Redis server answers PING at host:port within a short time. */
export function redisAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 6379), u.hostname);
    const finish = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(1000, () => finish(false));
    s.once('error', () => finish(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => finish(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')));
  });
}
