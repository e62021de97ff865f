/**
 * The rate-limit step of one MCP tools/call, on its own (not a test): `npx tsx bench/rate-limit.ts`.
 *
 * One "request" counts the three limits of a tools/call (per IP, per user, per user + service):
 *   rlf x3    three rate-limiter-flexible consumes one after another (RateLimiterRedis on Redis,
 *             RateLimiterMemory without): what the platform did before the store of
 *             src/gateway/rate-limit-store.ts;
 *   store     one `consume` of the three keys in that store: one script call on Redis.
 * Each runs on Redis (REDIS_URL, default redis://127.0.0.1:6379, keys under a prefix of their own,
 * deleted at the end) and in memory, at BENCH_CONCURRENCY (1 and 32) requests in flight, for
 * BENCH_OPS requests (4000), in BENCH_ROUNDS rounds (3) whose order rotates. Reports requests/s and
 * this process's CPU per request (user + system), and Redis / memory for each. A shared, busy machine
 * moves these numbers; the rounds show by how much.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createRateLimitStore, type RateLimiter } from '../src/gateway/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OPS = Number(process.env.BENCH_OPS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,32').split(',').map(Number);
const POINTS = 1e9;
const PREFIX = `bench:rl:${Date.now()}:`;

type Step = (i: number) => Promise<unknown>;

function rlf(redis: Redis | undefined): Step {
  const make = (name: string): RateLimiterAbstract => {
    const limits = { points: POINTS, duration: 60, keyPrefix: `rl:${name}` };
    return redis ? new RateLimiterRedis({ ...limits, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(limits) }) : new RateLimiterMemory(limits);
  };
  const [ip, user, svc] = [make('ip'), make('user'), make('mcp-user-service')];
  return async (i) => {
    const u = `u${i % 50}`;
    await ip.consume(`10.0.0.${i % 200}`);
    await user.consume(u);
    await svc.consume(`${u}:echo`);
  };
}

function store(redis: Redis | undefined): Step {
  const s = createRateLimitStore({ redis });
  const ip: RateLimiter = s.limiter('ip', POINTS, 60);
  const user: RateLimiter = s.limiter('user', POINTS, 60);
  const svc: RateLimiter = s.limiter('mcp-user-service', POINTS, 60);
  return (i) => {
    const u = `u${i % 50}`;
    return s.consume([
      { limiter: ip, key: `10.0.0.${i % 200}` },
      { limiter: user, key: u },
      { limiter: svc, key: `${u}:echo` },
    ]);
  };
}

async function run(step: Step, concurrency: number): Promise<{ rps: number; cpuUs: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < OPS) await step(next++);
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { rps: (OPS * 1000) / ms, cpuUs: (cpu.user + cpu.system) / OPS };
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL, { keyPrefix: PREFIX, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise<void>((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('error', reject);
  });
  const variants: Array<{ name: string; step: Step }> = [
    { name: 'rlf x3 memory', step: rlf(undefined) },
    { name: 'rlf x3 redis', step: rlf(redis) },
    { name: 'store memory', step: store(undefined) },
    { name: 'store redis', step: store(redis) },
  ];
  const results = new Map<string, Array<{ rps: number; cpuUs: number }>>();
  try {
    for (const v of variants) await run(v.step, 8); // warm-up: JIT, script load
    for (const c of CONCURRENCY) {
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < variants.length; k++) {
          const v = variants[(k + round) % variants.length]!;
          const r = await run(v.step, c);
          const key = `${v.name}|${c}`;
          results.set(key, [...(results.get(key) ?? []), r]);
          console.error(`c=${c} round ${round + 1} ${v.name}: ${r.rps.toFixed(0)} req/s, ${r.cpuUs.toFixed(1)} µs CPU/req`);
        }
      }
    }
  } finally {
    // KEYS answers with full names: delete them on a connection without the prefix.
    const plain = new Redis(REDIS_URL);
    const keys = await plain.keys(`${PREFIX}*`);
    if (keys.length) await plain.del(...keys).catch(() => undefined);
    plain.disconnect();
    redis.disconnect();
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
  console.log(`\n## Rate-limit step of one tools/call (3 limits), ${OPS} requests x ${ROUNDS} rounds, medians\n`);
  console.log('| in flight | variant | req/s | CPU µs/req | redis / memory req/s | redis / memory CPU |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
  for (const c of CONCURRENCY) {
    for (const kind of ['rlf x3', 'store']) {
      const mem = results.get(`${kind} memory|${c}`)!;
      const red = results.get(`${kind} redis|${c}`)!;
      const [mRps, mCpu, rRps, rCpu] = [median(mem.map((x) => x.rps)), median(mem.map((x) => x.cpuUs)), median(red.map((x) => x.rps)), median(red.map((x) => x.cpuUs))];
      console.log(`| ${c} | ${kind} memory | ${mRps.toFixed(0)} | ${mCpu.toFixed(1)} | | |`);
      console.log(`| ${c} | ${kind} redis | ${rRps.toFixed(0)} | ${rCpu.toFixed(1)} | ${(rRps / mRps).toFixed(3)} | ${(rCpu / mCpu).toFixed(1)} |`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
