import type { Migration, MigrationProvider } from 'kysely';
import { foundation } from './0001_foundation.js';
import { services } from './0004_services.js';
// logging
import { logging } from './0003_logging.js';
import { router } from './0005_router.js';
import { instanceHealth } from './0006_instance_health.js';
// auth: email tokens (recovery, sign-up confirmation)
import { authEmailTokens } from './0008_auth_email_tokens.js';
import { oauth } from './0009_oauth.js';
import { openapiServices } from './0010_openapi_services.js';
import { upstreamOAuth } from './0011_upstream_oauth.js';
import { builderVersions } from './0012_builder_versions.js';
// billing: metering, plans, quotas
import { billing } from './0013_billing.js';
import { billingPrices } from './0014_billing_prices.js';
import { billingOutbox } from './0015_billing_outbox.js';
// analytics: rollups of the request log
import { analytics } from './0016_analytics.js';
// marketplace: providers, listings, reviews, installs
import { marketplace } from './0017_marketplace.js';
// billing: monthly usage counters, the month-close claim
import { usageMonthly } from './0018_usage_monthly.js';
// marketplace: builder-made listings
import { marketplaceBuilder } from './0019_marketplace_builder.js';
import { usagePending } from './0020_usage_pending.js';
// marketplace: withdrawn listings
import { marketplaceWithdraw } from './0021_marketplace_withdraw.js';
import { marketplaceReinstate } from './0022_marketplace_reinstate.js';

export interface MigrationContext {
  /** The schema that holds the platform's tables; never `public`. */
  schema: string;
}

/**
 * The one migration set, for PGlite and PostgreSQL alike. Append new entries; never edit
 * or reorder a migration that has shipped.
 */
const migrations: Array<[name: string, make: (ctx: MigrationContext) => Migration]> = [
  ['0001_foundation', foundation],
  ['0004_services', services],
  // logging
  ['0003_logging', logging],
  ['0005_router', router],
  ['0006_instance_health', instanceHealth],
  // auth: email tokens
  ['0008_auth_email_tokens', authEmailTokens],
  ['0009_oauth', oauth],
  ['0010_openapi_services', openapiServices],
  ['0011_upstream_oauth', upstreamOAuth],
  ['0012_builder_versions', builderVersions],
  ['0013_billing', billing],
  ['0014_billing_prices', billingPrices],
  ['0015_billing_outbox', billingOutbox],
  ['0016_analytics', analytics],
  ['0017_marketplace', marketplace],
  ['0018_usage_monthly', usageMonthly],
  ['0019_marketplace_builder', marketplaceBuilder],
  ['0020_usage_pending', usagePending],
  ['0021_marketplace_withdraw', marketplaceWithdraw],
  ['0022_marketplace_reinstate', marketplaceReinstate],
];

export function migrationProvider(ctx: MigrationContext): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(migrations.map(([name, make]) => [name, make(ctx)]));
    },
  };
}
