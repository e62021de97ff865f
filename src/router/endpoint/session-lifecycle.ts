import { isInitializedNotification, isInitializeRequest } from '@modelcontextprotocol/server';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import type { ResolvedService } from '../contracts.js';
import { AnswerWriter, SERVER_INFO } from './answer-writer.js';
import { acceptsJsonAndSse, requestEnvelope } from './call-plan.js';
import type { RelayEvent } from './observe.js';
import { relayCapabilities, relayInstructions } from './relay.js';
import type { StreamResumption } from './resume.js';
import { LEGACY_PROTOCOL_VERSIONS } from '../upstream/index.js';
import { settledLegacyVersion, type SessionStore } from './sealed-sessions.js';

/**
 * A 2025-era session's start and end without an SDK server. sessionful.ts serves a session's
 * requests with a new SDK `Server` and transport each, into which it first replays `initialize`;
 * for the two handshake messages that was most of a new session's cost at the endpoint (~4 ms of
 * CPU each), although neither needs the relay, nor does the session's end:
 *
 * - `initialize` outside a session: the relay's answer (its capabilities, instructions and
 *   identity; the client's revision when the platform speaks it, else the newest), with the
 *   session's state sealed into a new `Mcp-Session-Id` as sessionful.ts seals it;
 * - `notifications/initialized` in a session of this user at this endpoint: accepted (202). The
 *   platform's own upstream sessions are opened with their own handshake, when first needed;
 * - `DELETE` of a session of this user at this endpoint: ended as sessionful.ts ends it (revoked on
 *   every replica, which ends the upstream sessions kept for it; its lingering GET stream stops
 *   recording), 200.
 *
 * Only a well-formed exchange is served here (a DELETE naming a session of the caller's here; a
 * POST accepting JSON and SSE with a JSON body holding one such message, no revision header on
 * `initialize`, a revision the platform speaks on the notification); anything else goes on to the
 * SDK transport, which answers as before (its errors included). The two handshake messages send
 * nothing upstream; the DELETE ends the upstream sessions kept for the session, as before.
 */

export interface LifecycleTarget {
  userId: string;
  /** The endpoint the session is bound to: the service's slug, `*` for the aggregate. */
  endpointKey: string;
  services: ResolvedService[];
  aggregate: boolean;
  /** The exchange's request-log collector (observe.ts): told the outcome of `initialize`, as the relay's server tells it. */
  observe?: (event: RelayEvent) => void | Promise<void>;
}

/** Serves the exchange when it is one of the three above; false (nothing written) otherwise. */
export async function serveLifecycle(
  req: ExpressRequest,
  res: ExpressResponse,
  { sessions, resumption }: { sessions: SessionStore; resumption: StreamResumption },
  target: LifecycleTarget,
): Promise<boolean> {
  const sessionId = req.headers['mcp-session-id'];
  if (req.method === 'DELETE' && typeof sessionId === 'string') {
    const state = await sessions.open(sessionId);
    if (!state || state.u !== target.userId || state.e !== target.endpointKey) return false;
    await sessions.revoke(sessionId);
    resumption.resumed(sessionId);
    res.status(200).end();
    return true;
  }
  if (req.method !== 'POST' || !acceptsJsonAndSse(req) || !isJson(req.headers['content-type'])) return false;
  const body = req.body as unknown;
  if (sessionId === undefined) {
    const id = requestEnvelope(body)?.id;
    if (req.headers['mcp-protocol-version'] !== undefined || id === undefined || !isInitializeRequest(body)) return false;
    const params = body.params;
    const protocolVersion = settledLegacyVersion(params.protocolVersion);
    const newId = sessions.seal({ u: target.userId, e: target.endpointKey, p: protocolVersion, i: params as Record<string, unknown> });
    const instructions = relayInstructions(target.aggregate, target.services);
    const result = {
      protocolVersion,
      capabilities: relayCapabilities(),
      serverInfo: SERVER_INFO,
      ...(instructions ? { instructions } : {}),
    };
    await observeSafely(target.observe, { type: 'done', requestId: id, method: 'initialize', params, result });
    res.setHeader('mcp-session-id', newId);
    new AnswerWriter(res, { id, era: 'legacy' }).finish({ result });
    return true;
  }
  if (typeof sessionId !== 'string' || Array.isArray(body) || (body as { jsonrpc?: unknown } | undefined)?.jsonrpc !== '2.0' || !isInitializedNotification(body)) return false;
  const version = req.headers['mcp-protocol-version'];
  if (version !== undefined && (typeof version !== 'string' || !LEGACY_PROTOCOL_VERSIONS.includes(version))) return false;
  const state = await sessions.open(sessionId);
  if (!state || state.u !== target.userId || state.e !== target.endpointKey) return false;
  res.status(202).end();
  return true;
}

function isJson(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && contentType.includes('application/json');
}

/** Observation never changes the answer (as the relay's server treats it). */
async function observeSafely(observe: LifecycleTarget['observe'], event: RelayEvent): Promise<void> {
  try {
    await observe?.(event);
  } catch {
    // ignored
  }
}
