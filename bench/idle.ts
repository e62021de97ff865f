/**
 * The idle-session measurement of the MCP benchmark (bench/mcp.ts, group `idle`): heap per idle
 * 2025 session, and the p99 of one session's tools/call at a fixed rate without and with those
 * sessions. The order of its steps is what makes the two runs comparable, so it lives here, with
 * its steps injected, where test/bench.test.ts checks that order without timing anything.
 */
import type { Call, Job, JobResult, SessionsJob } from './jobs.js';

/** What the measurement does to the platform and the load generator. */
export interface IdleSteps {
  run(job: Job): Promise<JobResult>;
  /** The platform's heapUsed after a full GC forced through the inspector. */
  heapAfterGc(): Promise<number>;
  /** The platform's /metrics heap reading (no GC). */
  heapUsedBytes(): Promise<number>;
  /** The platform's CPU time (user + system) so far, in ms. */
  cpuTimeMs(): number | undefined;
  sleep(ms: number): Promise<void>;
  log(msg: string): void;
}

export interface IdleOptions {
  call: Call;
  rate: number;
  durationS: number;
  connections: number;
  open: Omit<SessionsJob, 'kind'>;
  /** Length of the quiet windows in which the platform's background CPU is read. */
  quietMs: number;
}

export interface IdleResult {
  sessions: number;
  openErrors: number;
  openPerSecond: number;
  heapBefore: number;
  heapAfter: number;
  heapPerSessionBytes: number;
  /** nodejs_heap_size_used_bytes from /metrics right after the forced-GC reading (for reference). */
  metricsHeapBefore: number;
  metricsHeapAfter: number;
  rate: number;
  without: JobResult;
  /** A second timed run without sessions, right after the first (run-to-run noise). */
  withoutAgain: JobResult;
  with: JobResult;
  /** The platform's CPU (user + system) per call during each timed run, in ms. */
  cpuMsPerCallWithout: number;
  cpuMsPerCallWith: number;
  /** The platform's CPU, in cores, over a quiet window right before opening the sessions and right after the last one opened. */
  quietCoresBefore: number;
  quietCoresAfter: number;
}

/**
 * Without: an untimed run, the timed run and a repeat of it, a quiet window, the heap reading.
 * Then the sessions are opened. With: a quiet window, an untimed run, the timed run, the heap
 * reading.
 *
 * Both timed runs follow the same prelude (an untimed run at the same rate and length), and
 * neither follows a forced GC: calls in the seconds after a full GC forced through the inspector
 * cost the platform far more, with or without sessions (measured without sessions: p99 86.6 ms
 * before such a GC, 911.9 ms in the 8 s after it; docs/benchmarks.md). The timed "with" run used
 * to start right after that GC while "without" ran on a warm platform, which is what the 1,550%
 * recorded at 1bc5a6f measured. The quiet windows keep background work visible (a request-log
 * backlog, timers per session): the untimed run before "with" would otherwise absorb it.
 */
export async function measureIdle(steps: IdleSteps, o: IdleOptions): Promise<IdleResult> {
  const rateJob: Job = { kind: 'rate', call: o.call, rate: o.rate, durationS: o.durationS, connections: o.connections };
  const timed = async () => {
    // The prelude is as long as the timed run: what it absorbs (a platform still warming up, or
    // coming from the opening's different traffic) lasts seconds at this rate.
    await steps.run(rateJob);
    const cpu0 = steps.cpuTimeMs();
    const result = await steps.run(rateJob);
    const cpu = (steps.cpuTimeMs() ?? NaN) - (cpu0 ?? NaN);
    return { result, cpuMsPerCall: result.done ? cpu / result.done : NaN };
  };
  const quietCores = async () => {
    const cpu0 = steps.cpuTimeMs();
    await steps.sleep(o.quietMs);
    return ((steps.cpuTimeMs() ?? NaN) - (cpu0 ?? NaN)) / o.quietMs;
  };

  const without = await timed();
  // The same run once more, still without sessions: how far p99 moves between two identical runs
  // on this machine, to read the "with" ratio against.
  const withoutAgain = await steps.run(rateJob);
  const quietCoresBefore = await quietCores();
  const heapBefore = await steps.heapAfterGc();
  const metricsHeapBefore = await steps.heapUsedBytes();
  steps.log(`opening ${o.open.count} idle sessions…`);
  const opened = await steps.run({ kind: 'sessions', ...o.open });
  const quietCoresAfter = await quietCores();
  const withIdle = await timed();
  // After the "with" run, as the "before" reading comes after the "without" run.
  const heapAfter = await steps.heapAfterGc();
  const metricsHeapAfter = await steps.heapUsedBytes();
  const sessions = opened.done - opened.errors;
  return {
    sessions,
    openErrors: opened.errors,
    openPerSecond: opened.throughput,
    heapBefore,
    heapAfter,
    heapPerSessionBytes: sessions ? (heapAfter - heapBefore) / sessions : NaN,
    metricsHeapBefore,
    metricsHeapAfter,
    rate: o.rate,
    without: without.result,
    withoutAgain,
    with: withIdle.result,
    cpuMsPerCallWithout: without.cpuMsPerCall,
    cpuMsPerCallWith: withIdle.cpuMsPerCall,
    quietCoresBefore,
    quietCoresAfter,
  };
}
