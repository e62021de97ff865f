import { UpstreamError } from './errors.js';

/**
 * `MCP_MAX_RESPONSE_BYTES`: an upstream answer is read up to the cap and cut off there, never
 * buffered whole. A JSON body counts as a whole; an SSE stream counts per event (bytes since the
 * last blank line), so a long-lived stream of small events is never cut, while one event above the
 * cap is. Events are passed on whole: the bytes of the event in progress are held back (at most the
 * cap), so a consumer that writes them through never sends half an event before the error.
 * Event boundaries are LF LF or LF CR LF (CRLF line ends included); a stream that ends lines with a
 * bare CR is counted as one event.
 */
export const MAX_RESPONSE_BYTES_SETTING = 'MCP_MAX_RESPONSE_BYTES';

export function responseTooLarge(limit: number): UpstreamError {
  return new UpstreamError(
    'upstream_response_too_large',
    `The service's answer is larger than ${MAX_RESPONSE_BYTES_SETTING} (${limit} bytes); it was cut off at the cap`,
    { name: MAX_RESPONSE_BYTES_SETTING, limit },
  );
}

const LF = 10;
const CR = 13;

/** The body, cut off with `responseTooLarge` beyond `limit` (per event for `text/event-stream`). */
export function capResponseBody(source: AsyncIterable<Uint8Array>, contentType: string, limit: number): AsyncGenerator<Uint8Array> {
  return /^\s*text\/event-stream/i.test(contentType) ? capEvents(source, limit) : capTotal(source, limit);
}

/**
 * For the SDK client transport: an SSE stream that answers one POSTed request ends, at the cap, with
 * a JSON-RPC error event for that request instead of breaking off (the SDK treats a broken POST
 * stream as something to resume, and the caller would wait for its timeout). Events pass whole, so
 * the error event follows a complete one. Other bodies break off with `responseTooLarge`.
 */
export async function* capSdkResponse(source: AsyncIterable<Uint8Array>, contentType: string, limit: number, requestBody: unknown): AsyncGenerator<Uint8Array> {
  const id = requestIdOf(requestBody);
  try {
    yield* capResponseBody(source, contentType, limit);
  } catch (err) {
    const sse = /^\s*text\/event-stream/i.test(contentType);
    if (!sse || id === undefined || !(err instanceof UpstreamError) || err.upstreamCode !== 'upstream_response_too_large') throw err;
    const error = { code: err.jsonRpcCode, message: err.message, data: { reason: err.upstreamCode } };
    yield Buffer.from(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, error })}\n\n`);
  }
}

/** The id of a single JSON-RPC request body, when it is one. */
export function requestIdOf(body: unknown): string | number | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const message = JSON.parse(body) as { id?: unknown; method?: unknown };
    return typeof message.method === 'string' && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : undefined;
  } catch {
    return undefined;
  }
}

async function* capTotal(source: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > limit) throw responseTooLarge(limit);
    yield chunk;
  }
}

async function* capEvents(source: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // The last two bytes seen before the current chunk (a boundary may straddle chunks).
  let before1 = -1;
  let before2 = -1;
  for await (const chunk of source) {
    const end = lastEventEnd(chunk, before1, before2);
    if (chunk.length >= 2) {
      before2 = chunk[chunk.length - 2]!;
      before1 = chunk[chunk.length - 1]!;
    } else if (chunk.length === 1) {
      before2 = before1;
      before1 = chunk[0]!;
    }
    if (end < 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes > limit) throw responseTooLarge(limit);
      continue;
    }
    if (pendingBytes + end > limit) throw responseTooLarge(limit);
    for (const held of pending) yield held;
    yield end === chunk.length ? chunk : chunk.subarray(0, end);
    pending = end === chunk.length ? [] : [chunk.subarray(end)];
    pendingBytes = chunk.length - end;
    if (pendingBytes > limit) throw responseTooLarge(limit);
  }
  for (const held of pending) yield held;
}

/**
 * The index just after the last blank line that ends in `chunk` (its final LF), or -1. `prev1` and
 * `prev2` are the bytes before the chunk (-1 when none).
 */
function lastEventEnd(chunk: Uint8Array, prev1: number, prev2: number): number {
  const at = (i: number) => (i >= 0 ? chunk[i]! : i === -1 ? prev1 : i === -2 ? prev2 : -1);
  for (let i = chunk.lastIndexOf(LF); i >= 0; i = i > 0 ? chunk.lastIndexOf(LF, i - 1) : -1) {
    if (at(i - 1) === LF || (at(i - 1) === CR && at(i - 2) === LF)) return i + 1;
  }
  return -1;
}
