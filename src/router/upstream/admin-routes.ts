import express from 'express';
import { z } from 'zod';
import { errorResponse, jsonResponse, parseQuery, type OpenApiPaths } from '../../gateway/index.js';
import type { Principal } from '../../gateway/index.js';
import type { ResolvedService, UpstreamConnector } from '../contracts.js';
import type { PlatformUpstream } from './connector.js';
import { UpstreamError } from './errors.js';

/** At most this many pages of `tools/list` are read (a misbehaving upstream cannot keep us paging). */
const MAX_TOOL_PAGES = 64;

/**
 * A service's live tools, listed by connecting to it as `caller` (the admin services view: the
 * tool policy is written against these names). Every tool the upstream lists, before the tool
 * policy; only name, title and description. Bounded by `timeoutMs`.
 */
export async function listUpstreamTools(
  connector: UpstreamConnector,
  caller: Principal,
  service: ResolvedService,
  timeoutMs: number,
): Promise<Array<{ name: string; title?: string; description?: string }>> {
  const signal = AbortSignal.timeout(timeoutMs);
  const lease = await connector.connect(caller, service, { signal });
  try {
    if (lease.client.getServerCapabilities()?.tools === undefined) return [];
    const tools: Array<{ name: string; title?: string; description?: string }> = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await lease.client.listTools(cursor ? { cursor } : undefined, { signal, timeout: timeoutMs });
      for (const t of result.tools) tools.push({ name: t.name, ...(t.title ? { title: t.title } : {}), ...(t.description ? { description: t.description } : {}) });
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return tools;
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    if (signal.aborted) throw new UpstreamError('upstream_timeout', `Service ${service.definition.slug} did not list its tools within ${timeoutMs} ms`);
    throw new UpstreamError('upstream_unavailable', `Service ${service.definition.slug} could not list its tools`);
  } finally {
    await lease.release();
  }
}

/**
 * `/v1/admin/router`: the upstream side as an operator sees it — this replica's stdio pool, the
 * health of every http instance it knows, and the live replicas that share stdio ownership.
 * Mount behind `authenticate` and `requireRole('admin')`.
 */
export function upstreamAdminRouter(upstream: PlatformUpstream): express.Router {
  const router = express.Router();
  router.get('/pool', (req, res) => {
    parseQuery(z.strictObject({}), req);
    res.json({
      replica: upstream.replicas.self,
      replicas: { directory: upstream.replicas.kind, live: upstream.replicas.replicas() },
      stdio: upstream.stdio.stats(),
      http: withClientCounts(upstream.http.health(), upstream.http.clientCounts()),
    });
  });
  return router;
}

type Health = ReturnType<PlatformUpstream['http']['health']>;

/** Each instance's health with the upstream clients this replica keeps for it. */
function withClientCounts(health: Health, counts: ReturnType<PlatformUpstream['http']['clientCounts']>) {
  return Object.fromEntries(
    Object.entries(health).map(([id, instances]) => [
      id,
      instances.map((h) => ({ ...h, sessionClients: counts[h.url]?.sessionClients ?? 0, idleClients: counts[h.url]?.idleClients ?? 0 })),
    ]),
  );
}

const replica = z.object({ id: z.string(), address: z.string() });
const poolResponse = z.object({
  replica,
  replicas: z.object({ directory: z.enum(['redis', 'database', 'single']), live: z.array(replica) }),
  stdio: z.object({
    processes: z.number().int(),
    maxProcesses: z.number().int(),
    maxPerUser: z.number().int(),
    idleTimeoutMs: z.number().int(),
    started: z.number().int(),
    stopped: z.number().int(),
    crashed: z.number().int(),
    rejectedFull: z.number().int(),
    entries: z.array(
      z.object({
        userId: z.string(),
        serviceId: z.string(),
        serviceSlug: z.string(),
        pid: z.number().int().nullable(),
        state: z.enum(['starting', 'ready']),
        leases: z.number().int(),
        startedAt: z.string(),
        lastUsedAt: z.string(),
      }),
    ),
  }),
  http: z.record(
    z.string(),
    z.array(
      z.object({
        url: z.string(),
        status: z.enum(['healthy', 'ejected', 'half-open']),
        consecutiveFailures: z.number().int(),
        ejections: z.number().int(),
        ejectedUntil: z.string().nullable(),
        outstanding: z.number().int(),
        leases: z.number().int(),
        lastCheckedAt: z.string().nullable(),
        lastError: z.string().nullable(),
        sessionClients: z.number().int().describe('Upstream clients (sessions) this replica keeps for 2025-era client sessions'),
        idleClients: z.number().int().describe('Connected clients idle in the pool, kept for the next stateless call'),
      }),
    ),
  ),
});

export const upstreamAdminOpenApi: OpenApiPaths = {
  '/v1/admin/router/pool': {
    get: {
      summary: 'MCP Router upstream state of this replica (admin)',
      description:
        'The stdio process pool of the replica that answers (size, caps, one entry per child), the health of every http instance it balances over (keyed by service id) with the upstream clients this replica keeps for it, and the live replicas that share stdio ownership.',
      tags: ['admin', 'router'],
      operationId: 'getRouterPool',
      responses: {
        '200': jsonResponse('Pool, instance health and replicas', poolResponse),
        '401': errorResponse('Not authenticated'),
        '403': errorResponse('Not an admin'),
      },
    },
  },
};
