import type { PayloadCapture, PlatformRole } from '../db/index.js';
import type { Principal } from '../gateway/index.js';

/**
 * What a service is, as the catalog holds it and the MCP Router reads it: the definition (kind,
 * roles, tool policy, credential fields, kind-specific settings), a definition resolved for one
 * caller, and the `ServiceCatalog` seam the router is handed (app.ts gives it the catalog's
 * `PlatformCatalog`). The router imports these types; the catalog imports nothing of the router.
 */

export type ServiceKind = 'builtin' | 'stdio' | 'http' | 'openapi';

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

/** Whether a tool is visible and callable under a service's allow/deny rules (the router's and the catalog's one rule). */
export function toolAllowed(policy: ToolPolicy, name: string): boolean {
  if (policy.allow && !policy.allow.includes(name)) return false;
  return !policy.deny?.includes(name);
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
  /** The published version of an `openapi` service's definition (docs/builder.md, "Versions") or a marketplace listing's live version; unset for other kinds. */
  version?: number;
  /** A marketplace listing's service (docs/marketplace.md): `version` is the approved listing version it serves. */
  listing?: boolean;
  /** Kind-specific settings (stdio command/args/env, http instances, builtin name). */
  config: StdioServiceConfig | HttpServiceConfig | BuiltinServiceConfig | OpenApiServiceConfig;
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
  /** Users connect by OAuth to the service's provider; the access token is injected per `inject`. */
  oauth?: UpstreamOAuthConfig;
}

/** The catalog's `http.oauth` (docs/oauth.md, "Connecting upstream providers"). */
export interface UpstreamOAuthConfig {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  revocationEndpoint?: string;
  scopes: string[];
  inject: { header: string; template?: string };
  clientIdEnv: string;
  clientSecretEnv?: string;
  clientSecretFile?: string;
}

/**
 * The current upstream OAuth access token of one (user, service), for the connector. Refreshing
 * is single-flight across replicas; the refresh token never leaves the catalog.
 */
export interface UpstreamAuthorization {
  /** Headers carrying the access token, refreshed first when it is about to expire; undefined when the user must reconnect. */
  headers(): Promise<Record<string, string> | undefined>;
  /** The upstream answered 401 to `rejected`: refresh once; undefined when the user must reconnect. */
  afterRejection(rejected: Record<string, string>): Promise<Record<string, string> | undefined>;
}

export interface BuiltinServiceConfig {
  kind: 'builtin';
  /** Name of a builtin server in src/services (e.g. 'notes'). */
  server: string;
}

/** A REST API run by the platform (src/builder); the stored shape of `openapi` in the catalog (definition.ts). */
export interface OpenApiServiceConfig {
  kind: 'openapi';
  base_url: string;
  timeout_ms?: number;
  max_response_bytes?: number;
  auth: OpenApiAuth[];
  tools: OpenApiTool[];
}

export type OpenApiAuth =
  | { type: 'api_key'; in: 'header' | 'query' | 'cookie'; name: string; credential: string }
  | { type: 'bearer'; credential: string }
  | { type: 'basic'; username: string; password: string };

export interface OpenApiParameter {
  arg: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  style?: 'form' | 'deepObject';
}

export interface OpenApiTool {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  operation: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
    path: string;
    parameters: OpenApiParameter[];
    body?: { arg: string; content_type: 'application/json' | 'application/x-www-form-urlencoded' | 'text/plain' };
  };
}

/** A service resolved for one caller: the definition plus that caller's decrypted credentials. */
export interface ResolvedService {
  definition: ServiceDefinition;
  /** Field name → value, decrypted. Never logged, never returned to a client. */
  credentials: Record<string, string>;
  /** Set for a service with `oauth` that the caller has connected. */
  authorization?: UpstreamAuthorization;
}

export interface ServiceCatalog {
  /** Services the principal may use: enabled, role allowed, API-key scope allowed, credentials present if required. */
  listUsable(principal: Principal): Promise<ResolvedService[]>;
  /** The service if the principal may use it; undefined otherwise (see `whyUnusable`). */
  resolve(principal: Principal, slug: string): Promise<ResolvedService | undefined>;
  /**
   * Why `resolve` gave nothing, so the error names the cause (off the hot path: only after a miss).
   * A service the caller's role may not see is `not_found`, as if it did not exist.
   */
  whyUnusable?(principal: Principal, slug: string): Promise<Unusable>;
}

export type Unusable =
  | { reason: 'not_found' }
  /** The API key is scoped to other services. */
  | { reason: 'key_scope'; scope: readonly string[] }
  | { reason: 'disabled' }
  /** Its definition has a problem (for example a command that is not allowed) an admin must fix; or no version is published yet. */
  | { reason: 'unavailable'; unpublished?: boolean }
  | { reason: 'needs_credentials' };
