import { Router } from 'express';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import { errors, parseBody, parseParams, parseQuery } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import type { RevocationCache } from './revocation-cache.js';
import { adminUser } from './users.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const listUsersQuery = z.strictObject({
  q: z.string().max(254).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const userIdParams = z.strictObject({ id: z.string() });
export const patchUserBody = z
  .strictObject({
    role: z.enum(['user', 'admin']).optional(),
    disabled: z.boolean().optional(),
    /** A plan ID (GET /v1/admin/plans), or null for the default plan (docs/billing.md). */
    plan: z.string().min(1).max(200).nullable().optional(),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.plan !== undefined, 'send role, disabled and/or plan');

/** Opaque cursor: the last user's ID (order is created_at, id, so it is stable under inserts). */
const encodeCursor = (id: string) => Buffer.from(`u:${id}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = raw.startsWith('u:') ? raw.slice(2) : '';
  if (!UUID.test(id)) throw errors.validation([{ path: 'cursor', message: 'invalid cursor' }]);
  return id;
}

/** LIKE pattern that matches `q` literally (%, _ and \ escaped). */
const containsPattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface AdminRoutesDeps {
  db: Kysely<Database>;
  cache: RevocationCache;
  audit: AuditSink;
  /** Users' plans (src/billing, handed over by app.ts); without it, `plan` is refused. */
  userPlans?: UserPlanAssigner;
}

/** Gives a user a plan inside this route's transaction (an unknown plan throws, and nothing changes). */
export interface UserPlanAssigner {
  /** Resolves with the plan the user had (null: the default). */
  assign(trx: Kysely<Database>, userId: string, planId: string | null): Promise<string | null>;
  /** After the commit: the user's quota is read again. */
  changed(userId: string): void;
}

/** `/v1/admin/users`. Mount behind `authenticate` and `requireRole('admin')`. */
export function adminUsersRouter({ db, cache, audit, userPlans }: AdminRoutesDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseQuery(listUsersQuery, req);
    let q = db.selectFrom('users').selectAll();
    if (query.q) q = q.where(sql<boolean>`lower(coalesce(email, '')) like ${containsPattern(query.q)} escape '\\'`);
    if (query.cursor) {
      const after = await db
        .selectFrom('users')
        .select(['id', sql<string>`created_at::text`.as('at')])
        .where('id', '=', decodeCursor(query.cursor))
        .executeTakeFirst();
      if (!after) throw errors.validation([{ path: 'cursor', message: 'invalid cursor' }]);
      q = q.where(sql<boolean>`(created_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
    }
    const rows = await q.orderBy('created_at').orderBy('id').limit(query.limit + 1).execute();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    res.json({ users: page.map(adminUser), next_cursor: rows.length > query.limit && last ? encodeCursor(last.id) : null });
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseParams(userIdParams, req);
    const user = UUID.test(id) ? await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!user) throw errors.notFound('User');
    res.json(adminUser(user));
  });

  router.patch('/:id', async (req, res) => {
    const actor = req.principal;
    if (!actor) throw errors.unauthorized();
    const { id } = parseParams(userIdParams, req);
    const body = parseBody(patchUserBody, req);
    if (!UUID.test(id)) throw errors.notFound('User');
    if (body.plan !== undefined && !userPlans) throw errors.validation([{ path: 'plan', message: 'plans are off on this platform (BILLING_METERING=false)' }]);
    const result = await db.transaction().execute(async (trx) => {
      // Serialise admin changes so that two admins cannot demote each other to zero admins.
      await sql`select pg_advisory_xact_lock(${sql.lit(0x6d63702d61646dn)})`.execute(trx);
      const before = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!before) throw errors.notFound('User');
      const losesAdmin =
        before.role === 'admin' && !before.disabled_at && (body.role === 'user' || body.disabled === true);
      if (losesAdmin) {
        const others = await trx
          .selectFrom('users')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('role', '=', 'admin')
          .where('disabled_at', 'is', null)
          .where('id', '!=', id)
          .executeTakeFirstOrThrow();
        if (others.n === 0) throw errors.conflict('This is the last active admin; promote another admin first', 'last_admin');
      }
      const after = await trx
        .updateTable('users')
        .set({
          updated_at: sql<Date>`now()`,
          // The role lives in users.role and, for token and Supabase-style readers, in app_metadata.role.
          ...(body.role !== undefined
            ? { role: body.role, app_metadata: sql<string>`app_metadata || jsonb_build_object('role', ${body.role}::text)` }
            : {}),
          ...(body.disabled === true && !before.disabled_at ? { disabled_at: sql<Date>`now()` } : {}),
          ...(body.disabled === false ? { disabled_at: null } : {}),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const planBefore = body.plan !== undefined ? await userPlans!.assign(trx, id, body.plan) : undefined;
      return { before, after, planBefore };
    });
    const { before, after, planBefore } = result;
    await cache.invalidateUser(id);
    const base = { actorId: actor.userId, targetType: 'user', targetId: id, ip: req.ip ?? null, requestId: String(req.id) } as const;
    if (before.role !== after.role) {
      await audit.record({ ...base, action: 'admin.role_changed', outcome: 'success', details: { from: before.role, to: after.role } });
    }
    if (!before.disabled_at && after.disabled_at) await audit.record({ ...base, action: 'admin.user_disabled', outcome: 'success' });
    if (before.disabled_at && !after.disabled_at) await audit.record({ ...base, action: 'admin.user_enabled', outcome: 'success' });
    if (body.plan !== undefined) {
      userPlans!.changed(id);
      if (planBefore !== body.plan) await audit.record({ ...base, action: 'billing.plan_assigned', outcome: 'success', details: { from: planBefore, to: body.plan } });
      res.json({ ...adminUser(after), plan: body.plan });
      return;
    }
    res.json(adminUser(after));
  });

  // Signs the user out everywhere (every session and its refresh tokens); API keys are not sessions.
  router.delete('/:id/sessions', async (req, res) => {
    const actor = req.principal;
    if (!actor) throw errors.unauthorized();
    const { id } = parseParams(userIdParams, req);
    const user = UUID.test(id) ? await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst() : undefined;
    if (!user) throw errors.notFound('User');
    const revoked = await db
      .updateTable('sessions')
      .set({ revoked_at: sql<Date>`now()`, revoked_reason: 'admin_revoked' })
      .where('user_id', '=', id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    for (const s of revoked) await cache.invalidateKey(`s:${s.id}`);
    await audit.record({
      action: 'admin.sessions_revoked',
      outcome: 'success',
      actorId: actor.userId,
      targetType: 'user',
      targetId: id,
      ip: req.ip ?? null,
      requestId: String(req.id),
      details: { count: revoked.length },
    });
    res.json({ revoked: revoked.length });
  });

  return router;
}
