/**
 * The builder: REST APIs as MCP services. Import (an OpenAPI/Swagger document → proposed tools,
 * `POST /v1/builder/imports`) and the runtime of `openapi` services (an SDK server per caller,
 * built from the definition; app.ts hands it to the router's connector). docs/builder.md.
 */
export { createOpenApiRuntime, createOpenApiServers, type CallerContext, type OpenApiRuntime, type OpenApiRuntimeOptions } from './runtime.js';
export { BUILDER_BODY_PREFIX, builderRouter, type BuilderRoutesOptions } from './routes.js';
export { builderOpenApi } from './openapi.js';
export { importApiDocument, type ImportResult } from './import/importer.js';
export { DocumentUnreadable, parseText } from './import/document.js';
export { buildRequest, injectCredentials, ArgumentRefused, type BuiltRequest } from './http-request.js';
export { compileSchema, jsonSchemaValidator } from './json-schema.js';
