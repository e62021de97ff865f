/**
 * What the orchestrator (bench/mcp.ts) asks the load generator (bench/load.ts) to do, over IPC.
 * Everything is plain data: bodies and headers are built in advance by the orchestrator.
 */

/** One HTTP call, fixed: same URL, headers and body every time. */
export interface Call {
  url: string;
  method?: 'POST' | 'GET' | 'DELETE';
  headers: Record<string, string>;
  /**
   * The JSON-RPC body. `"__ID__"` in it is replaced by a number unique to each call: requests in
   * flight at once within one session must not share an ID (a sessionful server routes the
   * answer by it).
   */
  body?: string;
  /** A successful answer contains this text and no JSON-RPC `"error"` member. */
  expect: string;
}

export interface RateJob {
  kind: 'rate';
  call: Call;
  /** Offered calls per second, paced evenly (open loop). */
  rate: number;
  durationS: number;
  connections: number;
  /** How long to wait for answers after the last call was due before counting them as errors (default 2). */
  drainS?: number;
}

export interface MaxJob {
  kind: 'max';
  call: Call;
  /** Closed loop (autocannon): each connection sends its next call when the last one answered. */
  connections: number;
  durationS: number;
}

/** A new client's handshake: initialize, notifications/initialized, tools/list, one tools/call. */
export interface SetupJob {
  kind: 'setup';
  url: string;
  headers: Record<string, string>;
  bodies: { initialize: string; initialized: string; list: string; call: string };
  expect: string;
  concurrency: number;
  durationS: number;
  /** DELETE the session after each setup (untimed): peers run one child process per session. */
  deleteAfter: boolean;
}

/** Opens `count` 2025-era sessions (initialize + notifications/initialized) and leaves them idle. */
export interface SessionsJob {
  kind: 'sessions';
  url: string;
  headers: Record<string, string>;
  bodies: { initialize: string; initialized: string };
  count: number;
  concurrency: number;
  /** Stop opening new sessions after this long, even when fewer than `count` are open. */
  maxSeconds: number;
}

export type Job = RateJob | MaxJob | SetupJob | SessionsJob;

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface JobResult {
  /** Calls (or setups, or sessions) completed, with and without errors. */
  done: number;
  errors: number;
  /** Up to three examples of what went wrong (status + start of body, or the exception). */
  errorSamples: string[];
  /** Completed per second of the measured window. */
  throughput: number;
  latency: Latency;
  wallS: number;
  /** CPU the generator process used during the job, in cores (user + system / wall). */
  generatorCores: number;
}

export type ToGenerator = { id: number; job: Job } | { id: number; stop: true };
export type FromGenerator = { id: number; result: JobResult } | { id: number; error: string } | { ready: true };
