import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { errors, parseBody, parseParams, parseQuery, type Principal } from '../gateway/index.js';
import type { AuditEvent, AuditSink } from '../logging/index.js';
import { createPlanBody, patchPlanBody, planIdParams, type Plan, type PlanStore } from './plans.js';
import type { Quotas } from './quota.js';
import { payoutCsv, payoutQuery, type PayoutReport } from './payouts.js';
import { finaliseBody, priceBody, priceParams, statementCsv, statementQuery, type FinaliseResult, type PriceBook, type Statement } from './statements.js';
import type { OutboxAdmin } from './webhooks.js';

export const eventsQuery = z.strictObject({
  state: z.enum(['pending', 'delivered', 'dead']).optional(),
  type: z.enum(['usage.recorded', 'statement.finalized']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Older than this created_at (the last row's, to page on). */
  before: z.iso.datetime().optional(),
});
export const eventParams = z.strictObject({ id: z.uuid('an event id (UUID)') });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const userIdParams = z.strictObject({ id: z.string().max(200) });

/** `GET /v1/usage/quota` (docs/billing.md, "The API"). */
export interface QuotaView {
  plan: string | null;
  period: { start: string; end: string };
  calls: { used: number; limit: number | null };
  /** The share of a quota at which answers warn, and whether this month's calls passed it. */
  soft_limit: { percent: number; reached: boolean } | null;
  services: Array<{ service: string; used: number; limit: number | null }>;
}

function principalOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}
function adminOf(req: Request): Principal {
  const p = principalOf(req);
  if (p.role !== 'admin') throw errors.forbidden('Administrators only');
  return p;
}

export interface BillingRoutesDeps {
  store: PlanStore;
  quotas: Quotas;
  prices: PriceBook;
  audit: AuditSink;
  outbox: OutboxAdmin;
  /** Finalises a month's statements (and writes their events); resolves with what it did. */
  finalise(body: z.infer<typeof finaliseBody>): Promise<FinaliseResult>;
  /** The payout report of a month: every provider, or one. */
  payouts(month: string, providerId?: string): Promise<PayoutReport>;
  /** After an admin queued events (redeliver, finalise): deliver soon. */
  kickOutbox(): void;
  /** Raises the usage counters by the events still queued (the usage rollup), before a statement reads them. */
  rollUp(): Promise<unknown>;
}

/** /v1/admin/plans…, /v1/usage/quota, /v1/admin/users/{id}/quota. Mount after `authenticate`. */
export function billingRouter({ store, quotas, prices, audit, outbox, finalise, payouts, kickOutbox, rollUp }: BillingRoutesDeps): Router {
  const router = Router();
  const audited = (req: Request, event: Pick<AuditEvent, 'action' | 'targetId' | 'details'>) =>
    audit.record({ ...event, outcome: 'success', actorId: principalOf(req).userId, targetType: 'plan', ip: req.ip ?? null, requestId: String(req.id) });

  const quotaView = async (userId: string): Promise<QuotaView> => {
    const { plan, period, used, perService } = await quotas.usage(userId);
    const limit = plan?.monthly_calls ?? null;
    const slugs = new Set([...perService.keys(), ...Object.keys(plan?.service_quotas ?? {})]);
    return {
      plan: plan?.id ?? null,
      period: { start: period.start.toISOString(), end: period.end.toISOString() },
      calls: { used, limit },
      soft_limit: plan ? { percent: plan.soft_limit_percent, reached: limit !== null && used >= (limit * plan.soft_limit_percent) / 100 } : null,
      services: [...slugs].sort().map((service) => ({ service, used: perService.get(service) ?? 0, limit: plan?.service_quotas[service] ?? null })),
    };
  };

  router.get('/v1/usage/quota', async (req, res) => {
    res.json(await quotaView(principalOf(req).userId));
  });
  router.get('/v1/admin/users/:id/quota', async (req, res) => {
    adminOf(req);
    const { id } = parseParams(userIdParams, req);
    if (!UUID.test(id) || !(await store.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst())) throw errors.notFound('User');
    res.json(await quotaView(id));
  });

  const sendStatement = (res: Response, statement: Statement, format: 'json' | 'csv') => {
    if (format === 'json') return void res.json(statement);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="statement-${statement.period.start.slice(0, 7)}.csv"`);
    res.send(statementCsv(statement));
  };
  router.get('/v1/usage/statement', async (req, res) => {
    const q = parseQuery(statementQuery, req);
    await rollUp();
    sendStatement(res, await prices.statement(principalOf(req).userId, q.month), q.format);
  });
  router.get('/v1/admin/users/:id/statement', async (req, res) => {
    adminOf(req);
    const { id } = parseParams(userIdParams, req);
    const q = parseQuery(statementQuery, req);
    if (!UUID.test(id) || !(await store.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst())) throw errors.notFound('User');
    await rollUp();
    sendStatement(res, await prices.statement(id, q.month), q.format);
  });
  router.get('/v1/admin/prices', async (req, res) => {
    adminOf(req);
    res.json({ prices: await prices.list() });
  });
  router.put('/v1/admin/prices/:service', async (req, res) => {
    adminOf(req);
    const { service } = parseParams(priceParams, req);
    const body = parseBody(priceBody, req);
    const { before, after } = await prices.set(service, body);
    await audit.record({ action: 'billing.price_set', outcome: 'success', actorId: principalOf(req).userId, targetType: 'service', targetId: service, ip: req.ip ?? null, requestId: String(req.id), details: { from: before ? { price_per_call: before.price_per_call, currency: before.currency } : null, to: { price_per_call: after.price_per_call, currency: after.currency } } });
    res.json(after);
  });
  router.delete('/v1/admin/prices/:service', async (req, res) => {
    adminOf(req);
    const { service } = parseParams(priceParams, req);
    const before = await prices.remove(service);
    await audit.record({ action: 'billing.price_removed', outcome: 'success', actorId: principalOf(req).userId, targetType: 'service', targetId: service, ip: req.ip ?? null, requestId: String(req.id), details: { price_per_call: before.price_per_call, currency: before.currency } });
    res.status(204).end();
  });

  router.get('/v1/admin/prices/:service/history', async (req, res) => {
    adminOf(req);
    const { service } = parseParams(priceParams, req);
    res.json({ service, history: await prices.history(service) });
  });

  router.post('/v1/admin/statements/finalize', async (req, res) => {
    adminOf(req);
    const body = parseBody(finaliseBody, req);
    const result = await finalise(body);
    await audit.record({ action: 'billing.statements_finalized', outcome: 'success', actorId: principalOf(req).userId, targetType: 'statement', targetId: body.user_id ? `${body.month}/${body.user_id}` : body.month, ip: req.ip ?? null, requestId: String(req.id), details: { ...result } });
    if (result.finalized) kickOutbox();
    res.json(result);
  });

  const sendPayouts = (res: Response, report: PayoutReport, format: 'json' | 'csv') => {
    if (format === 'json') return void res.json(report);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="payouts-${report.period.start.slice(0, 7)}.csv"`);
    res.send(payoutCsv(report));
  };
  router.get('/v1/admin/payouts', async (req, res) => {
    adminOf(req);
    const q = parseQuery(payoutQuery, req);
    sendPayouts(res, await payouts(q.month), q.format);
  });
  router.get('/v1/provider/payouts', async (req, res) => {
    const q = parseQuery(payoutQuery, req);
    sendPayouts(res, await payouts(q.month, principalOf(req).userId), q.format);
  });

  router.get('/v1/admin/billing/events', async (req, res) => {
    adminOf(req);
    res.json({ events: await outbox.list(parseQuery(eventsQuery, req)) });
  });
  router.get('/v1/admin/billing/events/:id', async (req, res) => {
    adminOf(req);
    const event = await outbox.get(parseParams(eventParams, req).id);
    if (!event) throw errors.notFound('Event');
    res.json(event);
  });
  router.post('/v1/admin/billing/events/:id/redeliver', async (req, res) => {
    adminOf(req);
    const { id } = parseParams(eventParams, req);
    const before = await outbox.get(id);
    const event = before && (await outbox.redeliver(id));
    if (!before || !event) throw errors.notFound('Event');
    await audit.record({ action: 'billing.event_redelivered', outcome: 'success', actorId: principalOf(req).userId, targetType: 'billing_event', targetId: id, ip: req.ip ?? null, requestId: String(req.id), details: { type: before.type, state_before: before.state, attempts_before: before.attempts } });
    kickOutbox();
    res.status(202).json(event);
  });

  router.get('/v1/admin/plans', async (req, res) => {
    adminOf(req);
    res.json({ plans: await store.list() });
  });
  router.post('/v1/admin/plans', async (req, res) => {
    adminOf(req);
    const body = parseBody(createPlanBody, req);
    const plan = await store.create(body);
    await audited(req, { action: 'billing.plan_created', targetId: plan.id, details: limitsOf(plan) });
    res.status(201).json(plan);
  });
  router.get('/v1/admin/plans/:id', async (req, res) => {
    adminOf(req);
    const { id } = parseParams(planIdParams, req);
    const plan = await store.get(id);
    if (!plan) throw errors.notFound('Plan');
    res.json(plan);
  });
  router.patch('/v1/admin/plans/:id', async (req, res) => {
    adminOf(req);
    const { id } = parseParams(planIdParams, req);
    const body = parseBody(patchPlanBody, req);
    const { before, after } = await store.update(id, body);
    quotas.forget(); // every user of the plan: this replica at once, the others within BILLING_QUOTA_CACHE_MS
    await audited(req, { action: 'billing.plan_changed', targetId: id, details: { from: limitsOf(before), to: limitsOf(after) } });
    res.json(after);
  });
  router.delete('/v1/admin/plans/:id', async (req, res) => {
    adminOf(req);
    const { id } = parseParams(planIdParams, req);
    const plan = await store.remove(id);
    quotas.forget();
    await audited(req, { action: 'billing.plan_removed', targetId: id, details: limitsOf(plan) });
    res.status(204).end();
  });
  return router;
}

function limitsOf(plan: Plan): Record<string, unknown> {
  const { name, monthly_calls, per_minute, soft_limit_percent, service_quotas } = plan;
  return { name, monthly_calls, per_minute, soft_limit_percent, service_quotas };
}
