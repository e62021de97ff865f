import { CLIENT_CAPABILITIES_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { Request as ExpressRequest } from 'express';
import type { ResolvedService } from '../contracts.js';
import { toolAllowed } from '../../catalog/index.js';

/**
 * A `tools/call` parsed once into what the fast path (fast-call.ts) needs to serve it: the era,
 * the session, the service and tool (as the client named it and as the upstream names it), the
 * tool policy's decision and the route. Undefined when the call is not the fast path's: the SDK
 * relay (relay.ts) serves it then, and nothing has been counted or sent.
 *
 * Routes:
 * - `bytes`: a 2026-07-28 call outside a session to an http service whose instance is known to
 *   speak 2026-07-28 statelessly. The request goes as the client sent it (its envelope, progress
 *   token and `Mcp-Param-*` headers: same era, stateless, so the platform is transparent), the
 *   answer comes back as bytes.
 * - `session`: a call to an http service that goes on an upstream session, as bytes: a 2025-era
 *   session's call on the upstream session the router keeps for that client session (the one
 *   the relay uses for its other requests), or a 2026-07-28 call outside a session to an instance
 *   that needs one (sessionful, or 2025-only) on a pooled session of (user, instance,
 *   credentials). The body is a 2025-era request: the params as the platform's client would send
 *   them (no client↔platform envelope), and an `id` of the platform's (`upstreamId`, a string the
 *   platform's own SDK client, which numbers its requests, never uses on the same session); the
 *   writer puts the client's `id` back. Only when nothing would be relayed back (as `client`).
 * - `client`: a call (either era) to a stdio or builtin service, made on the user's leased
 *   upstream client, when nothing would have to be relayed back during it: no progress token, a
 *   client that cannot be asked anything (sampling, elicitation, roots). Like the relay, the
 *   platform's client speaks that hop: it sends its own envelope, so the client's
 *   `io.modelcontextprotocol/*` keys are taken off.
 * Everything else (other methods; progress; server→client requests; `full` payload capture;
 * shortened aggregate names; OAuth and HTTP+SSE services) is the relay's.
 */

const MODERN = '2026-07-28';
const FORWARDED_HEADERS = ['mcp-protocol-version', 'mcp-method', 'mcp-name'] as const;
const PARAM_HEADER_PREFIX = 'mcp-param-';
/** Names a `Mcp-Name` header carries as they are (others need the SDK's encoding: the relay). */
const PLAIN_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;
/** Client capabilities that let a server ask the client something. */
const ASKING_CAPABILITIES = ['sampling', 'elicitation', 'roots'] as const;
const ENVELOPE_PREFIX = 'io.modelcontextprotocol/';

/** What a 2025-era session's `initialize` established (sealed-sessions.ts), as the fast path needs it. */
export interface SessionFacts {
  id: string;
  /** The key the session's endpoints share on a shared upstream client (client-routing.ts). */
  key: string;
  protocolVersion: string;
  clientInfo: unknown;
  capabilities: Record<string, unknown>;
}

type ToolParams = Record<string, unknown> & { name: string };

export interface CallPlan {
  id: string | number;
  /** `tools/list` only on the `session` route (planToolsList). */
  method: 'tools/call' | 'tools/list';
  era: 'modern' | 'legacy';
  session: SessionFacts | undefined;
  service: ResolvedService;
  /** As the client sent them (a `tools/call`'s carry the tool's `name`). */
  params: Record<string, unknown>;
  /** As the upstream gets them: the aggregate's prefix off the name; on the `client` route without the client↔platform envelope. */
  upstreamParams: Record<string, unknown>;
  /** The tool a `tools/call` names, as the client named it. */
  tool: string | undefined;
  /** A `tools/list`'s answer keeps the tools the service's policy lets be called (as the relay's listing does). */
  listFilter?: (name: string) => boolean;
  /** On the aggregate `/mcp`: the slug the service's names carry. */
  aggregateSlug: string | undefined;
  /** The service's tool policy lets the tool be called. */
  allowed: boolean;
  route: BytesRoute | SessionRoute | { kind: 'client' };
}

export interface BytesRoute {
  kind: 'bytes';
  body: string;
  headers: Record<string, string>;
}

export interface SessionRoute {
  kind: 'session';
  /** The 2025-era request as the upstream gets it, with `upstreamId` for its id. */
  body: string;
  upstreamId: string;
  /** The client session's key (its own upstream session); absent: a pooled one (2026-07-28 outside a session). */
  key: string | undefined;
  /** The client's revision: a 2025-era one is offered upstream when the session is opened. */
  protocolVersion: string;
  /** The client's capabilities (what the upstream client declares when this call opens the session). */
  capabilities: Record<string, unknown>;
}

export interface PlanInput {
  service: ResolvedService;
  session: SessionFacts | undefined;
  /** On the aggregate: the service's slug and the tool's upstream name. */
  aggregate: { slug: string; upstreamName: string } | undefined;
  /** `stateless`: an instance of an http service is known to take 2026-07-28 bytes now; `session`: its requests may go as bytes on an upstream session. */
  acceptsBytes: (service: ResolvedService, route: 'stateless' | 'session') => boolean;
}

/** Ids of the `session` route: a string, so never one of the platform's own (numbered) requests on the same upstream session. */
let upstreamIds = 0;
function nextUpstreamId(): string {
  upstreamIds = (upstreamIds + 1) % Number.MAX_SAFE_INTEGER;
  return `platform-${upstreamIds}`;
}

function sessionRoute(
  params: Record<string, unknown> | undefined,
  key: string | undefined,
  protocolVersion: string,
  capabilities: Record<string, unknown>,
  method: CallPlan['method'] = 'tools/call',
): SessionRoute {
  const upstreamId = nextUpstreamId();
  const body = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id: upstreamId, method } : { jsonrpc: '2.0', id: upstreamId, method, params });
  return { kind: 'session', body, upstreamId, key, protocolVersion, capabilities };
}

export function planToolCall(req: ExpressRequest, input: PlanInput): CallPlan | undefined {
  const { service, session, aggregate } = input;
  const def = service.definition;
  if (def.payloadCapture === 'full') return undefined;
  const call = toolCallOf(req);
  if (!call) return undefined;
  const upstreamName = aggregate?.upstreamName ?? call.params.name;
  if ((aggregate || session) && !PLAIN_NAME.test(upstreamName)) return undefined;
  const meta = call.params._meta as Record<string, unknown> | undefined;
  const base = { id: call.id, method: 'tools/call' as const, session, service, params: call.params, tool: call.params.name, aggregateSlug: aggregate?.slug, allowed: toolAllowed(def.toolPolicy, upstreamName) };
  const h = req.headers;

  if (session) {
    if (!sessionRouteAllowed(req, session, meta)) return undefined;
    const upstreamParams = { ...call.params, name: upstreamName };
    if (def.config.kind === 'http') {
      // On the session's own upstream session, in its era.
      if (!input.acceptsBytes(service, 'session')) return undefined;
      return { ...base, era: 'legacy', upstreamParams, route: sessionRoute(upstreamParams, session.key, session.protocolVersion, session.capabilities) };
    }
    return { ...base, era: 'legacy', upstreamParams, route: { kind: 'client' } };
  }

  // Outside a session: a well-formed 2026-07-28 call the SDK entry would accept as is.
  if (h['mcp-protocol-version'] !== MODERN || h['mcp-method'] !== 'tools/call' || h['mcp-name'] !== call.params.name) return undefined;
  if (meta?.[PROTOCOL_VERSION_META_KEY] !== MODERN) return undefined;
  const capabilities = meta?.[CLIENT_CAPABILITIES_META_KEY];
  if (capabilities !== undefined && (typeof capabilities !== 'object' || capabilities === null)) return undefined;
  const quiet = nothingToRelayBack(meta, capabilities as Record<string, unknown> | undefined);
  if (def.config.kind === 'http' && !input.acceptsBytes(service, 'stateless')) {
    // No instance known to speak 2026-07-28 statelessly: a pooled upstream session, in a 2025-era revision.
    if (!quiet || !input.acceptsBytes(service, 'session')) return undefined;
    const upstreamParams = withoutHopMeta({ ...call.params, name: upstreamName });
    return { ...base, era: 'modern', upstreamParams, route: sessionRoute(upstreamParams, undefined, MODERN, {}) };
  }
  if (def.config.kind === 'http') {
    const upstreamParams = aggregate ? { ...call.params, name: upstreamName } : call.params;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) headers[name] = h[name] as string;
    for (const name in h) {
      const value = h[name];
      if (name.startsWith(PARAM_HEADER_PREFIX) && typeof value === 'string') headers[name] = value;
    }
    if (aggregate) headers['mcp-name'] = upstreamName;
    const body = JSON.stringify(aggregate ? { ...(req.body as Record<string, unknown>), params: upstreamParams } : req.body);
    return { ...base, era: 'modern', upstreamParams, route: { kind: 'bytes', body, headers } };
  }
  if (!quiet) return undefined;
  return { ...base, era: 'modern', upstreamParams: withoutHopMeta({ ...call.params, name: upstreamName }), route: { kind: 'client' } };
}

/**
 * A 2025-era session's `tools/list` on `/mcp/{service}` of an http service, on the `session` route:
 * the request as the upstream gets it, the answer's tools filtered by the service's policy as the
 * relay filters them. The same conditions as a call on that route (nothing to relay back, the
 * session's revision); the aggregate's listing (every service, names prefixed) is the relay's.
 * Undefined when it is not one (the relay serves it).
 */
export function planToolsList(req: ExpressRequest, input: PlanInput): CallPlan | undefined {
  const { service, session } = input;
  const def = service.definition;
  if (!session || input.aggregate || def.config.kind !== 'http' || def.payloadCapture === 'full') return undefined;
  const list = toolsListOf(req);
  if (!list) return undefined;
  if (!sessionRouteAllowed(req, session, list.params?._meta as Record<string, unknown> | undefined)) return undefined;
  if (!input.acceptsBytes(service, 'session')) return undefined;
  const params = list.params ?? {};
  return {
    id: list.id,
    method: 'tools/list',
    era: 'legacy',
    session,
    service,
    params,
    upstreamParams: params,
    tool: undefined,
    listFilter: (name) => toolAllowed(def.toolPolicy, name),
    aggregateSlug: undefined,
    allowed: true,
    route: sessionRoute(list.params, session.key, session.protocolVersion, session.capabilities, 'tools/list'),
  };
}

/** The JSON-RPC tools/list request of the body (a POST accepting JSON and SSE), when it is one and well-formed. */
function toolsListOf(req: ExpressRequest): PostedRequest | undefined {
  const list = postedRequest(req, 'tools/list');
  if (list?.params?.cursor !== undefined && typeof list.params.cursor !== 'string') return undefined;
  return list;
}

/** A POST's `Accept` names both JSON and SSE, as Streamable HTTP requires (the SDK transport answers 406 otherwise). */
export function acceptsJsonAndSse(req: ExpressRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('application/json') && accept.includes('text/event-stream');
}

/** No progress token, and a client that cannot be asked anything: nothing the upstream sends during the call needs relaying back. */
function nothingToRelayBack(meta: Record<string, unknown> | undefined, capabilities: Record<string, unknown> | undefined): boolean {
  if (meta?.progressToken !== undefined) return false;
  return !ASKING_CAPABILITIES.some((c) => capabilities?.[c] !== undefined);
}

/**
 * The params as the platform's own upstream client sends them: without what belongs to the
 * client↔platform hop, the progress token (that client sets its own and maps progress back) and
 * the 2026-07-28 envelope (`io.modelcontextprotocol/*`: that client attaches its own for its era).
 */
export function withoutHopMeta<P extends Record<string, unknown> | undefined>(params: P): P {
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (!params || !meta || typeof meta !== 'object') return params;
  const kept: Record<string, unknown> = {};
  let any = false;
  for (const key in meta) {
    if (key === 'progressToken' || key.startsWith(ENVELOPE_PREFIX)) continue;
    kept[key] = meta[key];
    any = true;
  }
  const out: Record<string, unknown> = { ...params };
  if (any) out._meta = kept;
  else delete out._meta;
  return out as P;
}

/** The JSON-RPC tools/call request of the body (a POST accepting JSON and SSE), when it is one and well-formed. */
function toolCallOf(req: ExpressRequest): { id: string | number; params: ToolParams } | undefined {
  const call = postedRequest(req, 'tools/call');
  const params = call?.params;
  if (!params || typeof params.name !== 'string') return undefined;
  if (params.arguments !== undefined && !isObject(params.arguments)) return undefined;
  return { id: call.id, params: params as ToolParams };
}

interface PostedRequest {
  id: string | number;
  params: Record<string, unknown> | undefined;
}

/** The body's JSON-RPC request for `method` on a POST accepting JSON and SSE, its params (if any) and their `_meta` (if any) objects. */
function postedRequest(req: ExpressRequest, method: string): PostedRequest | undefined {
  if (req.method !== 'POST' || !acceptsJsonAndSse(req)) return undefined;
  const request = requestEnvelope(req.body);
  if (request?.method !== method) return undefined;
  const params = request.params;
  if (params !== undefined && !isObject(params)) return undefined;
  if (params?._meta !== undefined && !isObject(params._meta)) return undefined;
  return { id: request.id, params };
}

/**
 * One JSON-RPC 2.0 request (not a batch, not a notification): its id (a string or an integer, as
 * the SDK's schema requires) and what it asks, else undefined. The one check of the envelope for
 * the fast path's plans and the endpoint's own session lifecycle.
 */
export function requestEnvelope(body: unknown): { id: string | number; method: unknown; params: unknown } | undefined {
  if (!isObject(body)) return undefined;
  const { jsonrpc, id, method, params } = body;
  if (jsonrpc !== '2.0' || !(typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)))) return undefined;
  return { id, method, params };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A request in a session may go on the session route, its answer written back as the upstream
 * sent it: the session's revision, nothing the upstream sends meanwhile to relay back, and no
 * 2026-07-28 envelope (which the relay strips for a 2025-era upstream).
 */
function sessionRouteAllowed(req: ExpressRequest, session: SessionFacts, meta: Record<string, unknown> | undefined): boolean {
  const version = req.headers['mcp-protocol-version'];
  if (version !== undefined && version !== session.protocolVersion) return false;
  if (!nothingToRelayBack(meta, session.capabilities)) return false;
  return !(meta && Object.keys(meta).some((k) => k.startsWith(ENVELOPE_PREFIX)));
}
