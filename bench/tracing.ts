/**
 * Benchmark (not a test): what OpenTelemetry tracing costs on the request path.
 *
 *   npx tsx bench/tracing.ts [--requests 3000] [--concurrency 32] [--rounds 3]
 *
 * An authenticated `GET /v1/services` (server span, per-IP rate limit, auth, per-user rate limit,
 * DB statements when the catalog cache is cold) with OTEL_TRACES_EXPORTER=none ("off") against
 * `otlp` ("on", every request sampled, exported to a local sink that speaks OTLP/HTTP and discards;
 * it stands in for a collector). Then the off-path helpers in a tight loop against a direct call.
 * Storage follows DATABASE_URL as in the tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createTracing } from '../src/logging/index.js';
import { traceUpstreamCall } from '../src/tracing/index.js';
import { loadConfig } from '../src/config/index.js';
import { pino } from 'pino';
import { startPlatform, testEnv, type TestPlatform } from '../test/support/platform.js';
import { signUp } from '../test/support/users.js';
import { getLoop } from './get-loop.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

const loop = getLoop(CONCURRENCY);
const load = (base: string, token: string) => loop.run(REQUESTS, () => `${base}/v1/services`, { authorization: `Bearer ${token}` });

/** Accepts OTLP/HTTP exports and throws them away, counting spans. */
async function sink(): Promise<{ url: string; spans: () => number; close(): Promise<void> }> {
  let spans = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
    for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function start(mode: 'off' | 'on', collector: string): Promise<{ t: TestPlatform; token: string }> {
  const t = await startPlatform({
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    ...(mode === 'on' ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector, OTEL_BSP_MAX_QUEUE_SIZE: '100000' } : {}),
  });
  const { accessToken } = await signUp(t.url);
  await load(t.url, accessToken); // warm-up
  return { t, token: accessToken };
}

/** Both platforms in this process (one traced, one not), rounds alternating so machine noise hits both alike. */
async function run(collector: string): Promise<Record<'off' | 'on', { rps: number; p50: number; p99: number }>> {
  const platforms = { off: await start('off', collector), on: await start('on', collector) };
  try {
    const results: Record<'off' | 'on', Array<{ rps: number; p50: number; p99: number }>> = { off: [], on: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of r % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        results[mode].push(await load(platforms[mode].t.url, platforms[mode].token));
      }
    }
    const med = (mode: 'off' | 'on', k: 'rps' | 'p50' | 'p99') => results[mode].map((x) => x[k]).sort((a, b) => a - b)[Math.floor(results[mode].length / 2)]!;
    const summary = (mode: 'off' | 'on') => ({ rps: med(mode, 'rps'), p50: med(mode, 'p50'), p99: med(mode, 'p99') });
    return { off: summary('off'), on: summary('on') };
  } finally {
    await platforms.on.t.close();
    await platforms.off.t.close();
  }
}

/** ns per call of the off-path helpers against calling the function directly. */
async function offPathCost(): Promise<{ direct: number; traced: number; upstream: number }> {
  const tracing = await createTracing({ config: loadConfig(testEnv()), logger: pino({ level: 'silent' }), serviceVersion: '0' });
  const fn = async (x: number) => x + 1;
  const traced = tracing.traced('auth', fn);
  const N = 1_000_000;
  const time = async (call: (i: number) => Promise<number>) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await call(i);
    return Number(process.hrtime.bigint() - t0) / N;
  };
  const info = { service: 's', instance: 'builtin:x', method: 'tools/call' };
  await time(fn);
  return { direct: await time(fn), traced: await time(traced), upstream: await time((i) => traceUpstreamCall(info, () => fn(i))) };
}

const collector = await sink();
const storage = process.env.DATABASE_URL ? 'postgres' : 'pglite';
console.log(`storage=${storage} requests=${REQUESTS} concurrency=${CONCURRENCY} rounds=${ROUNDS} (median of rounds)`);
const { off, on } = await run(collector.url);
for (const [name, r] of [['off', off], ['on', on]] as const) {
  console.log(`${name.padEnd(4)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`);
}
console.log(`spans exported while on: ${collector.spans()}`);
console.log(`throughput cost of tracing on: ${(((off.rps - on.rps) / off.rps) * 100).toFixed(1)}%`);
const cost = await offPathCost();
console.log(`off path, ns per call: direct ${cost.direct.toFixed(0)}, tracing.traced() ${cost.traced.toFixed(0)}, traceUpstreamCall() ${cost.upstream.toFixed(0)}`);
loop.close();
await collector.close();
