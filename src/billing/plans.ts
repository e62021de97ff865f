import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import { errors } from '../gateway/index.js';
import { billingDb, isPlatformUserId, type BillingDb, type BillingTables, type PlansTable } from './tables.js';
import type { Database, PlatformDatabase } from '../db/index.js';

/** A plan as the API shows it (docs/billing.md, "Plans"). */
export interface Plan {
  id: string;
  name: string;
  /** Calls per calendar month (UTC); null: no monthly quota. */
  monthly_calls: number | null;
  /** Calls per minute; null: only the platform's own rate limits. */
  per_minute: number | null;
  /** At this share of a quota, answers carry the `Quota-Warning` header. */
  soft_limit_percent: number;
  /** Calls per calendar month to one service, by service slug. */
  service_quotas: Record<string, number>;
  created_at: string;
  updated_at: string;
}

const PLAN_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const quotaCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const fields = {
  name: z.string().trim().min(1).max(200),
  monthly_calls: quotaCount.nullable(),
  per_minute: z.number().int().min(1).max(1_000_000).nullable(),
  soft_limit_percent: z.number().int().min(1).max(100),
  service_quotas: z.record(z.string().regex(SLUG, 'a service slug'), quotaCount).refine((r) => Object.keys(r).length <= 500, 'at most 500 services'),
};
export const createPlanBody = z.strictObject({
  id: z.string().regex(PLAN_ID, 'lowercase letters, digits, - and _, at most 63'),
  name: fields.name,
  monthly_calls: fields.monthly_calls.default(null),
  per_minute: fields.per_minute.default(null),
  soft_limit_percent: fields.soft_limit_percent.default(80),
  service_quotas: fields.service_quotas.default({}),
});
export const patchPlanBody = z
  .strictObject({
    name: fields.name.optional(),
    monthly_calls: fields.monthly_calls.optional(),
    per_minute: fields.per_minute.optional(),
    soft_limit_percent: fields.soft_limit_percent.optional(),
    service_quotas: fields.service_quotas.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'send at least one field');
export const planIdParams = z.strictObject({ id: z.string().max(200) });

export function planView(row: Selectable<PlansTable>): Plan {
  return {
    id: row.id,
    name: row.name,
    monthly_calls: row.monthly_calls === null ? null : Number(row.monthly_calls),
    per_minute: row.per_minute,
    soft_limit_percent: row.soft_limit_percent,
    service_quotas: row.service_quotas,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The plans table and users' plans. */
export class PlanStore {
  readonly db: BillingDb;

  constructor(
    readonly database: PlatformDatabase,
    /** The plan of users an admin gave none (BILLING_DEFAULT_PLAN); undefined: no quota. */
    private readonly defaultPlan: string | undefined,
  ) {
    this.db = billingDb(database);
  }

  async list(): Promise<Plan[]> {
    return (await this.db.selectFrom('plans').selectAll().orderBy('id').execute()).map(planView);
  }

  async get(id: string): Promise<Plan | undefined> {
    if (!PLAN_ID.test(id)) return undefined;
    const row = await this.db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
    return row && planView(row);
  }

  async create(body: z.infer<typeof createPlanBody>): Promise<Plan> {
    const row = await this.db
      .insertInto('plans')
      .values({ ...body, service_quotas: JSON.stringify(body.service_quotas) })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw errors.conflict(`A plan with id ${body.id} exists already`, 'plan_exists');
    return planView(row);
  }

  async update(id: string, body: z.infer<typeof patchPlanBody>): Promise<{ before: Plan; after: Plan }> {
    const before = await this.get(id);
    if (!before) throw errors.notFound('Plan');
    const { service_quotas, ...rest } = body;
    const row = await this.db
      .updateTable('plans')
      .set({ ...rest, ...(service_quotas !== undefined ? { service_quotas: JSON.stringify(service_quotas) } : {}), updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw errors.notFound('Plan');
    return { before, after: planView(row) };
  }

  /** Removes a plan no user has (409 otherwise: move the users first). */
  async remove(id: string): Promise<Plan> {
    const plan = await this.get(id);
    if (!plan) throw errors.notFound('Plan');
    const users = await this.db.selectFrom('user_plans').select(sql<number>`count(*)::int`.as('n')).where('plan_id', '=', id).executeTakeFirstOrThrow();
    if (users.n > 0) throw errors.conflict(`Plan ${id} is the plan of ${users.n} user(s); give them another plan first`, 'plan_in_use');
    if (id === this.defaultPlan) throw errors.conflict(`Plan ${id} is the default plan (BILLING_DEFAULT_PLAN)`, 'plan_in_use');
    await this.db.deleteFrom('plans').where('id', '=', id).execute();
    return plan;
  }

  /** The user's plan: the one an admin gave, else the default; undefined: no plan, no quota. */
  async planOf(userId: string): Promise<{ plan: Plan | undefined; assigned: boolean }> {
    const row = !isPlatformUserId(userId) ? undefined : await this.db
      .selectFrom('user_plans')
      .innerJoin('plans', 'plans.id', 'user_plans.plan_id')
      .selectAll('plans')
      .where('user_plans.user_id', '=', userId)
      .executeTakeFirst();
    if (row) return { plan: planView(row), assigned: true };
    return { plan: this.defaultPlan ? await this.get(this.defaultPlan) : undefined, assigned: false };
  }

  /**
   * Gives a user a plan (null: back to the default), inside the caller's transaction (auth's
   * `PATCH /v1/admin/users/{id}`): an unknown plan is a 422 and the whole change rolls back.
   * Resolves with the plan the user had.
   */
  async assign(trx: Kysely<Database>, userId: string, planId: string | null): Promise<string | null> {
    const db = trx.withTables<BillingTables>();
    const before = await db.selectFrom('user_plans').select('plan_id').where('user_id', '=', userId).executeTakeFirst();
    if (planId === null) {
      await db.deleteFrom('user_plans').where('user_id', '=', userId).execute();
      return before?.plan_id ?? null;
    }
    const plan = PLAN_ID.test(planId) ? await db.selectFrom('plans').select('id').where('id', '=', planId).executeTakeFirst() : undefined;
    if (!plan) throw errors.validation([{ path: 'plan', message: `no plan ${planId}; GET /v1/admin/plans lists them` }]);
    await db
      .insertInto('user_plans')
      .values({ user_id: userId, plan_id: planId })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ plan_id: planId, updated_at: sql<Date>`now()` }))
      .execute();
    return before?.plan_id ?? null;
  }
}
