import { randomUUID } from 'node:crypto';
import { SERVER_INFO_META_KEY, type Notification, type ProtocolError } from '@modelcontextprotocol/server';
import type { Response as ExpressResponse } from 'express';
import type { Principal } from '../../gateway/index.js';
import { traceUpstreamCall } from '../../tracing/index.js';
import type { ResolvedService, UpstreamConnector, UpstreamLease } from '../contracts.js';
import { routerFor, type RelayEndpoint } from './client-routing.js';
import { SERVER_INFO, stripProgressToken } from './relay.js';

/**
 * The direct call: a qualifying `tools/call` (passthrough.ts) to a stdio or builtin service, made
 * on the leased upstream `Client` without an SDK `Server` per exchange in front of it. The upstream
 * side is the SDK relay's: the same lease (the user's stdio child, on whichever replica owns it),
 * the same routing of what the child sends while the call is in flight (client-routing.ts), the
 * same params (the client↔platform envelope and progress token stripped) and timeout. The answer
 * is JSON, or SSE once the upstream sends a notification during the call (as the SDK server does).
 * Only calls whose client cannot be asked anything and set no progress token come here: no
 * server→client request or progress has to be relayed.
 */

export interface DirectCallInput {
  connector: UpstreamConnector;
  principal: Principal;
  service: ResolvedService;
  id: string | number;
  params: Record<string, unknown>;
  /** Endpoints of one 2025-era session share a key (change events go once per session); else this call's own. */
  sessionKey: string | undefined;
  /** A 2026-07-28 client (it reads an input_required result itself; its results are in the 2026-07-28 encoding), else a 2025-era one. */
  allowInputRequired: boolean;
  requestTimeoutMs: number;
  signal: AbortSignal;
  res: ExpressResponse;
  onForwarded: (instance: string) => void;
  /** The aggregate's rewrites of the result and of notifications (prefixed URIs). */
  rewriteResult?: (result: Record<string, unknown>) => Record<string, unknown>;
  rewriteNotification?: (n: Notification) => Notification;
  toError: (err: unknown) => ProtocolError;
}

export type DirectCallOutcome = { result: Record<string, unknown> } | { error: ProtocolError };

export async function directCall(input: DirectCallInput): Promise<DirectCallOutcome> {
  const { service, res } = input;
  const stream = new ExchangeStream(res, input.id);
  const kind = service.definition.config.kind;
  let lease: UpstreamLease | undefined;
  let detach: (() => void) | undefined;
  try {
    lease = await input.connector.connect(input.principal, service, {
      signal: input.signal,
      // A stdio child (and its client) is shared by all sessions of the user, as in the relay.
      configureClient: (client) => routerFor(client).configure({}, kind === 'stdio'),
    });
    const endpoint: RelayEndpoint = {
      sessionKey: input.sessionKey ?? `direct:${randomUUID()}`,
      kind: 'request',
      capabilities: {},
      deliver: async (n) => stream.notify(input.rewriteNotification ? input.rewriteNotification(n) : n),
    };
    const router = routerFor(lease.client);
    detach = router.attach(endpoint);
    const params = stripProgressToken(input.params) ?? {};
    const client = lease.client;
    const instance = lease.instance;
    input.onForwarded(instance);
    const result = await router.track(endpoint, undefined, () =>
      traceUpstreamCall({ service: service.definition.slug, instance, method: 'tools/call', params }, () =>
        client.request({ method: 'tools/call', params: params as { name: string } }, {
          signal: input.signal,
          timeout: input.requestTimeoutMs,
          allowInputRequired: input.allowInputRequired,
        }),
      ),
    );
    const relayed = input.rewriteResult ? input.rewriteResult(result as Record<string, unknown>) : (result as Record<string, unknown>);
    const answer = input.allowInputRequired ? asModernResult(relayed) : relayed;
    stream.finish({ result: answer });
    return { result: answer };
  } catch (err) {
    const error = input.toError(err);
    stream.finish({ error });
    return { error };
  } finally {
    detach?.();
    await lease?.release().catch(() => undefined);
  }
}

/**
 * A result in the 2026-07-28 encoding, as the SDK relay's server sends it: the `resultType`
 * discriminator ('complete' unless the upstream said otherwise) and the platform's identity in
 * `_meta` (the relay is the server the client talks to).
 */
function asModernResult(result: Record<string, unknown>): Record<string, unknown> {
  const meta = result._meta as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = { ...result, resultType: result.resultType ?? 'complete' };
  if (meta === undefined) out._meta = { [SERVER_INFO_META_KEY]: SERVER_INFO };
  else if (typeof meta === 'object' && meta !== null && meta[SERVER_INFO_META_KEY] === undefined) out._meta = { ...meta, [SERVER_INFO_META_KEY]: SERVER_INFO };
  return out;
}

/** One exchange's response: JSON, switched to SSE by the first notification that arrives before the result. */
class ExchangeStream {
  private streaming = false;

  constructor(
    private readonly res: ExpressResponse,
    private readonly id: string | number,
  ) {}

  notify(n: Notification): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.streaming) {
      if (this.res.headersSent) return;
      this.streaming = true;
      this.res.status(200);
      this.res.setHeader('content-type', 'text/event-stream');
      this.res.setHeader('cache-control', 'no-cache');
      this.res.flushHeaders();
    }
    this.res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', ...n })}\n\n`);
  }

  finish(outcome: { result: unknown } | { error: ProtocolError }): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    const message =
      'result' in outcome
        ? { jsonrpc: '2.0', id: this.id, result: outcome.result }
        : {
            jsonrpc: '2.0',
            id: this.id,
            error: { code: outcome.error.code, message: outcome.error.message, ...(outcome.error.data === undefined ? {} : { data: outcome.error.data }) },
          };
    if (this.streaming) {
      this.res.end(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      return;
    }
    this.res.status(200).setHeader('content-type', 'application/json');
    this.res.end(JSON.stringify(message));
  }
}
