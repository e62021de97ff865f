import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A cluster on one machine (docs/operations.md, "A cluster on one machine"): N `serve` processes on
 * one PostgreSQL schema and one Redis prefix, behind HAProxy, optionally scraped by Prometheus.
 *
 * Why HAProxy and not nginx: open-source nginx has passive health checks only (max_fails /
 * fail_timeout, noticed on live traffic), so it cannot see a replica that answers but is not ready
 * (`/readyz` 503: database or Redis gone) and it does not retry a POST it has already sent. HAProxy
 * checks `/readyz` actively (a replica leaves the pool within a second of failing it, before users
 * see errors), retries a request on another replica when the connection failed or the server
 * closed it without a byte of answer (the idle keep-alive race of a replica that is shutting
 * down), and has a runtime API (a UNIX socket) to read each server's state and to drain one.
 *
 * Everything lives in one temporary directory: the HAProxy and Prometheus configurations, their
 * pid files and sockets, each replica's DATA_DIR and log. Nothing global is touched; ports are
 * picked free (or given). `stop()` ends every process this module started and waits for them.
 */

export interface ServeCommand {
  /** The executable (usually process.execPath). */
  command: string;
  /** Arguments up to and including `serve`. */
  args: string[];
}

export interface ClusterOptions {
  replicas: number;
  serve: ServeCommand;
  databaseUrl: string;
  redisUrl: string;
  /** DATABASE_SCHEMA of every replica. */
  schema: string;
  /** REDIS_KEY_PREFIX of every replica. */
  redisKeyPrefix: string;
  /** PLATFORM_ENCRYPTION_KEY shared by every replica. */
  masterKey: string;
  /** The load balancer's port (0 = pick a free one). */
  port?: number;
  /** Further environment of every replica (platform settings); PATH and HOME are passed through. */
  env?: Record<string, string>;
  /** 'auto': run Prometheus when `prometheus` is on PATH. */
  prometheus?: boolean | 'auto';
  /** The Prometheus rules file to load (deploy/prometheus/alerts.yml). */
  prometheusRules?: string;
  /** Where to keep everything (default: a new temp dir, removed by stop() unless `keepDir`). */
  dir?: string;
  /** Keep the temp dir (logs, configurations) after stop(). */
  keepDir?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
  /** How long a replica may take to pass /readyz (default 300 s: a cold start migrates; a loaded host is slow). */
  readyTimeoutMs?: number;
  /** Aborts the start (Ctrl-C while replicas come up): what was started is stopped. */
  signal?: AbortSignal;
}

export interface ReplicaProcess {
  /** 1-based slot; the HAProxy server is `r<slot>`. */
  slot: number;
  /** Generation of the slot: 1 at start, +1 at each restart. */
  generation: number;
  id: string;
  port: number;
  url: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface LbServerState {
  name: string;
  /** HAProxy's view: UP, DOWN, MAINT, DRAIN, "UP 1/2", "DOWN 1/2", ... */
  status: string;
  /** Current connections to the server. */
  current: number;
}

export interface RestartReport {
  slot: number;
  oldId: string;
  newId: string;
  /** SIGTERM until the old process exited (its drain: in-flight requests, request log, children). */
  drainMs: number;
  exitCode: number | null;
  /** The new process started until /readyz answered 200. */
  readyMs: number;
  /** /readyz passed until HAProxy counted the server UP again. */
  lbUpMs: number;
}

export interface Cluster {
  url: string;
  dir: string;
  replicas: ReplicaProcess[];
  /** HAProxy's stats page (and its Prometheus exporter at /metrics). */
  statsUrl: string;
  prometheusUrl?: string;
  /** Why Prometheus is not running, when it is not. */
  prometheusSkipped?: string;
  lbState(): Promise<LbServerState[]>;
  /** SIGTERM one replica, wait for it to drain and exit, start its successor and wait for /readyz and HAProxy. */
  restartReplica(slot: number): Promise<RestartReport>;
  /** Every replica in turn; the next goes only once its predecessor's successor is UP in HAProxy. */
  rollingRestart(onEach?: (r: RestartReport) => void): Promise<RestartReport[]>;
  /** PIDs of every live process below this one (replicas, their stdio children, HAProxy, Prometheus). */
  descendants(): number[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Whether an executable is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function haproxyConfig(o: { dir: string; port: number; statsPort: number; replicas: Array<{ slot: number; port: number }> }): string {
  const servers = o.replicas.map((r) => `  server r${r.slot} 127.0.0.1:${r.port}`).join('\n');
  // Fail open: when every replica fails its check (the database down for all of them, or checks
  // timing out on an overloaded host), requests still reach them, so what they can serve from
  // cache is served and the rest gets the platform's own error, not the LB's bare 503.
  const failOpen = o.replicas.map((r) => `  server r${r.slot}-fail-open 127.0.0.1:${r.port} backup no-check`).join('\n');
  return `# Written by the cluster script (src/ops/cluster.ts); lives in ${o.dir} only.
global
  pidfile ${o.dir}/haproxy.pid
  stats socket ${o.dir}/haproxy.sock mode 600 level admin
  # Each connection takes two file descriptors (client and server side): within a usual 20k ulimit.
  maxconn 8000
  log stdout format raw local0

defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 10m
  # SSE answers and GET streams stay open while the platform streams; it sends its own keepalives.
  timeout server 10m
  timeout http-request 10s
  timeout http-keep-alive 30s
  timeout queue 10s
  # Another replica when the connection failed or the server closed it before a byte of answer:
  # the platform only does that when it is shutting down and had not read the request.
  retries 3
  retry-on conn-failure empty-response
  option redispatch 1

frontend platform
  bind 127.0.0.1:${o.port}
  option forwardfor
  default_backend replicas

backend replicas
  balance roundrobin
  # Active readiness checks: a replica whose database or Redis is gone (503), or that does not
  # answer within 5 s, leaves the pool after 3 failed checks and returns after 2 good ones.
  option httpchk GET /readyz
  http-check expect status 200
  timeout check 5s
  # Fail open across every replica (not only the first backup) when none passes its check.
  option allbackups
  default-server check inter 2s fastinter 500ms downinter 1s fall 3 rise 2
${servers}
${failOpen}

frontend stats
  bind 127.0.0.1:${o.statsPort}
  http-request use-service prometheus-exporter if { path /metrics }
  stats enable
  stats uri /
  stats refresh 5s
`;
}

export function prometheusConfig(o: { dir: string; statsPort: number; rules?: string }): string {
  return `# Written by the cluster script (src/ops/cluster.ts).
global:
  scrape_interval: 5s
  evaluation_interval: 15s
${o.rules ? `rule_files:\n  - ${JSON.stringify(o.rules)}\n` : ''}scrape_configs:
  - job_name: mcp-platform
    metrics_path: /metrics
    file_sd_configs:
      - files: [${JSON.stringify(path.join(o.dir, 'replicas.json'))}]
        refresh_interval: 5s
  - job_name: haproxy
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:${o.statsPort}"]
`;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100, abort?: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let aborted: unknown;
  void abort?.then((v) => (aborted = v ?? true));
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error(`${what}: interrupted`);
    if (aborted) throw new Error(`${what}: the process exited first`);
    if (await check().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

async function ready(url: string): Promise<boolean> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.status === 200;
}

/** One command on HAProxy's runtime API (a UNIX socket; one command per connection). */
export function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socket);
    let out = '';
    conn.setEncoding('utf8');
    conn.on('data', (d: string) => (out += d));
    conn.on('error', reject);
    conn.on('end', () => resolve(out));
    conn.write(`${command}\n`);
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves when the process is gone. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals, graceMs: number) {
  const exited = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Live descendants of `root` (from /proc; Linux). */
export function descendantsOf(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue;
      const ppid = Number(rest[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  if (!Number.isInteger(options.replicas) || options.replicas < 1) throw new Error('replicas: give a whole number of at least 1');
  if (!onPath('haproxy')) throw new Error('haproxy is not installed (Debian: apt-get install -y haproxy); the cluster needs it as its load balancer');
  const log = options.log ?? (() => undefined);
  const ownDir = !options.dir;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'mcp-cluster-')));
  await mkdir(dir, { recursive: true });
  const readyTimeoutMs = options.readyTimeoutMs ?? 300_000;
  const port = options.port || (await freePort());
  const statsPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const statsUrl = `http://127.0.0.1:${statsPort}`;
  const socket = path.join(dir, 'haproxy.sock');
  const replicas: ReplicaProcess[] = [];
  const others: ChildProcess[] = [];
  let stopping = false;
  const retiring = new Set<ReplicaProcess>();

  const ports: number[] = [];
  for (let i = 0; i < options.replicas; i++) ports.push(await freePort());

  const replicaEnv = (slot: number, id: string, replicaPort: number): Record<string, string> => ({
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    // Room for slow requests to finish on SIGTERM (the restart waits up to 60 s before SIGKILL).
    SHUTDOWN_TIMEOUT_MS: '30000',
    ...options.env,
    HOST: '127.0.0.1',
    PORT: String(replicaPort),
    PUBLIC_URL: options.env?.PUBLIC_URL ?? url,
    // One hop (HAProxy) in front: client IPs come from its X-Forwarded-For.
    TRUST_PROXY: options.env?.TRUST_PROXY ?? '1',
    DATA_DIR: path.join(dir, `replica-${slot}`),
    DATABASE_URL: options.databaseUrl,
    DATABASE_SCHEMA: options.schema,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.redisKeyPrefix,
    PLATFORM_ENCRYPTION_KEY: options.masterKey,
    REPLICA_ID: id,
    REPLICA_ADDRESS: `http://127.0.0.1:${replicaPort}`,
  });

  const writeTargets = async () => {
    const targets = replicas.map((r) => `127.0.0.1:${r.port}`);
    await writeFile(path.join(dir, 'replicas.json.tmp'), JSON.stringify([{ targets, labels: { cluster: 'local' } }]));
    // Prometheus reads file_sd files whole: replace atomically.
    const { rename } = await import('node:fs/promises');
    await rename(path.join(dir, 'replicas.json.tmp'), path.join(dir, 'replicas.json'));
  };

  const launch = async (slot: number, generation: number): Promise<ReplicaProcess> => {
    const replicaPort = ports[slot - 1]!;
    const id = `cluster-r${slot}-g${generation}`;
    await mkdir(path.join(dir, `replica-${slot}`), { recursive: true });
    const logFile = path.join(dir, `replica-${slot}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(options.serve.command, options.serve.args, { env: replicaEnv(slot, id, replicaPort), stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = exitOf(child);
    const replica: ReplicaProcess = { slot, generation, id, port: replicaPort, url: `http://127.0.0.1:${replicaPort}`, child, logFile, exited };
    void exited.then(({ code, signal }) => {
      if (!stopping && !retiring.has(replica)) log(`replica ${id} exited unexpectedly (code ${code}, signal ${signal}); see ${logFile}`);
    });
    return replica;
  };

  const lbState = async (): Promise<LbServerState[]> => {
    const csv = await haproxyCommand(socket, 'show stat');
    const lines = csv.split('\n').filter((l) => l.trim());
    const header = lines[0]!.replace(/^# /, '').split(',');
    const col = (name: string) => header.indexOf(name);
    return lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((f) => f[col('pxname')] === 'replicas' && f[col('svname')] !== 'BACKEND' && !f[col('svname')]!.endsWith('-fail-open'))
      .map((f) => ({ name: f[col('svname')]!, status: f[col('status')]!, current: Number(f[col('scur')]) }));
  };

  const lbUp = async (slot: number) => (await lbState()).find((s) => s.name === `r${slot}`)?.status === 'UP';

  const cluster: Cluster = {
    url,
    dir,
    replicas,
    statsUrl,
    lbState,
    descendants: () => descendantsOf(process.pid).filter((pid) => pid !== process.pid),
    async restartReplica(slot) {
      const old = replicas[slot - 1];
      if (!old) throw new Error(`no replica in slot ${slot}`);
      const t0 = Date.now();
      // The old process stops accepting, finishes in-flight requests, flushes its request log,
      // stops its stdio children and leaves the replica ring; HAProxy's /readyz check sees the
      // port close and takes it out of the pool; requests it refused meanwhile are retried elsewhere.
      retiring.add(old);
      const exit = await terminate(old.child, 'SIGTERM', 60_000);
      const drainMs = Date.now() - t0;
      const t1 = Date.now();
      const next = await launch(slot, old.generation + 1);
      replicas[slot - 1] = next;
      await waitFor(`replica ${next.id} /readyz`, () => ready(next.url), readyTimeoutMs, 100, next.exited);
      const readyMs = Date.now() - t1;
      const t2 = Date.now();
      await waitFor(`HAProxy counting ${next.id} UP`, () => lbUp(slot), readyTimeoutMs, 100);
      const report = { slot, oldId: old.id, newId: next.id, drainMs, exitCode: exit.code, readyMs, lbUpMs: Date.now() - t2 };
      await writeTargets();
      return report;
    },
    async rollingRestart(onEach) {
      const reports: RestartReport[] = [];
      for (let slot = 1; slot <= replicas.length; slot++) {
        const r = await cluster.restartReplica(slot);
        onEach?.(r);
        reports.push(r);
      }
      return reports;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      // Replicas first (graceful: they flush logs and stop their stdio children), then the LB and Prometheus.
      await Promise.all(replicas.map((r) => terminate(r.child, 'SIGTERM', 60_000)));
      await Promise.all(others.map((c) => terminate(c, 'SIGTERM', 10_000)));
      if (ownDir && !options.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    // The first replica migrates the schema alone; the others then start together.
    log(`starting ${options.replicas} replicas (logs in ${dir})`);
    replicas.push(await launch(1, 1));
    await waitFor(`replica ${replicas[0]!.id} /readyz`, () => ready(replicas[0]!.url), readyTimeoutMs, 100, replicas[0]!.exited, options.signal);
    for (let slot = 2; slot <= options.replicas; slot++) replicas.push(await launch(slot, 1));
    await Promise.all(replicas.slice(1).map((r) => waitFor(`replica ${r.id} /readyz`, () => ready(r.url), readyTimeoutMs, 100, r.exited, options.signal)));
    await writeTargets();

    const cfg = path.join(dir, 'haproxy.cfg');
    await writeFile(cfg, haproxyConfig({ dir, port, statsPort, replicas: replicas.map((r) => ({ slot: r.slot, port: r.port })) }));
    const check = spawnSync('haproxy', ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy rejected its configuration: ${check.stderr || check.stdout}`);
    const lbLog = openSync(path.join(dir, 'haproxy.log'), 'a');
    const lb = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', lbLog, lbLog] });
    closeSync(lbLog);
    others.push(lb);
    await waitFor('HAProxy counting every replica UP', async () => (await lbState()).every((s) => s.status === 'UP'), 30_000, 100, exitOf(lb), options.signal);

    const wantPrometheus = options.prometheus ?? 'auto';
    if (wantPrometheus === false) cluster.prometheusSkipped = 'not requested';
    else if (!onPath('prometheus')) {
      if (wantPrometheus === true) throw new Error('prometheus is not installed (Debian: apt-get install -y prometheus)');
      cluster.prometheusSkipped = 'prometheus is not installed (Debian: apt-get install -y prometheus)';
    } else {
      const promPort = await freePort();
      const promCfg = path.join(dir, 'prometheus.yml');
      await writeFile(promCfg, prometheusConfig({ dir, statsPort, ...(options.prometheusRules ? { rules: options.prometheusRules } : {}) }));
      const promLog = openSync(path.join(dir, 'prometheus.log'), 'a');
      const prom = spawn(
        'prometheus',
        [`--config.file=${promCfg}`, `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--storage.tsdb.retention.time=1d'],
        { stdio: ['ignore', promLog, promLog] },
      );
      closeSync(promLog);
      others.push(prom);
      cluster.prometheusUrl = `http://127.0.0.1:${promPort}`;
      await waitFor('Prometheus ready', async () => (await fetch(`${cluster.prometheusUrl}/-/ready`)).ok, 60_000, 200, exitOf(prom), options.signal);
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
