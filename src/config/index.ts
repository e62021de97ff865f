import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * Every setting the platform reads from the environment. Parsed once at start-up;
 * the rest of the code receives the typed `Config` and never touches `process.env`.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const optionalString = z
  .string()
  .transform((v) => (v.trim() === '' ? undefined : v.trim()))
  .optional();

const csv = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** `EGRESS_ALLOW` entry: a host name, `*.suffix`, an address or a CIDR. */
function isEgressAllowEntry(entry: string): boolean {
  const e = entry.toLowerCase();
  if (e.includes('/')) return ipaddr.isValidCIDR(e);
  if (isIP(e.replace(/^\[|\]$/g, ''))) return true;
  return /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/.test(e);
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `k1=v1,k2=v2` with URL-encoded values; undefined when malformed. */
function parseOtlpHeaders(raw: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || /[\r\n]/.test(value)) return undefined;
    out[key.toLowerCase()] = value;
  }
  return out;
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('mcp_platform'),
  DATABASE_POOL_MAX: int(1, 500).default(10),

  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z.string().default('mcp:'),

  PLATFORM_ENCRYPTION_KEY: optionalString,
  PLATFORM_ENCRYPTION_KEYS_PREVIOUS: optionalString,

  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: optionalString,

  AUTH_ISSUER: z.url().optional(),
  AUTH_PUBLISHABLE_KEY: optionalString,
  AUTH_ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400).default(900),
  AUTH_REFRESH_TOKEN_TTL_SECONDS: int(300, 31_536_000).default(2_592_000),
  AUTH_SIGNUP_ENABLED: bool.default(true),
  AUTH_PASSWORD_MIN_LENGTH: int(8, 128).default(10),
  AUTH_CLOCK_SKEW_SECONDS: int(0, 300).default(30),
  AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 10_000).default(5),
  AUTH_LOGIN_MAX_FAILURES_PER_IP: int(1, 100_000).default(50),
  AUTH_LOGIN_LOCKOUT_SECONDS: int(1, 86_400).default(900),
  AUTH_SIGNUPS_PER_IP_PER_HOUR: int(1, 1_000_000).default(30),

  // auth: how long verified session/API-key state is cached per replica (logout, disable and
  // key revocation also invalidate it at once, across replicas through Redis).
  AUTH_REVOCATION_CACHE_TTL_MS: int(0, 60_000).default(3_000),

  // ---- auth email: password recovery and sign-up confirmation (docs/auth.md, "Email") ----
  AUTH_EMAIL_CONFIRM: bool.default(false),
  AUTH_EMAIL_TOKEN_TTL_SECONDS: int(60, 86_400).default(3_600),
  AUTH_EMAIL_INTERVAL_SECONDS: int(1, 86_400).default(60),
  AUTH_EMAILS_PER_IP_PER_HOUR: int(1, 1_000_000).default(30),
  SMTP_HOST: optionalString,
  SMTP_PORT: int(1, 65535).default(587),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_FROM: z
    .string()
    .trim()
    .max(320)
    .regex(/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'must be an address, or a name and <address>')
    .optional(),
  // ---- end auth email ----

  SUPABASE_URL: z.url().optional(),
  SUPABASE_JWT_SECRET: optionalString,

  RATE_LIMIT_USER_PER_MINUTE: int(1, 1_000_000).default(600),
  RATE_LIMIT_IP_PER_MINUTE: int(1, 1_000_000).default(1200),
  RATE_LIMIT_REDIS_DOWN: z.enum(['memory', 'open', 'closed']).default('memory'),

  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  HEADERS_TIMEOUT_MS: int(1000, 600_000).default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  CORS_ORIGINS: csv.default([]),
  TRUST_PROXY: z.string().default('false'),

  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // --- MCP endpoints (/mcp, /mcp/{service}) ---
  MCP_SESSION_TTL_SECONDS: int(60, 30 * 86_400).default(86_400),
  MCP_UPSTREAM_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  /** The longest one upstream request may last, however often the upstream reports progress (never below MCP_UPSTREAM_TIMEOUT_MS). */
  MCP_UPSTREAM_MAX_CALL_MS: int(1000, 86_400_000).default(600_000),
  /** Largest upstream answer (a JSON body, or one SSE event) relayed; beyond it the answer is cut off and the caller gets a JSON-RPC error naming the cap. */
  MCP_MAX_RESPONSE_BYTES: int(1024, 1024 * 1024 * 1024).default(16 * 1024 * 1024),
  MCP_STREAM_RESUME_WINDOW_SECONDS: int(0, 3600).default(60),
  /** The most bytes of an SSE answer held for a client that does not read it; beyond it the client is cut off (connection closed, logged) and the upstream request cancelled. */
  MCP_STREAM_MAX_BUFFERED_BYTES: int(64 * 1024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  /** The fast path of tools/call without an SDK server (endpoint/fast-call.ts); false = always the SDK relay. */
  MCP_PASSTHROUGH: bool.default(true),
  MCP_ALLOWED_HOSTS: csv.default([]),
  MCP_ALLOWED_ORIGINS: csv.default([]),
  MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: int(1, 1_000_000).default(300),

  // --- metering, plans and quotas (src/billing, docs/billing.md) ---
  /** Meter every tools/call (write-before-answer) and enforce plans' quotas; false: neither. */
  BILLING_METERING: bool.default(true),
  /** The plan of users an admin gave none; unset: such users have no quota. */
  BILLING_DEFAULT_PLAN: optionalString,
  /** How long a replica counts a user's quota from its last read of the database (plus its own calls since). */
  BILLING_QUOTA_CACHE_MS: int(0, 600_000).default(1_000),
  /** Most usage events in one write (group commit). */
  BILLING_METER_BATCH_SIZE: int(1, 10_000).default(500),
  /** How long a call waits for its usage event to be written before it is answered anyway (database down). */
  BILLING_METER_WRITE_BOUND_MS: int(100, 600_000).default(10_000),
  /** Finalise ended months' statements on a schedule (one replica, once; months missed during an outage too); false: only POST /v1/admin/statements/finalize. */
  BILLING_FINALISE_SCHEDULE: bool.default(true),
  /**
   * How long after a month's end its statements are finalised (usage held back by an outage lands first; ms).
   * At most 14 days: the scheduler treats every month before the previous one as past its grace, which
   * holds only for a grace shorter than the shortest month.
   */
  BILLING_FINALISE_GRACE_MS: int(0, 14 * 86_400_000).default(3_600_000),
  /** How often each replica checks whether ended months are due (ms). */
  BILLING_FINALISE_CHECK_MS: int(1_000, 86_400_000).default(300_000),
  /** Where the billing webhook outbox posts its events (usage records, statement finalisation); unset: no outbox. */
  BILLING_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The HMAC-SHA256 key the events are signed with: at least 32 characters, required with BILLING_WEBHOOK_URL. */
  BILLING_WEBHOOK_SECRET: z.string().min(32, 'at least 32 characters (a random secret, e.g. openssl rand -hex 32)').max(512).optional(),
  /** Attempts per event before it is dead (an admin can redeliver it). */
  BILLING_WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(12),
  /** The first retry's delay; each next one doubles, up to an hour (ms). */
  BILLING_WEBHOOK_BACKOFF_MS: int(10, 3_600_000).default(10_000),
  /** How often each replica looks for due events (ms). */
  BILLING_WEBHOOK_POLL_MS: int(10, 600_000).default(2_000),
  /** One delivery's timeout (ms). */
  BILLING_WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),

  // --- MCP service catalog and credentials (docs/services.md) ---
  /** Catalog file applied on start; unset = the shipped catalog/services.yaml, 'none' = no file. */
  CATALOG_FILE: optionalString,
  /** How long a replica serves its snapshot of the service registry before re-reading (ms). */
  CATALOG_CACHE_TTL_MS: int(0, 600_000).default(5_000),
  /** How long decrypted credentials stay in memory (ms); 0 disables the cache. */
  CREDENTIAL_CACHE_TTL_MS: int(0, 3_600_000).default(30_000),
  /** Most users whose decrypted credentials are cached at once. */
  CREDENTIAL_CACHE_MAX_USERS: int(1, 1_000_000).default(10_000),

  // --- outbound requests (the egress guard, docs/gateway.md) ---
  /** Operator allowlist: host names, `*.suffix`, addresses and CIDRs the SSRF guard lets through anyway. */
  EGRESS_ALLOW: csv
    .refine((list) => list.every(isEgressAllowEntry), {
      message: 'each entry must be a host name, *.suffix, an IP address or a CIDR (comma-separated)',
    })
    .default([]),

  // --- builder: REST APIs as MCP services (src/builder, docs/builder.md) ---
  /**
   * Largest OpenAPI document imported by `POST /v1/builder/imports`, uploaded or fetched from a URL,
   * and the body limit of every /v1/builder route (bytes; BODY_LIMIT_BYTES does not apply there).
   */
  BUILDER_IMPORT_MAX_BYTES: int(1024, 200 * 1024 * 1024).default(32 * 1024 * 1024),
  /** How long fetching an import URL may take (ms). */
  BUILDER_IMPORT_TIMEOUT_MS: int(100, 600_000).default(20_000),
  /** Per tools/call of an `openapi` service, unless it sets `timeout_ms` (ms). */
  BUILDER_CALL_TIMEOUT_MS: int(100, 120_000).default(30_000),
  /** Largest API answer read per tools/call, unless the service sets `max_response_bytes` (bytes). */
  BUILDER_RESPONSE_MAX_BYTES: int(1, 10_000_000).default(5 * 1024 * 1024),
  /** Users (not only admins) may build `openapi` services, each visible to its builder only. */
  BUILDER_USERS: bool.default(false),
  /** How long the marketplace's review connection to a listing (connect and list) may take (docs/marketplace.md). */
  MARKETPLACE_INSPECT_TIMEOUT_MS: int(100, 120_000).default(15_000),
  /** Providers may publish npm packages the platform installs and runs over stdio (third-party code on this host; off by default). */
  MARKETPLACE_NPM: bool.default(false),
  /** Where npm listings are installed, one directory per listing version (default DATA_DIR/marketplace-packages; shared by replicas). */
  MARKETPLACE_PACKAGES_DIR: optionalString,
  /** The registry npm listings are installed from. */
  MARKETPLACE_NPM_REGISTRY: z.url({ protocol: /^https?$/ }).default('https://registry.npmjs.org/'),
  /** CPU time (seconds) an npm listing's child may use in its life (RLIMIT_CPU). */
  MARKETPLACE_STDIO_CPU_SECONDS: int(1, 86_400).default(300),
  /** An npm listing's V8 heap (MB); its address space is capped at this plus 3584 MB. */
  MARKETPLACE_STDIO_MEMORY_MB: int(32, 65_536).default(512),

  // --- MCP Router, upstream side (src/router/upstream) ---
  STDIO_MAX_PROCESSES: int(1, 100_000).default(50),
  STDIO_MAX_PER_USER: int(1, 10_000).default(5),
  STDIO_IDLE_TIMEOUT_MS: int(100, 86_400_000).default(300_000),
  STDIO_START_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  STDIO_KILL_GRACE_MS: int(100, 60_000).default(3_000),
  HTTP_UPSTREAM_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  HTTP_BALANCING: z.enum(['round-robin', 'least-outstanding']).default('round-robin'),
  HTTP_HEALTH_INTERVAL_MS: int(100, 3_600_000).default(10_000),
  HTTP_HEALTH_TIMEOUT_MS: int(50, 60_000).default(2_000),
  HTTP_EJECT_AFTER_FAILURES: int(1, 1000).default(3),
  HTTP_EJECT_BASE_MS: int(10, 3_600_000).default(5_000),
  HTTP_EJECT_MAX_MS: int(10, 86_400_000).default(300_000),
  /** How long the upstream session kept for a 2025-era client session may stay unused before it is ended (DELETE). */
  HTTP_UPSTREAM_SESSION_IDLE_MS: int(1000, 86_400_000).default(600_000),
  /** Most upstream sessions kept for client sessions per replica (least recently used ended beyond it). */
  HTTP_UPSTREAM_SESSIONS_MAX: int(1, 1_000_000).default(10_000),
  BUILTIN_SHARED_SECRET: optionalString,
  /** `name=url|url,name2=url`: builtins served out of process by `mcp-platform serve-builtin`. */
  BUILTIN_REMOTE_INSTANCES: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const out: Record<string, string[]> = {};
      for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
        const [name, urls] = part.split('=', 2);
        const list = (urls ?? '').split('|').map((u) => u.trim()).filter(Boolean);
        if (!name || !/^[a-z0-9][a-z0-9_-]*$/.test(name.trim()) || !list.length || !list.every((u) => /^https?:\/\//.test(u))) {
          ctx.addIssue({ code: 'custom', message: `bad entry "${part}": expected name=http://host/mcp|http://host2/mcp` });
          return z.NEVER;
        }
        out[name.trim()] = list;
      }
      return out;
    }),
  REPLICA_ID: optionalString,
  REPLICA_ADDRESS: optionalString,
  REPLICA_HEARTBEAT_MS: int(100, 600_000).default(5_000),
  REPLICA_TTL_MS: int(300, 3_600_000).default(15_000),
  // ---- logging ----
  LOG_RETENTION_DAYS: int(1, 3650).default(30),
  LOG_PARTITION_DAYS_AHEAD: int(1, 60).default(3),
  LOG_MAINTENANCE_INTERVAL_MS: int(1000, 86_400_000).default(3_600_000),
  LOG_QUEUE_MAX: int(1, 10_000_000).default(20_000),
  LOG_BATCH_SIZE: int(1, 5000).default(500),
  LOG_FLUSH_INTERVAL_MS: int(10, 60_000).default(1000),
  LOG_PAYLOAD_MAX_BYTES: int(256, 1024 * 1024).default(8192),
  LOG_REST_REQUESTS: bool.default(true),
  METRICS_ENABLED: bool.default(true),
  METRICS_TOKEN: optionalString,
  METRICS_PORT: int(1, 65535).optional(),
  // ---- end logging ----
  // ---- OAuth authorization server for MCP clients (src/oauth, docs/oauth.md) ----
  /** Dynamic Client Registration (RFC 7591) at /oauth/register; false turns it off (CIMD clients still work). */
  OAUTH_DYNAMIC_REGISTRATION: bool.default(true),
  OAUTH_REGISTRATIONS_PER_IP_PER_MINUTE: int(1, 100_000).default(10),
  OAUTH_ACCESS_TOKEN_TTL_SECONDS: int(1, 86_400).default(900),
  OAUTH_REFRESH_TOKEN_TTL_SECONDS: int(300, 31_536_000).default(2_592_000),
  // ---- end OAuth ----
  // ---- tracing (OpenTelemetry; names and meanings follow the OTel SDK environment spec) ----
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp']).default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).default('http://localhost:4318'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .refine((v) => parseOtlpHeaders(v) !== undefined, 'must be comma-separated key=value pairs (values URL-encoded)')
    .transform((v) => parseOtlpHeaders(v) ?? {})
    .optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(200).default('mcp-platform'),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  OTEL_BSP_SCHEDULE_DELAY: int(1, 3_600_000).default(5_000),
  OTEL_BSP_MAX_QUEUE_SIZE: int(1, 1_000_000).default(2_048),
  // ---- end tracing ----
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Omit<Env, 'PUBLIC_URL' | 'AUTH_ISSUER' | 'TRUST_PROXY'> {
  PUBLIC_URL: string;
  AUTH_ISSUER: string;
  TRUST_PROXY: boolean | number | string;
  /** True when no DATABASE_URL is set and PGlite stores data in DATA_DIR. */
  embedded: boolean;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseTrustProxy(raw: string): boolean | number | string {
  if (raw === 'true') return true;
  if (raw === 'false' || raw === '') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw; // comma-separated subnets, as Express accepts them
}

/** Parses and validates the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((k) => source[k] !== undefined && source[k] !== '')
      .map((k) => [k, source[k]]),
  );
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
    );
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.ADMIN_PASSWORD && !env.ADMIN_EMAIL) problems.push('ADMIN_PASSWORD: set ADMIN_EMAIL too');
  if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD && env.ADMIN_PASSWORD.length < env.AUTH_PASSWORD_MIN_LENGTH) {
    problems.push(`ADMIN_PASSWORD: must be at least ${env.AUTH_PASSWORD_MIN_LENGTH} characters`);
  }
  if (env.DATABASE_URL && !env.PLATFORM_ENCRYPTION_KEY && env.NODE_ENV === 'production') {
    problems.push(
      'PLATFORM_ENCRYPTION_KEY: required in production with DATABASE_URL, so that every replica shares one master key',
    );
  }
  // --- auth email ---
  if (Boolean(env.SMTP_USER) !== Boolean(env.SMTP_PASSWORD)) problems.push('SMTP_USER, SMTP_PASSWORD: set both or neither');
  if ((env.SMTP_USER || env.SMTP_FROM) && !env.SMTP_HOST) problems.push('SMTP_HOST: required when SMTP_USER or SMTP_FROM is set');
  if (env.AUTH_EMAIL_CONFIRM && !env.SMTP_HOST && env.NODE_ENV === 'production') {
    problems.push('AUTH_EMAIL_CONFIRM: needs SMTP_HOST in production (new accounts could never be confirmed)');
  }
  // --- billing webhook outbox ---
  if (env.BILLING_WEBHOOK_URL && !env.BILLING_WEBHOOK_SECRET) problems.push('BILLING_WEBHOOK_SECRET: required when BILLING_WEBHOOK_URL is set (events are signed with it)');
  if (env.BILLING_WEBHOOK_SECRET && !env.BILLING_WEBHOOK_URL) problems.push('BILLING_WEBHOOK_URL: BILLING_WEBHOOK_SECRET is set but no URL to post to');
  if (env.BILLING_WEBHOOK_SECRET && new Set(env.BILLING_WEBHOOK_SECRET).size < 8) problems.push('BILLING_WEBHOOK_SECRET: too few distinct characters to be a random secret');
  if (env.BILLING_WEBHOOK_URL && !env.BILLING_METERING) problems.push('BILLING_WEBHOOK_URL: needs BILLING_METERING=true (the outbox announces metered usage)');
  // --- MCP Router, upstream side ---
  if (Object.keys(env.BUILTIN_REMOTE_INSTANCES).length && !env.BUILTIN_SHARED_SECRET) {
    problems.push('BUILTIN_SHARED_SECRET: required when BUILTIN_REMOTE_INSTANCES is set');
  }
  if (env.BUILTIN_SHARED_SECRET && env.BUILTIN_SHARED_SECRET.length < 32) {
    problems.push('BUILTIN_SHARED_SECRET: must be at least 32 characters');
  }
  if (problems.length) throw new ConfigError(problems);

  const hostForUrl = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const publicUrl = (env.PUBLIC_URL ?? `http://${hostForUrl.includes(':') ? `[${hostForUrl}]` : hostForUrl}:${env.PORT}`).replace(/\/+$/, '');
  return {
    ...env,
    PUBLIC_URL: publicUrl,
    AUTH_ISSUER: (env.AUTH_ISSUER ?? `${publicUrl}/auth/v1`).replace(/\/+$/, ''),
    TRUST_PROXY: parseTrustProxy(env.TRUST_PROXY),
    embedded: !env.DATABASE_URL,
  };
}

/** Names of every environment variable the platform reads (for docs, checks and `check-config`). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

// --- platform version ---

let cachedVersion: string | undefined;
/** The version in package.json (two levels up from src/config or dist/config). */
export function platformVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}

// --- effective configuration for operators ---
const SECRET_SETTINGS = new Set<string>([
  'PLATFORM_ENCRYPTION_KEY',
  'PLATFORM_ENCRYPTION_KEYS_PREVIOUS',
  'ADMIN_PASSWORD',
  'SUPABASE_JWT_SECRET',
  'BILLING_WEBHOOK_SECRET',
  'AUTH_PUBLISHABLE_KEY',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'SMTP_PASSWORD',
  'BUILTIN_SHARED_SECRET',
  'METRICS_TOKEN',
]);

function maskUrlPassword(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '*****';
    return url.toString();
  } catch {
    return '*****';
  }
}

/** The effective configuration with every secret masked: safe to print or log. */
export function maskedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config).sort(([a], [b]) => a.localeCompare(b))) {
    if (v === undefined) out[k] = null;
    else if (SECRET_SETTINGS.has(k)) out[k] = '***** (set)';
    else if ((k === 'DATABASE_URL' || k === 'REDIS_URL') && typeof v === 'string') out[k] = maskUrlPassword(v);
    else out[k] = v;
  }
  return out;
}
