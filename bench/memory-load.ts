/**
 * Benchmark (not a test): the platform's peak RSS under a fixed number of calls, counted rather than
 * timed (issue 11 §5), for a machine too loaded for `npm run bench`'s fixed rates.
 *
 *   npx tsx bench/memory-load.ts [--calls 20000] [--concurrency 64] [--root DIR] [--env NAME=VALUE …]
 *
 * Starts the echo upstream (bench/echo-server.ts) and `node dist/main.js serve` from `--root`
 * (default: this checkout; build it first) as `npm run bench` does (embedded PGlite in a temp
 * DATA_DIR, or DATABASE_URL), registers the echo service, then sends `--calls` 2026-07-28 and as
 * many 2025-11-25 (one session per connection) `tools/call`s, `--concurrency` at a time, and prints
 * the platform's VmHWM and VmRSS after each phase, with the platform's CPU time per call (main thread
 * and PGlite's worker, /proc/<pid>/stat).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adminToken, registerService, signUpUser, startPlatform } from './platform.js';
import { cpuTimeMs, procStatusKb, startProcess, stop } from './procs.js';
import type { Call } from './jobs.js';
import { EXPECT, legacyCall, modernCall, openSession } from './wire.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    root: { type: 'string', default: path.resolve(import.meta.dirname, '..') },
    env: { type: 'string', multiple: true, default: [] },
  },
});
// `--env NAME=VALUE` (repeatable): added to the platform's environment (e.g. NODE_OPTIONS).
const extraEnv = Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const ECHO = path.join(import.meta.dirname, 'echo-server.ts');

const upstream = await startProcess(process.execPath, ['--import', 'tsx', ECHO, 'http', '0'], {
  name: 'echo upstream',
  env: { PATH: process.env.PATH ?? '' },
  ready: (out) => /listening (\d+)/.exec(out)?.[1],
});
const platform = await startPlatform(path.resolve(values.root), 'memory', undefined, false, extraEnv);
const mb = (kb: number | undefined) => `${((kb ?? 0) / 1024).toFixed(0)} MB`;
/** The main thread's GC pauses so far by kind (prom-client's nodejs_gc_duration_seconds): count and ms. */
async function gcPauses(): Promise<Record<string, { n: number; ms: number }>> {
  const text = await (await fetch(`${platform.url}/metrics`)).text();
  const out: Record<string, { n: number; ms: number }> = {};
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_(sum|count)\{kind="([^"]+)"\} ([0-9.e+-]+)/gm)) {
    const k = (out[m[2]!] ??= { n: 0, ms: 0 });
    if (m[1] === 'sum') k.ms = Number(m[3]) * 1000;
    else k.n = Number(m[3]);
  }
  return out;
}
let cpuAt = cpuTimeMs(platform.pid) ?? 0;
let gcAt = await gcPauses();
const report = async (phase: string, calls = 0) => {
  const cpu = cpuTimeMs(platform.pid) ?? 0;
  const gc = await gcPauses();
  const gcText = Object.entries(gc)
    .map(([kind, v]) => `${kind} ${v.n - (gcAt[kind]?.n ?? 0)}, ${(v.ms - (gcAt[kind]?.ms ?? 0)).toFixed(0)} ms`)
    .join(', ');
  const perCall = calls ? `, platform CPU ${((cpu - cpuAt) / calls).toFixed(3)} ms per call; main-thread GC pauses: ${gcText}` : '';
  cpuAt = cpu;
  gcAt = gc;
  console.log(`${phase}: peak (VmHWM) ${mb(procStatusKb(platform.pid, 'VmHWM'))}, RSS ${mb(procStatusKb(platform.pid, 'VmRSS'))}${perCall}`);
};
try {
  await registerService(platform, await adminToken(platform), { slug: 'echo', title: 'Echo', kind: 'http', http: { instances: [`http://127.0.0.1:${upstream.value}/mcp`] } });
  const auth = { authorization: `Bearer ${await signUpUser(platform)}` };
  const url = `${platform.url}/mcp/echo`;
  await report('idle');
  let failed = 0;
  const phase = async (makeCall: () => Promise<Call>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const call = await makeCall();
        while (next < CALLS) {
          next++;
          try {
            const res = await fetch(url, { method: 'POST', headers: call.headers, body: (call.body ?? '').replace('"__ID__"', String(next)) });
            if (!(await res.text()).includes(EXPECT)) failed++;
          } catch {
            failed++; // e.g. a kept-alive connection the server closed as it was reused: counted, not fatal
          }
        }
      }),
    );
  };
  await phase(async () => modernCall(url, 'echo', auth));
  await report(`${CALLS} calls 2026-07-28 at ${CONCURRENCY}`, CALLS);
  await phase(async () => legacyCall(url, 'echo', auth, await openSession(url, auth)));
  await report(`${CALLS} calls 2025-11-25 at ${CONCURRENCY} (a session per connection)`, CALLS);
  console.log(`failed calls: ${failed}`);
} finally {
  await platform.stop();
  await stop(upstream.child);
}
