/**
 * Instructions per `tools/call` (not a test): `npx tsx bench/instructions-mcp.ts` after
 * `npm run build:server`.
 *
 * Why: on the shared 2-core machine wall-clock rates and even CPU time per call swing with the
 * other tenants' load (cache thrash, preemption in the middle of a syscall). Valgrind's callgrind
 * counts the instructions the platform process executes, which the load does not change; the
 * count per call compares builds (and Redis against memory mode) reliably.
 *
 * What: the echo upstream (bench/echo-server.ts http), then `node dist/main.js serve` under
 * `valgrind --tool=callgrind --instr-atstart=no` with the benchmark's environment
 * (bench/platform.ts: JWT, the three rate limits raised so they never trigger, request logging at
 * `metadata`; REDIS_URL / DATABASE_URL when set). After a warm-up of WARMUP calls (JIT, caches),
 * instrumentation is switched on (`callgrind_control -i on`), CALLS 2026-07-28 `tools/call`s are
 * made through `/mcp/echo` (CONCURRENCY at a time), and the counts are dumped. It prints the
 * instructions per call of the whole process and of its main thread (`--separate-threads=yes`;
 * the rest is the PGlite worker's request-log inserts, GC and compiler helper threads, libuv).
 * Valgrind runs the process about 50× slower: keep CALLS small (default 400).
 *
 * Options (env): CALLS (400), WARMUP (300), CONCURRENCY (4), PLATFORM_MAIN (default dist/main.js),
 * PLATFORM_NODE (the Node binary the platform runs on, default this one's),
 * REDIS_URL, DATABASE_URL, CALLGRIND_OUT (directory for the callgrind.out files, default a temp dir;
 * `callgrind_annotate` reads them).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { benchPlatformEnv } from './platform.js';
import { ECHO_CALL, echoCallHeaders } from './repeat-call.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CALLS = Number(process.env.CALLS ?? 400);
const WARMUP = Number(process.env.WARMUP ?? 300);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);

function waitFor(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what} not ready in ${timeoutMs} ms: ${buf.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const m = pattern.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
      if (buf.length > 1_000_000) buf = buf.slice(-10_000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${buf.slice(-2000)}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * valgrind and callgrind_control meet through files named after the user and host in their
 * environment (USER/LOGNAME, HOST): both get the same; HOST is the platform's own bind address.
 */
const VGDB_ENV = { USER: 'bench', LOGNAME: 'bench' };
const VGDB_PREFIX = path.join(os.tmpdir(), 'vgdb-instructions-mcp');

function control(args: string[], pid: number): void {
  const out = execFileSync('callgrind_control', [`--vgdb-prefix=${VGDB_PREFIX}`, ...args, String(pid)], { env: { PATH: process.env.PATH ?? '', ...VGDB_ENV, HOST: '127.0.0.1' }, encoding: 'utf8' });
  if (!/OK/.test(out) || /error/i.test(out)) throw new Error(`callgrind_control ${args.join(' ')}: ${out}`);
}

async function token(base: string, pathAndQuery: string, body: unknown): Promise<string> {
  const res = await fetch(`${base}${pathAndQuery}`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: 'bench' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${pathAndQuery}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function calls(url: string, bearer: string, n: number): Promise<void> {
  const headers = echoCallHeaders(bearer);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await fetch(url, { method: 'POST', headers, body: ECHO_CALL });
      const text = await res.text();
      if (res.status !== 200 || !text.includes('"hello"')) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Sum of `summary:`/`totals:` Ir over the callgrind output files (one per thread). */
async function instructions(dir: string, pid: number): Promise<{ total: number; main: number; threads: number }> {
  // The dump `callgrind_control -d` asked for: callgrind.out.<pid>.1-<thread>.
  const files = (await readdir(dir)).filter((f) => f.startsWith(`callgrind.out.${pid}.1-`));
  let total = 0;
  let main = 0;
  for (const f of files) {
    const text = await readFile(path.join(dir, f), 'utf8');
    const m = /^(?:summary|totals): (\d+)/m.exec(text);
    const ir = m ? Number(m[1]) : 0;
    total += ir;
    // --separate-threads=yes: thread 1 is the main thread (file suffix -01).
    if (/-01$/.test(f)) main += ir;
  }
  return { total, main, threads: files.length };
}

async function main(): Promise<void> {
  const outDir = process.env.CALLGRIND_OUT ?? (await mkdtemp(path.join(os.tmpdir(), 'callgrind-mcp-')));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-instr-'));
  const upstream = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'echo-server.ts'), 'http', '0'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let platform: ChildProcess | undefined;
  try {
    const up = await waitFor(upstream, /listening (\d+)/, 'echo upstream', 60_000);
    const upstreamUrl = `http://127.0.0.1:${up[1]}/mcp`;
    const tag = `${Date.now()}_${randomBytes(3).toString('hex')}`;
    const main = process.env.PLATFORM_MAIN ?? path.join(ROOT, 'dist', 'main.js');
    platform = spawn(
      'valgrind',
      ['--tool=callgrind', `--vgdb-prefix=${VGDB_PREFIX}`, '--instr-atstart=no', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${outDir}/callgrind.out.%p`, process.env.PLATFORM_NODE || process.execPath, main, 'serve'],
      {
        cwd: ROOT,
        // Under valgrind a request takes far longer than Node's default request and header timeouts allow.
        env: { ...benchPlatformEnv(dataDir, tag, process.env.REDIS_URL), ...VGDB_ENV, REQUEST_TIMEOUT_MS: '600000', HEADERS_TIMEOUT_MS: '600000' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const m = await waitFor(platform, /"message":"platform listening"[^\n]*"address":"[^"]*:(\d+)"|"address":"[^"]*:(\d+)"[^\n]*"message":"platform listening"/, 'platform', 900_000);
    const base = `http://127.0.0.1:${m[1] ?? m[2]}`;
    const admin = await token(base, '/auth/v1/token?grant_type=password', { email: 'admin@bench.test', password: 'bench-admin-password-1' });
    const created = await fetch(`${base}/v1/admin/services`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ slug: 'echo', title: 'echo', kind: 'http', payload_capture: 'metadata', http: { transport: 'streamable-http', instances: [upstreamUrl] } }),
    });
    if (created.status !== 201) throw new Error(`register echo: ${created.status} ${await created.text()}`);
    const user = await token(base, '/auth/v1/signup', { email: `bench-${tag}@example.test`, password: 'bench-password-123' });
    const url = `${base}/mcp/echo`;
    await calls(url, user, WARMUP);
    // Let the request-log batch of the warm-up be written before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    control(['-i', 'on'], platform.pid!);
    const t0 = performance.now();
    await calls(url, user, CALLS);
    // The request-log rows of these calls are written within the flush interval: count that too.
    await new Promise((r) => setTimeout(r, 3_000));
    control(['-d'], platform.pid!);
    control(['-i', 'off'], platform.pid!);
    const seconds = (performance.now() - t0) / 1000;
    const ir = await instructions(outDir, platform.pid!);
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    console.log(
      `commit ${commit}; ${process.env.REDIS_URL ? 'Redis' : 'memory'} rate limits; ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; ${CALLS} calls at ${CONCURRENCY} concurrent under callgrind (${seconds.toFixed(0)} s)`,
    );
    console.log(`instructions per tools/call: ${(ir.total / CALLS / 1e6).toFixed(3)} M (main thread ${(ir.main / CALLS / 1e6).toFixed(3)} M; ${ir.threads} threads)`);
    console.log(`callgrind output: ${outDir}/callgrind.out.${platform.pid}.1-01 (callgrind_annotate --inclusive=yes)`);
  } finally {
    if (platform) await stop(platform);
    await stop(upstream);
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
