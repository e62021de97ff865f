import { Router } from 'express';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import { errors, parseParams, parseQuery, type Principal } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import type { RevocationCache } from './revocation-cache.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ownSessionView = z.object({
  id: z.string(),
  /** The browser or client that signed in (its User-Agent, as sent). */
  user_agent: z.string().nullable(),
  ip: z.string().nullable(),
  created_at: z.string(),
  /** When its tokens were last refreshed (a session in use refreshes about once per access-token lifetime). */
  refreshed_at: z.string().nullable(),
  expires_at: z.string(),
  /** The session this request was made with. */
  current: z.boolean(),
});

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export interface OwnSessionsDeps {
  db: Kysely<Database>;
  cache: RevocationCache;
  audit: AuditSink;
}

/** Sessions belong to signed-in people: an API key or an OAuth client's token is not one and may not end them. */
function sessionPrincipal(p: Principal | undefined): Principal & { sessionId: string } {
  if (!p) throw errors.unauthorized();
  if (p.via !== 'jwt' || !p.sessionId) throw errors.forbidden('Sessions are listed and ended while signed in to the portal, not with an API key or OAuth token');
  return p as Principal & { sessionId: string };
}

/**
 * `/v1/me/sessions`: the caller's active sign-in sessions (browsers, devices), and ending one of
 * them. Mount behind `authenticate`. Ending them all is GoTrue's `POST /auth/v1/logout?scope=global`.
 */
export function ownSessionsRouter({ db, cache, audit }: OwnSessionsDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const me = sessionPrincipal(req.principal);
    parseQuery(z.strictObject({}), req);
    const rows = await db
      .selectFrom('sessions')
      .select(['id', 'user_agent', 'ip', 'created_at', 'refreshed_at', 'not_after'])
      .where('user_id', '=', me.userId)
      .where('revoked_at', 'is', null)
      .where('not_after', '>', sql<Date>`now()`)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(200)
      .execute();
    res.set('Cache-Control', 'no-store');
    res.json({
      sessions: rows.map((r) => ({
        id: r.id,
        user_agent: r.user_agent,
        ip: r.ip,
        created_at: iso(r.created_at) ?? '',
        refreshed_at: iso(r.refreshed_at),
        expires_at: iso(r.not_after) ?? '',
        current: r.id === me.sessionId,
      })),
    });
  });

  router.delete('/:id', async (req, res) => {
    const me = sessionPrincipal(req.principal);
    const { id } = parseParams(z.strictObject({ id: z.string() }), req);
    const revoked = UUID.test(id)
      ? await db
          .updateTable('sessions')
          .set({ revoked_at: sql<Date>`now()`, revoked_reason: 'user_revoked' })
          .where('id', '=', id)
          .where('user_id', '=', me.userId)
          .where('revoked_at', 'is', null)
          .returning('id')
          .executeTakeFirst()
      : undefined;
    // Another user's session is as absent as a made-up one.
    if (!revoked) throw errors.notFound('Session');
    await cache.invalidateKey(`s:${id}`);
    await audit.record({
      action: 'auth.logout',
      outcome: 'success',
      actorId: me.userId,
      targetType: 'user',
      targetId: me.userId,
      ip: req.ip ?? null,
      userAgent: req.get('user-agent')?.slice(0, 256) ?? null,
      requestId: String(req.id),
      // (Key names with "session" in them are redacted in the audit trail.)
      details: { scope: 'one', ended: id },
    });
    res.status(204).end();
  });

  return router;
}
