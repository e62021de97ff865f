import { z } from 'zod';

/**
 * The shapes of a service definition, shared by the catalog file, the admin API and the rows
 * in `services`. One zod source for all three, so that what the file accepts, the API accepts.
 */

export const SLUG = /^[a-z][a-z0-9-]{0,62}$/;
const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

/** Variables a user-supplied value must never set: they change how the child process runs. */
const FORBIDDEN_ENV = new Set(['PATH', 'NODE_OPTIONS', 'NODE_PATH', 'HOME', 'SHELL', 'IFS', 'PYTHONPATH', 'PYTHONSTARTUP']);
const FORBIDDEN_ENV_PREFIX = ['LD_', 'DYLD_', 'NPM_CONFIG_', 'MCP_PLATFORM_', 'PLATFORM_'];
/** Headers the transport owns; a credential must not override them. */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'trailer',
  'accept',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'last-event-id',
]);

export const headerInjectSchema = z.strictObject({
  header: z
    .string()
    .regex(HEADER_NAME, 'must be an HTTP header name')
    .refine((v) => !FORBIDDEN_HEADERS.has(v.toLowerCase()), { message: 'this header is owned by the transport' }),
  template: z
    .string()
    .max(256)
    .refine((v) => v.includes('{value}'), { message: 'must contain {value}' })
    .optional(),
});

export const injectSchema = z.union([
  z.strictObject({
    env: z
      .string()
      .regex(ENV_NAME, 'must be an upper-case environment variable name')
      .refine((v) => !FORBIDDEN_ENV.has(v) && !FORBIDDEN_ENV_PREFIX.some((p) => v.startsWith(p)), {
        message: 'this environment variable may not be set from a credential',
      }),
  }),
  headerInjectSchema,
  z.strictObject({ context: z.string().regex(FIELD_NAME, 'must be a lower-case identifier') }),
]);

export const credentialFieldSchema = z.strictObject({
  name: z.string().regex(FIELD_NAME, 'must be a lower-case identifier (a-z, 0-9, _)'),
  title: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  secret: z.boolean().default(true),
  required: z.boolean().default(true),
  /** Longest accepted value (characters). */
  max_length: z.number().int().min(1).max(16_384).optional(),
  inject: injectSchema,
});
export type CredentialFieldInput = z.input<typeof credentialFieldSchema>;
export type StoredCredentialField = z.output<typeof credentialFieldSchema>;

export const credentialSchemaSchema = z
  .array(credentialFieldSchema)
  .max(32)
  .superRefine((fields, ctx) => {
    const names = new Set<string>();
    const targets = new Set<string>();
    fields.forEach((f, i) => {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate field "${f.name}"` });
      names.add(f.name);
      const target = 'env' in f.inject ? `env:${f.inject.env}` : 'header' in f.inject ? `header:${f.inject.header.toLowerCase()}` : `context:${f.inject.context}`;
      if (targets.has(target)) ctx.addIssue({ code: 'custom', path: [i, 'inject'], message: `two fields inject into ${target}` });
      targets.add(target);
    });
  });

export const toolPolicySchema = z.strictObject({
  allow: z.array(z.string().min(1).max(128)).max(1000).optional(),
  deny: z.array(z.string().min(1).max(128)).max(1000).optional(),
});

/** A script shipped inside an npm package, run with the platform's own Node binary (works offline). */
export const nodePackageScriptSchema = z.strictObject({
  name: z.string().regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/, 'must be an npm package name'),
  script: z
    .string()
    .min(1)
    .max(300)
    .refine((v) => !v.startsWith('/') && !v.split(/[\\/]/).includes('..'), { message: 'must be a relative path inside the package' }),
});

export const stdioConfigSchema = z
  .strictObject({
    command: z.string().min(1).max(500).optional(),
    package: nodePackageScriptSchema.optional(),
    args: z.array(z.string().max(2000)).max(100).default([]),
    env: z.record(z.string().regex(ENV_NAME, 'must be an upper-case environment variable name'), z.string().max(4000)).optional(),
  })
  .refine((c) => (c.command ? !c.package : !!c.package), {
    message: 'give exactly one of "command" or "package"',
  });

const instanceUrl = z.url({ protocol: /^https?$/ }).max(2000);

const providerUrl = z.url({ protocol: /^https?$/ }).max(2000);
/** RFC 6749 scope-token: printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/;

/**
 * An OAuth connection to the service's provider (docs/oauth.md, "Connecting upstream providers").
 * The client ID and secret are named here (environment variables or a secret file), never given.
 */
export const upstreamOAuthSchema = z
  .strictObject({
    /** Discovery (RFC 8414, then OpenID): the provider's metadata names its endpoints. */
    issuer: providerUrl.optional(),
    authorization_endpoint: providerUrl.optional(),
    token_endpoint: providerUrl.optional(),
    revocation_endpoint: providerUrl.optional(),
    scopes: z.array(z.string().regex(SCOPE_TOKEN, 'must be an OAuth scope token')).max(50).default([]),
    /** Where the access token goes; default `Authorization: Bearer {value}`. */
    inject: headerInjectSchema.default({ header: 'Authorization', template: 'Bearer {value}' }),
    client_id_env: z.string().regex(ENV_NAME, 'must be an upper-case environment variable name'),
    client_secret_env: z.string().regex(ENV_NAME, 'must be an upper-case environment variable name').optional(),
    client_secret_file: z.string().min(1).max(1000).optional(),
  })
  .refine((o) => (o.issuer ? !o.authorization_endpoint && !o.token_endpoint : !!o.authorization_endpoint && !!o.token_endpoint), {
    message: 'give either "issuer" (discovery) or both "authorization_endpoint" and "token_endpoint"',
  })
  .refine((o) => !(o.client_secret_env && o.client_secret_file), { message: 'give at most one of "client_secret_env" or "client_secret_file"' });
export type UpstreamOAuthInput = z.output<typeof upstreamOAuthSchema>;

export const httpConfigSchema = z.strictObject({
  transport: z.enum(['streamable-http', 'sse']).default('streamable-http'),
  timeout_ms: z.number().int().min(100).max(600_000).optional(),
  /** Instance URLs declared with the service; more may be registered at run time. */
  instances: z.array(instanceUrl).max(100).default([]),
  oauth: upstreamOAuthSchema.optional(),
});

export const builtinConfigSchema = z.strictObject({
  server: z.string().regex(FIELD_NAME, 'must be a builtin server name'),
});

/**
 * A service the platform runs from a REST API's description (src/builder): each tool one HTTP
 * operation. Arguments reach the request only where a parameter says so: a path segment (escaped),
 * a query value, a declared header (never a transport-owned one), a cookie, or the body.
 */
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
/** A safe subset of the MCP spec's tool-name rule (1-128 of A-Z a-z 0-9 _ - .) that every client accepts. */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const jsonSchemaObject = z.record(z.string(), z.unknown()).refine((s) => s.type === undefined || s.type === 'object', {
  message: 'must be a JSON Schema of type object',
});
const TRANSPORT_HEADERS = new Set([...FORBIDDEN_HEADERS, 'authorization', 'cookie', 'proxy-authorization', 'expect', 'keep-alive', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip']);

export const openapiParameterSchema = z.strictObject({
  /** The argument (a property of inputSchema) that supplies it. */
  arg: z.string().min(1).max(128),
  in: z.enum(['path', 'query', 'header', 'cookie']),
  name: z.string().min(1).max(256),
  /** Query objects: `deepObject` spells name[key]=value; otherwise each key is its own parameter. */
  style: z.enum(['form', 'deepObject']).optional(),
});

export const openapiToolSchema = z
  .strictObject({
    name: z.string().regex(TOOL_NAME, 'must be 1-64 characters of A-Z, a-z, 0-9, _ and -'),
    title: z.string().max(200).optional(),
    description: z.string().max(16_000).default(''),
    inputSchema: z.record(z.string(), z.unknown()).refine((s) => s.type === 'object', { message: 'must be a JSON Schema of type object' }),
    outputSchema: jsonSchemaObject.optional(),
    operation: z.strictObject({
      method: z.enum(HTTP_METHODS),
      path: z.string().regex(/^\/[^?#]*$/, 'must start with / and hold no query or fragment').max(2000),
      parameters: z.array(openapiParameterSchema).max(300).default([]),
      body: z
        .strictObject({ arg: z.string().min(1).max(128), content_type: z.enum(['application/json', 'application/x-www-form-urlencoded', 'text/plain']) })
        .optional(),
    }),
  })
  .superRefine((tool, ctx) => {
    const args = new Set<string>();
    const inPath = new Set([...tool.operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    tool.operation.parameters.forEach((p, i) => {
      if (args.has(p.arg)) ctx.addIssue({ code: 'custom', path: ['operation', 'parameters', i, 'arg'], message: `argument "${p.arg}" is mapped twice` });
      args.add(p.arg);
      if (p.in === 'path' && !inPath.has(p.name)) ctx.addIssue({ code: 'custom', path: ['operation', 'parameters', i, 'name'], message: `{${p.name}} is not in the path` });
      if (p.in === 'header' && (!HEADER_NAME.test(p.name) || TRANSPORT_HEADERS.has(p.name.toLowerCase()))) {
        ctx.addIssue({ code: 'custom', path: ['operation', 'parameters', i, 'name'], message: 'not a header an argument may set' });
      }
    });
    for (const name of inPath) {
      if (!tool.operation.parameters.some((p) => p.in === 'path' && p.name === name)) {
        ctx.addIssue({ code: 'custom', path: ['operation', 'path'], message: `{${name}} has no parameter` });
      }
    }
    if (tool.operation.body && args.has(tool.operation.body.arg)) {
      ctx.addIssue({ code: 'custom', path: ['operation', 'body', 'arg'], message: `argument "${tool.operation.body.arg}" is mapped twice` });
    }
  });

/** How the user's credentials (fields injected as `{ context: name }`) reach the API. */
export const openapiAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('api_key'),
    in: z.enum(['header', 'query', 'cookie']),
    name: z.string().min(1).max(256),
    credential: z.string().regex(FIELD_NAME),
  }),
  z.strictObject({ type: z.literal('bearer'), credential: z.string().regex(FIELD_NAME) }),
  z.strictObject({ type: z.literal('basic'), username: z.string().regex(FIELD_NAME), password: z.string().regex(FIELD_NAME) }),
]);

export const openapiConfigSchema = z
  .strictObject({
    base_url: z.url({ protocol: /^https?$/ }).max(2000),
    timeout_ms: z.number().int().min(100).max(120_000).optional(),
    max_response_bytes: z.number().int().min(1).max(10_000_000).optional(),
    auth: z.array(openapiAuthSchema).max(16).default([]),
    tools: z.array(openapiToolSchema).min(1).max(5000),
  })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    config.tools.forEach((t, i) => {
      if (names.has(t.name)) ctx.addIssue({ code: 'custom', path: ['tools', i, 'name'], message: `duplicate tool "${t.name}"` });
      names.add(t.name);
    });
    config.auth.forEach((a, i) => {
      if (a.type === 'api_key' && a.in === 'header' && (!HEADER_NAME.test(a.name) || FORBIDDEN_HEADERS.has(a.name.toLowerCase()))) {
        ctx.addIssue({ code: 'custom', path: ['auth', i, 'name'], message: 'this header is owned by the transport' });
      }
    });
  });
export type OpenApiConfigInput = z.output<typeof openapiConfigSchema>;

/** Every credential an `auth` entry names must be a field injected as `{ context: <that name> }`. */
function checkOpenApiCredentials(
  service: { openapi: OpenApiConfigInput; credentials: Array<z.output<typeof credentialFieldSchema>> },
  ctx: z.RefinementCtx,
) {
  const contexts = new Set(service.credentials.flatMap((f) => ('context' in f.inject ? [f.inject.context] : [])));
  service.openapi.auth.forEach((a, i) => {
    const named = a.type === 'basic' ? [a.username, a.password] : [a.credential];
    for (const n of named) {
      if (!contexts.has(n)) ctx.addIssue({ code: 'custom', path: ['openapi', 'auth', i], message: `no credential field injects { context: ${n} }` });
    }
  });
}

/** One version of an `openapi` service (the builder's saves): its config and the credential fields it names. */
export const openapiDefinitionSchema = z
  .strictObject({ credentials: credentialSchemaSchema.default([]), openapi: openapiConfigSchema })
  .superRefine(checkOpenApiCredentials);

export const roleSchema = z.enum(['user', 'admin']);
export const payloadCaptureSchema = z
  .enum(['off', 'metadata', 'full'])
  .describe('Request log of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)');

const common = {
  slug: z.string().regex(SLUG, 'must be lower-case letters, digits and dashes, starting with a letter'),
  title: z.string().min(1).max(200),
  description: z.string().max(4000).default(''),
  enabled: z.boolean().default(true),
  roles: z.array(roleSchema).min(1).default(['user', 'admin']),
  tool_policy: toolPolicySchema.default({}),
  payload_capture: payloadCaptureSchema.default('metadata'),
  credentials: credentialSchemaSchema.default([]),
};

/** One service as the catalog file and `POST /v1/admin/services` spell it. */
export const serviceInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...common, kind: z.literal('builtin'), builtin: builtinConfigSchema }),
  z.strictObject({ ...common, kind: z.literal('stdio'), stdio: stdioConfigSchema }),
  z.strictObject({ ...common, kind: z.literal('http'), http: httpConfigSchema }),
  z.strictObject({ ...common, kind: z.literal('openapi'), openapi: openapiConfigSchema }).superRefine(checkOpenApiCredentials),
]);
export type ServiceInput = z.output<typeof serviceInputSchema>;

/** `PATCH /v1/admin/services/{id}`: operational fields, plus definition fields for admin-made services. */
export const servicePatchSchema = z
  .strictObject({
    title: common.title.optional(),
    description: z.string().max(4000).optional(),
    enabled: z.boolean().optional(),
    roles: z.array(roleSchema).min(1).optional(),
    tool_policy: toolPolicySchema.optional(),
    payload_capture: payloadCaptureSchema.optional(),
    credentials: credentialSchemaSchema.optional(),
    builtin: builtinConfigSchema.optional(),
    stdio: stdioConfigSchema.optional(),
    http: httpConfigSchema.omit({ instances: true }).optional(),
    openapi: openapiConfigSchema.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });
export type ServicePatch = z.output<typeof servicePatchSchema>;

/** Fields a PATCH may change on a service that comes from the catalog file (the file owns the rest). */
export const OPERATIONAL_FIELDS = ['enabled', 'roles', 'tool_policy', 'payload_capture'] as const;

/** Stored `config` column for each kind (the `kind` key makes the jsonb self-describing). */
export type ConfigInput =
  | { kind: 'builtin'; builtin: z.output<typeof builtinConfigSchema> }
  | { kind: 'stdio'; stdio: z.output<typeof stdioConfigSchema> }
  | { kind: 'http'; http: z.output<typeof httpConfigSchema> }
  | { kind: 'openapi'; openapi: OpenApiConfigInput };

export function storedConfig(input: ConfigInput): Record<string, unknown> {
  switch (input.kind) {
    case 'builtin':
      return { kind: 'builtin', server: input.builtin.server };
    case 'stdio':
      return { kind: 'stdio', ...input.stdio };
    case 'http': {
      const { instances: _instances, ...rest } = input.http;
      return { kind: 'http', ...rest };
    }
    case 'openapi':
      return { kind: 'openapi', ...input.openapi };
  }
}
