/**
 * Memory at rest (issue 11 §5): the built server, started as `node dist/main.js serve` would be,
 * in this run's CI mode (embedded PGlite on a fresh DATA_DIR, its first start; or DATABASE_URL in
 * a schema of its own), holds at most the target RSS 10 s after the spawn, and has not loaded the
 * modules that only some requests need (oidc-provider, the OpenAPI parser, the OpenTelemetry SDK).
 *
 * The server is compiled from src by this test (tsconfig.build.json into a temporary folder beside
 * src, removed afterwards), so it measures this tree, not a stale dist/. What is read: VmRSS from
 * /proc (Linux), the main thread's heap from /metrics, and the module URLs the process loaded (a
 * load hook given with --import that writes them on SIGUSR2; it adds ~1 MB). docs/benchmarks.md,
 * "Memory", has the breakdown behind these bounds.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER_MODE = Boolean(process.env.DATABASE_URL);
/** The targets (MB): idle RSS 10 s after start. */
const BOUND_MB = SERVER_MODE ? 120 : 250;
/** Loaded only by the requests that need them (src/oauth/index.ts, builder/import/document.ts, logging/tracing.ts). */
const NOT_AT_IDLE = ['/node_modules/oidc-provider/', '/node_modules/koa/', '/node_modules/@scalar/openapi-parser/', '/node_modules/@opentelemetry/sdk-trace-base/', '/node_modules/@opentelemetry/exporter-trace-otlp-http/'];

const LOAD_HOOK = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ load(url, context, next) { seen.add(url); return next(url, context); } });
process.on('SIGUSR2', () => writeFileSync(process.env.MEMORY_TEST_LOADS, [...seen].join('\\n')));
`;

const vmKb = (pid: number, field: string): number => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
};

describe(`memory at rest (${SERVER_MODE ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  let work: string;
  let build: string;
  let child: ChildProcess | undefined;
  const schema = `t_memory_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'mcp-memory-test-'));
    // Beside src: the built code finds catalog/, web/ and node_modules relative to itself, as dist/ does.
    build = await mkdtemp(path.join(ROOT, '.memory-test-build-'));
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', build], { cwd: ROOT });
    await writeFile(path.join(work, 'load-hook.mjs'), LOAD_HOOK);
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(work, { recursive: true, force: true });
    await rm(build, { recursive: true, force: true });
    if (SERVER_MODE) {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`).finally(() => client.end());
    }
  }, 60_000);

  it(`holds at most ${BOUND_MB} MB RSS 10 s after start, without the modules only some requests need`, async () => {
    const loadsFile = path.join(work, 'loads.txt');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: path.join(work, 'data'),
      MEMORY_TEST_LOADS: loadsFile,
      // The target is the platform on DATABASE_URL alone (REDIS_URL adds the Redis client, ~8 MB).
      ...(SERVER_MODE ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
    };
    const spawnedAt = Date.now();
    const proc = spawn(process.execPath, ['--import', path.join(work, 'load-hook.mjs'), path.join(build, 'main.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    const port = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString('utf8');
        const m = /"address":"[^"]*:(\d+)"[^\n]*"message":"platform listening"/.exec(output);
        if (m) resolve(m[1]!);
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`the platform exited (code ${code}) before listening: ${output.slice(-2000)}`)));
    });
    // 10 s after the spawn, as the issue measures; on a loaded machine where starting took longer,
    // a few seconds after listening (start-up's last allocations are behind it by then).
    const listenedAfter = Date.now() - spawnedAt;
    await new Promise((r) => setTimeout(r, Math.max(10_000 - listenedAfter, 3_000)));

    const rssMb = vmKb(proc.pid!, 'VmRSS') / 1024;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const heapMb = Number(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(metrics)?.[1]) / 2 ** 20;
    proc.kill('SIGUSR2');
    let loads = '';
    for (let i = 0; i < 50 && !loads; i++) {
      await new Promise((r) => setTimeout(r, 100));
      loads = await readFile(loadsFile, 'utf8').catch(() => '');
    }
    const figures = `RSS ${rssMb.toFixed(0)} MB (bound ${BOUND_MB}), main-thread heap used ${heapMb.toFixed(1)} MB, listening after ${(listenedAfter / 1000).toFixed(1)} s, ${loads.split('\n').length} modules`;
    console.log(`memory at rest, ${SERVER_MODE ? 'PostgreSQL' : 'embedded'}: ${figures}`);

    expect(loads, 'the load hook wrote what was loaded').not.toBe('');
    expect(loads.split('\n').filter((url) => NOT_AT_IDLE.some((dir) => url.includes(dir)))).toEqual([]);
    expect(rssMb, figures).toBeLessThanOrEqual(BOUND_MB);
  }, 240_000);
});
