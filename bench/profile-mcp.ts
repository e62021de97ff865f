/**
 * Profiling driver for the tools/call hot path (not a test): `npm run bench:profile-mcp`.
 *
 * Separate processes: the echo upstream (bench/echo-server.ts http, a real SDK server), the platform
 * (`node dist/main.js serve`, with `--cpu-prof` when PROFILE=1), and this load generator
 * (autocannon, JSON-RPC body built once). Everything is on: JWT auth with revocation cache, per-IP,
 * per-user and per user+service rate limits (raised so they never trigger), request logging.
 * For each round it measures, in the same run:
 *   direct     POST <upstream>/mcp            tools/call echo, 2026-07-28 stateless
 *   platform   POST <platform>/mcp/echo       the same call through the gateway and router
 * at a fixed offered rate (BENCH_RATE, default 1000 calls/s) and unbounded (max throughput), and
 * prints p50/p90/p99/max and req/s with the platform's overhead against direct (difference and
 * ratio). With PROFILE=1 the platform's CPU profile (bench/results/profiles/) is summarised as the
 * top self-time frames.
 *
 * Options (env): BENCH_DURATION (s, 8), BENCH_CONNECTIONS (20), BENCH_RATE (1000; 0 = max throughput only), BENCH_ONLY_RATE (1: the fixed rate only), BENCH_ROUNDS (1),
 * BENCH_PROTOCOL (2026-07-28 | 2025-11-25: the platform targets then run as one 2025-era session each,
 * `initialize` once and every call with its `Mcp-Session-Id`; direct stays 2026-07-28 stateless),
 * PROFILE (0|1), PLATFORM_NODE_FLAGS / BASELINE_NODE_FLAGS (Node flags of the build and the baseline),
 * PLATFORM_NODE / BASELINE_NODE (the Node binary each runs on, default this one's: a runtime against another), PLATFORM_MAIN (the build to measure, default dist/main.js), PLATFORM_BASELINE (another
 * build's dist/main.js, run side by side as `baseline`), DATABASE_URL / REDIS_URL (server mode),
 * PROFILE_HEAP=1 (the platform's bytes allocated per call and its top allocating frames, round 1,
 * from the inspector's sampling heap profiler with collected objects counted: what the GC works off),
 * BENCH_FLOOR=1 (also `floor`: bench/floor-proxy.ts, a bare node:http + undici proxy, the least CPU a
 * Node process spends to proxy the call), BENCH_PLATFORM_ENV ("K=V K2=V2", more of the platform's environment),
 * BENCH_COMPARE_REDIS=1 (the one build twice, side by side: `memory` without Redis and `redis` with
 * REDIS_URL, default redis://127.0.0.1:6379, so Redis mode's cost is read against memory mode in
 * the same rounds; with PLATFORM_BASELINE, that build too, as `baseline-memory` and `baseline-redis`).
 * "gateway CPU ms/call" is the platform process's user+system CPU per call (from /proc, all its
 * threads: what process.cpuUsage() would report), "of it main thread" the request path's own share
 * (the rest: the PGlite worker's request-log inserts, GC helper threads, libuv): on a shared, noisy
 * machine these move far less than wall-clock latency, and they are the figures to compare builds
 * by (issue 11 §4's budget is ≤ 0.35 ms per tools/call). autocannon reports latency in whole ms.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { benchPlatformEnv, inspectorSession } from './platform.js';
import { ECHO_CALL, echoCallHeaders } from './repeat-call.js';
import { MODERN } from './wire.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** BENCH_ONLY_RATE=1: only the fixed offered rate (the same calls per second for every build, so CPU per call compares like with like). */
const ONLY_RATE = process.env.BENCH_ONLY_RATE === '1';
const PROFILE = process.env.PROFILE === '1';
const COMPARE_REDIS = process.env.BENCH_COMPARE_REDIS === '1';
/** PROFILE_HEAP=1: allocation per call of `platform` in round 1 (the inspector's sampling heap profiler, collected objects included). */
const PROFILE_HEAP = process.env.PROFILE_HEAP === '1';
/** The inspector port of the measured build under PROFILE_HEAP (loopback only). */
const HEAP_INSPECTOR_PORT = 9339;
/** BENCH_FLOOR=1: also measure bench/floor-proxy.ts, a bare Node proxy, as the target `floor`. */
const FLOOR = process.env.BENCH_FLOOR === '1';
const PROTOCOL = process.env.BENCH_PROTOCOL ?? MODERN;
const PROFILE_DIR = path.join(ROOT, 'bench', 'results', 'profiles');
/** Node flags (space-separated) for the measured build and the baseline: PLATFORM_NODE_FLAGS, BASELINE_NODE_FLAGS (e.g. `--experimental-async-context-frame`). */
const nodeFlags = (value: string | undefined) => (value ?? '').split(' ').filter(Boolean);
/** The Node binary of the measured build (PLATFORM_NODE) and of the baseline (BASELINE_NODE): another runtime side by side. Default: this one. */
const nodeOf = (baseline: boolean) => (baseline ? process.env.BASELINE_NODE : process.env.PLATFORM_NODE) || process.execPath;

interface Row {
  round: number;
  name: string;
  rate: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  bad: number;
  /** CPU time (user + system) per completed call, in ms, of the platform and of the upstream process. */
  platformCpu: number;
  /** Of `platformCpu`, the platform's main thread (the request path itself; the rest is the PGlite worker, GC helpers, libuv). */
  platformMainCpu: number;
  upstreamCpu: number;
}

const TICK_MS = 1000 / Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim() || 100);

/**
 * CPU time a process has used so far, in ms (Linux /proc, user + system of all its threads, what
 * `process.cpuUsage()` reports inside it): robust where wall-clock latency is not on a shared
 * machine. `mainThread`: only the main thread's (/proc/<pid>/task/<pid>).
 */
async function cpuMs(pid: number | undefined, mainThread = false): Promise<number> {
  if (!pid) return 0;
  try {
    const fields = (await readFile(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const m = pattern.exec(buf);
      if (m) resolve(m);
      if (buf.length > 1_000_000) buf = buf.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}: ${buf.slice(-2000)}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs a bench script (under tsx) and resolves with its port once it prints `listening <port>`. */
async function startScript(what: string, script: string, args: string[], imports: string[] = []): Promise<{ port: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...imports.flatMap((i) => ['--import', i]), '--import', 'tsx', path.join(ROOT, 'bench', script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const m = await waitFor(child, /listening (\d+)/, what);
  return { port: m[1]!, child };
}

async function startUpstream(): Promise<{ url: string; child: ChildProcess }> {
  const { port, child } = await startScript('echo upstream', 'echo-server.ts', ['http', '0'], process.env.TRACE_UPSTREAM ? [process.env.TRACE_UPSTREAM] : []);
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}

/** performance.now() when the platform process was spawned: its CPU profile's time origin, near enough. */
let platformSpawnedAt = performance.now();
/** Windows (ms since the platform's spawn) in which the platform was under load, for the profile summary. */
const platformWindows: Array<[number, number]> = [];

async function startPlatform(dataDir: string, main: string, node: string, profile: boolean, redisUrl: string | undefined, flags: string[]): Promise<{ url: string; child: ChildProcess }> {
  const stamp = `${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  if (profile) platformSpawnedAt = performance.now();
  const args = [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), ...flags, main, 'serve'];
  const child = spawn(node, args, {
    cwd: ROOT,
    env: benchPlatformEnv(dataDir, stamp, redisUrl),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const m = await waitFor(
    child,
    /"message":"platform listening"[^\n]*"address":"[^"]*:(\d+)"|"address":"[^"]*:(\d+)"[^\n]*"message":"platform listening"/,
    'platform',
  );
  return { url: `http://127.0.0.1:${m[1] ?? m[2]}`, child };
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function token(base: string, email: string, password: string, signup: boolean): Promise<string> {
  const url = signup ? `${base}/auth/v1/signup` : `${base}/auth/v1/token?grant_type=password`;
  const s = await json<{ access_token: string }>(
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', apikey: 'bench' }, body: JSON.stringify({ email, password }) }),
  );
  return s.access_token;
}

const LEGACY_CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hello' } } });

/** Opens a 2025-era session on `url` and returns the headers every call of it carries. */
async function legacySession(url: string, bearer: string): Promise<Record<string, string>> {
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${bearer}` };
  const init = await fetch(url, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }),
  });
  const sessionId = init.headers.get('mcp-session-id');
  await init.text();
  if (init.status !== 200 || !sessionId) throw new Error(`${url}: initialize ${init.status}`);
  const headers = { ...base, 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL };
  const done = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  await done.text();
  return headers;
}

async function checkCall(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 200 || !text.includes('"hello"')) throw new Error(`${url}: ${res.status} ${text.slice(0, 500)}`);
}

function load(url: string, headers: Record<string, string>, body: string, rate: number | undefined, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', headers, body, connections: CONNECTIONS, duration, ...(rate ? { overallRate: rate } : {}) },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

function row(round: number, name: string, rate: number | undefined, r: autocannon.Result, cpu: { platform: number; platformMain: number; upstream: number }): Row {
  const calls = Math.max(1, r.requests.total);
  return {
    platformCpu: cpu.platform / calls,
    platformMainCpu: cpu.platformMain / calls,
    upstreamCpu: cpu.upstream / calls,
    round,
    name,
    rate: rate ? String(rate) : 'max',
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    mean: r.latency.mean,
    bad: r.non2xx + r.errors + r.timeouts,
  };
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** A profile frame as the summaries name it: function and script:line, relative to the repository. */
function frameKey(f: CallFrame): string {
  const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(ROOT + '/', '')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
}

/**
 * Top self-time frames of a .cpuprofile (V8 format), as markdown tables: only the samples taken
 * while the platform was under load (startup, migrations and shutdown left out), idle excluded.
 */
async function summariseProfile(file: string, top = 30): Promise<string> {
  const prof = JSON.parse(await readFile(file, 'utf8')) as {
    nodes: Array<{ id: number; callFrame: CallFrame; hitCount?: number }>;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let elapsed = 0;
  let windowMs = 0;
  for (const [a, b] of platformWindows) windowMs += b - a;
  const inWindow = (ms: number) => platformWindows.some(([a, b]) => ms >= a + 250 && ms <= b - 250);
  for (let i = 0; i < prof.samples.length; i++) {
    const node = byId.get(prof.samples[i]!);
    const dt = prof.timeDeltas[i] ?? 0;
    elapsed += dt;
    if (!node || !inWindow(elapsed / 1000) || node.callFrame.functionName === '(idle)') continue;
    const key = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  // Also per package / area, which is easier to read than single frames.
  const area = new Map<string, number>();
  for (const [key, us] of self) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(key);
    const a = m ? m[1]! : key.includes('dist/') ? `platform ${key.split('dist/')[1]!.split(':')[0]}` : key.startsWith('(') ? key.split(' ')[0]! : 'node internals';
    area.set(a, (area.get(a) ?? 0) + us);
  }
  // Per component: each sample is charged to the nearest frame on its stack that belongs to one
  // (so Node's own functions called by a component count for it; what has none is Node's).
  const parent = new Map<number, number>();
  for (const n of prof.nodes as Array<{ id: number; children?: number[] }>) for (const c of n.children ?? []) parent.set(c, n.id);
  const componentOfNode = new Map<number, string>();
  const componentOf = (id: number): string => {
    const known = componentOfNode.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const name = node?.callFrame.functionName ?? '';
    let c: string | undefined;
    if (name === '(garbage collector)' || name === '(program)') c = name;
    else if (node) c = componentOfUrl(node.callFrame.url.replace(/^file:\/\//, '').replace(ROOT + '/', ''));
    if (c === undefined) {
      const up = parent.get(id);
      c = up === undefined ? 'Node, no component on the stack' : componentOf(up);
    }
    componentOfNode.set(id, c);
    return c;
  };
  const components = new Map<string, number>();
  elapsed = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!;
    const node = byId.get(id);
    const dt = prof.timeDeltas[i] ?? 0;
    elapsed += dt;
    if (!node || !inWindow(elapsed / 1000) || node.callFrame.functionName === '(idle)') continue;
    const c = componentOf(id);
    components.set(c, (components.get(c) ?? 0) + dt);
  }
  const lines = [`Busy ${(total / 1000).toFixed(0)} ms of CPU in ${windowMs.toFixed(0)} ms under load.`, '', '| self % | self ms | frame |', '| ---: | ---: | --- |'];
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`| ${((100 * us) / total).toFixed(1)} | ${(us / 1000).toFixed(0)} | \`${key}\` |`);
  }
  lines.push('', '| self % | area |', '| ---: | --- |');
  for (const [a, us] of [...area].sort((x, y) => y[1] - x[1]).slice(0, 20)) lines.push(`| ${((100 * us) / total).toFixed(1)} | ${a} |`);
  lines.push('', '| % (nearest component on the stack) | component |', '| ---: | --- |');
  for (const [c, us] of [...components].sort((x, y) => y[1] - x[1])) lines.push(`| ${((100 * us) / total).toFixed(1)} | ${c} |`);
  return lines.join('\n');
}

/** The component a script belongs to (undefined: Node's own, or not one of ours; the caller looks further up the stack). */
const COMPONENTS: Array<[RegExp, string]> = [
  [/dist\/router\/endpoint\/(fast-call|call-plan|answer-writer|call-timeouts|upstream-errors|stream-budget)\.js/, 'fast path (plan, send, answer writer)'],
  [/dist\/router\/endpoint\/(gateway-hooks)\.js|dist\/gateway\/rate-limit/, 'rate limits'],
  [/dist\/router\/endpoint\/(observe|metering)\.js/, 'request-log facts and metering hooks (router)'],
  [/dist\/router\/endpoint\/(sealed-sessions)\.js/, 'sealed 2025 sessions'],
  [/dist\/router\/endpoint\//, 'MCP endpoint (http.ts: guard, target, session)'],
  [/dist\/router\/upstream\//, 'upstream balancer / pools'],
  [/dist\/billing\//, 'metering and quotas (billing)'],
  [/dist\/gateway\/edge\.js|dist\/gateway\/request-context\.js|\/(helmet|cors)\//, 'edge: request id, access log, security headers, CORS'],
  [/dist\/gateway\//, 'gateway (other)'],
  [/dist\/logging\/request-log\.js|\/kysely\//, 'request-log insert (row, batch, kysely)'],
  [/dist\/logging\/(http|routes)\.js/, 'HTTP/MCP metrics and request-log middleware'],
  [/dist\/logging\/(trace-middleware)\.js|dist\/tracing\//, 'trace context'],
  [/\/prom-client\//, 'prom-client'],
  [/dist\/db\//, 'db (PGlite thread messages)'],
  [/dist\/(auth|oauth)\/|\/jose\//, 'auth (JWT, revocation cache)'],
  [/dist\/catalog\//, 'catalog (resolve, credentials)'],
  [/dist\/vault\//, 'vault'],
  [/\/undici\//, 'undici (upstream request)'],
  [/\/(body-parser|raw-body|iconv-lite|type-is|content-type|media-typer|bytes)\//, 'body parser'],
  [/\/(express|router|path-to-regexp|parseurl|proxy-addr|finalhandler|send|on-finished|vary|accepts|negotiator|fresh|range-parser|qs|utils-merge|methods|depd)\//, 'Express'],
  [/\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact)\//, 'pino'],
  [/\/@modelcontextprotocol\//, 'MCP SDK'],
  [/\/eventsource-parser\//, 'eventsource-parser'],
  [/\/(zod|ajv)\//, 'validation (zod, ajv)'],
  [/\/node_modules\//, 'other packages'],
  [/dist\//, 'platform (other)'],
];

function componentOfUrl(url: string): string | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  for (const [re, name] of COMPONENTS) if (re.test(url)) return name;
  return undefined;
}

/**
 * Starts V8's sampling heap profiler in the process whose inspector listens on `port`, counting the
 * objects the GC has collected too (so the figure is what was allocated, not what survived).
 * `stop(calls)` returns a markdown summary: bytes per call and the frames that allocated most.
 */
async function startHeapSampling(port: number): Promise<{ stop(calls: number): Promise<string> }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const inspector = await inspectorSession(targets[0]!.webSocketDebuggerUrl, 'the platform');
  await inspector.call('HeapProfiler.enable');
  await inspector.call('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop(calls) {
      interface HeapNode { callFrame: CallFrame; selfSize: number; children: HeapNode[] }
      const { profile } = await inspector.call<{ profile: { head: HeapNode } }>('HeapProfiler.stopSampling');
      inspector.close();
      const self = new Map<string, number>();
      let total = 0;
      const walk = (node: HeapNode) => {
        const key = frameKey(node.callFrame);
        self.set(key, (self.get(key) ?? 0) + node.selfSize);
        total += node.selfSize;
        for (const c of node.children) walk(c);
      };
      walk(profile.head);
      const lines = [`${calls} calls): **${(total / Math.max(1, calls) / 1024).toFixed(1)} kB allocated per call**`, '', '| % of bytes | frame |', '| ---: | --- |'];
      for (const [key, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`| ${((100 * bytes) / total).toFixed(1)} | \`${key}\` |`);
      return lines.join('\n');
    },
  };
}

async function main(): Promise<void> {
  if (process.env.BENCH_NO_BUILD !== '1') execSync('npm run build --silent', { cwd: ROOT, stdio: 'inherit' });
  await mkdir(PROFILE_DIR, { recursive: true });
  const before = new Set(await readdir(PROFILE_DIR));
  const upstream = await startUpstream();
  // PLATFORM_BASELINE: another build's dist/main.js (e.g. an export of the commit to compare
  // against), run side by side and measured in the same rounds as `baseline`.
  const main = process.env.PLATFORM_MAIN ?? path.join(ROOT, 'dist', 'main.js');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const builds = COMPARE_REDIS
    ? [{ prefix: '', main }, ...(process.env.PLATFORM_BASELINE ? [{ prefix: 'baseline-', main: process.env.PLATFORM_BASELINE }] : [])].flatMap((b) => [
        { name: `${b.prefix}memory`, main: b.main, node: nodeOf(b.prefix !== ''), profile: false, redisUrl: undefined, flags: nodeFlags(b.prefix ? process.env.BASELINE_NODE_FLAGS : process.env.PLATFORM_NODE_FLAGS) },
        { name: `${b.prefix}redis`, main: b.main, node: nodeOf(b.prefix !== ''), profile: PROFILE && !b.prefix, redisUrl, flags: nodeFlags(b.prefix ? process.env.BASELINE_NODE_FLAGS : process.env.PLATFORM_NODE_FLAGS) },
      ])
    : [
        {
          name: 'platform',
          main,
          node: nodeOf(false),
          profile: PROFILE,
          redisUrl: process.env.REDIS_URL,
          flags: [...nodeFlags(process.env.PLATFORM_NODE_FLAGS), ...(PROFILE_HEAP ? [`--inspect=127.0.0.1:${HEAP_INSPECTOR_PORT}`] : [])],
        },
        ...(process.env.PLATFORM_BASELINE
          ? [{ name: 'baseline', main: process.env.PLATFORM_BASELINE, node: nodeOf(true), profile: false, redisUrl: process.env.REDIS_URL, flags: nodeFlags(process.env.BASELINE_NODE_FLAGS) }]
          : []),
      ];
  const started: Array<{ name: string; dataDir: string; url: string; child: ChildProcess }> = [];
  let floorChild: ChildProcess | undefined;
  const heapReports: string[] = [];
  const rows: Row[] = [];
  try {
    for (const b of builds) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-profile-'));
      started.push({ name: b.name, dataDir, ...(await startPlatform(dataDir, b.main, b.node, b.profile, b.redisUrl, b.flags)) });
    }
    const direct = { name: 'direct', url: upstream.url, headers: echoCallHeaders(), body: ECHO_CALL, pid: undefined as number | undefined };
    const targets = [direct];
    if (FLOOR) {
      // The bare proxy (bench/floor-proxy.ts), measured like a platform: its CPU per call is the floor under the platform's.
      const { port, child } = await startScript('floor proxy', 'floor-proxy.ts', [upstream.url]);
      floorChild = child;
      targets.push({ name: 'floor', url: `http://127.0.0.1:${port}/mcp`, headers: echoCallHeaders(), body: ECHO_CALL, pid: child.pid });
    }
    for (const platform of started) {
      const admin = await token(platform.url, 'admin@bench.test', 'bench-admin-password-1', false);
      const created = await fetch(`${platform.url}/v1/admin/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ slug: 'echo', title: 'echo', kind: 'http', http: { transport: 'streamable-http', instances: [upstream.url] } }),
      });
      if (created.status !== 201) throw new Error(`register echo: ${created.status} ${await created.text()}`);
      const user = await token(platform.url, `bench-${Date.now()}@example.test`, 'bench-password-123', true);
      const url = `${platform.url}/mcp/echo`;
      targets.push(
        PROTOCOL === MODERN
          ? { name: platform.name, url, headers: echoCallHeaders(user), body: ECHO_CALL, pid: platform.child.pid }
          : { name: platform.name, url, headers: await legacySession(url, user), body: LEGACY_CALL, pid: platform.child.pid },
      );
    }
    for (const t of targets) {
      await checkCall(t.url, t.headers, t.body);
      await load(t.url, t.headers, t.body, undefined, 2); // warm-up (JIT, pools, caches)
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const rate of RATE > 0 ? (ONLY_RATE ? [RATE] : [undefined, RATE]) : [undefined]) {
        // Comparing builds or stores: each round starts at another platform, so a machine whose
        // load drifts during the run does not always favour the same one.
        const [first, ...platforms] = targets;
        const shift = platforms.length ? (round - 1) % platforms.length : 0;
        for (const t of [first!, ...platforms.slice(shift), ...platforms.slice(0, shift)]) {
          const begun = performance.now() - platformSpawnedAt;
          const cpu0 = { platform: await cpuMs(t.pid), platformMain: await cpuMs(t.pid, true), upstream: await cpuMs(upstream.child.pid) };
          const heap = PROFILE_HEAP && round === 1 && t.name === 'platform' ? await startHeapSampling(HEAP_INSPECTOR_PORT) : undefined;
          const r = await load(t.url, t.headers, t.body, rate, DURATION);
          if (heap) heapReports.push(`offered ${rate ?? 'max'}: ${await heap.stop(r.requests.total)}`);
          const cpu = {
            platform: (await cpuMs(t.pid)) - cpu0.platform,
            platformMain: (await cpuMs(t.pid, true)) - cpu0.platformMain,
            upstream: (await cpuMs(upstream.child.pid)) - cpu0.upstream,
          };
          if (t.name === (COMPARE_REDIS ? 'redis' : 'platform')) platformWindows.push([begun, performance.now() - platformSpawnedAt]);
          const x = row(round, t.name, rate, r, cpu);
          rows.push(x);
          console.error(
            `round ${round} ${t.name} @${rate ?? 'max'}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} p99 ${r.latency.p99} ms, cpu/call platform ${x.platformCpu.toFixed(3)} (main thread ${x.platformMainCpu.toFixed(3)}) upstream ${x.upstreamCpu.toFixed(3)} ms`,
          );
        }
      }
    }
  } finally {
    for (const p of started) {
      await stop(p.child);
      await rm(p.dataDir, { recursive: true, force: true });
    }
    if (floorChild) await stop(floorChild);
    await stop(upstream.child);
  }

  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
  const cpus = os.cpus();
  console.log(`\n## MCP tools/call profile run ${new Date().toISOString()}`);
  console.log(`commit ${commit}; node ${process.version}; ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}; load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`platform protocol ${PROTOCOL}${PROTOCOL === MODERN ? '' : ' (one session per build; direct is 2026-07-28)'}`);
  console.log(`storage ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}${COMPARE_REDIS ? '; rate limits in memory (`memory`) vs Redis (`redis`)' : process.env.REDIS_URL ? ' + Redis' : ''}; ${CONNECTIONS} connections, ${DURATION}s per cell, ${ROUNDS} round(s)${PROFILE ? ', platform under --cpu-prof' : ''}\n`);
  console.log('| round | target | offered | req/s | p50 ms | p90 ms | p99 ms | max ms | mean ms | Δp50 vs direct | Δp99 vs direct | req/s ratio | errors | gateway CPU ms/call | of it main thread | upstream CPU ms/call |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const d = rows.find((x) => x.round === r.round && x.rate === r.rate && x.name === 'direct')!;
    const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(0)}`;
    const cmp = r.name === 'direct' ? ['—', '—', '1.00'] : [signed(r.p50 - d.p50), signed(r.p99 - d.p99), (r.rps / d.rps).toFixed(2)];
    const gatewayCpu = r.name === 'direct' ? '— | —' : `${r.platformCpu.toFixed(3)} | ${r.platformMainCpu.toFixed(3)}`;
    console.log(`| ${r.round} | ${r.name} | ${r.rate} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.mean.toFixed(2)} | ${cmp.join(' | ')} | ${r.bad} | ${gatewayCpu} | ${r.upstreamCpu.toFixed(2)} |`);
  }
  if (ROUNDS > 1) {
    // Medians over the rounds: on a shared machine one round can be far off; builds are compared round by round.
    const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)] ?? NaN;
    console.log('\n| target | offered | median gateway CPU ms/call | median main thread | median req/s |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const name of [...new Set(rows.map((r) => r.name))].filter((n) => n !== 'direct')) {
      for (const rate of [...new Set(rows.map((r) => r.rate))]) {
        const mine = rows.filter((r) => r.name === name && r.rate === rate);
        console.log(`| ${name} | ${rate} | ${median(mine.map((r) => r.platformCpu)).toFixed(3)} | ${median(mine.map((r) => r.platformMainCpu)).toFixed(3)} | ${median(mine.map((r) => r.rps)).toFixed(0)} |`);
      }
    }
    if (process.env.PLATFORM_BASELINE && !COMPARE_REDIS) {
      const ratios = rows
        .filter((r) => r.name === 'platform')
        .map((r) => {
          const b = rows.find((x) => x.name === 'baseline' && x.round === r.round && x.rate === r.rate)!;
          return { all: r.platformCpu / b.platformCpu, main: r.platformMainCpu / b.platformMainCpu };
        });
      console.log(`\nplatform / baseline CPU per call, median of the rounds' ratios: ${median(ratios.map((x) => x.all)).toFixed(2)} (main thread ${median(ratios.map((x) => x.main)).toFixed(2)})`);
    }
  }
  if (COMPARE_REDIS) {
    console.log('\n| build | round | offered | redis / memory req/s | redis / memory gateway CPU ms/call |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)] ?? NaN;
    for (const prefix of ['', 'baseline-']) {
      const byRate = new Map<string, { rps: number[]; cpu: number[] }>();
      for (const m of rows.filter((r) => r.name === `${prefix}memory`)) {
        const r = rows.find((x) => x.round === m.round && x.rate === m.rate && x.name === `${prefix}redis`)!;
        const ratios = byRate.get(m.rate) ?? { rps: [], cpu: [] };
        ratios.rps.push(r.rps / m.rps);
        ratios.cpu.push(r.platformCpu / m.platformCpu);
        byRate.set(m.rate, ratios);
        console.log(`| ${prefix ? 'baseline' : 'this'} | ${m.round} | ${m.rate} | ${(r.rps / m.rps).toFixed(2)} | ${(r.platformCpu / m.platformCpu).toFixed(2)} |`);
      }
      for (const [rate, ratios] of byRate) {
        console.log(`| ${prefix ? 'baseline' : 'this'} | median | ${rate} | ${median(ratios.rps).toFixed(2)} | ${median(ratios.cpu).toFixed(2)} |`);
      }
    }
  }
  for (const report of heapReports) console.log(`\n### Allocation (platform, round 1, ${report}`);
  const outDir = path.join(ROOT, 'bench', 'results');
  await writeFile(path.join(outDir, `profile-mcp-${Date.now()}.json`), JSON.stringify({ commit, rows }, null, 2));
  if (PROFILE) {
    const fresh = (await readdir(PROFILE_DIR)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    for (const f of fresh) {
      console.log(`\n### CPU profile ${path.join('bench/results/profiles', f)} (samples while it was under load; idle left out)\n`);
      console.log(await summariseProfile(path.join(PROFILE_DIR, f)));
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
