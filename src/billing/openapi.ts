import { errorResponse, jsonBody, jsonResponse, type OpenApiPaths } from '../gateway/index.js';
import { createPlanBody, patchPlanBody } from './plans.js';

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
