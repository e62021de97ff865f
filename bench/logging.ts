/**
 * Benchmark (not a test): what request logging costs on the request path.
 *
 *   npx tsx bench/logging.ts [--requests 4000] [--concurrency 32] [--rounds 3]
 *
 * Until the MCP router lands this measures REST requests (an unauthenticated 404 through the full
 * edge: request id, access log, rate limit, trace, HTTP metrics, request-log row), with
 * LOG_REST_REQUESTS=false ("off") against LOG_REST_REQUESTS=true ("metadata": one row per request,
 * batched into the database). A cheap route is the worst case for the relative overhead. It also
 * times `requestLog.record()` itself. Storage follows DATABASE_URL as in the tests.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { startPlatform, type TestPlatform } from '../test/support/platform.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
    });
    req.on('error', reject);
  });
}

async function load(base: string): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        latencies.push(await get(`${base}/bench/item-${i % 100}`));
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { rps: REQUESTS / seconds, p50: q(0.5), p99: q(0.99) };
}

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

const storage = process.env.DATABASE_URL ? 'postgres' : 'pglite';
console.log(`storage=${storage} requests=${REQUESTS} concurrency=${CONCURRENCY} rounds=${ROUNDS} (median of rounds)`);
const off = await run('off');
const meta = await run('metadata');
for (const [name, r] of [['off', off], ['metadata', meta]] as const) {
  console.log(`${name.padEnd(9)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  rows ${r.rows}`);
}
console.log(`throughput cost of metadata logging: ${(((off.rps - meta.rps) / off.rps) * 100).toFixed(1)}%`);
console.log(`requestLog.record(): ${(await recordCost()).toFixed(0)} ns per call (enqueue only)`);
agent.destroy();
