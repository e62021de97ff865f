/**
 * The service catalog: registry of services (catalog file and /v1/admin/services), per-user
 * credentials (vault-sealed, cached), `PlatformCatalog` (who may use what), /v1/services. The MCP
 * Router reads it through `ServiceCatalog`; the catalog knows nothing of routing.
 */
export type {
  BuiltinServiceConfig,
  CredentialField,
  HttpServiceConfig,
  OpenApiAuth,
  OpenApiParameter,
  OpenApiServiceConfig,
  OpenApiTool,
  ResolvedService,
  ServiceCatalog,
  ServiceDefinition,
  ServiceKind,
  StdioServiceConfig,
  ToolPolicy,
  Unusable,
  UpstreamAuthorization,
  UpstreamOAuthConfig,
} from './service-definition.js';
export { toolAllowed } from './service-definition.js';
export { PlatformCatalog } from './catalog.js';
export { CredentialStore, credentialContext, maskSecret, sealedCredentials, type CredentialCacheOptions } from './credentials.js';
export { InstallStore } from './installs.js';
export { CatalogFileError, DEFAULT_CATALOG_FILE, loadCatalogFile } from './file.js';
export {
  originKey,
  ServiceRegistry,
  type ServiceInstance,
  type ServiceRecord,
  type ServiceVersion,
  type VersionDefinition,
} from './registry.js';
export { credentialSchemaSchema, openapiConfigSchema, openapiDefinitionSchema, serviceInputSchema, SLUG, TOOL_NAME, type OpenApiConfigInput, type ServiceInput } from './definition.js';
export { createCatalog, type CatalogComponent, type CatalogSettings } from './component.js';
export { catalogRouter, type CatalogRoutesOptions, type UpstreamToolSummary } from './routes.js';
export { catalogOpenApi } from './openapi.js';
export { UPSTREAM_OAUTH_CALLBACK_PATH, upstreamOAuthOpenApi, upstreamOAuthRouter, type UpstreamOAuthRoutesOptions } from './upstream-oauth-routes.js';
export { UpstreamOAuth } from './upstream-oauth.js';
export { ProviderClients } from './upstream-oauth-client.js';
