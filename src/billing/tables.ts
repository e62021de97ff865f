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

/** Migration 0018: per user, UTC month (its first day) and service; raised with usage_daily. */
export interface UsageMonthlyTable {
  user_id: string;
  month: ColumnType<string, string, string>;
  service: string;
  calls: ColumnType<string | number, number, number>;
  units: ColumnType<string | number, number, number>;
}

/** Migration 0018: the month's claim of the statement scheduler (one replica finalises a month). */
export interface BillingMonthClosesTable {
  month: ColumnType<string, string, never>;
  claimed_by: string;
  claimed_at: ColumnType<Date, Date | string, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finalized: number | null;
  already_final: number | null;
}

export interface ServicePricesTable {
  service: string;
  price_per_call_micros: ColumnType<string | number, number, number>;
  currency: Generated<string>;
  updated_at: Generated<Date>;
}

export interface PriceHistoryTable {
  id: Generated<string>;
  service: string;
  /** null: the price was removed from `valid_from` on. */
  price_per_call_micros: ColumnType<string | number | null, number | null, never>;
  currency: string | null;
  valid_from: ColumnType<Date, Date | string | undefined, never>;
}

export interface StatementsTable {
  id: string;
  user_id: string;
  month: ColumnType<string, string, never>;
  finalized_at: ColumnType<Date, Date | string | undefined, never>;
  totals: ColumnType<Array<{ currency: string; amount: string }>, string, never>;
}

export interface StatementLinesTable {
  statement_id: string;
  service: string;
  calls: ColumnType<string | number, number, never>;
  unit_price_micros: ColumnType<string | number | null, number | null, never>;
  amount_micros: ColumnType<string | number | null, string | null, never>;
  currency: string | null;
  price_history_id: ColumnType<string | number | null, string | number | null, never>;
}

export interface BillingEventsTable {
  id: string;
  type: string;
  payload: ColumnType<Record<string, unknown>, string, never>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  state: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  claimed_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_status: number | null;
  last_error: string | null;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

// A type, not an interface: `withTables` wants an index signature.
export type BillingTables = {
  plans: PlansTable;
  user_plans: UserPlansTable;
  usage_daily: UsageDailyTable;
  usage_monthly: UsageMonthlyTable;
  billing_month_closes: BillingMonthClosesTable;
  service_prices: ServicePricesTable;
  service_price_history: PriceHistoryTable;
  statements: StatementsTable;
  statement_lines: StatementLinesTable;
  billing_events: BillingEventsTable;
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
