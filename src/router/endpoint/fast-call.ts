import { randomUUID } from 'node:crypto';
import { SdkHttpError, type Notification } from '@modelcontextprotocol/server';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import type { Logger } from 'pino';
import type { Principal } from '../../gateway/index.js';
import { traceUpstreamCall } from '../../tracing/index.js';
import type { RawUpstreamResponse, RawUpstreamSession, ResolvedService, UpstreamConnector, UpstreamLease } from '../contracts.js';
import { AnswerWriter, type Outcome } from './answer-writer.js';
import type { StreamBudget } from './stream-budget.js';
import { planToolCall, planToolsList, type BytesRoute, type CallPlan, type SessionFacts, type SessionRoute } from './call-plan.js';
import { IdleWatch, sdkTimeoutOptions, type CallTimeouts } from './call-timeouts.js';
import { routerFor, type RelayEndpoint } from './client-routing.js';
import type { RelayEvent } from './observe.js';
import { httpRefusal, policyRefusal, upstreamError } from './upstream-errors.js';

/**
 * The fast path of a `tools/call`: no SDK server in the middle. Read top to bottom:
 *
 * 1. the request is parsed once into a plan (call-plan.ts): era, session, service, tool, the tool
 *    policy's decision, the route; no plan: the SDK relay serves it, nothing counted or sent;
 * 2. the tool policy refuses, or the per user + service limit is charged, once;
 * 3. the request goes upstream once, under the one timeout rule (call-timeouts.ts): as bytes to an
 *    http service (`sendBytes`: to a 2026-07-28 instance statelessly, or on an upstream session in
 *    a 2025-era revision), or on the user's leased stdio/builtin client (`sendOnClient`);
 * 4. the answer is written by the one writer (answer-writer.ts), an error by the one mapper
 *    (upstream-errors.ts); a 4xx is the answer, never a reason to send the request again;
 * 5. the exchange's request-log collector is told once what was forwarded and how it ended.
 *
 * The only way back to the relay after step 2 is an http service that cannot take the bytes,
 * found before anything was sent (its instance was ejected or marked unknown meanwhile, or the
 * upstream session negotiated 2026-07-28): the charge is handed over (`handOver`), so the relay
 * does not charge again.
 */

export interface FastPathOptions {
  connector: UpstreamConnector;
  logger: Logger;
  timeouts: CallTimeouts;
  /** Per user + service rate limit (the relay's `beforeForward`). */
  beforeForward?: (principal: Principal, service: ResolvedService) => Promise<void>;
}

export interface FastPathTarget {
  principal: Principal;
  service: ResolvedService;
  /** The exchange's collector; a `done` event's promise (the meter's write) is awaited before the answer is written. */
  observe?: (event: RelayEvent) => void | Promise<void>;
  /** The request's 2025-era session, already opened and checked to be this user's at this endpoint. */
  session?: SessionFacts;
  /** On the aggregate `/mcp`: the service's slug (the name prefix) and the tool's upstream name. */
  aggregate?: { slug: string; upstreamName: string };
  /** Called when the call goes to the relay after its charge was paid here: the relay's first forward to the service spends it. */
  handOver(service: ResolvedService): void;
  /** What may wait for a client that does not read its SSE answer (stream-budget.ts). */
  budget?: StreamBudget;
}

/** Serves the request when it is the fast path's; false when the SDK relay must (nothing has been written then). */
export type FastPath = (req: ExpressRequest, res: ExpressResponse, target: FastPathTarget) => Promise<boolean>;

/** Statuses by which an instance refuses the 2026-07-28 request itself, not the user (401, 403, 429 are the user's). */
const PROTOCOL_REFUSALS = new Set([400, 404, 405, 406, 415]);

export function createFastPath(opts: FastPathOptions): FastPath {
  const { connector, logger } = opts;
  const acceptsBytes = (service: ResolvedService, route: 'stateless' | 'session') => connector.acceptsRaw?.(service, route) === true;

  return async (req, res, target) => {
    const input = { service: target.service, session: target.session, aggregate: target.aggregate, acceptsBytes };
    const plan = planToolCall(req, input) ?? planToolsList(req, input);
    if (!plan) return false;
    const writer = new AnswerWriter(res, {
      id: plan.id,
      era: plan.era,
      aggregateSlug: plan.aggregateSlug,
      upstreamId: plan.route.kind === 'session' ? plan.route.upstreamId : undefined,
      listFilter: plan.listFilter,
    }, target.budget);
    const exchange = new Exchange(plan, target.observe, logger);
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
    };
    res.once('close', onClose);
    try {
      if (!plan.allowed) {
        throw policyRefusal(plan.tool ?? '');
      }
      await opts.beforeForward?.(target.principal, plan.service);
      if (plan.session) res.setHeader('mcp-session-id', plan.session.id);
      if (plan.route.kind === 'client') {
        const result = await sendOnClient({ connector, principal: target.principal, plan, writer, signal: controller.signal, timeouts: opts.timeouts, exchange });
        await exchange.done({ result });
        writer.finish({ result });
        return true;
      }
      const outcome = await sendBytes(connector, target.principal, plan, plan.route, writer, controller, opts.timeouts, exchange);
      if (outcome === 'not sent') {
        target.handOver(plan.service);
        return false;
      }
      await exchange.done(outcome);
      return true;
    } catch (err) {
      const error = upstreamError(err, plan.service, logger);
      await exchange.done({ error });
      writer.finish({ error });
      return true;
    } finally {
      res.off('close', onClose);
    }
  };
}

/** The request-log facts of one call (observe.ts), reported once whichever way it ends. */
class Exchange {
  private instance: string | undefined;
  private readonly started = performance.now();
  private reported = false;

  constructor(
    private readonly plan: CallPlan,
    private readonly observe: ((event: RelayEvent) => void | Promise<void>) | undefined,
    readonly logger: Logger,
  ) {}

  forwarded(instance: string): void {
    this.instance = instance;
  }

  /** Reports the outcome once; resolves when the answer may be written (the meter has the call). */
  done(outcome: { result?: unknown; error?: unknown }): void | Promise<void> {
    if (this.reported || !this.observe) return;
    this.reported = true;
    const { plan } = this;
    if (this.instance !== undefined) {
      this.observe({ type: 'forward', requestId: plan.id, service: plan.service, instance: this.instance, method: plan.method, params: plan.upstreamParams, upstreamMs: performance.now() - this.started });
    }
    return this.observe({ type: 'done', requestId: plan.id, method: plan.method, params: plan.params, ...outcome });
  }
}

/**
 * The bytes and session routes: one POST, to an instance known to speak 2026-07-28 statelessly
 * (`bytes`), or on an upstream session (`session`: the connector opens it when there is none,
 * and opens a new one once on a 404 for it, see `RawUpstreamSession`). 'not sent' when the
 * service cannot take it that way (nothing reached an upstream).
 */
async function sendBytes(
  connector: UpstreamConnector,
  principal: Principal,
  plan: CallPlan,
  route: BytesRoute | SessionRoute,
  writer: AnswerWriter,
  controller: AbortController,
  timeouts: CallTimeouts,
  exchange: Exchange,
): Promise<Outcome | 'not sent'> {
  const slug = plan.service.definition.slug;
  const watch = new IdleWatch(controller, timeouts);
  let held: RawUpstreamResponse | undefined;
  // The answer was read to its end (or refused by status): else the request is cancelled upstream.
  let settled = false;
  try {
    const upstream = await connector.sendRaw!(principal, plan.service, {
      body: route.body,
      headers: route.kind === 'bytes' ? route.headers : {},
      session: route.kind === 'session' ? upstreamSessionOf(route, plan.service) : undefined,
      signal: controller.signal,
      // The span names the instance that serves the call.
      around: (instance, send) => traceUpstreamCall({ service: slug, instance, method: plan.method, params: plan.upstreamParams }, send),
    }).catch((err: unknown) => {
      const tried = (err as { instance?: unknown } | undefined)?.instance;
      if (typeof tried === 'string') exchange.forwarded(tried);
      throw watch.fired ?? err;
    });
    if (!upstream) return 'not sent';
    held = upstream;
    exchange.forwarded(upstream.instance);
    watch.touch();
    if (upstream.status >= 300) {
      settled = true;
      // An answer, never a reason to send the request again. A refusal of the revision itself
      // (the instance was redeployed without 2026-07-28) sends the next calls the relay's way,
      // which re-learns the instance; a refusal of this user's credentials concerns this user only.
      upstream.discard();
      if (route.kind === 'bytes' && PROTOCOL_REFUSALS.has(upstream.status)) upstream.demote();
      throw upstream.status < 500 ? httpRefusal(upstream.status, slug) : new Error(`HTTP ${upstream.status}`);
    }
    const type = upstream.contentType.split(';')[0]!.trim().toLowerCase();
    let outcome: Outcome | undefined;
    try {
      // The outcome is reported before the response goes to the client (write-before-answer).
      const beforeAnswer = (o: Outcome) => exchange.done(o);
      if (type === 'application/json') outcome = await writer.relayJson(upstream.body, watch.touch, beforeAnswer);
      else if (type === 'text/event-stream') outcome = await writer.relaySse(upstream.body, watch.touch, controller.signal, beforeAnswer);
      else {
        upstream.discard();
        throw new Error(`unexpected content type ${type || '(none)'}`);
      }
    } catch (err) {
      // Timed out while the client's socket was full: the client did not read; the upstream was not silent.
      const fired = watch.fired;
      throw fired ? (writer.stalledClient() ?? fired) : err;
    }
    settled = true;
    if (!outcome) throw new Error('the upstream answered something other than the JSON-RPC response to the call');
    return outcome;
  } finally {
    watch.stop();
    held?.release(settled ? 'complete' : 'broken');
  }
}

/** Where a `session` route's call goes: the client session's upstream session, or a pooled one. */
function upstreamSessionOf(route: SessionRoute, service: ResolvedService): RawUpstreamSession {
  return {
    key: route.key,
    protocolVersion: route.protocolVersion,
    requestId: route.upstreamId,
    // As the relay configures the client when it opens the session (client-routing.ts).
    configureClient: (client) => routerFor(client).configure(route.capabilities, service.definition.config.kind === 'stdio'),
  };
}

/**
 * The client route: the call on the user's leased upstream client, as the relay makes it, without
 * an SDK server in front. A 404 means the upstream session behind the lease is gone and the call
 * was not processed (a forwarded stdio lease whose owner replica drained it): the call is made
 * once more on a new lease, twice at most, as the relay does.
 */
async function sendOnClient(call: ClientCall): Promise<Record<string, unknown>> {
  for (let renewal = 0; ; renewal++) {
    try {
      return await sendOnClientOnce(call);
    } catch (err) {
      if (renewal >= 2 || call.signal.aborted || !(err instanceof SdkHttpError) || err.status !== 404) throw err;
    }
  }
}

/** What a call on the `client` route needs, for each of its tries. */
interface ClientCall {
  connector: UpstreamConnector;
  principal: Principal;
  plan: CallPlan;
  writer: AnswerWriter;
  signal: AbortSignal;
  timeouts: CallTimeouts;
  exchange: Exchange;
}

async function sendOnClientOnce({ connector, principal, plan, writer, signal, timeouts, exchange }: ClientCall): Promise<Record<string, unknown>> {
  const service = plan.service;
  let lease: UpstreamLease | undefined;
  let detach: (() => void) | undefined;
  try {
    lease = await connector.connect(principal, service, {
      signal,
      // A stdio child (and its client) is shared by all sessions of the user, as in the relay.
      configureClient: (client) => routerFor(client).configure({}, service.definition.config.kind === 'stdio'),
    });
    const endpoint: RelayEndpoint = {
      sessionKey: plan.session?.key ?? `direct:${randomUUID()}`,
      kind: 'request',
      capabilities: {},
      deliver: async (n: Notification) => writer.notify(n),
    };
    const router = routerFor(lease.client);
    detach = router.attach(endpoint);
    const { client, instance } = lease;
    exchange.forwarded(instance);
    const result = await router.track(endpoint, undefined, () =>
      traceUpstreamCall({ service: service.definition.slug, instance, method: 'tools/call', params: plan.upstreamParams }, () =>
        client.request({ method: 'tools/call', params: plan.upstreamParams }, {
          signal,
          ...sdkTimeoutOptions(timeouts),
          allowInputRequired: plan.era === 'modern',
        }),
      ),
    );
    return result as Record<string, unknown>;
  } finally {
    detach?.();
    await lease?.release().catch(() => undefined);
  }
}
