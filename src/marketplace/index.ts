import type { PlatformCatalog } from '../catalog/index.js';
import type { PlatformDatabase } from '../db/index.js';
import type { EgressGuard } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import { Marketplace, type BuiltListings, type ListingPrices, type NpmListings } from './marketplace.js';
import { marketplaceRouter } from './routes.js';
import type { MarketplaceDb } from './tables.js';

/**
 * The marketplace (docs/marketplace.md): providers publish listings (a remote http MCP endpoint,
 * an npm package run over stdio, or a service made with the builder), admins review what the platform really sees when it connects,
 * users browse, install, rate. An approved version is a catalog service that needs installing; the
 * router serves it like any other. Prices reach billing through the `ListingPrices` app.ts hands over.
 */
export { marketplaceOpenApi } from './openapi.js';
export type { BuiltListings, ListingPrices, NpmListings } from './marketplace.js';
export { Marketplace } from './marketplace.js';
export { NpmInstaller, type NpmSettings } from './npm.js';

export interface MarketplaceSettings {
  database: PlatformDatabase;
  catalog: PlatformCatalog;
  egress: EgressGuard;
  audit: AuditSink;
  prices: ListingPrices | undefined;
  npm?: NpmListings;
  /** Builder-made listings: the builder's runtime (absent: refused). */
  builder?: BuiltListings;
  /** MARKETPLACE_INSPECT_TIMEOUT_MS: how long the review's connection to a listing may take. */
  inspectTimeoutMs: number;
}

export interface MarketplaceComponent {
  marketplace: Marketplace;
  /** /v1/marketplace/…, /v1/admin/marketplace/… (mount after authenticate). */
  router: ReturnType<typeof marketplaceRouter>;
}

export function createMarketplace(s: MarketplaceSettings): MarketplaceComponent {
  const marketplace = new Marketplace({
    db: s.database.db as unknown as MarketplaceDb,
    catalog: s.catalog,
    egress: s.egress,
    audit: s.audit,
    prices: s.prices,
    npm: s.npm,
    builder: s.builder,
    inspectTimeoutMs: s.inspectTimeoutMs,
  });
  return { marketplace, router: marketplaceRouter(marketplace) };
}
