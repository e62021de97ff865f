import { errorResponse, jsonResponse, type OpenApiPaths } from '../gateway/index.js';

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
  required: ['title', 'description', 'source_version', 'base_url', 'tools', 'credentials', 'auth', 'skipped', 'notes', 'security_skipped'],
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
        '403': errorResponse('Caller is not an admin'),
        '415': errorResponse('The body is neither JSON nor YAML'),
        '422': errorResponse('The document cannot be read: not JSON/YAML, not OpenAPI, or an unresolvable $ref (details name where)'),
        '502': errorResponse('The document URL could not be fetched'),
      },
    },
  },
};
