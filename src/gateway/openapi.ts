import { z } from 'zod';

/**
 * Each component that serves REST routes exports an `OpenApiPaths` fragment next to them;
 * api/ merges the fragments into GET /v1/openapi.json, and a test checks the document against
 * the routes Express actually serves. Paths use OpenAPI's `{param}` form.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OpenApiOperation {
  summary: string;
  description?: string;
  tags?: string[];
  operationId?: string;
  /** `[]` marks a public route; omitted means the document's default (bearer auth). */
  security?: Array<Record<string, string[]>>;
  parameters?: Array<Record<string, unknown>>;
  requestBody?: Record<string, unknown>;
  responses: Record<string, unknown>;
}

export type OpenApiPaths = Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;

/** JSON Schema of a zod schema, for request and response bodies in a fragment. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export function jsonBody(schema: z.ZodType, description?: string): Record<string, unknown> {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { 'application/json': { schema: jsonSchema(schema) } },
  };
}

export function jsonResponse(description: string, schema?: z.ZodType | Record<string, unknown>): Record<string, unknown> {
  if (!schema) return { description };
  const s = schema instanceof z.ZodType ? jsonSchema(schema) : schema;
  return { description, content: { 'application/json': { schema: s } } };
}

/** Reference to the platform's shared error response. */
export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
