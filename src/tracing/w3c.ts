import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) without an SDK: every request gets a
 * trace ID (taken from a valid incoming `traceparent`, otherwise new) and a span ID. The trace ID
 * goes into every log line of the request and into the request log, and reaches http upstreams as
 * their parent (`injectTraceContext`, context.ts), so their spans join the same trace.
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
      /** Set by the logging component's trace middleware (or the OpenTelemetry server span). */
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

