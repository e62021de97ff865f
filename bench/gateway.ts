/**
 * Gateway benchmark (not a test): `npm run bench:gateway`.
 *
 * Starts the platform as a separate `serve` process (embedded PGlite in a temp dir, or
 * DATABASE_URL/REDIS_URL when set; rate limits raised so they never trigger), signs a user up
 * through /auth/v1, then drives it with autocannon from this process:
 *   healthz      GET /healthz            no auth, no rate limit: the bare edge (request id, log, helmet, CORS)
 *   public       GET /v1/openapi.json    + the per-IP rate limit
 *   jwt-user     GET /auth/v1/user       + JWT verification (ES256, revocation cache) and a user read
 *   jwt-v1       GET /v1/api-keys        + authenticate + per-user rate limit + a DB query
 *   apikey-v1    GET /v1/api-keys        the same with a personal API key as Bearer
 * and prints req/s, latency, and the authenticated routes' overhead per request against /healthz.
 *
 * Options (env): BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 10), BENCH_WARMUP (s, 2).
 */
import { execSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startPlatform } from './platform.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);

interface Result {
  name: string;
  path: string;
  rps: number;
  latencyMean: number;
  latencyP50: number;
  latencyP99: number;
  non2xx: number;
  errors: number;
}


async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function run(url: string, headers: Record<string, string>, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, headers }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function main() {
  const server = await startPlatform(ROOT, 'gateway', process.env.REDIS_URL);
  try {
    const email = `bench-${Date.now()}@example.test`;
    const password = 'bench-password-123';
    const session = await json<{ access_token: string }>(
      await fetch(`${server.url}/auth/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: 'bench' },
        body: JSON.stringify({ email, password }),
      }),
    );
    const jwt = { authorization: `Bearer ${session.access_token}` };
    const created = await json<Record<string, unknown>>(
      await fetch(`${server.url}/v1/api-keys`, {
        method: 'POST',
        headers: { ...jwt, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench' }),
      }),
    );
    const apiKey = String(created.key ?? created.token ?? created.secret ?? created.api_key ?? '');
    const targets: Array<{ name: string; path: string; headers: Record<string, string> }> = [
      { name: 'healthz', path: '/healthz', headers: {} },
      { name: 'public', path: '/v1/openapi.json', headers: {} },
      { name: 'jwt-user', path: '/auth/v1/user', headers: { ...jwt, apikey: 'bench' } },
      { name: 'jwt-v1', path: '/v1/api-keys', headers: jwt },
      ...(apiKey ? [{ name: 'apikey-v1', path: '/v1/api-keys', headers: { authorization: `Bearer ${apiKey}` } }] : []),
    ];
    const results: Result[] = [];
    for (const t of targets) {
      const check = await fetch(`${server.url}${t.path}`, { headers: t.headers });
      await check.arrayBuffer();
      if (check.status !== 200) throw new Error(`${t.name}: ${t.path} answered ${check.status}`);
      if (WARMUP > 0) await run(`${server.url}${t.path}`, t.headers, WARMUP);
      const r = await run(`${server.url}${t.path}`, t.headers, DURATION);
      results.push({
        name: t.name,
        path: t.path,
        rps: r.requests.average,
        latencyMean: r.latency.mean,
        latencyP50: r.latency.p50,
        latencyP99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
      });
      console.error(`${t.name}: ${r.requests.average.toFixed(0)} req/s, mean ${r.latency.mean.toFixed(2)} ms`);
    }

    const base = results[0] as Result;
    const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
    const cpus = os.cpus();
    console.log(`\n## Gateway benchmark ${new Date().toISOString()}`);
    console.log(`commit ${commit}; node ${process.version}; ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}; load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`storage ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}${process.env.REDIS_URL ? ' + Redis' : ''}; ${CONNECTIONS} connections, ${DURATION}s per route (+${WARMUP}s warm-up)\n`);
    console.log('| route | req/s | mean ms | p50 ms | p99 ms | overhead vs /healthz (mean ms) | req/s ratio vs /healthz | non-2xx |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      const overhead = r.latencyMean - base.latencyMean;
      const ratio = r.rps / base.rps;
      console.log(
        `| ${r.name} \`${r.path}\` | ${r.rps.toFixed(0)} | ${r.latencyMean.toFixed(2)} | ${r.latencyP50} | ${r.latencyP99} | ${r === base ? '—' : `${overhead >= 0 ? "+" : ""}${overhead.toFixed(2)}`} | ${ratio.toFixed(2)} | ${r.non2xx + r.errors} |`,
      );
    }
    const outDir = path.join(ROOT, 'bench', 'results');
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, `gateway-${Date.now()}.json`), JSON.stringify({ commit, results }, null, 2));
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
