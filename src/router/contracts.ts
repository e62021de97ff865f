import type { Client } from '@modelcontextprotocol/client';
import type { McpServer } from '@modelcontextprotocol/server';
import type { PlatformRole } from '../db/index.js';
import type { Principal } from '../gateway/index.js';

/**
 * The seams inside the MCP Router. Three parts meet here:
 *  - the catalog (registry of services, per-user credentials)  → `ServiceCatalog`
 *  - the upstream connectors (stdio pool, http balancer, builtin) → `UpstreamConnector`
 *  - the client-facing endpoint (/mcp, /mcp/{service}) that relays between them.
 * Change a contract here only together with every side that implements or uses it.
 */

export type ServiceKind = 'builtin' | 'stdio' | 'http';

/** `off`: no request-log row; `metadata`: the row without bodies; `full`: plus redacted, capped bodies. */
export type PayloadCapture = 'off' | 'metadata' | 'full';

/** One field a user supplies for a service, and how it reaches the upstream. */
export interface CredentialField {
  name: string;
  title: string;
  description?: string;
  secret: boolean;
  required: boolean;
  /** stdio: environment variable name; http: header name + value template (`Bearer {value}`); builtin: context key. */
  inject:
    | { env: string }
    | { header: string; template?: string }
    | { context: string };
}

export interface ToolPolicy {
  /** When set, only these tools are visible and callable. */
  allow?: string[];
  /** These tools are hidden and refused. Applied after `allow`. */
  deny?: string[];
}

export interface ServiceDefinition {
  id: string;
  slug: string;
  title: string;
  description: string;
  kind: ServiceKind;
  enabled: boolean;
  roles: PlatformRole[];
  toolPolicy: ToolPolicy;
  credentialSchema: CredentialField[];
  /** What the request log keeps of this service's MCP requests (default `metadata`); see docs/logging.md. */
  payloadCapture?: PayloadCapture;
  /** Kind-specific settings (stdio command/args/env, http instances, builtin name). */
  config: StdioServiceConfig | HttpServiceConfig | BuiltinServiceConfig;
}

export interface StdioServiceConfig {
  kind: 'stdio';
  command: string;
  args: string[];
  /** Fixed, non-secret environment for the child (never platform secrets). */
  env?: Record<string, string>;
}

export interface HttpServiceConfig {
  kind: 'http';
  /** Instance base URLs of the MCP endpoint; more may be registered at run time. */
  instances: string[];
  transport: 'streamable-http' | 'sse';
  timeoutMs?: number;
}

export interface BuiltinServiceConfig {
  kind: 'builtin';
  /** Name of a builtin server in src/services (e.g. 'notes'). */
  server: string;
}

/** What a builtin MCP server receives per request: identity and credentials, nothing else. */
export interface BuiltinContext {
  user: { id: string; email: string | null; role: PlatformRole };
  credentials: Record<string, string>;
}

/** A builtin service: a factory of SDK servers bound to one caller's context. */
export type BuiltinServerFactory = (context: BuiltinContext) => McpServer;

/** A service resolved for one caller: the definition plus that caller's decrypted credentials. */
export interface ResolvedService {
  definition: ServiceDefinition;
  /** Field name → value, decrypted. Never logged, never returned to a client. */
  credentials: Record<string, string>;
}

export interface ServiceCatalog {
  /** Services the principal may use: enabled, role allowed, API-key scope allowed, credentials present if required. */
  listUsable(principal: Principal): Promise<ResolvedService[]>;
  /** The service if the principal may use it; undefined otherwise (callers answer 404). */
  resolve(principal: Principal, slug: string): Promise<ResolvedService | undefined>;
}

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
   * Sends one 2026-07-28 request as bytes to an http instance already known to speak that
   * revision statelessly (the fast path of the endpoint, endpoint/fast-call.ts). Resolves undefined when no such instance is
   * known: the caller then takes the SDK path, which learns it. Rejects with an `UpstreamError`.
   */
  sendRaw?(principal: Principal, service: ResolvedService, request: RawUpstreamRequest): Promise<RawUpstreamResponse | undefined>;
  /** Whether `sendRaw` would find an instance of the service now (checked before anything is counted or sent). */
  acceptsRaw?(service: ResolvedService): boolean;
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
}
