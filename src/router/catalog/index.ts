/** Service registry, catalog file, per-user credentials: the `ServiceCatalog` side of the MCP Router. */
export { PlatformCatalog } from './catalog.js';
export { CredentialStore, credentialContext, maskSecret, type CredentialCacheOptions } from './credentials.js';
export { CatalogFileError, DEFAULT_CATALOG_FILE, loadCatalogFile } from './file.js';
export {
  ServiceRegistry,
  type ServiceInstance,
  type ServiceRecord,
} from './registry.js';
export { serviceInputSchema, type ServiceInput } from './definition.js';
export { createCatalog, type CatalogComponent, type CatalogSettings } from './wiring.js';
export { catalogRouter, type CatalogRoutesOptions } from './routes.js';
export { catalogOpenApi } from './openapi.js';
export { rotateKeys, signingKeyContext, type RotationCount, type RotationReport } from './rotate.js';
