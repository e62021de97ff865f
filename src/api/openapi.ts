import { Router } from 'express';
import { errorResponse, jsonResponse, type HttpMethod, type OpenApiPaths } from '../gateway/index.js';

/**
 * GET /v1/openapi.json: one OpenAPI 3.1 document merged from every component's `OpenApiPaths`
 * fragment. app.ts passes the fragments; a test checks the result against Express's routes.
 */
export interface OpenApiDocumentOptions {
  fragments: OpenApiPaths[];
  publicUrl: string;
  version: string;
}

export type OpenApiDocument = Record<string, unknown> & { paths: OpenApiPaths };

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable, documented error code' },
        message: { type: 'string', description: 'Human-readable message' },
        request_id: { type: 'string', description: 'Echo of X-Request-Id' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message'],
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

export function buildOpenApiDocument(opts: OpenApiDocumentOptions): OpenApiDocument {
  const paths: OpenApiPaths = {};
  for (const fragment of opts.fragments) {
    for (const [path, ops] of Object.entries(fragment)) {
      const target = (paths[path] ??= {});
      for (const [method, op] of Object.entries(ops) as Array<[HttpMethod, NonNullable<(typeof ops)[HttpMethod]>]>) {
        if (target[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} is described twice`);
        target[method] = op;
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))) as OpenApiPaths;
  return {
    openapi: '3.1.0',
    info: {
      title: 'MCP Online Platform API',
      version: opts.version,
      description:
        'REST API of the MCP Online Platform. `/auth/v1` is compatible with Supabase Auth (GoTrue) and answers in its shapes; every other route answers errors as `Error`.',
    },
    servers: [{ url: opts.publicUrl }],
    security: [{ bearer: [] }],
    paths: sorted,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An access token (JWT) from /auth/v1/token, or a personal API key from /v1/api-keys',
        },
      },
    },
  };
}

/** The api component's own routes. */
export const apiOpenApi: OpenApiPaths = {
  '/v1/openapi.json': {
    get: {
      summary: 'This OpenAPI document',
      tags: ['operations'],
      operationId: 'getOpenApi',
      security: [],
      responses: {
        '200': jsonResponse('The OpenAPI 3.1 document', { type: 'object' }),
        '429': errorResponse('Rate limited'),
      },
    },
  },
};

/** Serves the document built (once, on first request) by `build`, so fragments can be added after mounting. */
export function openApiRouter(build: () => OpenApiDocument): Router {
  const router = Router();
  let body: string | undefined;
  router.get('/v1/openapi.json', (_req, res) => {
    body ??= JSON.stringify(build());
    res.type('application/json').send(body);
  });
  return router;
}
