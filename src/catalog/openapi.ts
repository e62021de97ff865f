import { z } from 'zod';
import { errorResponse, jsonBody, jsonResponse, type OpenApiOperation, type OpenApiPaths } from '../gateway/index.js';
import { serviceInputSchema, servicePatchSchema } from './definition.js';
import { credentialsView, serviceView } from './views.js';

/** OpenAPI description of every route `catalogRouter` serves. */

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Service slug or UUID',
  schema: { type: 'string', maxLength: 100 },
};
const instanceIdParam = { name: 'instanceId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

const common = {
  '401': errorResponse('Not authenticated'),
};
const adminCommon = { ...common, '403': errorResponse('Caller is not an admin') };

const adminServiceView = {
  type: 'object',
  description: 'A service with its full definition, injection targets and instances (with health)',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    slug: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    kind: { type: 'string', enum: ['builtin', 'stdio', 'http', 'openapi'] },
    enabled: { type: 'boolean' },
    roles: { type: 'array', items: { type: 'string', enum: ['user', 'admin'] } },
    tool_policy: { type: 'object', properties: { allow: { type: 'array', items: { type: 'string' } }, deny: { type: 'array', items: { type: 'string' } } } },
    payload_capture: { type: 'string', enum: ['off', 'metadata', 'full'], description: 'What the request log keeps of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)' },
    source: { type: 'string', enum: ['catalog', 'admin'], description: 'catalog: defined in the catalog file; only enabled, roles, tool_policy and payload_capture change here' },
    config: { type: 'object', additionalProperties: true, description: 'The kind-specific settings as stored (stdio command/package, args, env; http transport, timeout_ms, oauth; builtin server; openapi definition)' },
    credential_schema: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          name: { type: 'string' },
          title: { type: 'string' },
          description: { type: 'string' },
          secret: { type: 'boolean' },
          required: { type: 'boolean' },
          max_length: { type: 'integer' },
          inject: { type: 'object', additionalProperties: { type: 'string' }, description: '{env}, {header, template?} or {context}' },
        },
        required: ['name', 'title', 'secret', 'required', 'max_length', 'inject'],
      },
    },
    instances: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          url: { type: 'string' },
          source: { type: 'string', enum: ['catalog', 'admin'] },
          status: { type: 'string', enum: ['unknown', 'healthy', 'unhealthy'], description: 'Shared health as the replicas last reported it (circuit state per replica: GET /v1/admin/router/pool)' },
          last_checked_at: { type: ['string', 'null'] },
          consecutive_failures: { type: 'integer' },
          status_changed_at: { type: ['string', 'null'] },
          status_reported_by: { type: ['string', 'null'] },
        },
        required: ['id', 'url', 'source', 'status'],
      },
    },
    problem: { type: 'string', description: 'Why the service cannot be used (e.g. a missing builtin)' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
  required: ['id', 'slug', 'title', 'description', 'kind', 'enabled', 'roles', 'tool_policy', 'payload_capture', 'source', 'config', 'credential_schema', 'instances'],
};

const serviceToolsView = z.object({
  service: z.string(),
  tools: z.array(
    z.object({
      name: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      visible: z.boolean().describe('Whether the current tool policy lets users see and call it'),
    }),
  ),
  missing_credentials: z.array(z.string()).optional().describe("Required credential fields the admin has not stored (the listing connects with the admin's own credentials)"),
});

const op = (o: OpenApiOperation): OpenApiOperation => o;

export const catalogOpenApi: OpenApiPaths = {
  '/v1/services': {
    get: op({
      summary: 'List the services the caller may use',
      description:
        'Enabled services whose roles include the caller and (for API keys with a services scope) inside that scope. `connected` says whether the caller has stored every required credential.',
      tags: ['services'],
      operationId: 'listServices',
      responses: { '200': jsonResponse('The catalog for the caller', z.object({ services: z.array(serviceView) })), ...common },
    }),
  },
  '/v1/services/{id}': {
    get: op({
      summary: 'One service of the catalog',
      tags: ['services'],
      operationId: 'getService',
      parameters: [idParam],
      responses: { '200': jsonResponse('The service', serviceView), ...common, '404': errorResponse('No such service for the caller') },
    }),
  },
  '/v1/services/{id}/credentials': {
    put: op({
      summary: "Store (or replace) the caller's credentials for a service",
      description:
        "The body is an object of the service's credential fields (see credential_schema): unknown fields are rejected, required ones must be present, values are non-empty strings within max_length without control characters. The whole set is replaced. Values are sealed at rest (AES-256-GCM envelope) and never returned.",
      tags: ['services'],
      operationId: 'putServiceCredentials',
      parameters: [idParam],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', additionalProperties: { type: 'string' } } } },
      },
      responses: {
        '200': jsonResponse('Replaced; secret fields masked', credentialsView),
        '201': jsonResponse('Stored; secret fields masked', credentialsView),
        '400': errorResponse('The body does not fit the credential schema, or the service takes none'),
        ...common,
        '404': errorResponse('No such service for the caller'),
      },
    }),
    get: op({
      summary: "The caller's stored credentials, secrets masked",
      tags: ['services'],
      operationId: 'getServiceCredentials',
      parameters: [idParam],
      responses: {
        '200': jsonResponse('Secret fields masked (•••• + last 4 of long values); non-secret fields shown', credentialsView),
        ...common,
        '404': errorResponse('No such service, or nothing stored'),
      },
    }),
    delete: op({
      summary: "Delete the caller's credentials for a service",
      tags: ['services'],
      operationId: 'deleteServiceCredentials',
      parameters: [idParam],
      responses: { '204': { description: 'Deleted' }, ...common, '404': errorResponse('No such service, or nothing stored') },
    }),
  },
  '/v1/admin/services': {
    get: op({
      summary: 'Every registered service (admin)',
      tags: ['admin'],
      operationId: 'adminListServices',
      responses: { '200': jsonResponse('All services', { type: 'object', properties: { services: { type: 'array', items: adminServiceView } }, required: ['services'] }), ...adminCommon },
    }),
    post: op({
      summary: 'Register a service (admin)',
      tags: ['admin'],
      operationId: 'adminCreateService',
      requestBody: jsonBody(serviceInputSchema, 'The same shape as an entry of catalog/services.yaml'),
      responses: {
        '201': jsonResponse('Registered', adminServiceView),
        '400': errorResponse('Invalid definition, or an instance URL the egress guard refuses (instance_url_refused: link-local or cloud metadata address in any spelling), or an openapi base URL it refuses (base_url_refused)'),
        ...adminCommon,
        '409': errorResponse('Slug taken'),
      },
    }),
  },
  '/v1/admin/services/{id}': {
    get: op({
      summary: 'One service (admin)',
      tags: ['admin'],
      operationId: 'adminGetService',
      parameters: [idParam],
      responses: { '200': jsonResponse('The service', adminServiceView), ...adminCommon, '404': errorResponse('No such service') },
    }),
    patch: op({
      summary: 'Change a service (admin)',
      description:
        "Catalog-file services accept only enabled, roles, tool_policy and payload_capture (409 catalog_managed otherwise), and so do marketplace listings' services, whose definition changes only by review (409 listing_managed: the provider submits a new version, an admin approves it); admin-registered services accept every field.",
      tags: ['admin'],
      operationId: 'adminPatchService',
      parameters: [idParam],
      requestBody: jsonBody(servicePatchSchema),
      responses: {
        '200': jsonResponse('Changed', adminServiceView),
        '400': errorResponse('Invalid change, or an openapi base URL the egress guard refuses (base_url_refused)'),
        ...adminCommon,
        '404': errorResponse('No such service'),
        '409': errorResponse('Field owned by the catalog file (catalog_managed), or by a marketplace listing\'s review (listing_managed)'),
      },
    }),
    delete: op({
      summary: 'Remove an admin-registered service (admin)',
      tags: ['admin'],
      operationId: 'adminDeleteService',
      parameters: [idParam],
      responses: {
        '204': { description: 'Removed, with every user credential for it' },
        ...adminCommon,
        '404': errorResponse('No such service'),
        '409': errorResponse('Catalog-file service: disable it instead'),
      },
    }),
  },
  '/v1/admin/services/{id}/tools': {
    get: op({
      summary: "A service's live tools, as its upstream lists them (admin)",
      description:
        "Connects to the service as the calling admin (with the admin's own stored credentials and OAuth connection; whatever the service's enabled flag and roles) and lists every tool the upstream offers, before the tool policy, each marked with whether the current policy lets users see it. For writing a tool policy.",
      tags: ['admin'],
      operationId: 'adminListServiceTools',
      parameters: [idParam],
      responses: {
        '200': jsonResponse('The tools', serviceToolsView),
        ...adminCommon,
        '404': errorResponse('No such service'),
        '409': errorResponse('The service cannot be run (service_unavailable: its problem), or connects by OAuth and the admin has not connected it (oauth_not_connected)'),
        '429': errorResponse('stdio_user_limit: the admin already runs as many stdio processes as allowed'),
        '502': errorResponse('The upstream could not start, crashed or refused (upstream_start_failed, upstream_crashed, upstream_unauthorized, …); the message names missing credentials'),
        '503': errorResponse('No instance reachable, or the stdio pool is full'),
        '504': errorResponse('The upstream did not answer within MCP_UPSTREAM_TIMEOUT_MS'),
        '501': errorResponse('Listing live tools is not available in this process'),
      },
    }),
  },
  '/v1/admin/services/{id}/instances': {
    post: op({
      summary: 'Register an instance URL of an http service (admin)',
      tags: ['admin'],
      operationId: 'adminAddServiceInstance',
      parameters: [idParam],
      requestBody: jsonBody(z.strictObject({ url: z.url() })),
      responses: {
        '201': jsonResponse('Registered', { type: 'object', additionalProperties: true }),
        '400': errorResponse('Not an http service, a bad URL, or a URL the egress guard refuses (instance_url_refused: link-local or cloud metadata address in any spelling)'),
        ...adminCommon,
        '404': errorResponse('No such service'),
        '409': errorResponse('Already registered, or a marketplace listing\'s service (listing_managed: its instances change only by review)'),
      },
    }),
  },
  '/v1/admin/services/{id}/instances/{instanceId}': {
    delete: op({
      summary: 'Remove an instance (admin)',
      tags: ['admin'],
      operationId: 'adminDeleteServiceInstance',
      parameters: [idParam, instanceIdParam],
      responses: {
        '204': { description: 'Removed' },
        ...adminCommon,
        '404': errorResponse('No such service or instance'),
        '409': errorResponse('Declared in the catalog file, or a marketplace listing\'s service (listing_managed)'),
      },
    }),
  },
};
