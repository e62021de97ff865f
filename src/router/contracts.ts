import type { Client } from '@modelcontextprotocol/client';
import type { McpServer } from '@modelcontextprotocol/server';
import type { ResolvedService } from '../catalog/index.js';
import type { PlatformRole } from '../db/index.js';
import type { Principal } from '../gateway/index.js';

/**
 * The seams inside the MCP Router. Two parts meet here, over what the catalog (src/catalog) resolves:
 *  - the upstream connectors (stdio pool, http balancer, builtin) → `UpstreamConnector`
 *  - the client-facing endpoint (/mcp, /mcp/{service}) that relays between them.
 * Change a contract here only together with every side that implements or uses it.
 */

// The service types belong to the catalog; the router's parts import them from here.
export type {
  BuiltinServiceConfig,
  CredentialField,
  HttpServiceConfig,
  ResolvedService,
  ServiceCatalog,
  Unusable,
  ServiceDefinition,
  ServiceKind,
  StdioServiceConfig,
  ToolPolicy,
} from '../catalog/index.js';
export type { PayloadCapture } from '../db/index.js';

/** What a builtin MCP server receives per request: identity and credentials, nothing else. */
export interface BuiltinContext {
  user: { id: string; email: string | null; role: PlatformRole };
  credentials: Record<string, string>;
}

/** A builtin service: a factory of SDK servers bound to one caller's context. */
export type BuiltinServerFactory = (context: BuiltinContext) => McpServer;

/**
 * An `openapi` service: an SDK server built from the service's definition for one caller (the
 * builder's runtime; app.ts hands it to the connector, the router does not import the builder).
 */
export type DefinedServerFactory = (service: ResolvedService, context: BuiltinContext) => McpServer;

/** A connected SDK client to one upstream, on behalf of one user. */
export interface UpstreamLease {
  readonly client: Client;
  /** Which instance serves it: an instance URL, `stdio:<pid>`, or `builtin:<name>`. */
  readonly instance: string;
  /** Give the lease back. Pooled kinds keep the connection for reuse; others close it. */
  release(): Promise<void>;
}

export interface UpstreamConnectOptions {
  signal?: AbortSignal;
  /** Called with the new Client before it connects, to register server→client request handlers (sampling, ...). */
  configureClient?: (client: Client) => void;
  /**
   * The protocol revision the downstream client speaks. A 2025-era revision is offered to the
   * upstream first, so the upstream behaves as it would for that client directly; absent or
   * 2026-07-28: the modern revision first, the newest 2025 one as the bridge.
   */
  protocolVersion?: string;
  /**
   * The downstream 2025-era session this lease serves. An http upstream session opened for it is
   * kept for the session's next requests and ended (DELETE) with it (`UpstreamConnector.endSession`).
   */
  session?: string;
}

/**
 * What the upstream side reports for metrics; `app.ts` wires it to the logging sink (the router
 * never imports logging). Labels are catalog slugs and instance URLs / `stdio`, all bounded.
 */
export interface UpstreamObserver {
  /** An http instance of a service joined, was ejected, went half-open or was restored. */
  instanceHealth?(service: string, instance: string, status: 'healthy' | 'half-open' | 'ejected'): void;
  /** An instance left the service (deregistered): its series should stop. */
  instanceRemoved?(service: string, instance: string): void;
  /** Live stdio children of a service, after each start, stop or crash. */
  stdioPoolSize?(service: string, size: number): void;
  stdioChildCrashed?(service: string): void;
}

export interface UpstreamConnector {
  connect(principal: Principal, service: ResolvedService, options?: UpstreamConnectOptions): Promise<UpstreamLease>;
  /**
   * Sends one JSON-RPC request as bytes to an http service (the fast path of the endpoint,
   * endpoint/fast-call.ts): without `request.session`, a 2026-07-28 request to an instance already
   * known to speak that revision statelessly; with it, a 2025-era request on an upstream session
   * (see `RawUpstreamSession`). Resolves undefined when it cannot be sent that way (nothing was
   * sent): the caller then takes the SDK path, which learns the instance. Rejects with an `UpstreamError`.
   */
  sendRaw?(principal: Principal, service: ResolvedService, request: RawUpstreamRequest): Promise<RawUpstreamResponse | undefined>;
  /**
   * Whether `sendRaw` would take the request now (checked before anything is counted or sent):
   * `stateless`, an instance known to speak 2026-07-28 statelessly; `session`, an http service
   * whose requests can go as bytes on an upstream session.
   */
  acceptsRaw?(service: ResolvedService, route?: 'stateless' | 'session'): boolean;
  /** The downstream session `key` ended (DELETE, expiry): close the upstream sessions kept for it. */
  endSession?(key: string): void;
}

export interface RawUpstreamRequest {
  /** The JSON-RPC request, serialized. */
  body: string;
  /** The client's MCP request headers (`mcp-protocol-version`, `mcp-method`, `mcp-name`); credentials are added by the connector. */
  headers: Record<string, string>;
  /** Aborts the upstream request (client gone, the call's timeout rule). */
  signal: AbortSignal;
  /** Wraps the send to the instance chosen (the caller's trace span names the instance that serves). */
  around?<T>(instance: string, send: () => Promise<T>): Promise<T>;
  /** Send on an upstream session in a 2025-era revision instead (the body is then a 2025-era request). */
  session?: RawUpstreamSession;
}

/**
 * Where a 2025-era request goes as bytes: the upstream session the router keeps for the
 * downstream 2025-era session `key` (the one the SDK relay uses for that session's other
 * requests), or, without `key`, an exclusive session from the pool of (user, instance,
 * credentials) that 2026-07-28 requests to a sessionful or 2025-only upstream use. The session
 * is opened when there is none (an `initialize` in `protocolVersion`'s era); the request carries
 * its `Mcp-Session-Id` and the negotiated `MCP-Protocol-Version`. The body's JSON-RPC `id` must
 * be one the platform's own client never uses on that session (the caller remaps it).
 */
export interface RawUpstreamSession {
  key?: string;
  /** The downstream client's revision: a 2025-era one is offered upstream first (`UpstreamConnectOptions.protocolVersion`). */
  protocolVersion?: string;
  /** The JSON-RPC id the body carries (what a `notifications/cancelled` names). */
  requestId: string;
  /** As `UpstreamConnectOptions.configureClient`, for a session opened by this request. */
  configureClient?: (client: Client) => void;
}

export interface RawUpstreamResponse {
  /** The instance URL that answered. */
  instance: string;
  status: number;
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  /** Reads and drops the rest of the body (the connection stays reusable). */
  discard(): void;
  /** The instance refused what the SDK path would have sent differently: take the SDK path again until it re-learns the instance. */
  demote(): void;
  /**
   * The caller is done with the answer: an upstream session held for it is given back.
   * `broken`: the answer was not read to its end (the call was cancelled or timed out): the
   * upstream is told the request is cancelled (a client session's upstream session), or the
   * exclusive session is not kept (it is ended with DELETE).
   */
  release(outcome?: 'complete' | 'broken'): void;
}
