import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { ResolvedService } from '../contracts.js';
import { CallTimeout } from './call-timeouts.js';
import { McpRateLimited } from './gateway-hooks.js';
import { ClientStalled } from './stream-budget.js';

/**
 * The one error mapper of the router's edge: whatever went wrong on the way to an upstream and
 * back (a rate limit, a refusal, a timeout, a connector error, the SDK's errors) becomes the
 * JSON-RPC error the client gets, with the same words on every path (the SDK relay, the fast
 * path's bytes and its leased client). Never the upstream's raw text: it may echo secrets.
 */

const QUIET = { warn: () => undefined } as unknown as Logger;

/** The error of a call refused by the per user + service rate limit. */
export function rateLimitedError(slug: string, retryAfterSeconds: number): ProtocolError {
  return new ProtocolError(-32000, `Rate limit exceeded for service ${slug}; retry in ${retryAfterSeconds}s`, { reason: 'rate_limited', retryAfterSeconds });
}

/** The error of a call to a tool the service's tool policy refuses (never sent upstream). */
export function policyRefusal(name: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${name} is not available: refused by the service's tool policy`);
}

/** The error a client gets when the upstream refuses a request with an HTTP 4xx (never its body). */
export function httpRefusal(status: number, slug: string): ProtocolError {
  if (status === 401 || status === 403) {
    return new ProtocolError(-32000, `Service ${slug} refused the credentials (HTTP ${status}); check your connection's credentials`, { reason: 'upstream_unauthorized', status });
  }
  if (status === 429) return new ProtocolError(-32000, `Service ${slug} is rate limiting requests (HTTP 429); retry later`, { reason: 'upstream_rate_limited', status });
  return new ProtocolError(-32000, `Service ${slug} refused the request (HTTP ${status})`, { reason: 'upstream_refused', status });
}

function timeoutError(slug: string): ProtocolError {
  return new ProtocolError(-32001, `Service ${slug} did not answer in time`, { reason: 'upstream_timeout' });
}

/**
 * Maps a failure of one forwarded request to a clean JSON-RPC error: the upstream's own JSON-RPC
 * errors pass through; anything unexpected is logged (without its text reaching the client).
 */
export function upstreamError(err: unknown, service: ResolvedService, logger: Logger = QUIET): ProtocolError {
  if (err instanceof ProtocolError) return err;
  const slug = service.definition.slug;
  if (err instanceof McpRateLimited) return rateLimitedError(slug, err.retryAfterSeconds);
  if (err instanceof CallTimeout) return timeoutError(slug);
  if (err instanceof ClientStalled) return new ProtocolError(-32001, 'The client did not read its answer in time', { reason: 'client_not_reading', bufferedBytes: err.bufferedBytes });
  // Connector errors written for the caller (pool full, per-user cap, crash, timeout…) carry
  // `expose: true`, their own JSON-RPC code and a stable reason (src/router/upstream/errors.ts).
  const e = err as { expose?: boolean; message?: string; jsonRpcCode?: number; upstreamCode?: string } | undefined;
  if (e?.upstreamCode === 'upstream_timeout') return timeoutError(slug);
  if (e?.expose && typeof e.message === 'string') {
    const code = typeof e.jsonRpcCode === 'number' ? e.jsonRpcCode : ProtocolErrorCode.InternalError;
    return new ProtocolError(code, e.message, { reason: e.upstreamCode ?? 'upstream_refused' });
  }
  if (err instanceof SdkHttpError && typeof err.status === 'number' && err.status >= 400 && err.status < 500) return httpRefusal(err.status, slug);
  if (err instanceof SdkError) {
    if (err.code === SdkErrorCode.RequestTimeout) return timeoutError(slug);
    if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected || err.code === SdkErrorCode.SendFailed) {
      return new ProtocolError(-32000, `Service ${slug} is unavailable`, { reason: 'upstream_unavailable' });
    }
    if (err.code === SdkErrorCode.CapabilityNotSupported) {
      return new ProtocolError(ProtocolErrorCode.MethodNotFound, `Service ${slug} does not support this method`);
    }
  }
  if ((err as Error | undefined)?.name === 'AbortError') {
    return new ProtocolError(-32000, 'Request cancelled', { reason: 'cancelled' });
  }
  logger.warn({ service: slug, err: loggable(err) }, 'upstream request failed');
  return new ProtocolError(ProtocolErrorCode.InternalError, `Service ${slug} failed to handle the request`, { reason: 'upstream_error' });
}

/** The upstream answered 404 to the session a request went on: the session no longer exists there. */
export class UpstreamSessionGone extends Error {
  constructor(override readonly cause: unknown) {
    super('The upstream session is gone');
  }
}

/** The `error` member of a JSON-RPC response carrying `error`. */
export function errorObject(error: ProtocolError): { code: number; message: string; data?: unknown } {
  return { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) };
}

/**
 * What the log keeps of an unexpected failure: its name, cause codes and message, without an
 * upstream's answer. The SDK's transport puts the whole body of a non-2xx answer into its error's
 * message (SdkHttpError "Error POSTing to endpoint: <body>", or a plain Error "Error POSTing to
 * endpoint (HTTP 500): <body>"), and a failing upstream's body may echo the request, with the
 * credentials the platform added to it: only the status is kept. Other messages are cut at 300
 * characters.
 */
function loggable(err: unknown): { name?: string; message: string; status?: number; codes?: string } {
  // The SDK's HTTP errors (SdkHttpError: "Error POSTing to endpoint: <body>") carry the status apart.
  if (err instanceof SdkHttpError) return { name: err.name, message: `${String(err.code)} (answer body not logged)`, status: err.status };
  const e = err as { name?: unknown; message?: unknown } | undefined;
  const text = typeof e?.message === 'string' ? e.message : String(err);
  const http = /\(HTTP (\d{3})\)/.exec(text.slice(0, 100));
  const codes: string[] = [];
  for (let current: unknown = (err as { cause?: unknown } | undefined)?.cause, i = 0; current && i < 5; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return {
    ...(typeof e?.name === 'string' ? { name: e.name } : {}),
    message: http ? `${text.slice(0, http.index + http[0].length)} (answer body not logged)` : text.slice(0, 300),
    ...(http ? { status: Number(http[1]) } : {}),
    ...(codes.length ? { codes: codes.join(' > ') } : {}),
  };
}
