import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../db/index.js';

/** The marketplace's tables (migration 0017_marketplace), added to the query builder here so db/ stays as it is. */
export type ProviderStatus = 'pending' | 'approved' | 'rejected' | 'revoked';
export type VersionState = 'pending' | 'approved' | 'rejected' | 'superseded';
export type ListingKind = 'http' | 'npm' | 'builder';

export interface ProvidersTable {
  user_id: string;
  display_name: string;
  note: ColumnType<string, string | undefined, string>;
  status: ProviderStatus;
  reason: string | null;
  decided_by: string | null;
  decided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ListingsTable {
  id: Generated<string>;
  provider_id: string;
  slug: string;
  kind: ListingKind;
  service_id: string | null;
  live_version: number | null;
  /** Withdrawn (0021): off the marketplace, no new installs; existing installs keep working. */
  withdrawn_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  withdrawn_by: ColumnType<string | null, string | null | undefined, string | null>;
  withdrawn_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** The role the withdrawer acted in (0022): 'provider' (their own listing) or 'admin'. */
  withdrawn_as: ColumnType<'provider' | 'admin' | null, 'provider' | 'admin' | null | undefined, 'provider' | 'admin' | null>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/**
 * Where a version's MCP server is: a remote endpoint, an npm package the platform installs and runs
 * over stdio, or a version of a service the provider made with the builder (its definition copied
 * at submission, so the reviewed version is the one that goes live whatever the builder does next).
 */
export type ListingSource =
  | { type: 'http'; url: string; transport: 'streamable-http' | 'sse' }
  | { type: 'npm'; package: string; version: string; integrity: string; bin?: string; args: string[] }
  | BuilderSource;

export interface BuilderSource {
  type: 'builder';
  /** The provider's builder service and its version the listing version was made from. */
  service_id: string;
  version: number;
  /** The builder version's `openapi` definition (docs/builder.md), copied at submission. */
  openapi?: Record<string, unknown>;
}

export interface ListingLink {
  title: string;
  url: string;
}

/** What the platform saw when it connected to a version (the reviewer's view). */
export interface Inspection {
  ok: boolean;
  error?: string;
  server?: { name: string; version: string };
  tools: Array<{ name: string; title?: string; description?: string; inputSchema?: unknown }>;
  prompts: Array<{ name: string; description?: string }>;
  resources: Array<{ uri: string; name: string; description?: string; mimeType?: string }>;
  resourceTemplates: Array<{ uriTemplate: string; name: string; description?: string }>;
}

export interface ListingVersionsTable {
  listing_id: string;
  version: number;
  title: string;
  description: string;
  icon_url: string | null;
  categories: string[];
  links: ColumnType<ListingLink[], string, string>;
  /** null: free. bigint comes back as a string from pg. */
  price_per_call_micros: ColumnType<string | number | null, number | null, number | null>;
  currency: string;
  source: ColumnType<ListingSource, string, string>;
  credentials: ColumnType<Array<Record<string, unknown>>, string, string>;
  changelog: string;
  state: VersionState;
  inspection: ColumnType<Inspection | null, string | null | undefined, string | null>;
  inspected_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  reason: string | null;
  submitted_by: string | null;
  reviewed_by: string | null;
  reviewed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Generated<Date>;
}

export interface RatingsTable {
  listing_id: string;
  user_id: string;
  rating: number;
  body: string;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface UsageDailyView {
  user_id: string;
  service: string;
  day: string;
  calls: string | number;
  errors: string | number;
}

export interface MarketplaceTables {
  marketplace_providers: ProvidersTable;
  marketplace_listings: ListingsTable;
  marketplace_listing_versions: ListingVersionsTable;
  marketplace_ratings: RatingsTable;
  /** billing's per user, service and day counters (0013), read for providers' figures. */
  usage_daily: UsageDailyView;
}

export type MarketplaceDb = Kysely<Database & MarketplaceTables>;
