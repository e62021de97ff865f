import { ApiError } from '../../gateway/index.js';

/**
 * Why an upstream could not be reached or answered. The edge maps these onto JSON-RPC errors
 * (`jsonRpcCode`), the REST edge renders them as the usual error body. Messages never carry a
 * credential, a command line, an environment or an upstream's raw error text.
 */
export type UpstreamErrorCode =
  | 'stdio_pool_full'
  | 'stdio_user_limit'
  | 'upstream_start_failed'
  | 'upstream_crashed'
  | 'upstream_timeout'
  | 'upstream_unavailable'
  | 'upstream_cancelled'
  | 'upstream_unauthorized'
  /** The OAuth connection to the service was refused and could not be refreshed: the user reconnects. */
  | 'upstream_reconnect_required'
  | 'upstream_refused'
  | 'upstream_response_too_large'
  | 'builtin_not_found'
  | 'upstream_shutting_down';

const STATUS: Record<UpstreamErrorCode, number> = {
  stdio_pool_full: 503,
  stdio_user_limit: 429,
  upstream_start_failed: 502,
  upstream_crashed: 502,
  upstream_timeout: 504,
  upstream_unavailable: 503,
  upstream_cancelled: 499,
  upstream_unauthorized: 502,
  upstream_reconnect_required: 502,
  upstream_refused: 502,
  upstream_response_too_large: 502,
  builtin_not_found: 500,
  upstream_shutting_down: 503,
};

export class UpstreamError extends ApiError {
  override name = 'UpstreamError';
  /** The message is written for the caller (no secrets, no upstream internals): safe to relay. */
  readonly expose = true;
  /** JSON-RPC error code for the MCP edge: -32000 range (implementation-defined server errors). */
  readonly jsonRpcCode: number;
  /** The instance that failed, when one was tried (the request log names it). */
  instance?: string;
  constructor(
    readonly upstreamCode: UpstreamErrorCode,
    message: string,
    /** For cap errors: which cap (env var name) was hit and its value. */
    readonly cap?: { name: string; limit: number },
  ) {
    super(STATUS[upstreamCode], upstreamCode, message);
    this.jsonRpcCode = upstreamCode === 'upstream_timeout' ? -32001 : -32000;
  }
}

export function isUpstreamErrorCode(code: string): code is UpstreamErrorCode {
  return Object.hasOwn(STATUS, code);
}

export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError;
}

const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * A kept-alive socket the other side had closed (or reset) when a request went out on it: the
 * server closes an idle socket just as the client reuses it, more often on a loaded host, where
 * either side's timers run late.
 */
export function isStaleSocket(err: unknown): boolean {
  return hasCauseCode(err, STALE_SOCKET_CODES);
}

/** Whether `err` or one of its causes (six deep) carries one of `codes`. */
export function hasCauseCode(err: unknown, codes: ReadonlySet<string>): boolean {
  let current: unknown = err;
  for (let i = 0; i < 6 && current; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
