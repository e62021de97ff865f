import { createParser } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import { capSdkResponse, requestIdOf } from './response-cap.js';

/**
 * An undici answer as the SDK client transport reads it (a WHATWG `Response`), made as cheaply as
 * the answer allows. The platform's SDK clients used undici's `fetch`, whose WHATWG streams cost
 * about twice the CPU of `request` per exchange; and an SDK server answers most POSTs with an SSE
 * stream holding nothing but the response, which the transport then parsed through a pipeline of
 * web streams. So:
 *
 * - a POST's JSON answer is read whole (the transport reads it whole anyway) and handed over as bytes;
 * - a POST's SSE answer whose first event is the response to that request (and nothing else came
 *   with it) is handed over as that response in JSON: the stream has nothing more for this request
 *   (a server sends the response last, and SHOULD end the stream then); the rest of the stream is
 *   read to its end meanwhile, so the connection is kept, and whatever else it still carried is
 *   dropped. Any other first event (progress, a server request, a notification) and the stream
 *   goes to the transport as it came, event by event, those bytes first;
 * - everything else (GET streams, DELETE) is streamed as it comes.
 *
 * Every body goes through `MCP_MAX_RESPONSE_BYTES` (`capSdkResponse`) when it is set. A body that
 * breaks while it is read ahead reaches the transport as a body that breaks after what was read, as
 * it did when the transport read it itself.
 */
export async function sdkResponse(answer: Dispatcher.ResponseData, method: string, requestBody: unknown, limit: number | undefined): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const init = { status: answer.statusCode, headers };
  if (NULL_BODY_STATUSES.has(answer.statusCode)) {
    void answer.body.dump().catch(() => undefined);
    return new Response(null, init);
  }
  const contentType = headers.get('content-type') ?? '';
  const body: AsyncIterable<Uint8Array> = limit === undefined ? answer.body : capSdkResponse(answer.body, contentType, limit, requestBody);
  if (method !== 'POST') return new Response(stream(body), init);
  if (/^\s*text\/event-stream/i.test(contentType)) {
    const id = requestIdOf(requestBody);
    return id === undefined ? new Response(stream(body), init) : sseAnswer(body, id, init);
  }
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk);
  } catch (err) {
    return new Response(stream(chunks, undefined, err), init);
  }
  return new Response(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), init);
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

async function sseAnswer(body: AsyncIterable<Uint8Array>, id: string | number, init: { status: number; headers: Headers }): Promise<Response> {
  const events: string[] = [];
  const parser = createParser({ onEvent: (event) => void events.push(event.data) });
  const decoder = new TextDecoder();
  const iterator = body[Symbol.asyncIterator]();
  const read: Uint8Array[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      read.push(next.value);
      parser.feed(decoder.decode(next.value, { stream: true }));
      if (events.length === 0) continue;
      if (events.length === 1 && isResponseTo(events[0]!, id)) {
        void drain(iterator);
        init.headers.set('content-type', 'application/json');
        init.headers.delete('content-length');
        return new Response(events[0], init);
      }
      break;
    }
  } catch (err) {
    return new Response(stream(read, undefined, err), init);
  }
  return new Response(stream(read, iterator), init);
}

function isResponseTo(data: string, id: string | number): boolean {
  try {
    const message = JSON.parse(data) as { jsonrpc?: unknown; id?: unknown; method?: unknown; result?: unknown; error?: unknown };
    return message?.jsonrpc === '2.0' && message.id === id && message.method === undefined && (message.result !== undefined || message.error !== undefined);
  } catch {
    return false;
  }
}

/** Reads the rest of an answer whose response was handed over (the connection stays usable); errors are of no one's concern now. */
async function drain(iterator: AsyncIterator<Uint8Array>): Promise<void> {
  try {
    while (!(await iterator.next()).done);
  } catch {
    // The answer was complete.
  }
}

/** A web stream of `first`, then the rest of `rest`; `error` (when given) breaks it after `first`. */
function stream(first: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, rest?: AsyncIterator<Uint8Array>, error?: unknown): ReadableStream<Uint8Array> {
  async function* all(): AsyncGenerator<Uint8Array> {
    let ended = false;
    try {
      yield* first;
      if (error !== undefined) throw error;
      if (rest) for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
      ended = true;
    } finally {
      // The transport cancelled the stream (a cancelled request): the upstream's answer is abandoned too.
      if (!ended) await rest?.return?.().catch(() => undefined);
    }
  }
  return ReadableStream.from(all()) as ReadableStream<Uint8Array>;
}
