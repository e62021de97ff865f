import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Row types of the platform's tables. They all live in the schema named by DATABASE_SCHEMA. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A timestamp the database fills in (default now()). */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;

export type PlatformRole = 'user' | 'admin';

export interface UsersTable {
  id: Generated<string>;
  email: string | null;
  encrypted_password: string | null;
  role: ColumnType<PlatformRole, PlatformRole | undefined, PlatformRole>;
  user_metadata: Json<Record<string, unknown>>;
  app_metadata: Json<Record<string, unknown>>;
  external_issuer: string | null;
  external_subject: string | null;
  email_confirmed_at: NullableTimestamp;
  last_sign_in_at: NullableTimestamp;
  disabled_at: NullableTimestamp;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: GeneratedTimestamp;
  refreshed_at: NullableTimestamp;
  not_after: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  session_id: string;
  token_hash: string;
  parent_id: string | null;
  revoked_at: NullableTimestamp;
  created_at: GeneratedTimestamp;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  services: string[] | null;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: GeneratedTimestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: Json<Record<string, unknown>>;
  private_jwk_sealed: string;
  active: boolean;
  created_at: GeneratedTimestamp;
  retired_at: NullableTimestamp;
}

export interface PlatformStateTable {
  key: string;
  value: Json<Record<string, unknown>>;
  updated_at: GeneratedTimestamp;
}

// --- MCP service registry, credentials, notes (migration 0004) ---
export type ServiceKindColumn = 'builtin' | 'stdio' | 'http' | 'openapi';
/** What the request log keeps of a service's MCP requests: `off` no row; `metadata` the row without bodies; `full` plus redacted, capped bodies. */
export type PayloadCapture = 'off' | 'metadata' | 'full';
export type RegistrySource = 'catalog' | 'admin';
export type InstanceStatus = 'unknown' | 'healthy' | 'unhealthy';

export interface ServicesTable {
  id: Generated<string>;
  slug: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  kind: ServiceKindColumn;
  /** Kind-specific settings; see src/catalog (stored form, before package resolution). */
  config: Json<Record<string, unknown>>;
  /** CredentialField[] (src/catalog/service-definition.ts). */
  credential_schema: Json<Array<Record<string, unknown>>>;
  roles: ColumnType<PlatformRole[], PlatformRole[] | undefined, PlatformRole[]>;
  tool_policy: Json<{ allow?: string[]; deny?: string[] }>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  payload_capture: ColumnType<PayloadCapture, PayloadCapture | undefined, PayloadCapture>;
  source: ColumnType<RegistrySource, RegistrySource | undefined, RegistrySource>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The user who built it (BUILDER_USERS); only they see it. Null: a platform service (0012). */
  owner_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The published version of an admin-made `openapi` service (service_versions); null otherwise (0012). */
  live_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** Only users with a `service_installs` row see and call it (a marketplace listing; 0017). */
  install_required: ColumnType<boolean, boolean | undefined, boolean>;
}

/** Who installed a service that needs installing (0017_marketplace). */
export interface ServiceInstallsTable {
  user_id: string;
  service_id: string;
  created_at: GeneratedTimestamp;
}

/** Every save of an `openapi` service's definition (0012_builder_versions). */
export interface ServiceVersionsTable {
  service_id: string;
  version: number;
  /** `{ openapi, credentials }` as POST /v1/admin/services spells them. */
  definition: Json<{ openapi: Record<string, unknown>; credentials: Array<Record<string, unknown>> }>;
  created_by: string | null;
  created_at: Timestamp;
  last_published_at: NullableTimestamp;
}

export interface ServiceInstancesTable {
  id: Generated<string>;
  service_id: string;
  url: string;
  source: ColumnType<RegistrySource, RegistrySource | undefined, RegistrySource>;
  status: ColumnType<InstanceStatus, InstanceStatus | undefined, InstanceStatus>;
  last_checked_at: NullableTimestamp;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  /** When `status` last changed, and the replica that reported it (0006_instance_health). */
  status_changed_at: NullableTimestamp;
  status_reported_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface UserCredentialsTable {
  id: Generated<string>;
  user_id: string;
  service_id: string;
  /** Vault-sealed JSON object of field → value; context `credential:<user_id>:<service_id>`. */
  sealed: string;
  key_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NotesTable {
  id: Generated<string>;
  user_id: string;
  title: string;
  body: ColumnType<string, string | undefined, string>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** Generated from title + body; never written. */
  tsv: ColumnType<string, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
// --- end 0004 ---
// ---- logging ----
export interface RequestLogTable {
  id: Generated<string>;
  time: Timestamp;
  kind: 'mcp' | 'rest';
  request_id: string;
  trace_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  service: string | null;
  upstream_instance: string | null;
  /** The `openapi` service version that served it (0012). */
  service_version: number | null;
  method: string;
  target: string | null;
  route: string | null;
  protocol_version: string | null;
  status: 'ok' | 'error';
  http_status: number | null;
  rpc_error_code: number | null;
  latency_ms: number;
  upstream_latency_ms: number | null;
  bytes_in: number | null;
  bytes_out: number | null;
  rate_limited: ColumnType<boolean, boolean | undefined, boolean>;
  payload: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface AuditLogTable {
  seq: string;
  time: Timestamp;
  action: string;
  outcome: 'success' | 'failure';
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface ErrorGroupsTable {
  fingerprint: string;
  type: string;
  message: string;
  top_frame: string | null;
  source: string;
  count: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  sample_request_id: string | null;
}
// ---- end logging ----

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  signing_keys: SigningKeysTable;
  platform_state: PlatformStateTable;
  // 0004
  services: ServicesTable;
  service_instances: ServiceInstancesTable;
  service_versions: ServiceVersionsTable;
  user_credentials: UserCredentialsTable;
  service_installs: ServiceInstallsTable;
  notes: NotesTable;
  // logging
  request_log: RequestLogTable;
  audit_log: AuditLogTable;
  error_groups: ErrorGroupsTable;
  // MCP Router, upstream side (0005_router)
  router_replicas: RouterReplicasTable;
  // auth: email tokens (0008)
  auth_email_tokens: AuthEmailTokensTable;
  // OAuth authorization server (0009_oauth)
  oauth_payloads: OAuthPayloadsTable;
  // upstream OAuth connections (0011_upstream_oauth)
  upstream_oauth_states: UpstreamOAuthStatesTable;
  upstream_oauth_tokens: UpstreamOAuthTokensTable;
}

// --- upstream OAuth connections (0011_upstream_oauth) ---
export interface UpstreamOAuthStatesTable {
  /** SHA-256 of the `state` sent to the provider (the value itself is never stored). */
  state_hash: string;
  user_id: string;
  service_id: string;
  /** PKCE code verifier, vault-sealed with context `oauth_state:<state_hash>`. */
  sealed_verifier: string;
  redirect_uri: string;
  expires_at: Timestamp;
  created_at: Generated<Date>;
}

export interface UpstreamOAuthTokensTable {
  id: Generated<string>;
  user_id: string;
  service_id: string;
  /** Vault-sealed JSON `{access_token, refresh_token?, token_type}`; context `oauth_token:<user_id>:<service_id>`. */
  sealed: string;
  key_id: string;
  expires_at: NullableTimestamp;
  /** Bumped by every write: a refresh is compare-and-set on it. */
  version: Generated<number>;
  /** A replica holds the refresh until then (single-flight across replicas). */
  refreshing_until: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

// --- OAuth authorization server (0009_oauth): oidc-provider's Adapter storage ---
export interface OAuthPayloadsTable {
  model: string;
  id: string;
  payload: Json<Record<string, unknown>>;
  grant_id: string | null;
  uid: string | null;
  account_id: string | null;
  client_id: string | null;
  expires_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
  created_at: GeneratedTimestamp;
}

// --- auth: one-time email tokens (0008_auth_email_tokens) ---
export type EmailTokenPurpose = 'recovery' | 'signup';
export interface AuthEmailTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: EmailTokenPurpose;
  token_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: GeneratedTimestamp;
}

// --- MCP Router, upstream side (0005_router) ---
export interface RouterReplicasTable {
  id: string;
  address: string;
  started_at: GeneratedTimestamp;
  last_seen_at: Timestamp;
}
