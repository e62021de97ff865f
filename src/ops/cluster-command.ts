import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEverythingHttp, type EverythingHttp } from './everything.js';
import { descendantsOf, startCluster, type Cluster, type ReplicaProcess, type ServeCommand } from './cluster.js';
import { adminToken, ensureHttpService, MixedTraffic, type MinuteStats, type TrafficTotals } from './traffic.js';

/**
 * The operator commands around the local cluster (docs/operations.md):
 *
 *   cluster          3 replicas + HAProxy (+ Prometheus) until Ctrl-C      (npm run cluster)
 *   rolling-restart  the same under mixed traffic, each replica replaced in turn (npm run rolling-restart)
 *   soak             the same under mixed traffic for --minutes N              (npm run soak -- --minutes N)
 *
 * PostgreSQL and Redis are the machine's (DATABASE_URL / REDIS_URL, else 127.0.0.1:5432 as postgres and
 * 127.0.0.1:6379), in a database of the cluster's own (`--database`, default mcp_cluster, created when
 * missing) and schema (`--schema`, default mcp_platform). The master key and the admin's password
 * are kept in `--state-dir` (default data/cluster) so that a second run opens the first one's data.
 */

export const STDIO_SLUG = 'everything';
export const HTTP_SLUG = 'everything-http';

const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rate limits far above the offered load: computed on every request, never triggered (load runs only). */
export const LOAD_ENV = {
  RATE_LIMIT_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_USER_PER_MINUTE: '1000000',
  MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000',
  AUTH_SIGNUPS_PER_IP_PER_HOUR: '1000000',
};

const OPTIONS = {
  replicas: { type: 'string', default: '3' },
  port: { type: 'string', default: '0' },
  database: { type: 'string', default: 'mcp_cluster' },
  schema: { type: 'string', default: 'mcp_platform' },
  'state-dir': { type: 'string', default: 'data/cluster' },
  prometheus: { type: 'boolean', default: true },
  'keep-dir': { type: 'boolean', default: false },
  // rolling-restart and soak
  rate: { type: 'string' },
  users: { type: 'string', default: '4' },
  minutes: { type: 'string' },
  'warmup-seconds': { type: 'string', default: '5' },
  'max-seconds': { type: 'string', default: '10' },
  json: { type: 'string' },
} as const;

function positiveInt(name: string, raw: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: give a whole number of at least ${min}, not "${raw}"`);
  return n;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The PostgreSQL URL of `database` on the server of DATABASE_URL (else the local one); created when missing. */
export async function clusterDatabase(database: string, base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new UsageError(`--database: a lower-case PostgreSQL name, not "${database}"`);
  const target = new URL(base);
  target.pathname = `/${database}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) {
      await admin.query(`create database ${database}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile
      });
      note(`created database ${database}`);
    }
  } finally {
    await admin.end();
  }
  return target.toString();
}

interface ClusterState {
  masterKey: string;
  adminEmail: string;
  adminPassword: string;
}

/** The master key and admin of the cluster's database, made on the first run (files of mode 600). */
async function clusterState(dir: string): Promise<ClusterState> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'cluster.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ClusterState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const state: ClusterState = {
    masterKey: process.env.PLATFORM_ENCRYPTION_KEY ?? `cluster:${randomBytes(32).toString('base64')}`,
    adminEmail: process.env.ADMIN_EMAIL ?? 'admin@cluster.local',
    adminPassword: process.env.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url'),
  };
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

export type DemoUpstream = EverythingHttp;

/** server-everything over Streamable HTTP: the http service of the demo and of the traffic. */
export function startDemoUpstream(): Promise<DemoUpstream> {
  return startEverythingHttp('streamableHttp');
}

/** Request-log rows (kind mcp) of these users, once the count stops changing or reaches `want`. */
export async function requestLogRows(databaseUrl: string, schema: string, userIds: string[], want?: number, waitMs = 30_000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + waitMs;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${pg.escapeIdentifier(schema)}.request_log where kind = 'mcp' and user_id::text = any($1::text[])`, [userIds]);
      const n = Number(rows[0]!.n);
      if (n !== last) stableSince = Date.now();
      last = n;
      if (n === want || Date.now() - stableSince > 5_000 || Date.now() > deadline) return n;
      await sleep(250);
    }
  } finally {
    await client.end();
  }
}

export interface ProcessFigures {
  rssMb: number;
  heapMb: number;
  fds: number;
  stdioProcesses: number;
}

function procRssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** RSS, heap (from its /metrics), open fds and stdio children of one replica. */
export async function replicaFigures(r: ReplicaProcess): Promise<ProcessFigures> {
  const pid = r.child.pid!;
  const metrics = await (await fetch(`${r.url}/metrics`)).text();
  const heap = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(metrics);
  return {
    rssMb: procRssKb(pid) / 1024,
    heapMb: heap ? Number(heap[1]) / 2 ** 20 : NaN,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    stdioProcesses: descendantsOf(pid).length,
  };
}

export async function clusterFigures(cluster: Cluster): Promise<ProcessFigures & { perReplica: ProcessFigures[] }> {
  const perReplica = await Promise.all(cluster.replicas.map(replicaFigures));
  const sum = (k: keyof ProcessFigures) => perReplica.reduce((a, f) => a + f[k], 0);
  return { rssMb: sum('rssMb'), heapMb: sum('heapMb'), fds: sum('fds'), stdioProcesses: sum('stdioProcesses'), perReplica };
}

interface Started {
  cluster: Cluster;
  upstream: DemoUpstream;
  state: ClusterState;
  databaseUrl: string;
  schema: string;
}

async function bringUp(values: { replicas: string; port: string; database: string; schema: string; 'state-dir': string; prometheus: boolean; 'keep-dir': boolean }, serve: ServeCommand, load: boolean, signal: AbortSignal): Promise<Started> {
  const replicas = positiveInt('replicas', values.replicas);
  const port = positiveInt('port', values.port, 0);
  const databaseUrl = await clusterDatabase(values.database);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const state = await clusterState(path.resolve(values['state-dir']));
  const upstream = await startDemoUpstream();
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      replicas,
      serve,
      port,
      databaseUrl,
      redisUrl,
      schema: values.schema,
      redisKeyPrefix: `cluster:${values.database}:${values.schema}:`,
      masterKey: state.masterKey,
      prometheus: values.prometheus ? 'auto' : false,
      keepDir: values['keep-dir'],
      prometheusRules: path.resolve('deploy/prometheus/alerts.yml'),
      env: { ADMIN_EMAIL: state.adminEmail, ADMIN_PASSWORD: state.adminPassword, ...(load ? LOAD_ENV : {}) },
      log: note,
      signal,
    });
  } catch (err) {
    await upstream.stop();
    throw err;
  }
  try {
    const admin = await adminToken(cluster.url, state.adminEmail, state.adminPassword);
    await ensureHttpService(cluster.url, admin, HTTP_SLUG, upstream.url);
  } catch (err) {
    await cluster.stop();
    await upstream.stop();
    throw err;
  }
  return { cluster, upstream, state, databaseUrl, schema: values.schema };
}

async function bringDown(s: Started): Promise<void> {
  await s.cluster.stop();
  await s.upstream.stop();
}

/** Runs `work` until it settles or `signal` aborts; stops everything either way. */
async function withCluster(s: Started, signal: AbortSignal, work: (signal: AbortSignal) => Promise<number>): Promise<number> {
  try {
    return await work(signal);
  } finally {
    await bringDown(s);
    note('stopped: every replica, HAProxy, Prometheus and the demo upstream have exited');
  }
}

const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
const abortableSleep = (ms: number, signal: AbortSignal) => Promise.race([sleep(ms), untilAborted(signal)]);

function summary(t: TrafficTotals): string {
  const kinds = Object.entries(t.byKind)
    .map(([k, v]) => `${k} ${v.sent}/${v.failed}`)
    .join(', ');
  return `sent ${t.sent}, answered ${t.answered}, failed ${t.failed}, skipped ${t.skipped} (sent/failed: ${kinds})`;
}

export async function runClusterCommand(command: 'cluster' | 'rolling-restart' | 'soak', argv: string[], serve: ServeCommand): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowNegative: true });
  // Ctrl-C (or SIGTERM) at any point, start included, stops everything this command started.
  const abort = new AbortController();
  const onSignal = (sig: string) => {
    if (!abort.signal.aborted) note(`${sig}: stopping the cluster`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(command, values, serve, abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowNegative: true }>>['values'];

async function run(command: 'cluster' | 'rolling-restart' | 'soak', values: Values, serve: ServeCommand, abortSignal: AbortSignal): Promise<number> {
  if (command === 'cluster') {
    const s = await bringUp(values, serve, false, abortSignal);
    return withCluster(s, abortSignal, async (signal) => {
      out(`cluster ready: ${s.cluster.url}`);
      out(`  replicas:   ${s.cluster.replicas.map((r) => `${r.id} ${r.url}`).join(', ')}`);
      out(`  HAProxy:    ${s.cluster.statsUrl} (stats; Prometheus exporter at /metrics)`);
      out(`  Prometheus: ${s.cluster.prometheusUrl ?? `not running: ${s.cluster.prometheusSkipped}`}`);
      out(`  admin:      ${s.state.adminEmail} (password in ${path.resolve(values['state-dir'], 'cluster.json')})`);
      out(`  services:   ${STDIO_SLUG} (stdio), ${HTTP_SLUG} (http, ${s.upstream.url})`);
      out(`  database:   ${new URL(s.databaseUrl).pathname.slice(1)}, schema ${s.schema}; files in ${s.cluster.dir}`);
      out('Ctrl-C stops everything.');
      await untilAborted(signal);
      return 0;
    });
  }

  const rateFlag = values.rate === undefined ? undefined : positiveInt('rate', values.rate);
  const users = positiveInt('users', values.users);
  const warmupMs = positiveInt('warmup-seconds', values['warmup-seconds'], 0) * 1000;
  const minutes = command === 'soak' ? positiveInt('minutes', values.minutes ?? '') : 0;
  const maxSeconds = positiveInt('max-seconds', values['max-seconds']);
  const s = await bringUp(values, serve, true, abortSignal);
  return withCluster(s, abortSignal, async (signal) => {
    const traffic = await MixedTraffic.setup({ url: s.cluster.url, adminEmail: s.state.adminEmail, adminPassword: s.state.adminPassword, stdioSlug: STDIO_SLUG, httpSlug: HTTP_SLUG, users });
    let rate = rateFlag;
    let measuredMax: number | undefined;
    let warmUp: Awaited<ReturnType<MixedTraffic['warmUp']>> | undefined;
    if (command === 'soak') {
      // The soak measures the steady state: every user's stdio child started and the replicas
      // warm before the first counted request (the cold start is not a leak or an error rate).
      warmUp = await traffic.warmUp();
      note(`warm-up: ${warmUp.calls} calls in ${warmUp.ms} ms (${warmUp.failed} retried${warmUp.failed ? `: ${[...new Set(warmUp.failures)].slice(0, 5).join('; ')}` : ''}); counting starts now`);
    }
    if (command === 'soak' && rate === undefined) {
      const max = await traffic.measureMax(maxSeconds);
      measuredMax = max.rate;
      rate = Math.max(1, Math.floor(max.rate / 2));
      note(`measured maximum ${max.rate.toFixed(0)} requests/s (${max.requests} requests, ${max.failed} failed, ${maxSeconds} s closed loop); soaking at half: ${rate}/s`);
    }
    rate ??= 40;
    traffic.start(rate);
    note(`mixed traffic at ${rate}/s through ${s.cluster.url}: ${traffic.sessionCount} 2025-era sessions (stdio and http) and 2026 stateless calls`);
    let report: Record<string, unknown>;
    let ok: boolean;
    if (command === 'rolling-restart') {
      await abortableSleep(warmupMs, signal);
      const restarts = await s.cluster.rollingRestart((r) =>
        note(`replaced ${r.oldId} by ${r.newId}: drained and exited (code ${r.exitCode}) in ${r.drainMs} ms, new one ready in ${r.readyMs} ms, UP in HAProxy ${r.lbUpMs} ms later`),
      );
      await abortableSleep(warmupMs, signal);
      const totals = await traffic.stop();
      const broken = await traffic.checkSessions();
      const after = traffic.snapshot();
      const answered = after.answered + traffic.initializes;
      const rows = await requestLogRows(s.databaseUrl, s.schema, traffic.userIds, answered);
      ok = totals.failed === 0 && broken.length === 0 && rows === answered && after.failed === 0;
      report = { rate, during: totals, sessions: { checked: traffic.sessionCount, broken }, answeredIncludingInitialize: answered, requestLogRows: rows, restarts };
      note(`during the restart: ${summary(totals)}`);
      note(`sessions afterwards: ${traffic.sessionCount - broken.length}/${traffic.sessionCount} working; request-log rows ${rows} for ${answered} answered requests`);
    } else {
      const launch = await clusterFigures(s.cluster);
      const samples: Array<{ minute: number; figures: Awaited<ReturnType<typeof clusterFigures>> }> = [{ minute: 0, figures: launch }];
      note(`minute 0: ${figuresLine(launch)}`);
      let reported = 0;
      for (let minute = 1; minute <= minutes && !signal.aborted; minute++) {
        await abortableSleep(60_000, signal);
        if (signal.aborted) break;
        const figures = await clusterFigures(s.cluster);
        samples.push({ minute, figures });
        const stats = traffic.perMinute().filter((m) => m.minute >= reported);
        reported = minute;
        note(`minute ${minute}: ${figuresLine(figures)}; ${stats.map(minuteLine).join('; ')}`);
      }
      const totals = await traffic.stop();
      // Start and end are each the median of five one-minute samples (minutes 1–5, and the last
      // five): one sample catches whatever is in flight at that instant (a minute slowed by the
      // host holds many more sockets and queued requests), the median shows the level. Minute 0 is
      // before the replicas are warm.
      // A soak stopped before minute 1 has only minute 0: its figures stand for both (no empty median).
      const warm = samples.length > 1 ? samples.slice(1) : samples;
      const start = medianFigures(warm.slice(0, 5).map((x) => x.figures));
      const end = medianFigures(warm.slice(-5).map((x) => x.figures));
      const change = (k: 'rssMb' | 'fds' | 'heapMb') => (end[k] - start[k]) / start[k];
      ok = totals.failed === 0 && !signal.aborted && Math.abs(change('rssMb')) <= 0.1 && Math.abs(change('fds')) <= 0.1;
      report = {
        minutes: samples.length - 1,
        rate,
        warmUp,
        measuredMax,
        totals,
        perMinute: traffic.perMinute(),
        figures: { launch, start, end, change: { rss: change('rssMb'), heap: change('heapMb'), fds: change('fds') } },
        perMinuteFigures: samples.map((x) => ({ minute: x.minute, rssMb: x.figures.rssMb, heapMb: x.figures.heapMb, fds: x.figures.fds, stdioProcesses: x.figures.stdioProcesses })),
      };
      note(`soak: ${summary(totals)}`);
      note(`start (median of minutes 1-5): ${figuresLine(start)}`);
      note(`end (median of the last 5):    ${figuresLine(end)}`);
      note(`RSS ${pct(change('rssMb'))}, heap ${pct(change('heapMb'))}, fds ${pct(change('fds'))}`);
    }
    await traffic.close();
    const text = JSON.stringify({ command, ok, ...report }, null, 2);
    if (values.json) await writeFile(values.json, `${text}\n`);
    out(text);
    return ok ? 0 : 1;
  });
}

/** Each figure's median over `samples` (the per-replica figures of the middle sample by RSS). */
function medianFigures(samples: Array<ProcessFigures & { perReplica: ProcessFigures[] }>): ProcessFigures & { perReplica: ProcessFigures[] } {
  const median = (k: keyof ProcessFigures) => {
    const sorted = samples.map((f) => f[k]).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  };
  const byRss = [...samples].sort((a, b) => a.rssMb - b.rssMb);
  return { rssMb: median('rssMb'), heapMb: median('heapMb'), fds: median('fds'), stdioProcesses: median('stdioProcesses'), perReplica: byRss[Math.floor((byRss.length - 1) / 2)]!.perReplica };
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

function figuresLine(f: ProcessFigures & { perReplica: ProcessFigures[] }): string {
  return `RSS ${f.rssMb.toFixed(0)} MB, heap ${f.heapMb.toFixed(0)} MB, fds ${f.fds}, stdio processes ${f.stdioProcesses} (${f.perReplica.length} replicas)`;
}

function minuteLine(m: MinuteStats): string {
  return `${m.requests} requests, ${m.failed} failed, p50 ${m.p50Ms.toFixed(1)} ms, p99 ${m.p99Ms.toFixed(1)} ms`;
}
