import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  type Notification,
} from '@modelcontextprotocol/server';
import { createParser } from 'eventsource-parser';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import type { Logger } from 'pino';
import type { Principal } from '../../gateway/index.js';
import { traceUpstreamCall } from '../../tracing/index.js';
import type { RawUpstreamResponse, ResolvedService, UpstreamConnector } from '../contracts.js';
import type { RelayEvent } from './observe.js';
import { rewriteUris } from './aggregate.js';
import { directCall } from './direct-call.js';
import { encodeUri } from './names.js';
import { toolAllowed } from './policy.js';
import { httpRefusal, upstreamError } from './relay.js';
import { McpRateLimited } from './gateway-hooks.js';

/**
 * The passthrough: a 2026-07-28 `tools/call` to `/mcp/{service}` of an http service whose instance
 * is known to speak 2026-07-28 statelessly is relayed as bytes, with no SDK server or client in the
 * middle. The revision is stateless, so the exchange is one request and one response (JSON, or an
 * SSE stream of notifications ending in the response): the platform adds the user's credentials,
 * applies the same checks as the SDK path (tool policy, per user + service rate limit) and streams
 * the upstream's answer back unchanged, so the client sees exactly what the service said. The
 * client's own envelope (`_meta`, progress token, `Mcp-Param-*` headers) reaches the service, which
 * is what a direct connection would carry. Anything else — another method or revision, the
 * aggregate, stdio/builtin services, `full` payload capture, an instance not yet known to speak
 * 2026-07-28, an upstream refusing with 4xx — takes the SDK path (relay.ts), which also re-learns
 * the instance.
 */

export interface PassthroughOptions {
  connector: UpstreamConnector;
  logger: Logger;
  /** Bound on the upstream's silence while it answers (reset on every chunk), as the SDK path's request timeout. */
  requestTimeoutMs: number;
  /** Per user + service rate limit, as the SDK path's `beforeForward`. */
  beforeForward?: (principal: Principal, service: ResolvedService) => Promise<void>;
}

export interface PassthroughTarget {
  principal: Principal;
  service: ResolvedService;
  observe?: (event: RelayEvent) => void;
  /** The request's 2025-era session, already opened and checked to be this user's at this endpoint. */
  session?: PassthroughSession;
  /** On the aggregate `/mcp`: the service's slug (the name prefix) and the tool's upstream name. */
  aggregate?: { slug: string; upstreamName: string };
}

/** What a 2025-era session's `initialize` established (sealed-sessions.ts), as the passthrough needs it. */
export interface PassthroughSession {
  id: string;
  /** The key the session's endpoints share on a shared upstream client (client-routing.ts). */
  key: string;
  protocolVersion: string;
  clientInfo: unknown;
  capabilities: Record<string, unknown>;
}

const MODERN = '2026-07-28';
const FORWARDED_HEADERS = ['mcp-protocol-version', 'mcp-method', 'mcp-name'];
const PARAM_HEADER_PREFIX = 'mcp-param-';

interface ToolCall {
  id: string | number;
  /** As the client sent them. */
  params: Record<string, unknown> & { name: string };
  /** As the upstream gets them: the aggregate's prefix taken off the name. */
  upstreamParams: Record<string, unknown> & { name: string };
  /** The request as the upstream gets it: the client's bytes (2026-07-28), or the session's call in the 2026-07-28 envelope. */
  /** Serialized only when it goes out as bytes (http); a direct call sends `upstreamParams`. */
  upstreamMessage: unknown;
  upstreamHeaders: Record<string, string>;
  /** A 2025-era session's call: the upstream's 2026-07-28 response is re-encoded for it. */
  legacy: boolean;
  /** What the answer needs before the client sees it (2025 encoding, aggregate URIs); undefined: the bytes as they came. */
  transform?: AnswerTransform;
}

/** Rewrites of the upstream's messages on their way to the client. */
interface AnswerTransform {
  response(message: Record<string, unknown>): Record<string, unknown>;
  notification(message: Record<string, unknown>): Record<string, unknown>;
}

/** Serves the request when it qualifies; false when the SDK path must (nothing has been sent then). */
export type Passthrough = (req: ExpressRequest, res: ExpressResponse, target: PassthroughTarget) => Promise<boolean>;

export function createPassthrough(opts: PassthroughOptions): Passthrough {
  const connector = opts.connector;
  return async (req, res, { principal, service, observe, session, aggregate }) => {
    const def = service.definition;
    if (def.payloadCapture === 'full') return false;
    const qualified = session ? qualifyingSessionCall(req, session, aggregate?.upstreamName) : qualifyingToolCall(req, aggregate?.upstreamName);
    if (!qualified) return false;
    const call = withTransform(qualified, aggregate?.slug);
    const httpConfig = def.config.kind === 'http' ? def.config : undefined;
    // A 2025-era session's calls go on its own upstream session, in its own era (relay.ts).
    if (httpConfig ? session !== undefined || !connector.acceptsRaw?.(service) : !directable(call, session)) return false;

    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
    };
    res.once('close', onClose);
    const started = performance.now();
    let instance: string | undefined;
    const report = (done: { result?: unknown; error?: unknown }) => {
      if (instance !== undefined) {
        observe?.({ type: 'forward', requestId: call.id, service, instance, method: 'tools/call', params: call.upstreamParams, upstreamMs: performance.now() - started });
      }
      observe?.({ type: 'done', requestId: call.id, method: 'tools/call', params: call.params, ...done });
    };
    const fail = (err: unknown): true => {
      const tried = (err as { instance?: unknown } | undefined)?.instance;
      if (instance === undefined && typeof tried === 'string') instance = tried;
      const error = toProtocolError(err, service, opts.logger);
      report({ error });
      sendJsonRpcError(res, call.id, error);
      return true;
    };

    try {
      if (!toolAllowed(def.toolPolicy, call.upstreamParams.name)) {
        return fail(new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${call.params.name} is not available: refused by the service's tool policy`));
      }
      await opts.beforeForward?.(principal, service);
      if (session) res.setHeader('mcp-session-id', session.id);
      if (!httpConfig) {
        report(
          await directCall({
            connector,
            principal,
            service,
            id: call.id,
            params: call.upstreamParams,
            rewriteResult: aggregate ? (result) => rewriteUris(result, aggregate.slug) as Record<string, unknown> : undefined,
            rewriteNotification: aggregate ? (n) => aggregateNotification(n, aggregate.slug) : undefined,
            sessionKey: session?.key,
            allowInputRequired: !session,
            requestTimeoutMs: opts.requestTimeoutMs,
            signal: controller.signal,
            res,
            onForwarded: (i) => void (instance = i),
            toError: (err) => toProtocolError(err, service, opts.logger),
          }),
        );
        return true;
      }
      const upstream = await traceUpstreamCall({ service: def.slug, instance: httpConfig.instances[0] ?? '', method: 'tools/call', params: call.upstreamParams }, () =>
        connector.sendRaw!(principal, service, { body: JSON.stringify(call.upstreamMessage), headers: call.upstreamHeaders, signal: controller.signal }),
      );
      // The instance stopped being known as 2026-07-28 meanwhile (ejected, demoted): nothing was sent, the SDK path serves it.
      if (!upstream) return false;
      instance = upstream.instance;
      if (upstream.status >= 300) {
        // An answer, never a reason to send the request again. A refusal of the revision itself
        // (the instance was redeployed without 2026-07-28) sends the next calls the SDK way, which
        // re-learns the instance; a refusal of this user's credentials concerns this user only.
        upstream.discard();
        if (PROTOCOL_REFUSALS.has(upstream.status)) upstream.demote();
        return fail(upstream.status < 500 ? httpRefusal(upstream.status, def.slug) : new Error(`HTTP ${upstream.status}`));
      }
      const type = upstream.contentType.split(';')[0]!.trim().toLowerCase();
      const relaying: Relaying = { res, upstream, call, controller, timeoutMs: opts.requestTimeoutMs, report };
      if (type === 'application/json') return await relayJson(relaying, fail);
      if (type === 'text/event-stream') return await relaySse(relaying, service);
      upstream.discard();
      return fail(new Error(`unexpected content type ${type || '(none)'}`));
    } catch (err) {
      return fail(err);
    } finally {
      res.off('close', onClose);
    }
  };
}

/** The JSON-RPC tools/call request of the body (a POST accepting JSON and SSE), when it is one and well-formed. */
function toolCallOf(req: ExpressRequest): { id: string | number; params: ToolCall['params'] } | undefined {
  if (req.method !== 'POST') return undefined;
  const accept = req.headers.accept;
  if (typeof accept !== 'string' || !accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  const body = req.body as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return undefined;
  if (typeof body.id !== 'string' && typeof body.id !== 'number') return undefined;
  const params = body.params as Record<string, unknown> | undefined;
  if (!params || typeof params !== 'object' || Array.isArray(params) || typeof params.name !== 'string') return undefined;
  if (params.arguments !== undefined && (typeof params.arguments !== 'object' || params.arguments === null || Array.isArray(params.arguments))) return undefined;
  if (params._meta !== undefined && (typeof params._meta !== 'object' || params._meta === null || Array.isArray(params._meta))) return undefined;
  return { id: body.id, params: params as ToolCall['params'] };
}

/** A well-formed 2026-07-28 tools/call the SDK entry would accept as is; anything doubtful goes to the SDK path. */
function qualifyingToolCall(req: ExpressRequest, upstreamName: string | undefined): ToolCall | undefined {
  const h = req.headers;
  if (h['mcp-protocol-version'] !== MODERN || h['mcp-method'] !== 'tools/call') return undefined;
  const call = toolCallOf(req);
  if (!call || h['mcp-name'] !== call.params.name) return undefined;
  if (upstreamName !== undefined && !PLAIN_NAME.test(upstreamName)) return undefined;
  // The rest of the envelope is the service's to validate (it is an MCP server of this revision):
  // a refusal (4xx) sends the request down the SDK path, which answers it with the SDK's own error.
  if ((call.params._meta as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== MODERN) return undefined;
  const upstreamHeaders: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) upstreamHeaders[name] = h[name] as string;
  for (const [name, value] of Object.entries(h)) {
    if (name.startsWith(PARAM_HEADER_PREFIX) && typeof value === 'string') upstreamHeaders[name] = value;
  }
  if (upstreamName === undefined) return { ...call, upstreamParams: call.params, upstreamMessage: req.body, upstreamHeaders, legacy: false };
  const upstreamParams = { ...call.params, name: upstreamName };
  upstreamHeaders['mcp-name'] = upstreamName;
  const body = { ...(req.body as Record<string, unknown>), params: upstreamParams };
  return { ...call, upstreamParams, upstreamMessage: body, upstreamHeaders, legacy: false };
}

/**
 * Whether a stdio/builtin call can skip the SDK server: nothing the upstream might send during it
 * would need relaying back as a request or a progress update (no progress token; a client that
 * cannot be asked anything).
 */
function directable(call: ToolCall, session: PassthroughSession | undefined): boolean {
  const meta = call.params._meta as Record<string, unknown> | undefined;
  if (meta?.progressToken !== undefined) return false;
  const capabilities = session ? session.capabilities : (meta?.[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown> | undefined);
  if (capabilities !== undefined && (typeof capabilities !== 'object' || capabilities === null)) return false;
  return !ASKING_CAPABILITIES.some((c) => capabilities?.[c] !== undefined);
}

/** Statuses by which an instance refuses the 2026-07-28 request itself, not the user (401, 403, 429 are the user's). */
const PROTOCOL_REFUSALS = new Set([400, 404, 405, 406, 415]);

/** Names a `Mcp-Name` header carries as they are (others need the SDK's encoding: the SDK path). */
const PLAIN_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;
/** Client capabilities that let a server ask the client something: a 2026-07-28 upstream would ask through a result a 2025 client cannot read. */
const ASKING_CAPABILITIES = ['sampling', 'elicitation', 'roots'];

/**
 * A tools/call in a 2025-era session whose client declared nothing a server could ask for: sent
 * upstream as the 2026-07-28 request the SDK relay would make for it (the session's client in the
 * envelope), so the result the client gets is the one the service gave.
 */
function qualifyingSessionCall(req: ExpressRequest, session: PassthroughSession, upstreamName: string | undefined): ToolCall | undefined {
  const h = req.headers;
  if (h['mcp-protocol-version'] !== undefined && h['mcp-protocol-version'] !== session.protocolVersion) return undefined;
  if (ASKING_CAPABILITIES.some((c) => session.capabilities[c] !== undefined)) return undefined;
  const call = toolCallOf(req);
  const name = upstreamName ?? call?.params.name;
  if (!call || name === undefined || !PLAIN_NAME.test(name)) return undefined;
  const meta = call.params._meta as Record<string, unknown> | undefined;
  if (meta && Object.keys(meta).some((k) => k.startsWith('io.modelcontextprotocol/'))) return undefined;
  const upstreamParams = { ...call.params, name };
  const upstream = {
    jsonrpc: '2.0',
    id: call.id,
    method: 'tools/call',
    params: {
      ...upstreamParams,
      _meta: {
        ...meta,
        [PROTOCOL_VERSION_META_KEY]: MODERN,
        [CLIENT_INFO_META_KEY]: session.clientInfo,
        [CLIENT_CAPABILITIES_META_KEY]: session.capabilities,
      },
    },
  };
  return {
    ...call,
    upstreamParams,
    upstreamMessage: upstream,
    upstreamHeaders: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name },
    legacy: true,
  };
}

/** The rewrites the answer needs: the 2025 encoding for a session's call, the aggregate's URIs on `/mcp`. */
function withTransform(call: ToolCall, aggregateSlug: string | undefined): ToolCall {
  if (!call.legacy && aggregateSlug === undefined) return call;
  return {
    ...call,
    transform: {
      response: (message) => {
        const encoded = call.legacy ? asLegacyResponse(message) : message;
        if (aggregateSlug === undefined || encoded.result === undefined) return encoded;
        return { ...encoded, result: rewriteUris(encoded.result, aggregateSlug) };
      },
      notification: (message) => (aggregateSlug === undefined ? message : aggregateNotification(message as unknown as Notification, aggregateSlug) as unknown as Record<string, unknown>),
    },
  };
}

/** An upstream notification as the aggregate names things (the relay's rule: resource updates carry prefixed URIs). */
function aggregateNotification(n: Notification, slug: string): Notification {
  if (n.method === 'notifications/resources/updated' && n.params && typeof n.params.uri === 'string') {
    return { ...n, params: { ...n.params, uri: encodeUri(slug, n.params.uri) } };
  }
  return n;
}

/** One upstream answer being relayed to the client. */
interface Relaying {
  res: ExpressResponse;
  upstream: RawUpstreamResponse;
  call: ToolCall;
  controller: AbortController;
  timeoutMs: number;
  report: (done: { result?: unknown; error?: unknown }) => void;
}

async function relayJson({ res, upstream, call, controller, timeoutMs, report }: Relaying, fail: (err: unknown) => true): Promise<true> {
  const chunks: Buffer[] = [];
  await withIdleTimeout(controller, timeoutMs, async (touch) => {
    for await (const chunk of upstream.body) {
      touch();
      chunks.push(Buffer.from(chunk));
    }
  });
  const bytes = Buffer.concat(chunks);
  const answer = responseFor(bytes.toString('utf8'), call.id);
  if (!answer) return fail(new Error('the upstream answered something other than the JSON-RPC response'));
  const { message, ...done } = answer;
  report(done);
  res.status(200).setHeader('content-type', 'application/json');
  res.end(call.transform ? JSON.stringify(call.transform.response(message)) : bytes);
  return true;
}

async function relaySse({ res, upstream, call, controller, timeoutMs, report }: Relaying, service: ResolvedService): Promise<true> {
  let answered: { result?: unknown; error?: unknown } | undefined;
  // With a transform (2025 encoding, aggregate names) the stream is re-written event by event; else the bytes go as they came.
  const transform = call.transform;
  const parser = createParser({
    onEvent: (event) => {
      const answer = answered ? undefined : responseFor(event.data, call.id);
      if (answer) {
        const { message, ...done } = answer;
        answered = done;
        if (transform) res.write(sseEvent(JSON.stringify(transform.response(message)), event.id));
      } else if (transform) {
        res.write(sseEvent(rewriteNotificationData(event.data, transform), event.id, event.event));
      }
    },
  });
  res.status(200);
  res.setHeader('content-type', 'text/event-stream');
  res.setHeader('cache-control', 'no-cache');
  res.flushHeaders();
  let failure: unknown;
  try {
    await withIdleTimeout(controller, timeoutMs, async (touch) => {
      for await (const chunk of upstream.body) {
        touch();
        parser.feed(Buffer.from(chunk).toString('utf8'));
        if (!transform && !res.write(chunk)) await waitForDrain(res, controller.signal);
        else if (transform && res.writableNeedDrain) await waitForDrain(res, controller.signal);
      }
    });
  } catch (err) {
    failure = err;
  }
  if (answered) {
    report(answered);
  } else if (!res.destroyed) {
    // The stream ended (or failed) without the response: close it with the error the SDK path would give.
    const error = toProtocolError(failure ?? new Error('the upstream ended its stream without a response'), service, undefined);
    report({ error });
    res.write(sseEvent(JSON.stringify(errorMessage(call.id, error))));
  } else {
    report({ error: toProtocolError(failure ?? new Error('client closed the connection'), service, undefined) });
  }
  res.end();
  return true;
}

/** Runs `work`, aborting `controller` when it makes no progress (no `touch()`) for `timeoutMs`. */
async function withIdleTimeout(controller: AbortController, timeoutMs: number, work: (touch: () => void) => Promise<void>): Promise<void> {
  let last = performance.now();
  const timer = setInterval(() => {
    if (performance.now() - last >= timeoutMs) controller.abort(new IdleTimeout());
  }, Math.min(timeoutMs, 1_000));
  timer.unref();
  try {
    await work(() => (last = performance.now()));
  } catch (err) {
    if (controller.signal.reason instanceof IdleTimeout) throw controller.signal.reason;
    throw err;
  } finally {
    clearInterval(timer);
  }
}

class IdleTimeout extends Error {
  override name = 'IdleTimeout';
}

function waitForDrain(res: ExpressResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
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

/** The JSON-RPC response to `id` in `text`, or undefined when `text` is anything else (a notification, garbage). */
function responseFor(text: string, id: string | number): { result?: unknown; error?: unknown; message: Record<string, unknown> } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) return undefined;
  const m = message as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown };
  if (m.jsonrpc !== '2.0' || m.id !== id) return undefined;
  if (m.result !== undefined && typeof m.result === 'object' && m.result !== null && !Array.isArray(m.result)) return { result: m.result, message: m };
  if (m.error !== undefined && typeof m.error === 'object' && m.error !== null && typeof (m.error as { code?: unknown }).code === 'number') return { error: m.error, message: m };
  return undefined;
}

/** An SSE event's data with a notification in it rewritten; anything else unchanged. */
function rewriteNotificationData(data: string, transform: AnswerTransform): string {
  try {
    const message = JSON.parse(data) as unknown;
    if (!message || typeof message !== 'object' || Array.isArray(message) || typeof (message as { method?: unknown }).method !== 'string') return data;
    return JSON.stringify(transform.notification(message as Record<string, unknown>));
  } catch {
    return data;
  }
}

/** One SSE event; every line of `data` on its own `data:` line. */
function sseEvent(data: string, id?: string, event = 'message'): string {
  return `event: ${event}\n${id ? `id: ${id}\n` : ''}${data
    .split(/\r?\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/**
 * A 2026-07-28 response as the SDK relay's 2025-era server passes it on: without the `resultType`
 * discriminator ('complete' is what its absence means), which the SDK client consumes; `_meta`
 * (the service's identity stamp included) is passed on as it came.
 */
function asLegacyResponse(message: Record<string, unknown>): Record<string, unknown> {
  const result = message.result as Record<string, unknown> | undefined;
  if (!result || typeof result !== 'object' || result.resultType !== 'complete') return message;
  const out: Record<string, unknown> = { ...result };
  delete out.resultType;
  return { ...message, result: out };
}

function toProtocolError(err: unknown, service: ResolvedService, logger: Logger | undefined): ProtocolError {
  if (err instanceof McpRateLimited) {
    return new ProtocolError(-32000, `Rate limit exceeded for service ${service.definition.slug}; retry in ${err.retryAfterSeconds}s`, {
      reason: 'rate_limited',
      retryAfterSeconds: err.retryAfterSeconds,
    });
  }
  // The same words as the SDK path's request timeout, whichever deadline (headers or silence) fired.
  if (err instanceof IdleTimeout || (err as { upstreamCode?: unknown } | undefined)?.upstreamCode === 'upstream_timeout') return new ProtocolError(-32001, `Service ${service.definition.slug} did not answer in time`, { reason: 'upstream_timeout' });
  const quiet = logger ?? { warn: () => undefined };
  return upstreamError(err, service, quiet as Logger) as ProtocolError;
}

function errorMessage(id: string | number, error: ProtocolError) {
  return { jsonrpc: '2.0', id, error: { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) } };
}

function sendJsonRpcError(res: ExpressResponse, id: string | number, error: ProtocolError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(200).setHeader('content-type', 'application/json');
  res.end(JSON.stringify(errorMessage(id, error)));
}
