import { errorResponse, jsonBody, jsonResponse, type OpenApiPaths } from '../gateway/index.js';
import { createPlanBody, patchPlanBody } from './plans.js';
import { finaliseBody, priceBody } from './statements.js';

const planSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    monthly_calls: { type: ['integer', 'null'], description: 'Calls per calendar month (UTC); null: no monthly quota' },
    per_minute: { type: ['integer', 'null'], description: 'Calls per minute; null: only the platform rate limits' },
    soft_limit_percent: { type: 'integer', description: 'At this share of a quota, answers carry the Quota-Warning header' },
    service_quotas: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Calls per calendar month to one service, by slug' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'name', 'monthly_calls', 'per_minute', 'soft_limit_percent', 'service_quotas', 'created_at', 'updated_at'],
};

const quotaSchema = {
  type: 'object',
  properties: {
    plan: { type: ['string', 'null'], description: "The user's plan; null: none (no quota)" },
    period: {
      type: 'object',
      properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' } },
      required: ['start', 'end'],
      description: 'The calendar month (UTC), [start, end)',
    },
    calls: {
      type: 'object',
      properties: { used: { type: 'integer' }, limit: { type: ['integer', 'null'] } },
      required: ['used', 'limit'],
    },
    soft_limit: {
      type: ['object', 'null'],
      properties: { percent: { type: 'integer' }, reached: { type: 'boolean' } },
      required: ['percent', 'reached'],
    },
    services: {
      type: 'array',
      items: {
        type: 'object',
        properties: { service: { type: 'string' }, used: { type: 'integer' }, limit: { type: ['integer', 'null'] } },
        required: ['service', 'used', 'limit'],
      },
    },
  },
  required: ['plan', 'period', 'calls', 'soft_limit', 'services'],
};

const priceSchema = {
  type: 'object',
  properties: {
    service: { type: 'string' },
    price_per_call: { type: 'string', description: 'Decimal, 6 places' },
    currency: { type: 'string' },
    updated_at: { type: 'string', format: 'date-time' },
  },
  required: ['service', 'price_per_call', 'currency', 'updated_at'],
};

const statementSchema = {
  type: 'object',
  properties: {
    user_id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['open', 'final'], description: 'final: the immutable snapshot made when the month was finalised' },
    id: { type: ['string', 'null'], format: 'uuid', description: "The finalised statement's id (null while open)" },
    finalized_at: { type: ['string', 'null'], format: 'date-time' },
    period: { type: 'object', properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' } }, required: ['start', 'end'] },
    line_items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          service: { type: 'string' },
          calls: { type: 'integer' },
          unit_price: { type: ['string', 'null'], description: 'null: the service has no price' },
          amount: { type: ['string', 'null'] },
          currency: { type: ['string', 'null'] },
        },
        required: ['service', 'calls', 'unit_price', 'amount', 'currency'],
      },
    },
    totals: { type: 'array', items: { type: 'object', properties: { currency: { type: 'string' }, amount: { type: 'string' } }, required: ['currency', 'amount'] } },
  },
  required: ['user_id', 'status', 'id', 'finalized_at', 'period', 'line_items', 'totals'],
};

const eventSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid', description: 'The event id: also the Idempotency-Key of every delivery attempt' },
    type: { type: 'string', enum: ['usage.recorded', 'statement.finalized'] },
    created_at: { type: 'string', format: 'date-time' },
    state: { type: 'string', enum: ['pending', 'delivered', 'dead'] },
    attempts: { type: 'integer' },
    next_attempt_at: { type: ['string', 'null'], format: 'date-time', description: 'When the next attempt is due (pending only)' },
    last_status: { type: ['integer', 'null'], description: "The endpoint's HTTP status at the last attempt" },
    last_error: { type: ['string', 'null'] },
    delivered_at: { type: ['string', 'null'], format: 'date-time' },
    payload: { type: 'object', description: "The event's data (docs/billing.md, \"Webhook events\")" },
  },
  required: ['id', 'type', 'created_at', 'state', 'attempts', 'next_attempt_at', 'last_status', 'last_error', 'delivered_at', 'payload'],
};

const payoutSchema = {
  type: 'object',
  properties: {
    period: { type: 'object', properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' } }, required: ['start', 'end'] },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          provider_id: { type: 'string', format: 'uuid' },
          lines: {
            type: 'array',
            items: {
              type: 'object',
              properties: { service: { type: 'string' }, calls: { type: 'integer' }, currency: { type: ['string', 'null'] }, revenue: { type: ['string', 'null'] } },
              required: ['service', 'calls', 'currency', 'revenue'],
            },
          },
          totals: { type: 'array', items: { type: 'object', properties: { currency: { type: 'string' }, revenue: { type: 'string' } }, required: ['currency', 'revenue'] } },
        },
        required: ['provider_id', 'lines', 'totals'],
      },
    },
  },
  required: ['period', 'providers'],
};
const payoutParams = [
  { name: 'month', in: 'query', required: true, schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }, description: 'YYYY-MM' },
  { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv'] }, description: 'json (default) or csv' },
];
const payoutResponse = {
  description: 'Payout report: per provider, calls and revenue per service and currency',
  content: { 'application/json': { schema: payoutSchema }, 'text/csv': { schema: { type: 'string' } } },
};
const eventIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'Event ID' };

const statementParams = [
  { name: 'month', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }, description: 'YYYY-MM (default: this month so far)' },
  { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv'] }, description: 'json (default) or csv' },
];
const statementResponse = {
  description: 'Statement: a line item per service, totals per currency',
  content: { 'application/json': { schema: statementSchema }, 'text/csv': { schema: { type: 'string' } } },
};

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Plan ID' };
const adminOnly = { '401': errorResponse('unauthorized'), '403': errorResponse('forbidden (not an admin)') };

/** Every route of src/billing (docs/billing.md). */
export const billingOpenApi: OpenApiPaths = {
  '/v1/usage/quota': {
    get: {
      summary: "Your plan, this month's period and your calls against its quotas",
      tags: ['billing'],
      operationId: 'getQuota',
      responses: { '200': jsonResponse('Quota', quotaSchema), '401': errorResponse('unauthorized') },
    },
  },
  '/v1/admin/users/{id}/quota': {
    get: {
      summary: "A user's plan and calls against its quotas (admin)",
      tags: ['admin', 'billing'],
      operationId: 'adminGetUserQuota',
      parameters: [{ ...idParam, description: 'User ID', schema: { type: 'string', format: 'uuid' } }],
      responses: { '200': jsonResponse('Quota', quotaSchema), ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/usage/statement': {
    get: {
      summary: 'Your monthly statement: calls per service priced at the per-call prices (JSON or CSV)',
      tags: ['billing'],
      operationId: 'getStatement',
      parameters: statementParams,
      responses: { '200': statementResponse, '400': errorResponse('validation_failed'), '401': errorResponse('unauthorized') },
    },
  },
  '/v1/admin/users/{id}/statement': {
    get: {
      summary: "A user's monthly statement (admin; JSON or CSV)",
      tags: ['admin', 'billing'],
      operationId: 'adminGetUserStatement',
      parameters: [{ ...idParam, description: 'User ID', schema: { type: 'string', format: 'uuid' } }, ...statementParams],
      responses: { '200': statementResponse, '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/prices': {
    get: {
      summary: 'Per-call prices of services (admin)',
      tags: ['admin', 'billing'],
      operationId: 'adminListPrices',
      responses: { '200': jsonResponse('Prices', { type: 'object', properties: { prices: { type: 'array', items: priceSchema } }, required: ['prices'] }), ...adminOnly },
    },
  },
  '/v1/admin/prices/{service}': {
    put: {
      summary: "Set a service's price per call (admin). Audited.",
      tags: ['admin', 'billing'],
      operationId: 'adminSetPrice',
      parameters: [{ name: 'service', in: 'path', required: true, schema: { type: 'string' }, description: 'Service slug' }],
      requestBody: jsonBody(priceBody),
      responses: { '200': jsonResponse('Price', priceSchema), '400': errorResponse('validation_failed'), ...adminOnly },
    },
    delete: {
      summary: "Remove a service's price (admin). Audited.",
      tags: ['admin', 'billing'],
      operationId: 'adminDeletePrice',
      parameters: [{ name: 'service', in: 'path', required: true, schema: { type: 'string' }, description: 'Service slug' }],
      responses: { '204': { description: 'Removed' }, ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/prices/{service}/history': {
    get: {
      summary: 'Every price a service had, newest first (admin)',
      tags: ['admin', 'billing'],
      operationId: 'adminPriceHistory',
      parameters: [{ name: 'service', in: 'path', required: true, schema: { type: 'string' }, description: 'Service slug' }],
      responses: {
        '200': jsonResponse('Price history', {
          type: 'object',
          properties: {
            service: { type: 'string' },
            history: {
              type: 'array',
              items: {
                type: 'object',
                properties: { price_per_call: { type: ['string', 'null'] }, currency: { type: ['string', 'null'] }, valid_from: { type: 'string', format: 'date-time' } },
                required: ['price_per_call', 'currency', 'valid_from'],
              },
            },
          },
          required: ['service', 'history'],
        }),
        '400': errorResponse('validation_failed'),
        ...adminOnly,
      },
    },
  },
  '/v1/admin/statements/finalize': {
    post: {
      summary: "Finalise a month's statements (admin): immutable snapshots at the prices of the moment, each announced by a statement.finalized event. Audited.",
      tags: ['admin', 'billing'],
      operationId: 'adminFinalizeStatements',
      requestBody: jsonBody(finaliseBody),
      responses: {
        '200': jsonResponse('What was finalised', {
          type: 'object',
          properties: { month: { type: 'string' }, finalized: { type: 'integer' }, already_final: { type: 'integer' } },
          required: ['month', 'finalized', 'already_final'],
        }),
        '400': errorResponse('validation_failed'),
        ...adminOnly,
        '409': errorResponse('month_not_ended'),
      },
    },
  },
  '/v1/admin/payouts': {
    get: {
      summary: "Every provider's payout report of a month (admin; JSON or CSV)",
      tags: ['admin', 'billing'],
      operationId: 'adminPayouts',
      parameters: payoutParams,
      responses: { '200': payoutResponse, '400': errorResponse('validation_failed'), ...adminOnly },
    },
  },
  '/v1/provider/payouts': {
    get: {
      summary: 'Your payout report of a month: the services you own (JSON or CSV)',
      tags: ['billing'],
      operationId: 'getPayouts',
      parameters: payoutParams,
      responses: { '200': payoutResponse, '400': errorResponse('validation_failed'), '401': errorResponse('unauthorized') },
    },
  },
  '/v1/admin/billing/events': {
    get: {
      summary: 'The webhook outbox: events and their delivery state, newest first (admin)',
      tags: ['admin', 'billing'],
      operationId: 'adminListBillingEvents',
      parameters: [
        { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: ['pending', 'delivered', 'dead'] } },
        { name: 'type', in: 'query', required: false, schema: { type: 'string', enum: ['usage.recorded', 'statement.finalized'] } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 }, description: 'default 100' },
        { name: 'before', in: 'query', required: false, schema: { type: 'string', format: 'date-time' }, description: 'Older than this created_at (to page on)' },
      ],
      responses: { '200': jsonResponse('Events', { type: 'object', properties: { events: { type: 'array', items: eventSchema } }, required: ['events'] }), '400': errorResponse('validation_failed'), ...adminOnly },
    },
  },
  '/v1/admin/billing/events/{id}': {
    get: {
      summary: 'One webhook event and its delivery state (admin)',
      tags: ['admin', 'billing'],
      operationId: 'adminGetBillingEvent',
      parameters: [eventIdParam],
      responses: { '200': jsonResponse('Event', eventSchema), '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/billing/events/{id}/redeliver': {
    post: {
      summary: 'Deliver an event again (admin): pending now, a fresh set of attempts, the same id and Idempotency-Key. Audited.',
      tags: ['admin', 'billing'],
      operationId: 'adminRedeliverBillingEvent',
      parameters: [eventIdParam],
      responses: { '202': jsonResponse('Event', eventSchema), '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/plans': {
    get: {
      summary: 'Every plan (admin)',
      tags: ['admin', 'billing'],
      operationId: 'adminListPlans',
      responses: { '200': jsonResponse('Plans', { type: 'object', properties: { plans: { type: 'array', items: planSchema } }, required: ['plans'] }), ...adminOnly },
    },
    post: {
      summary: 'Create a plan (admin). Audited.',
      tags: ['admin', 'billing'],
      operationId: 'adminCreatePlan',
      requestBody: jsonBody(createPlanBody),
      responses: { '201': jsonResponse('Plan', planSchema), '400': errorResponse('validation_failed'), ...adminOnly, '409': errorResponse('plan_exists') },
    },
  },
  '/v1/admin/plans/{id}': {
    get: {
      summary: 'One plan (admin)',
      tags: ['admin', 'billing'],
      operationId: 'adminGetPlan',
      parameters: [idParam],
      responses: { '200': jsonResponse('Plan', planSchema), ...adminOnly, '404': errorResponse('not_found') },
    },
    patch: {
      summary: "Change a plan's name or limits (admin). Audited; every replica applies it within BILLING_QUOTA_CACHE_MS.",
      tags: ['admin', 'billing'],
      operationId: 'adminPatchPlan',
      parameters: [idParam],
      requestBody: jsonBody(patchPlanBody),
      responses: { '200': jsonResponse('Plan', planSchema), '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found') },
    },
    delete: {
      summary: 'Remove a plan no user has (admin). Audited.',
      tags: ['admin', 'billing'],
      operationId: 'adminDeletePlan',
      parameters: [idParam],
      responses: { '204': { description: 'Removed' }, ...adminOnly, '404': errorResponse('not_found'), '409': errorResponse('plan_in_use') },
    },
  },
};
