/**
 * Benchmark (not a test): the platform's peak RSS under a fixed number of calls, counted rather than
 * timed (issue 11 §5), for a machine too loaded for `npm run bench`'s fixed rates.
 *
 *   npx tsx bench/memory-load.ts [--calls 20000] [--concurrency 64] [--root DIR]
 *
 * Starts the echo upstream (bench/echo-server.ts) and `node dist/main.js serve` from `--root`
 * (default: this checkout; build it first) as `npm run bench` does (embedded PGlite in a temp
 * DATA_DIR, or DATABASE_URL), registers the echo service, then sends `--calls` 2026-07-28 and as
 * many 2025-11-25 (one session per connection) `tools/call`s, `--concurrency` at a time, and prints
 * the platform's VmHWM and VmRSS after each phase.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adminToken, registerService, signUpUser, startPlatform } from './platform.js';
import { procStatusKb, startProcess, stop } from './procs.js';
import type { Call } from './jobs.js';
import { EXPECT, legacyCall, modernCall, openSession } from './wire.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    root: { type: 'string', default: path.resolve(import.meta.dirname, '..') },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const ECHO = path.join(import.meta.dirname, 'echo-server.ts');

const upstream = await startProcess(process.execPath, ['--import', 'tsx', ECHO, 'http', '0'], {
  name: 'echo upstream',
  env: { PATH: process.env.PATH ?? '' },
  ready: (out) => /listening (\d+)/.exec(out)?.[1],
});
const platform = await startPlatform(path.resolve(values.root), 'memory', undefined);
const mb = (kb: number | undefined) => `${((kb ?? 0) / 1024).toFixed(0)} MB`;
const report = (phase: string) => console.log(`${phase}: peak (VmHWM) ${mb(procStatusKb(platform.pid, 'VmHWM'))}, RSS ${mb(procStatusKb(platform.pid, 'VmRSS'))}`);
try {
  await registerService(platform, await adminToken(platform), { slug: 'echo', title: 'Echo', kind: 'http', http: { instances: [`http://127.0.0.1:${upstream.value}/mcp`] } });
  const auth = { authorization: `Bearer ${await signUpUser(platform)}` };
  const url = `${platform.url}/mcp/echo`;
  report('idle');
  let failed = 0;
  const phase = async (makeCall: () => Promise<Call>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const call = await makeCall();
        while (next < CALLS) {
          next++;
          const res = await fetch(url, { method: 'POST', headers: call.headers, body: (call.body ?? '').replace('"__ID__"', String(next)) });
          if (!(await res.text()).includes(EXPECT)) failed++;
        }
      }),
    );
  };
  await phase(async () => modernCall(url, 'echo', auth));
  report(`${CALLS} calls 2026-07-28 at ${CONCURRENCY}`);
  await phase(async () => legacyCall(url, 'echo', auth, await openSession(url, auth)));
  report(`${CALLS} calls 2025-11-25 at ${CONCURRENCY} (a session per connection)`);
  console.log(`failed calls: ${failed}`);
} finally {
  await platform.stop();
  await stop(upstream.child);
}
