/**
 * The load generator of the MCP benchmark: a child process of bench/mcp.ts (forked, IPC), apart
 * from the platform and from the orchestrator, so that neither's CPU is charged to the other.
 *
 * - `rate`: an open-loop, evenly paced generator on undici. Call i is due at start + i/rate and its
 *   latency is measured from that due time, so a server that falls behind is charged for the
 *   queueing it causes (no coordinated omission). autocannon's `overallRate` is not used for this:
 *   it gives each connection a per-second quota that it sends back to back at the start of every
 *   second (autocannon/lib/httpClient.js), i.e. bursts rather than a rate.
 * - `max`: autocannon, closed loop, N connections: the throughput ceiling. With one connection, an
 *   undici loop instead: the calls one after another, timed in µs (autocannon's latencies are whole
 *   milliseconds, too coarse for issue 11's ≤ 0.5 ms overhead at C = 1).
 * - `setup`, `sessions`: undici loops over the handshake requests (the session ID is read from
 *   the initialize answer once per session and replayed).
 *
 * Each result carries the generator's own CPU use (process.cpuUsage) in cores, to show that the
 * generator was not the bottleneck.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import type { Call, FromGenerator, Job, JobResult, Latency, MaxJob, RateJob, SessionsJob, SetupJob, ToGenerator } from './jobs.js';

const TIMEOUT_MS = 10_000;

function send(msg: FromGenerator): void {
  process.send?.(msg);
}

function latencyOf(samples: number[]): Latency {
  if (!samples.length) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1]!, mean: sum / sorted.length };
}

/** The call's body for call number n: prebuilt halves around the ID (see Call.body). */
function bodyMaker(call: Call): (n: number) => string | undefined {
  if (call.body === undefined) return () => undefined;
  const parts = call.body.split('"__ID__"');
  if (parts.length === 1) return () => call.body;
  const [pre, post] = parts as [string, string];
  return (n) => pre + n + post;
}

function okBody(body: string, expect: string): boolean {
  return body.includes(expect) && !body.includes('"error"');
}

class Errors {
  count = 0;
  samples: string[] = [];
  add(what: string): void {
    this.count++;
    if (this.samples.length < 3) this.samples.push(what.slice(0, 300));
  }
}

function pool(url: string, connections: number): { pool: Pool; path: string } {
  const u = new URL(url);
  return {
    pool: new Pool(u.origin, { connections, pipelining: 1, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, keepAliveTimeout: 60_000 }),
    path: `${u.pathname}${u.search}`,
  };
}

async function request(
  p: Pool,
  path: string,
  method: 'POST' | 'GET' | 'DELETE',
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const res = await p.request({ path, method, headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

async function runRate(job: RateJob): Promise<Omit<JobResult, 'generatorCores' | 'wallS'>> {
  const { pool: p, path } = pool(job.call.url, job.connections);
  const { call } = job;
  const total = Math.max(1, Math.round(job.rate * job.durationS));
  const interval = 1000 / job.rate;
  const samples: number[] = [];
  const errors = new Errors();
  const inflight = new Set<Promise<void>>();
  const body = bodyMaker(call);
  let n = 0;
  const fire = (due: number) => {
    const pr = request(p, path, call.method ?? 'POST', call.headers, body(++n))
      .then((r) => {
        if (!inflight.has(pr)) return;
        if (r.status >= 200 && r.status < 300 && okBody(r.text, call.expect)) samples.push(performance.now() - due);
        else errors.add(`${r.status} ${r.text}`);
      })
      .catch((err: unknown) => {
        if (inflight.has(pr)) errors.add(String(err));
      })
      .finally(() => inflight.delete(pr));
    inflight.add(pr);
  };
  const start = performance.now() + 5;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && start + i * interval <= now) {
        fire(start + i * interval);
        i++;
      }
      if (i < total) setTimeout(tick, Math.max(0, Math.min(1, start + i * interval - now)));
      else resolve();
    };
    tick();
  });
  // A server far behind the offered rate would keep us draining its queue for long: give it 2 s
  // (drainS) after the last call was due, then count what is still unanswered as errors.
  const drainMs = (job.drainS ?? 2) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    Promise.all(inflight).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), drainMs))),
  ]);
  clearTimeout(timer);
  const elapsed = (performance.now() - start) / 1000;
  if (!drained) {
    const left = inflight.size;
    for (let k = 0; k < left; k++) errors.add(`no answer within ${drainMs} ms after the last call was due`);
    inflight.clear();
    await p.destroy();
  } else {
    await p.close();
  }
  return { done: samples.length + errors.count, errors: errors.count, errorSamples: errors.samples, throughput: samples.length / elapsed, latency: latencyOf(samples) };
}

async function runMax(job: MaxJob): Promise<Omit<JobResult, 'generatorCores' | 'wallS'>> {
  if (job.connections === 1) return runSerial(job);
  const { call } = job;
  const errors = new Errors();
  const body = bodyMaker(call);
  let n = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: call.url,
        method: call.method ?? 'POST',
        headers: call.headers,
        requests: [
          {
            setupRequest: (req) => {
              req.body = body(++n);
              return req;
            },
          },
        ],
        connections: job.connections,
        duration: job.durationS,
        timeout: TIMEOUT_MS / 1000,
        verifyBody: (raw) => {
          const body = typeof raw === 'string' ? raw : (raw?.toString('utf8') ?? '');
          const ok = okBody(body, call.expect);
          if (!ok) errors.add(`mismatch ${body}`);
          return ok;
        },
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on('reqError', (err: Error) => errors.add(String(err)));
  });
  const bad = result.errors + result.timeouts + result.non2xx + result.mismatches;
  const good = Math.max(0, result.requests.total - result.non2xx - result.mismatches);
  return {
    done: result.requests.total + result.errors,
    errors: bad,
    errorSamples: errors.samples.length ? errors.samples : bad ? [`non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`] : [],
    throughput: good / job.durationS,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
  };
}

function sessionHeader(h: Record<string, string | string[] | undefined>): string | undefined {
  const v = h['mcp-session-id'];
  return Array.isArray(v) ? v[0] : v;
}

type LoopResult = Omit<JobResult, 'generatorCores' | 'wallS'>;

/**
 * `concurrency` workers repeat `once` while `more()` holds; each successful `once` is one timed
 * sample, each throw one error; what `once` returns runs after the sample, untimed (a peer's DELETE).
 * The closed loop shared by the session-setup and idle-session jobs.
 */
async function closedLoop(
  url: string,
  concurrency: number,
  more: (start: number) => boolean,
  once: (p: Pool, path: string) => Promise<(() => Promise<unknown>) | void>,
): Promise<LoopResult> {
  const { pool: p, path } = pool(url, concurrency);
  const samples: number[] = [];
  const errors = new Errors();
  const start = performance.now();
  const loop = async () => {
    while (more(start)) {
      const t0 = performance.now();
      try {
        const after = await once(p, path);
        samples.push(performance.now() - t0);
        if (after) await after();
      } catch (err) {
        errors.add(String(err instanceof Error ? err.message : err));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - start) / 1000;
  await p.close();
  return { done: samples.length + errors.count, errors: errors.count, errorSamples: errors.samples, throughput: samples.length / elapsed, latency: latencyOf(samples) };
}

/** `max` at one connection: each call sent when the last was answered, its latency in µs. */
function runSerial(job: MaxJob): Promise<LoopResult> {
  const { call } = job;
  const body = bodyMaker(call);
  let n = 0;
  return closedLoop(
    call.url,
    1,
    (start) => performance.now() < start + job.durationS * 1000,
    async (p, path) => {
      const r = await request(p, path, call.method ?? 'POST', call.headers, body(++n));
      if (r.status < 200 || r.status >= 300 || !okBody(r.text, call.expect)) throw new Error(`${r.status} ${r.text.slice(0, 300)}`);
    },
  );
}

function runSetup(job: SetupJob): Promise<LoopResult> {
  return closedLoop(
    job.url,
    job.concurrency,
    (start) => performance.now() < start + job.durationS * 1000,
    async (p, path) => {
      const init = await request(p, path, 'POST', job.headers, job.bodies.initialize);
      if (init.status !== 200 || !init.text.includes('"protocolVersion"')) throw new Error(`initialize: ${init.status} ${init.text}`);
      const sid = sessionHeader(init.headers);
      const headers = { ...job.headers, 'mcp-protocol-version': '2025-11-25', ...(sid ? { 'mcp-session-id': sid } : {}) };
      const note = await request(p, path, 'POST', headers, job.bodies.initialized);
      if (note.status !== 202 && note.status !== 200) throw new Error(`initialized: ${note.status} ${note.text}`);
      const list = await request(p, path, 'POST', headers, job.bodies.list);
      if (list.status !== 200 || !list.text.includes('"tools"')) throw new Error(`tools/list: ${list.status} ${list.text}`);
      const called = await request(p, path, 'POST', headers, job.bodies.call);
      if (called.status !== 200 || !okBody(called.text, job.expect)) throw new Error(`tools/call: ${called.status} ${called.text}`);
      if (job.deleteAfter && sid) return () => request(p, path, 'DELETE', headers, undefined).catch(() => undefined);
    },
  );
}

function runSessions(job: SessionsJob): Promise<LoopResult> {
  let next = 0;
  return closedLoop(
    job.url,
    job.concurrency,
    (start) => next < job.count && performance.now() < start + job.maxSeconds * 1000,
    async (p, path) => {
      next++;
      const init = await request(p, path, 'POST', job.headers, job.bodies.initialize);
      const sid = sessionHeader(init.headers);
      if (init.status !== 200 || !sid) throw new Error(`initialize: ${init.status} ${init.text}`);
      const note = await request(p, path, 'POST', { ...job.headers, 'mcp-protocol-version': '2025-11-25', 'mcp-session-id': sid }, job.bodies.initialized);
      if (note.status !== 202 && note.status !== 200) throw new Error(`initialized: ${note.status} ${note.text}`);
    },
  );
}

async function run(job: Job): Promise<JobResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r =
    job.kind === 'rate' ? await runRate(job) : job.kind === 'max' ? await runMax(job) : job.kind === 'setup' ? await runSetup(job) : await runSessions(job);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { ...r, wallS, generatorCores: (cpu.user + cpu.system) / 1e6 / wallS };
}

process.on('message', (msg: ToGenerator) => {
  if ('stop' in msg) {
    process.exit(0);
  }
  run(msg.job).then(
    (result) => send({ id: msg.id, result }),
    (err: unknown) => send({ id: msg.id, error: String(err instanceof Error ? (err.stack ?? err.message) : err) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ ready: true });
