/**
 * Benchmark (not a test): what request logging costs on the request path.
 *
 *   npx tsx bench/logging.ts [--requests 400] [--concurrency 16] [--rounds 9] [--rest]
 *
 * MCP (always): one platform, two builtin services backed by the same in-process echo server,
 * `bench-off` (payload_capture off: metrics only, no row) and `bench-meta` (metadata: one row per
 * request, from the router's facts). A pool of SDK clients (2026-07-28 era, one HTTP POST per
 * tools/call) per service; rounds alternate off/metadata so that machine noise hits both alike.
 * --rest adds the older REST comparison (an unauthenticated 404, LOG_REST_REQUESTS false/true,
 * one platform each). It also times `requestLog.record()` itself. Storage follows DATABASE_URL.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { startPlatform, type TestPlatform } from '../test/support/platform.js';
import { adminSession, bearer, signUp } from '../test/support/users.js';
import { getLoop } from './get-loop.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '9' },
    rest: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

const loop = getLoop(CONCURRENCY);
const load = (base: string) => loop.run(REQUESTS, (i) => `${base}/bench/item-${i % 100}`);

async function run(mode: 'off' | 'metadata'): Promise<{ rps: number; p50: number; p99: number; rows: number }> {
  const t: TestPlatform = await startPlatform({ LOG_REST_REQUESTS: mode === 'metadata' ? 'true' : 'false', RATE_LIMIT_IP_PER_MINUTE: '1000000' });
  try {
    await load(t.url); // warm-up
    const results: Array<{ rps: number; p50: number; p99: number }> = [];
    for (let r = 0; r < ROUNDS; r++) results.push(await load(t.url));
    await t.platform.logging.requestLog.flush();
    const rows = Number(
      (await t.platform.database.db.selectFrom('request_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst())?.n ?? 0,
    );
    const med = (k: 'rps' | 'p50' | 'p99') => results.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
    return { rps: med('rps'), p50: med('p50'), p99: med('p99'), rows };
  } finally {
    await t.close();
  }
}

async function recordCost(): Promise<number> {
  const t = await startPlatform({ LOG_QUEUE_MAX: '1000000', LOG_FLUSH_INTERVAL_MS: '60000', LOG_BATCH_SIZE: '5000' });
  try {
    const N = 100_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      t.platform.logging.requestLog.record({ kind: 'mcp', requestId: `r-${i}`, method: 'tools/call', service: 'notes', target: 'add', status: 'ok', latencyMs: 1.5, bytesIn: 120, bytesOut: 300 });
    }
    return Number(process.hrtime.bigint() - t0) / N;
  } finally {
    await t.close();
  }
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of this process (platform + benchmark clients; PGlite included, on any thread) per call, µs. */
  cpuUs: number;
  /** CPU time of the main thread alone (the event loop that serves requests) per call, µs (Linux). */
  loopCpuUs: number;
}

/** User + system CPU of the main thread (its task id is the pid), in µs; NaN off Linux. */
function mainThreadCpuUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function mcpLoad(clients: Client[], n: number): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const loop0 = mainThreadCpuUs();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client) => {
      while (next < n) {
        const i = next++;
        const started = process.hrtime.bigint();
        await client.callTool({ name: 'echo', arguments: { message: `m-${i}` } });
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const loopUs = mainThreadCpuUs() - loop0;
  latencies.sort((a, b) => a - b);
  return { rps: n / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), cpuUs: (cpu.user + cpu.system) / n, loopCpuUs: loopUs / n };
}

/** tools/call through the whole gateway (auth, rate limits, relay, builtin upstream), capture off vs metadata in one run. */
async function mcpBench(): Promise<void> {
  const echo = () => {
    const server = new McpServer({ name: 'bench_echo', version: '1.0.0' });
    server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
      content: [{ type: 'text', text: message }],
    }));
    return server;
  };
  const unlimited = '1000000';
  const t = await startPlatform(
    { RATE_LIMIT_IP_PER_MINUTE: unlimited, RATE_LIMIT_USER_PER_MINUTE: unlimited, MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: unlimited },
    { builtins: { 'bench_echo': echo } },
  );
  const clients: Client[] = [];
  try {
    const admin = await adminSession(t);
    for (const [slug, capture] of [['bench-off', 'off'], ['bench-meta', 'metadata']] as const) {
      const res = await fetch(`${t.url}/v1/admin/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
        body: JSON.stringify({ slug, title: slug, kind: 'builtin', builtin: { server: 'bench_echo' }, payload_capture: capture }),
      });
      if (res.status !== 201) throw new Error(`register ${slug}: ${res.status} ${await res.text()}`);
    }
    const user = await signUp(t.url);
    const pool = async (slug: string) => {
      const out: Client[] = [];
      for (let i = 0; i < CONCURRENCY; i++) {
        const client = new Client({ name: 'bench', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
        await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/${slug}`), { requestInit: { headers: bearer(user.accessToken) } }));
        out.push(client);
      }
      clients.push(...out);
      return out;
    };
    const pools = { off: await pool('bench-off'), metadata: await pool('bench-meta') };
    await mcpLoad(pools.off, Math.min(REQUESTS, 500)); // warm-up both paths
    await mcpLoad(pools.metadata, Math.min(REQUESTS, 500));
    const results: Record<'off' | 'metadata', Figures[]> = { off: [], metadata: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['off', 'metadata'] as const) : (['metadata', 'off'] as const);
      for (const mode of order) results[mode].push(await mcpLoad(pools[mode], REQUESTS));
    }
    await t.platform.logging.requestLog.flush();
    const rows = async (service: string) =>
      Number(
        (
          await t.platform.database.db
            .selectFrom('request_log')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('service', '=', service)
            .where('method', '=', 'tools/call')
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const figures = (mode: 'off' | 'metadata') => ({
      rps: median(results[mode].map((x) => x.rps)),
      p50: median(results[mode].map((x) => x.p50)),
      p99: median(results[mode].map((x) => x.p99)),
      cpuUs: median(results[mode].map((x) => x.cpuUs)),
      loopCpuUs: median(results[mode].map((x) => x.loopCpuUs)),
    });
    const off = figures('off');
    const meta = figures('metadata');
    // Each round runs off and metadata back to back, so a round's ratio sees the same machine load.
    const pairCost = median(results.off.map((o, i) => ((o.rps - results.metadata[i]!.rps) / o.rps) * 100));
    const line = (name: string, r: Figures, rows: number) =>
      `${name.padEnd(9)} ${r.rps.toFixed(0).padStart(6)} calls/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  cpu ${r.cpuUs.toFixed(0)} µs/call (main thread ${r.loopCpuUs.toFixed(0)})  rows ${rows}`;
    console.log(`MCP tools/call, ${CONCURRENCY} clients per mode, ${REQUESTS} calls per round, ${ROUNDS} rounds alternating (median of rounds)`);
    console.log(line('off', off, await rows('bench-off')));
    console.log(line('metadata', meta, await rows('bench-meta')));
    console.log(`per round (calls/s): off ${results.off.map((x) => x.rps.toFixed(0)).join(' ')} | metadata ${results.metadata.map((x) => x.rps.toFixed(0)).join(' ')}`);
    console.log(`throughput cost of metadata logging (MCP): ${pairCost.toFixed(1)}% (median of per-round pairs; ${(((off.rps - meta.rps) / off.rps) * 100).toFixed(1)}% from the medians)`);
    console.log(`CPU cost of metadata logging (MCP, this process): ${(((meta.cpuUs - off.cpuUs) / off.cpuUs) * 100).toFixed(1)}%`);
    console.log(`CPU cost of metadata logging (MCP, main thread = the event loop): ${(((meta.loopCpuUs - off.loopCpuUs) / off.loopCpuUs) * 100).toFixed(1)}%`);
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    await t.close();
  }
}

const storage = process.env.DATABASE_URL ? 'postgres' : 'pglite';
console.log(`storage=${storage} requests=${REQUESTS} concurrency=${CONCURRENCY} rounds=${ROUNDS}`);
await mcpBench();
if (values.rest) {
  const off = await run('off');
  const meta = await run('metadata');
  console.log('REST (unauthenticated 404), one platform per mode (median of rounds)');
  for (const [name, r] of [['off', off], ['metadata', meta]] as const) {
    console.log(`${name.padEnd(9)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  rows ${r.rows}`);
  }
  console.log(`throughput cost of metadata logging (REST): ${(((off.rps - meta.rps) / off.rps) * 100).toFixed(1)}%`);
}
console.log(`requestLog.record(): ${(await recordCost()).toFixed(0)} ns per call (enqueue only)`);
loop.close();
