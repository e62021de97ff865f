import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { CallMetering, Principal } from '../../gateway/index.js';
import type { ResolvedService } from '../contracts.js';
import { toolCallService } from './gateway-hooks.js';
import { isToolError, type McpCallLog, type RelayEvent } from './observe.js';

/**
 * The MCP endpoint's two metering touch points (docs/billing.md): `admitCall` before anything of a
 * `tools/call` is forwarded (the plan's quotas), and `meteredObserve`, the exchange's observer that
 * hands each forwarded `tools/call`'s usage event to the meter when the call ends; the relay and
 * the fast path await it before they write the answer (write-before-answer).
 */

/** HTTP header naming a call's idempotency key (the client's retries of one call carry the same one). */
const IDEMPOTENCY_HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;

/** Whether a request is a `tools/call` of a resolved service (on /mcp: one the tool name's prefix names among the usable ones). */
export function quotaApplies(req: Request, slug: string | undefined, services: readonly ResolvedService[]): boolean {
  const service = toolCallService(req, slug);
  if (service === undefined) return false;
  return slug !== undefined || services.some((s) => s.definition.slug === service);
}

/**
 * Refuses (429, Retry-After, a JSON-RPC error naming the quota) or lets a `tools/call` through:
 * `refused` when it answered; else `release`, to give back the charge if the call is not forwarded.
 */
export async function refusedByQuota(
  metering: CallMetering,
  principal: Principal,
  req: Request,
  res: Response,
  slug: string | undefined,
): Promise<{ refused: boolean; release?: () => Promise<void> }> {
  const body = req.body as { method?: unknown; id?: unknown } | undefined;
  if (req.method !== 'POST' || !body || typeof body !== 'object' || Array.isArray(body) || body.method !== 'tools/call') return { refused: false };
  const decision = await metering.admit(principal, toolCallService(req, slug));
  if (decision.refuse) {
    const r = decision.refuse;
    res.setHeader('Retry-After', String(r.retryAfterSeconds));
    const id = typeof body.id === 'string' || typeof body.id === 'number' ? body.id : null;
    res.status(429).json({
      jsonrpc: '2.0',
      id,
      error: {
        code: -32000,
        message: r.message,
        data: { reason: 'quota_exceeded', quota: r.quota, plan: r.plan, used: r.used, limit: r.limit, resets_at: r.resetsAt.toISOString() },
      },
    });
    return { refused: true };
  }
  if (decision.warning) res.setHeader('Quota-Warning', decision.warning);
  return decision.release ? { refused: false, release: decision.release } : { refused: false };
}

/** The exchange's observer with metering: the request log's collector first, then the usage event of a forwarded `tools/call`. */
export function meteredObserve(
  calls: McpCallLog,
  metering: CallMetering,
  principal: Principal,
  req: Request,
  /** Gives back the quota's charge of a call that was not forwarded (refusedByQuota's `release`). */
  release?: () => Promise<void>,
): (event: RelayEvent) => void | Promise<void> {
  const started = performance.now();
  return (event) => {
    calls.observe(event);
    if (event.type !== 'done' || event.method !== 'tools/call') return;
    const facts = calls.get(event.requestId);
    // Only a call that reached an upstream is usage; a refusal of the platform's (policy, limits) is
    // not, and gets back the per-minute point it was charged (before the answer, so the next call sees it).
    if (!facts || facts.instance === null || facts.service === null) {
      const giveBack = release;
      release = undefined;
      return giveBack?.();
    }
    return metering.record({
      key: usageKey(req, principal.userId, event.params),
      userId: principal.userId,
      service: facts.service,
      listingVersion: null,
      tool: facts.target,
      units: 1,
      // A result with isError: true was run and answered by the upstream: billable, and an error.
      status: event.error === undefined && !isToolError(event.result) ? 'ok' : 'error',
      latencyMs: performance.now() - started,
    });
  };
}

/**
 * The call's idempotency key: with an `Idempotency-Key` header, a hash of the user, the key and
 * the call's tool and arguments (a retry of the same call counts once; the same key on another call
 * is another call); without one, a UUID of the router's (each request is one call).
 */
function usageKey(req: Request, userId: string, params: unknown): string {
  const header = req.headers[IDEMPOTENCY_HEADER];
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_KEY_LENGTH) return `call:${randomUUID()}`;
  const p = params as { name?: unknown; arguments?: unknown } | undefined;
  const fingerprint = JSON.stringify([p?.name ?? null, p?.arguments ?? null]);
  return `idem:${createHash('sha256').update(userId).update('\0').update(header).update('\0').update(fingerprint).digest('base64url')}`;
}
