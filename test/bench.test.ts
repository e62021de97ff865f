import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkCheck } from '../bench/check.js';
import { Generator } from '../bench/generator.js';
import { measureIdle } from '../bench/idle.js';
import type { Job, JobResult } from '../bench/jobs.js';
import { startProcess, stop, type Started } from '../bench/procs.js';
import { baseHeaders, EXPECT, handshake, legacyCall, modernCall } from '../bench/wire.js';

/**
 * The MCP benchmark's own machinery (bench/, run by `npm run bench`, not here): the echo upstream,
 * the load generator as a child process, and its error detection. Counts only, never timing.
 */
describe('MCP benchmark harness', () => {
  let echo: (Started & { value: string }) | undefined;
  let gen: Generator | undefined;
  let url = '';

  beforeAll(async () => {
    echo = await startProcess(process.execPath, [path.resolve(import.meta.dirname, '..', 'bench', 'echo-server.ts'), 'http', '0'], {
      name: 'echo server',
      env: { PATH: process.env.PATH ?? '' },
      ready: (out) => /listening (\d+)/.exec(out)?.[1],
    });
    url = `http://127.0.0.1:${echo.value}/mcp`;
    gen = await Generator.start();
  });

  afterAll(async () => {
    await gen?.stop();
    if (echo) await stop(echo.child);
  });

  it('the echo server answers the real SDK client in both eras', async () => {
    expect(await sdkCheck(url, 'echo', '2026')).toContain('2026-07-28');
    expect(await sdkCheck(url, 'echo', '2025')).toContain('2025-11-25');
  });

  it('a paced run sends exactly rate × duration calls, all answered correctly, and reports its own CPU', async () => {
    const r = await gen!.run({ kind: 'rate', call: modernCall(url, 'echo'), rate: 100, durationS: 0.4, connections: 8, drainS: 60 });
    expect(r).toMatchObject({ done: 40, errors: 0, errorSamples: [] });
    expect(r.generatorCores).toBeGreaterThan(0);
    expect(r.latency.p50).toBeLessThanOrEqual(r.latency.p99);
  });

  it('counts wrong answers as errors (a JSON-RPC error for an unknown tool, with status 200)', async () => {
    const r = await gen!.run({ kind: 'rate', call: modernCall(url, 'no-such-tool'), rate: 100, durationS: 0.2, connections: 4, drainS: 60 });
    expect(r.done).toBe(20);
    expect(r.errors).toBe(20);
    expect(r.errorSamples[0]).toContain('error');
  });

  it('closed loop and concurrent 2025 calls carry distinct JSON-RPC ids, and session setups complete', async () => {
    const call = legacyCall(url, 'echo');
    expect(call.body).toContain('"__ID__"');
    const max = await gen!.run({ kind: 'max', call, connections: 4, durationS: 2 });
    expect(max.done).toBeGreaterThan(0);
    expect(max.errors).toBe(0);
    const setup = await gen!.run({
      kind: 'setup',
      url,
      headers: baseHeaders(),
      bodies: { initialize: handshake.initialize, initialized: handshake.initialized, list: handshake.list, call: handshake.call('echo') },
      expect: EXPECT,
      concurrency: 2,
      durationS: 0.5,
      deleteAfter: false,
    });
    expect(setup.done).toBeGreaterThan(0);
    expect(setup.errors).toBe(0);
  });
});

/** The sessionful echo upstream (issue 11 §3): a session per client, counted, ended by DELETE. */
describe('MCP benchmark sessionful echo server', () => {
  let echo: (Started & { value: string }) | undefined;
  let gen: Generator | undefined;
  beforeAll(async () => {
    echo = await startProcess(process.execPath, [path.resolve(import.meta.dirname, '..', 'bench', 'echo-server.ts'), 'sessionful', '0'], {
      name: 'sessionful echo server',
      env: { PATH: process.env.PATH ?? '' },
      ready: (out) => /listening (\d+)/.exec(out)?.[1],
    });
    gen = await Generator.start();
  });
  afterAll(async () => {
    await gen?.stop();
    if (echo) await stop(echo.child);
  });

  it('answers the SDK client in a session, counts every session it opens, and ends each one on DELETE', async () => {
    const base = `http://127.0.0.1:${echo!.value}`;
    const stats = async () => (await (await fetch(`${base}/stats`)).json()) as { opened: number; closed: number; live: number };
    expect(await sdkCheck(`${base}/mcp`, 'echo', '2025')).toContain('2025-11-25');
    const before = await stats();
    const setup = await gen!.run({
      kind: 'setup',
      url: `${base}/mcp`,
      headers: baseHeaders(),
      bodies: { initialize: handshake.initialize, initialized: handshake.initialized, list: handshake.list, call: handshake.call('echo') },
      expect: EXPECT,
      concurrency: 2,
      durationS: 0.5,
      deleteAfter: true,
    });
    expect(setup.errors).toBe(0);
    const after = await stats();
    expect(after.opened - before.opened).toBe(setup.done);
    expect(after.closed - before.closed).toBe(setup.done);
    // A call without a session is refused, as a sessionful server does.
    const refused = await fetch(`${base}/mcp`, { method: 'POST', headers: baseHeaders(), body: handshake.call('echo') });
    expect(refused.status).toBe(400);
  });
});

/**
 * The idle-session measurement's order (bench/idle.ts), with its steps faked: no processes, no
 * timing. The recorded 1,550% p99 degradation came from the order, not from the sessions: the
 * "with" run started right after a forced GC, "without" on a warm platform.
 */
describe('MCP benchmark idle-session measurement', () => {
  it('runs "without" and "with" after the same untimed prelude and never right after a forced GC', async () => {
    type Step = { step: 'run'; job: Job } | { step: 'gc' | 'metrics' | 'sleep' };
    const trace: Step[] = [];
    let heap = 50_000_000;
    const result = (done: number, errors = 0): JobResult => ({
      done,
      errors,
      errorSamples: [],
      throughput: done,
      latency: { p50: 1, p90: 1, p99: 1, max: 1, mean: 1 },
      wallS: 1,
      generatorCores: 0,
    });
    const idle = await measureIdle(
      {
        run: async (job) => {
          trace.push({ step: 'run', job });
          // The index of this run in the trace identifies it in the results (`done` of a rate run).
          return job.kind === 'sessions' ? result(job.count, 3) : result(trace.length - 1);
        },
        heapAfterGc: async () => {
          trace.push({ step: 'gc' });
          return (heap += trace.some((s) => s.step === 'run' && s.job.kind === 'sessions') ? 997_000 : 0);
        },
        heapUsedBytes: async () => {
          trace.push({ step: 'metrics' });
          return heap;
        },
        cpuTimeMs: () => trace.length * 10,
        sleep: async () => void trace.push({ step: 'sleep' }),
        log: () => undefined,
      },
      {
        call: legacyCall('http://127.0.0.1:1/mcp', 'echo'),
        rate: 50,
        durationS: 10,
        connections: 8,
        open: { url: 'http://127.0.0.1:1/mcp', headers: {}, bodies: { initialize: '{}', initialized: '{}' }, count: 1000, concurrency: 4, maxSeconds: 60 },
        quietMs: 2000,
      },
    );

    const opening = trace.findIndex((s) => s.step === 'run' && s.job.kind === 'sessions');
    for (const [name, r, side] of [['without', idle.without, 'before'], ['with', idle.with, 'after']] as const) {
      const timed = trace[r.done];
      const prelude = trace[r.done - 1];
      expect(timed?.step, name).toBe('run');
      // The step right before each timed run is an untimed run at the same rate and length: no GC, no opening.
      expect(prelude?.step === 'run' ? prelude.job : prelude, name).toMatchObject({ kind: 'rate', rate: 50, durationS: 10 });
      expect(side === 'before' ? r.done < opening : r.done > opening, name).toBe(true);
    }
    // The repeat without sessions (the run-to-run noise) follows the first timed run directly.
    expect(idle.withoutAgain.done).toBe(idle.without.done + 1);
    // A quiet window (no traffic) right after the opening, before the prelude that would hide background work.
    expect(trace[opening + 1]?.step).toBe('sleep');
    expect(trace.filter((s) => s.step === 'gc')).toHaveLength(2);
    expect(idle).toMatchObject({ sessions: 997, openErrors: 3, heapPerSessionBytes: 1000, rate: 50 });
    // CPU per call over the timed run only: one step of the fake clock (10 ms) for its `done` calls.
    expect(idle.cpuMsPerCallWith).toBeCloseTo(10 / idle.with.done);
  });
});
