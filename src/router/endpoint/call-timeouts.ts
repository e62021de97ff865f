/**
 * The one timeout rule of a forwarded request, on every path: the upstream may be silent for at
 * most `idleMs` between two of its messages (progress, log notifications, any chunk of its answer),
 * and the whole request may last at most `capMs`, however chatty the upstream is.
 *
 * - `idleMs` is `MCP_UPSTREAM_TIMEOUT_MS`, `capMs` is `MCP_UPSTREAM_MAX_CALL_MS` (never below `idleMs`).
 * - The SDK paths (the relay, the fast path's leased client) give both to the SDK's request:
 *   `timeout` reset by progress, `maxTotalTimeout` checked at each progress (so a chatty upstream is
 *   cut at the first progress past the cap; a silent one at its idle deadline).
 * - The fast path's bytes (an http answer read as it streams) watch every chunk (`IdleWatch`).
 */

export interface CallTimeouts {
  idleMs: number;
  capMs: number;
}

export function callTimeouts(idleMs: number, capMs: number): CallTimeouts {
  return { idleMs, capMs: Math.max(idleMs, capMs) };
}

/** The SDK request options that carry the rule. */
export function sdkTimeoutOptions(t: CallTimeouts): { timeout: number; resetTimeoutOnProgress: true; maxTotalTimeout: number } {
  return { timeout: t.idleMs, resetTimeoutOnProgress: true, maxTotalTimeout: t.capMs };
}

/** The upstream broke the rule: silent too long, or the request outlived its cap. */
export class CallTimeout extends Error {
  override name = 'CallTimeout';
}

/**
 * Aborts `controller` with a `CallTimeout` when `touch()` has not been called for `idleMs`, or
 * `capMs` after it started. No timer per call: one coarse sweep (every 250 ms, unref'd) checks
 * every call in flight, so a call costs a set insertion and a clock read per chunk.
 */
export class IdleWatch {
  private last = performance.now();
  private readonly started = this.last;

  constructor(
    private readonly controller: AbortController,
    private readonly t: CallTimeouts,
  ) {
    watching.add(this);
    sweeper ??= setInterval(sweep, SWEEP_MS).unref();
  }

  readonly touch = (): void => {
    this.last = performance.now();
  };

  /** Aborts the call when it broke the rule; true when it did. */
  check(now: number): boolean {
    if (now - this.last < this.t.idleMs && now - this.started < this.t.capMs) return false;
    this.stop();
    this.controller.abort(new CallTimeout('the upstream did not answer in time'));
    return true;
  }

  /** The timeout that aborted the call, if that is what happened. */
  get fired(): CallTimeout | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof CallTimeout ? reason : undefined;
  }

  stop(): void {
    watching.delete(this);
  }
}

/** The sweep's period: how late past its deadline a call may be cut (the idle window is at least 1 s). */
const SWEEP_MS = 250;
const watching = new Set<IdleWatch>();
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = performance.now();
  for (const watch of watching) watch.check(now);
  if (!watching.size && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}
