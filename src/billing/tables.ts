import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database, PlatformDatabase } from '../db/index.js';

/** The billing tables (migration 0013_billing), added to the platform's query builder here so db/ stays as it is. */
export interface PlansTable {
  id: string;
  name: string;
  /** null: no monthly quota. bigint comes back as a string from pg. */
  monthly_calls: ColumnType<string | number | null, number | null, number | null>;
  per_minute: number | null;
  soft_limit_percent: Generated<number>;
  service_quotas: ColumnType<Record<string, number>, string, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface UserPlansTable {
  user_id: string;
  plan_id: string;
  updated_at: Generated<Date>;
}

export interface UsageDailyTable {
  user_id: string;
  service: string;
  day: ColumnType<string, string, string>;
  calls: ColumnType<string | number, number, number>;
  units: ColumnType<string | number, number, number>;
  errors: ColumnType<string | number, number, number>;
  latency_ms_sum: ColumnType<string | number, number, number>;
}

export interface ServicePricesTable {
  service: string;
  price_per_call_micros: ColumnType<string | number, number, number>;
  currency: Generated<string>;
  updated_at: Generated<Date>;
}

// A type, not an interface: `withTables` wants an index signature.
export type BillingTables = {
  plans: PlansTable;
  user_plans: UserPlansTable;
  usage_daily: UsageDailyTable;
  service_prices: ServicePricesTable;
};

export type BillingDb = Kysely<Database & BillingTables>;

export const billingDb = (database: PlatformDatabase): BillingDb => database.db.withTables<BillingTables>();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a principal's ID can be a row of `users` (a UUID). Billing keys every row by a platform
 * user; a principal that is not one (an embedder's own authenticator) has no plan, no usage and no
 * metering, instead of an SQL error on every call.
 */
export function isPlatformUserId(id: string): boolean {
  return UUID.test(id);
}
