/**
 * Investigation driver for the idle-session p99 (not a test, not part of `npm run bench`):
 * `npm run build && npx tsx bench/idle-gc.ts`. It separates what the MCP suite's idle group mixed
 * up: the idle sessions, the traffic that opens them, and the forced full GC that reads the heap.
 *
 * One platform (`node dist/main.js serve`, the benchmark's environment, with the inspector), one
 * 2025 session calling tools/call at a fixed rate, each run printed with the platform's CPU per
 * call (from /proc): warmup (closed loop, then at the rate), without, without2; with GC=1 a forced GC (as bench/platform.ts
 * heapAfterGc does it) and `without-after-gc`; the N idle sessions opened, the platform's CPU for
 * QUIET seconds with no traffic and the request-log metrics; with GC=1 a forced GC; then with,
 * with2, with3.
 *
 * Options (env): N (10000), RATE (calls/s, 100), DUR (s per run, 8), QUIET (s, 5), GC (0|1, 1),
 * NODE_ARGS (extra node flags for the platform, space-separated, e.g. `--cpu-prof
 * --cpu-prof-dir=bench/results/profiles`), DATABASE_URL / REDIS_URL (server mode).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Generator } from './generator.js';
import type { Job } from './jobs.js';
import { adminToken, benchPlatformEnv, heapAfterGc, registerService, signUpUser, type Platform } from './platform.js';
import { cpuTimeMs, startProcess, stop, stopAll } from './procs.js';
import { baseHeaders, handshake, legacyCall, openSession } from './wire.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const N = env('N', 10_000);
const RATE = env('RATE', 100);
const DUR = env('DUR', 8);
const QUIET = env('QUIET', 5);
const GC = process.env.GC !== '0';
const NODE_ARGS = (process.env.NODE_ARGS ?? '').split(' ').filter(Boolean);

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const gen = await Generator.start();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-idle-gc-'));
  try {
    const echo = await startProcess(process.execPath, [path.join(ROOT, 'bench', 'echo-server.ts'), 'http', '0'], {
      name: 'echo server',
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
      ready: (out) => /listening (\d+)/.exec(out)?.[1],
    });
    const started = await startProcess(process.execPath, [...NODE_ARGS, '--inspect=127.0.0.1:0', path.join(ROOT, 'dist', 'main.js'), 'serve'], {
      name: 'platform',
      cwd: ROOT,
      env: benchPlatformEnv(dataDir, `idlegc_${Date.now()}`, process.env.REDIS_URL),
      timeoutMs: 120_000,
      ready: (out) => {
        const m = /"message":"platform listening"[^\n]*"address":"[^"]*:(\d+)"|"address":"[^"]*:(\d+)"[^\n]*"message":"platform listening"/.exec(out);
        const port = m?.[1] ?? m?.[2];
        const ws = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(out)?.[1];
        return port && ws ? JSON.stringify({ port, ws }) : undefined;
      },
    });
    const ready = JSON.parse(started.value) as { port: string; ws: string };
    const p: Platform = { label: 'idle-gc', url: `http://127.0.0.1:${ready.port}`, pid: started.pid, redis: false, inspector: ready.ws, stop: async () => undefined };
    const auth = { authorization: `Bearer ${await signUpUser(p)}` };
    await registerService(p, await adminToken(p), { slug: 'echo1', title: 'Echo 1', kind: 'http', http: { instances: [`http://127.0.0.1:${echo.value}/mcp`] } });
    const one = `${p.url}/mcp/echo1`;
    const rateJob: Job = { kind: 'rate', call: legacyCall(one, 'echo', auth, await openSession(one, auth)), rate: RATE, durationS: DUR, connections: 64 };

    const run = async (name: string, job: Job) => {
      const cpu0 = cpuTimeMs(p.pid) ?? NaN;
      const t0 = Date.now();
      const r = await gen.run(job);
      const cpu = (cpuTimeMs(p.pid) ?? NaN) - cpu0;
      const l = r.latency;
      log(
        `${name}: ${r.done} done, ${r.errors} errors, ${r.throughput.toFixed(0)}/s; p50 ${l.p50.toFixed(1)} p90 ${l.p90.toFixed(1)} p99 ${l.p99.toFixed(1)} max ${l.max.toFixed(1)} ms; ` +
          `platform ${((cpu / (Date.now() - t0)) * 100).toFixed(0)}% of a core, ${(cpu / Math.max(1, r.done)).toFixed(2)} ms CPU per call`,
      );
    };
    const forcedGc = async () => {
      const t0 = Date.now();
      const heap = await heapAfterGc(p);
      log(`forced GC: heap ${(heap / 1e6).toFixed(1)} MB, ${Date.now() - t0} ms`);
    };

    // Closed loop first: a fresh platform is slow for tens of seconds at a fixed rate.
    await run('warmup (closed loop, 16 connections)', { kind: 'max', call: rateJob.call, connections: 16, durationS: DUR });
    await run('warmup', rateJob);
    await run('without', rateJob);
    await run('without2', rateJob);
    if (GC) {
      await forcedGc();
      await run('without-after-gc', rateJob);
    }
    await run(`open ${N}`, { kind: 'sessions', url: one, headers: baseHeaders(auth), bodies: { initialize: handshake.initialize, initialized: handshake.initialized }, count: N, concurrency: 16, maxSeconds: 300 });
    const cpu0 = cpuTimeMs(p.pid) ?? NaN;
    await sleep(QUIET * 1000);
    log(`quiet ${QUIET} s after opening: platform ${(((cpuTimeMs(p.pid) ?? NaN) - cpu0) / QUIET / 10).toFixed(1)}% of a core`);
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    log(metrics.split('\n').filter((line) => /^log_(queue_depth|records_written_total|records_dropped_total)/.test(line)).join('; '));
    if (GC) await forcedGc();
    await run('with', rateJob);
    await run('with2', rateJob);
    await run('with3', rateJob);
    await stop(started.child, 15_000);
    await stop(echo.child);
  } finally {
    await gen.stop();
    await stopAll();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
