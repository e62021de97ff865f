import { Router } from 'express';
import { jsonResponse, type OpenApiPaths } from '../gateway/index.js';

/** Liveness and readiness probes. Public, never rate limited. */
export interface ReadinessChecks {
  database: () => Promise<unknown>;
  redis?: (() => Promise<unknown>) | undefined;
}

export function operationsRouter(checks: ReadinessChecks): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const result: Record<string, 'ok' | 'fail'> = {};
    result.database = await checks.database().then(() => 'ok' as const, () => 'fail' as const);
    if (checks.redis) result.redis = await checks.redis().then(() => 'ok' as const, () => 'fail' as const);
    const ready = Object.values(result).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: result });
  });
  return router;
}

const probe = { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object' } } };

export const operationsOpenApi: OpenApiPaths = {
  '/healthz': {
    get: {
      summary: 'Liveness: the process serves HTTP',
      tags: ['operations'],
      operationId: 'healthz',
      security: [],
      responses: { '200': jsonResponse('Alive', probe) },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: the database (and Redis, when configured) answer',
      tags: ['operations'],
      operationId: 'readyz',
      security: [],
      responses: { '200': jsonResponse('Ready', probe), '503': jsonResponse('A dependency is down', probe) },
    },
  },
};
