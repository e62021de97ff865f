/** REST management API (/v1), the operations probes and the OpenAPI document. */
export { apiOpenApi, buildOpenApiDocument, openApiRouter, type OpenApiDocument, type OpenApiDocumentOptions } from './openapi.js';
export { operationsOpenApi, operationsRouter, type ReadinessChecks } from './operations.js';
