import { SERVER_INFO_META_KEY, type ProtocolError } from '@modelcontextprotocol/server';
import { createParser } from 'eventsource-parser';
import type { Response as ExpressResponse } from 'express';
import { rewriteUris } from './aggregate.js';
import { encodeUri } from './names.js';
import { ClientStalled, type StreamBudget } from './stream-budget.js';
import { errorObject } from './upstream-errors.js';

/**
 * The one writer of the fast path's answers (fast-call.ts): JSON while nothing but the response
 * comes, SSE once a notification arrives before it, in the client's era and namespace:
 *
 * - the aggregate's rewrites: resource URIs prefixed `<slug>+` in the result and in
 *   `notifications/resources/updated`;
 * - the era: a result the platform's own upstream client received is stamped for a 2026-07-28
 *   client as the relay's server stamps it (`resultType`, the platform's `serverInfo`), and carries
 *   no `resultType` for a 2025-era client; bytes of a 2026-07-28 upstream to a 2026-07-28 client go
 *   as they came (the upstream is the server that answered).
 *
 * - the id: an answer on an upstream session carries the platform's id (`upstreamId`); the
 *   client's goes back in its place.
 *
 * Bytes go through unparsed when nothing needs rewriting.
 */

export interface AnswerShape {
  id: string | number;
  /** The client's era: `modern` is 2026-07-28. */
  era: 'modern' | 'legacy';
  /** On the aggregate `/mcp`: the slug the service's names are prefixed with. */
  aggregateSlug?: string | undefined;
  /**
   * The id the request carried upstream, when the platform replaced the client's (the `session`
   * route of call-plan.ts): the upstream's response is picked out by it, and re-encoded for the
   * client (its id back, the result as `forClient` gives it: an upstream session speaks 2025).
   */
  upstreamId?: string | undefined;
  /** A `tools/list` answer: the tools kept (the service's tool policy). */
  listFilter?: ((name: string) => boolean) | undefined;
}

export type Outcome = { result: Record<string, unknown>; error?: undefined } | { error: unknown; result?: undefined };

/** The relay server's identity (relay.ts shares it): what a 2026-07-28 client sees as the server that answered. */
export const SERVER_INFO = { name: 'mcp-online-platform', version: '1.0.0' };

/**
 * An SSE answer's headers go out with its first event, in the same write (a separate write of the
 * headers alone was 6 % of the main thread's CPU on the 2025 `session` route, whose upstreams
 * answer in SSE); when the upstream's first event takes longer than this, they go alone.
 */
const HEADERS_ALONE_AFTER_MS = 100;

export class AnswerWriter {
  private streaming = false;
  /** `relaySse` is waiting for the client to read (its socket full), or was when the call was aborted. */
  private waitingOnClient = false;
  private headersTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ExpressResponse,
    readonly shape: AnswerShape,
    /** What may wait for a client that does not read the notifications written to it. */
    private readonly budget?: StreamBudget,
  ) {}

  private get gone(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  /** The answer becomes a stream; its headers go with the first write, or alone after `headersAloneAfterMs`. */
  private startStream(headersAloneAfterMs?: number): void {
    this.streaming = true;
    this.res.status(200);
    this.res.setHeader('content-type', 'text/event-stream');
    this.res.setHeader('cache-control', 'no-cache');
    if (headersAloneAfterMs === undefined) return;
    this.headersTimer = setTimeout(() => {
      this.headersTimer = undefined;
      if (!this.res.headersSent && !this.gone) this.res.flushHeaders();
    }, headersAloneAfterMs);
    this.headersTimer.unref();
  }

  /** The stream's end (or its last event) is written: no separate write of the headers is needed any more. */
  private headersWritten(): void {
    if (this.headersTimer === undefined) return;
    clearTimeout(this.headersTimer);
    this.headersTimer = undefined;
  }

  /** A notification of the upstream during the call (the answer becomes a stream). */
  notify(n: { method: string; params?: Record<string, unknown> }): void {
    if (this.gone) return;
    if (!this.streaming) {
      if (this.res.headersSent) return;
      this.startStream();
    }
    this.res.write(sseEvent(JSON.stringify({ jsonrpc: '2.0', ...this.rewriteNotification(n) })));
    // Notifications are pushed as the upstream sends them: a client that does not read them is cut off past the budget.
    if (this.budget && this.res.writableLength > this.budget.maxBytes) this.budget.onStalled(this.res.writableLength);
  }

  /** The final answer to a result the platform's client received, or an error of the platform's. */
  finish(outcome: { result: Record<string, unknown> } | { error: ProtocolError }): void {
    this.headersWritten();
    if (this.gone) return;
    const message = 'result' in outcome ? { jsonrpc: '2.0', id: this.shape.id, result: this.forClient(outcome.result) } : { jsonrpc: '2.0', id: this.shape.id, error: errorObject(outcome.error) };
    if (this.streaming) {
      this.res.end(sseEvent(JSON.stringify(message)));
      return;
    }
    if (this.res.headersSent) {
      this.res.end();
      return;
    }
    this.res.status(200).setHeader('content-type', 'application/json');
    this.res.end(JSON.stringify(message));
  }

  /** A result as this client reads it (era, aggregate names). */
  forClient(result: Record<string, unknown>): Record<string, unknown> {
    const named = this.shape.aggregateSlug === undefined ? result : (rewriteUris(result, this.shape.aggregateSlug) as Record<string, unknown>);
    return this.shape.era === 'modern' ? stampModern(named) : withoutResultType(named);
  }

  /** A listing's tools as the policy lets the client see them; an entry without a name is no tool (the relay's SDK client refused such a listing whole). */
  private listed(result: Record<string, unknown>): Record<string, unknown> {
    const keep = this.shape.listFilter;
    if (!keep || !Array.isArray(result.tools)) return result;
    const tools = (result.tools as unknown[]).filter((t) => !!t && typeof t === 'object' && typeof (t as { name?: unknown }).name === 'string' && keep((t as { name: string }).name));
    return tools.length === result.tools.length ? result : { ...result, tools };
  }

  private rewriteNotification<N extends { method: string; params?: Record<string, unknown> }>(n: N): N {
    const slug = this.shape.aggregateSlug;
    if (slug === undefined || n.method !== 'notifications/resources/updated' || typeof n.params?.uri !== 'string') return n;
    return { ...n, params: { ...n.params, uri: encodeUri(slug, n.params.uri) } };
  }

  /**
   * Rewrites of an upstream's own response (bytes path): the aggregate's names; on an upstream
   * session, the client's id and the result in the client's era.
   */
  private rewriteResponse(message: Record<string, unknown>): Record<string, unknown> {
    if (this.shape.upstreamId !== undefined) {
      const out: Record<string, unknown> = { ...message, id: this.shape.id };
      if (message.result !== undefined) out.result = this.forClient(this.listed(message.result as Record<string, unknown>));
      return out;
    }
    const slug = this.shape.aggregateSlug;
    return slug === undefined || message.result === undefined ? message : { ...message, result: rewriteUris(message.result, slug) };
  }

  /** The answer's bytes are not the client's as they are (names to prefix, an id to put back). */
  private get rewrites(): boolean {
    return this.shape.aggregateSlug !== undefined || this.shape.upstreamId !== undefined;
  }

  /** The id of the response to wait for upstream. */
  private get upstreamId(): string | number {
    return this.shape.upstreamId ?? this.shape.id;
  }

  /**
   * An upstream's JSON answer (bytes), read to its end: sent on when it is the response to this
   * request. Undefined when it is anything else (nothing written then).
   */
  async relayJson(body: AsyncIterable<Uint8Array>, touch: () => void, beforeAnswer?: (outcome: Outcome) => void | Promise<void>): Promise<Outcome | undefined> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) {
      touch();
      chunks.push(chunk);
    }
    // undici hands out Buffers: no copy unless the body came in pieces.
    const bytes = chunks.length === 1 && Buffer.isBuffer(chunks[0]) ? chunks[0] : Buffer.concat(chunks);
    const answer = responseFor(bytes.toString('utf8'), this.upstreamId);
    if (!answer) return undefined;
    await beforeAnswer?.(answer.outcome);
    if (this.gone) return answer.outcome;
    this.res.status(200).setHeader('content-type', 'application/json');
    this.res.end(this.rewrites ? JSON.stringify(this.rewriteResponse(answer.message)) : bytes);
    return answer.outcome;
  }

  /**
   * An upstream's SSE answer (bytes), streamed event by event while the response is picked out.
   * Resolves with the response's outcome, or undefined when the stream ended (or failed) without
   * it; the stream is left open for `finish` then. Rejects with what broke the reading.
   */
  async relaySse(
    body: AsyncIterable<Uint8Array>,
    touch: () => void,
    signal: AbortSignal,
    beforeAnswer?: (outcome: Outcome) => void | Promise<void>,
  ): Promise<Outcome | undefined> {
    const res = this.res;
    let answered: Outcome | undefined;
    // The response's event is held until `beforeAnswer` settles; what came before it is written as it comes.
    let held: string[] = [];
    let released = false;
    const rewrite = this.rewrites;
    const parser = createParser({
      onEvent: (event) => {
        const answer = answered ? undefined : responseFor(event.data, this.upstreamId);
        if (answer) answered = answer.outcome;
        if (!rewrite) return;
        const data = answer ? JSON.stringify(this.rewriteResponse(answer.message)) : this.rewriteNotificationData(event.data);
        const text = sseEvent(data, event.id, answer ? 'message' : event.event);
        if (answered && !released) held.push(text);
        else res.write(text);
      },
    });
    this.startStream(HEADERS_ALONE_AFTER_MS);
    // A character may be split between chunks: the decoder keeps the rest for the next one.
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        touch();
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (answered && !released) {
          released = true;
          await beforeAnswer?.(answered);
          for (const text of held) res.write(text);
          held = [];
        }
        if (!rewrite && !res.write(chunk)) await this.untilDrained(signal);
        else if (rewrite && res.writableNeedDrain) await this.untilDrained(signal);
      }
    } catch (err) {
      // Once the response has gone to the client, what breaks afterwards does not change the answer.
      if (!answered) throw err;
    } finally {
      this.headersWritten();
    }
    if (answered && !this.gone) res.end();
    return answered;
  }

  private async untilDrained(signal: AbortSignal): Promise<void> {
    this.waitingOnClient = true;
    await waitForDrain(this.res, signal);
    if (!signal.aborted) this.waitingOnClient = false;
  }

  /**
   * What held the call when it was aborted while waiting for the client to read its stream (the
   * idle timeout then measured the client, not the upstream, which TCP had paused); undefined otherwise.
   */
  stalledClient(): ClientStalled | undefined {
    return this.waitingOnClient ? new ClientStalled(this.res.writableLength) : undefined;
  }

  private rewriteNotificationData(data: string): string {
    if (this.shape.aggregateSlug === undefined) return data;
    try {
      const message = JSON.parse(data) as unknown;
      if (!message || typeof message !== 'object' || Array.isArray(message) || typeof (message as { method?: unknown }).method !== 'string') return data;
      return JSON.stringify(this.rewriteNotification(message as { method: string; params?: Record<string, unknown> }));
    } catch {
      return data;
    }
  }
}

/** The JSON-RPC response to `id` in `text`, or undefined when `text` is anything else (a notification, garbage). */
function responseFor(text: string, id: string | number): { outcome: Outcome; message: Record<string, unknown> } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) return undefined;
  const m = message as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown };
  if (m.jsonrpc !== '2.0' || m.id !== id) return undefined;
  if (m.result !== undefined && typeof m.result === 'object' && m.result !== null && !Array.isArray(m.result)) return { outcome: { result: m.result as Record<string, unknown> }, message: m };
  if (m.error !== undefined && typeof m.error === 'object' && m.error !== null && typeof (m.error as { code?: unknown }).code === 'number') return { outcome: { error: m.error }, message: m };
  return undefined;
}

/**
 * A result in the 2026-07-28 encoding, as the SDK relay's server sends it: the `resultType`
 * discriminator ('complete' unless the upstream said otherwise) and the platform's identity in `_meta`.
 */
function stampModern(result: Record<string, unknown>): Record<string, unknown> {
  const meta = result._meta as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = { ...result, resultType: result.resultType ?? 'complete' };
  if (meta === undefined) out._meta = { [SERVER_INFO_META_KEY]: SERVER_INFO };
  else if (typeof meta === 'object' && meta !== null && meta[SERVER_INFO_META_KEY] === undefined) out._meta = { ...meta, [SERVER_INFO_META_KEY]: SERVER_INFO };
  return out;
}

/** A result for a 2025-era client: no `resultType` ('complete' is what its absence means). */
function withoutResultType(result: Record<string, unknown>): Record<string, unknown> {
  if (result.resultType !== 'complete') return result;
  const out = { ...result };
  delete out.resultType;
  return out;
}

/** One SSE event; every line of `data` on its own `data:` line. */
function sseEvent(data: string, id?: string, event = 'message'): string {
  const lines = data.includes('\n') ? data.split(/\r?\n/).map((line) => `data: ${line}`).join('\n') : `data: ${data}`;
  return `event: ${event}\n${id ? `id: ${id}\n` : ''}${lines}\n\n`;
}

function waitForDrain(res: ExpressResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
