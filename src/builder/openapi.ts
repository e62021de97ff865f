import { z } from 'zod';
import { openapiConfigSchema, openapiDefinitionSchema } from '../catalog/index.js';
import { errorResponse, jsonBody, jsonResponse, type OpenApiPaths } from '../gateway/index.js';

/** OpenAPI description of the routes `builderRouter` serves. */
const schemaObject = { type: 'object', additionalProperties: true, description: 'A JSON Schema (2020-12)' };
const importedTool = {
  type: 'object',
  required: ['name', 'description', 'inputSchema', 'operation'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    title: { type: 'string' },
    description: { type: 'string' },
    inputSchema: schemaObject,
    outputSchema: schemaObject,
    operation: {
      type: 'object',
      required: ['method', 'path', 'parameters'],
      properties: {
        method: { type: 'string' },
        path: { type: 'string' },
        parameters: {
          type: 'array',
          items: {
            type: 'object',
            properties: { arg: { type: 'string' }, in: { type: 'string', enum: ['path', 'query', 'header', 'cookie'] }, name: { type: 'string' }, style: { type: 'string' } },
          },
        },
        body: { type: 'object', properties: { arg: { type: 'string' }, content_type: { type: 'string' } } },
      },
    },
  },
};
const importResult = {
  type: 'object',
  required: ['title', 'description', 'source_version', 'base_url', 'tools', 'credentials', 'auth', 'skipped', 'notes', 'security_skipped', 'tags'],
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    source_version: { type: 'string', description: '2.0, 3.0.x or 3.1.x, as given' },
    base_url: { type: ['string', 'null'], description: 'From the first server entry; null when the document names none usable' },
    tools: { type: 'array', items: importedTool, description: 'One per mapped operation, ready for `openapi.tools` of POST /v1/admin/services' },
    credentials: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Credential fields for the service, one per security scheme value' },
    auth: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Where each credential goes (`openapi.auth`)' },
    skipped: {
      type: 'array',
      items: { type: 'object', required: ['operation', 'reason'], properties: { operation: { type: 'string' }, reason: { type: 'string' } } },
    },
    notes: { type: 'array', items: { type: 'object', properties: { operation: { type: 'string' }, note: { type: 'string' } } } },
    security_skipped: { type: 'array', items: { type: 'object', properties: { scheme: { type: 'string' }, reason: { type: 'string' } } } },
    tags: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: "The document's tags of each tool's operation, by tool name" },
  },
};

export const builderOpenApi: OpenApiPaths = {
  '/v1/builder/imports': {
    post: {
      summary: 'Propose MCP tools from an OpenAPI or Swagger document',
      description:
        'The body is the document (OpenAPI 3.0/3.1 or Swagger 2.0) as application/json or application/yaml, or `{"url": "…"}` as application/json to fetch it (public addresses only, unless the operator allows a host with EGRESS_ALLOW). Nothing is saved: save the chosen tools with POST /v1/admin/services, `kind: "openapi"`. Every operation appears once, in `tools` or in `skipped`.',
      tags: ['builder'],
      operationId: 'importApiDocument',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              oneOf: [
                { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } }, additionalProperties: false },
                { type: 'object', additionalProperties: true, description: 'The document itself' },
              ],
            },
          },
          'application/yaml': { schema: { type: 'string' } },
        },
      },
      responses: {
        '200': jsonResponse('The proposed tools, credentials and what could not be mapped', importResult),
        '400': errorResponse('Invalid body, or an import URL the egress guard refuses (import_url_refused)'),
        '401': errorResponse('Not authenticated'),
        '403': errorResponse('Caller may not build (admins; users with BUILDER_USERS=true)'),
        '413': errorResponse('The document is larger than BUILDER_IMPORT_MAX_BYTES (the message names the limit)'),
        '415': errorResponse('The body is neither JSON nor YAML'),
        '422': errorResponse('The document cannot be read: not JSON/YAML, not OpenAPI, or an unresolvable $ref (details name where)'),
        '502': errorResponse('The document URL could not be fetched'),
      },
    },
  },
};

// ---- services and versions (services-routes.ts) ----
const idParam = { name: 'id', in: 'path', required: true, description: 'Service slug or UUID', schema: { type: 'string', maxLength: 100 } };
const versionParam = { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const common = {
  '401': errorResponse('Not authenticated'),
  '403': errorResponse('Caller may not build (admins; users with BUILDER_USERS=true)'),
};
const notFound = { '404': errorResponse("No such openapi service (or another user's: a user sees only their own)") };
const builderService = {
  type: 'object',
  required: ['id', 'slug', 'title', 'description', 'enabled', 'owner_id', 'live_version', 'latest_version', 'tools', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    slug: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    enabled: { type: 'boolean' },
    owner_id: { type: ['string', 'null'], description: 'The user who built it (BUILDER_USERS); null for a platform service' },
    live_version: { type: ['integer', 'null'], description: 'The published version; null until one is published' },
    latest_version: { type: ['integer', 'null'] },
    tools: { type: 'integer', description: 'Tools of the live definition' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
};
const versionSummary = {
  type: 'object',
  required: ['version', 'live', 'tools', 'created_by', 'created_at', 'last_published_at'],
  properties: {
    version: { type: 'integer' },
    live: { type: 'boolean' },
    tools: { type: 'integer' },
    created_by: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    last_published_at: { type: ['string', 'null'], description: 'When it last became live; null if never' },
  },
};
const liveAnswer = {
  type: 'object',
  required: ['live_version', 'previous_version'],
  properties: { live_version: { type: ['integer', 'null'] }, previous_version: { type: ['integer', 'null'] } },
};
const saveDoc = z.strictObject({ ...openapiDefinitionSchema.shape, publish: z.boolean().default(false).describe('Publish the saved version at once') });
const createDoc = z.strictObject({
  slug: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
  title: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  enabled: z.boolean().optional(),
  payload_capture: z.enum(['off', 'metadata', 'full']).optional(),
  ...openapiDefinitionSchema.shape,
  publish: z.boolean().default(false).describe('Publish version 1 at once; otherwise nothing is served until a version is published'),
});
const tryDoc = z.strictObject({
  openapi: openapiConfigSchema,
  tool: z.string().min(1).max(128),
  arguments: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.string()).default({}).describe('Your own credential values, by the names `openapi.auth` uses; used for this call only, never stored'),
});
const toolResult = {
  type: 'object',
  required: ['content'],
  description: 'The MCP CallToolResult the tool would return',
  properties: {
    isError: { type: 'boolean' },
    content: { type: 'array', items: { type: 'object', additionalProperties: true, properties: { type: { type: 'string' }, text: { type: 'string' } }, required: ['type'] } },
    structuredContent: { type: 'object', additionalProperties: true },
  },
};

Object.assign(builderOpenApi, {
  '/v1/builder/access': {
    get: {
      summary: 'Whether the caller may use the builder',
      description: 'Any signed-in caller: `allowed` is true for admins, and for users when the operator set BUILDER_USERS=true; otherwise `reason` says why not. The web app shows the builder only when allowed.',
      tags: ['builder'],
      operationId: 'builderAccess',
      responses: {
        '200': jsonResponse('The answer', { type: 'object', required: ['allowed'], additionalProperties: false, properties: { allowed: { type: 'boolean' }, reason: { type: 'string' } } }),
        '401': errorResponse('Not signed in'),
      },
    },
  },
  '/v1/builder/services': {
    get: {
      summary: 'openapi services the caller may build',
      description: 'Admins: every admin-made openapi service. Builder users (BUILDER_USERS=true): only their own.',
      tags: ['builder'],
      operationId: 'listBuilderServices',
      responses: {
        '200': jsonResponse('The services', { type: 'object', required: ['services'], properties: { services: { type: 'array', items: builderService } } }),
        ...common,
      },
    },
    post: {
      summary: 'Create an openapi service (version 1)',
      description: "A builder user's service is visible to that user only. Unless `publish` is true, nothing is served until a version is published.",
      tags: ['builder'],
      operationId: 'createBuilderService',
      requestBody: jsonBody(createDoc),
      responses: {
        '201': jsonResponse('Created', builderService),
        '400': errorResponse('Invalid definition, or a base URL the egress guard refuses (base_url_refused: private, loopback, link-local or metadata address in any spelling, unless EGRESS_ALLOW names it)'),
        ...common,
        '409': errorResponse('The slug is taken (slug_taken)'),
        '413': errorResponse('Larger than BUILDER_IMPORT_MAX_BYTES'),
      },
    },
  },
  '/v1/builder/services/{id}': {
    get: {
      summary: 'One openapi service',
      tags: ['builder'],
      operationId: 'getBuilderService',
      parameters: [idParam],
      responses: { '200': jsonResponse('The service', builderService), ...common, ...notFound },
    },
    delete: {
      summary: 'Remove an openapi service and its versions',
      tags: ['builder'],
      operationId: 'deleteBuilderService',
      parameters: [idParam],
      responses: { '204': { description: 'Removed' }, ...common, ...notFound },
    },
  },
  '/v1/builder/services/{id}/versions': {
    get: {
      summary: 'The versions of an openapi service, newest first',
      tags: ['builder'],
      operationId: 'listServiceVersions',
      parameters: [idParam],
      responses: {
        '200': jsonResponse('The versions', {
          type: 'object',
          required: ['live_version', 'versions'],
          properties: { live_version: { type: ['integer', 'null'] }, versions: { type: 'array', items: versionSummary } },
        }),
        ...common,
        ...notFound,
      },
    },
    post: {
      summary: 'Save a definition as the next version',
      description: 'Every save is a new, immutable version. It is served once published (here with `publish: true`, or later).',
      tags: ['builder'],
      operationId: 'saveServiceVersion',
      parameters: [idParam],
      requestBody: jsonBody(saveDoc),
      responses: {
        '201': jsonResponse('The saved version', versionSummary),
        '400': errorResponse('Invalid definition, or a base URL the egress guard refuses (base_url_refused)'),
        ...common,
        ...notFound,
        '413': errorResponse('Larger than BUILDER_IMPORT_MAX_BYTES'),
      },
    },
  },
  '/v1/builder/services/{id}/versions/{version}': {
    get: {
      summary: 'One version with its definition',
      tags: ['builder'],
      operationId: 'getServiceVersion',
      parameters: [idParam, versionParam],
      responses: {
        '200': jsonResponse('The version', {
          ...versionSummary,
          required: [...versionSummary.required, 'definition'],
          properties: {
            ...versionSummary.properties,
            definition: {
              type: 'object',
              required: ['openapi', 'credentials'],
              properties: {
                openapi: { type: 'object', additionalProperties: true, description: 'As `openapi` of POST /v1/admin/services' },
                credentials: { type: 'array', items: { type: 'object', additionalProperties: true } },
              },
            },
          },
        }),
        ...common,
        ...notFound,
      },
    },
  },
  '/v1/builder/services/{id}/versions/{version}/publish': {
    post: {
      summary: 'Make a version live',
      description: 'Every replica serves it from the next call (the registry change is announced over Redis).',
      tags: ['builder'],
      operationId: 'publishServiceVersion',
      parameters: [idParam, versionParam],
      responses: { '200': jsonResponse('Now live', liveAnswer), ...common, ...notFound },
    },
  },
  '/v1/builder/services/{id}/rollback': {
    post: {
      summary: 'Publish the version that was live before the current one',
      tags: ['builder'],
      operationId: 'rollbackService',
      parameters: [idParam],
      responses: { '200': jsonResponse('Now live', liveAnswer), ...common, ...notFound, '409': errorResponse('No earlier version was ever live (no_previous_version)') },
    },
  },
  '/v1/builder/try': {
    post: {
      summary: 'Call one tool of a definition, saved or not, with your own credentials',
      description: 'The request goes to the real API, through the same egress guard and limits as a tools/call; nothing is saved or logged as a tool call.',
      tags: ['builder'],
      operationId: 'tryBuilderTool',
      requestBody: jsonBody(tryDoc),
      responses: { '200': jsonResponse('What the tool returned (isError for API errors)', toolResult), '400': errorResponse('Invalid definition or no such tool'), ...common },
    },
  },
} satisfies OpenApiPaths);
