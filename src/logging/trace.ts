import { randomFillSync } from 'node:crypto';
import type { RequestHandler } from 'express';
import { resumeRequestContext } from './tracing-context.js';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) without an SDK: every request gets a
 * trace ID (taken from a valid incoming `traceparent`, otherwise new) and a span ID. The trace ID
 * goes into every log line of the request and into the request log; `traceparentFor` gives the
 * header to send to http upstreams so their spans join the same trace.
 */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** The caller's span, when the request carried a traceparent. */
  parentSpanId?: string;
  sampled: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the logging component's trace middleware. */
      trace?: TraceContext;
    }
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

// IDs are cut from a pooled block of CSPRNG bytes (like crypto.randomUUID does): one
// randomFillSync call per 4 KiB instead of two per request, which showed in the /mcp profile.
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const hex = POOL.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

export function newSpanId(): string {
  return randomHex(8);
}

export function parseTraceparent(header: string | string[] | undefined): TraceContext {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  const m = value ? TRACEPARENT.exec(value) : null;
  if (m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) {
    return { traceId: m[1]!, parentSpanId: m[2]!, spanId: newSpanId(), sampled: (parseInt(m[3]!, 16) & 1) === 1 };
  }
  return { traceId: randomHex(16), spanId: newSpanId(), sampled: true };
}

/** The `traceparent` header value for an outgoing call made within `trace` (a child span). */
export function traceparentFor(trace: TraceContext, childSpanId: string = newSpanId()): string {
  return `00-${trace.traceId}-${childSpanId}-${trace.sampled ? '01' : '00'}`;
}

/**
 * Express middleware: sets `req.trace` (unless OpenTelemetry's server span did already: then its
 * IDs are the OTel ones; the request's logger binds them when first used, see the gateway's edge),
 * and re-enters the request's trace context for the rest of the chain.
 */
export function traceMiddleware(): RequestHandler {
  return (req, res, next) => {
    const trace = req.trace ?? parseTraceparent(req.headers.traceparent);
    req.trace = trace;
    res.setHeader('traceresponse', `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}`);
    resumeRequestContext(req, next);
  };
}
