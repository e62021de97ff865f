import { Router, type Request } from 'express';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import { errors, parseParams, parseQuery, type Principal } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';

export const grantIdParams = z.strictObject({ id: z.string().min(1).max(200) });
export const adminGrantsQuery = z.strictObject({
  user_id: z.uuid().optional(),
  client_id: z.string().min(1).max(2000).optional(),
});

export const grantView = z.object({
  id: z.string(),
  user_id: z.string(),
  client_id: z.string(),
  client_name: z.string().nullable(),
  metadata_document: z.boolean(),
  resources: z.array(z.object({ resource: z.string(), scopes: z.array(z.string()) })),
  created_at: z.string(),
  expires_at: z.string().nullable(),
});
export type GrantView = z.infer<typeof grantView>;

export interface GrantsDeps {
  db: Kysely<Database>;
  audit: AuditSink;
  /** Called after a grant is gone, so this replica stops accepting its access tokens at once. */
  onRevoked: (grantId: string) => void;
}

/**
 * "Connected apps": the OAuth grants a user gave (consent per user and client), and their
 * revocation, which removes the grant with every code, refresh token and session of it; the gateway
 * then refuses its access tokens (tokens.ts checks the grant). Users see their own; admins every one.
 */
export function grantsRouters(deps: GrantsDeps): { user: Router; admin: Router } {
  const { db, audit } = deps;
  const principalOf = (req: Request): Principal => {
    if (!req.principal) throw errors.unauthorized();
    return req.principal;
  };

  const list = async (filter: { userId?: string | undefined; clientId?: string | undefined }): Promise<GrantView[]> => {
    let q = db
      .selectFrom('oauth_payloads as g')
      .leftJoin('oauth_payloads as c', (join) => join.on('c.model', '=', 'Client').onRef('c.id', '=', 'g.client_id'))
      .select(['g.id', 'g.account_id', 'g.client_id', 'g.payload', 'g.created_at', 'g.expires_at', 'c.payload as client'])
      .where('g.model', '=', 'Grant')
      .where((eb) => eb.or([eb('g.expires_at', 'is', null), eb('g.expires_at', '>', sql<Date>`now()`)]));
    if (filter.userId) q = q.where('g.account_id', '=', filter.userId);
    if (filter.clientId) q = q.where('g.client_id', '=', filter.clientId);
    const rows = await q.orderBy('g.created_at', 'desc').limit(500).execute();
    return rows.map((row) => {
      const payload = row.payload as { resources?: Record<string, string> };
      const client = row.client as { client_name?: unknown } | null;
      const clientId = row.client_id ?? '';
      return {
        id: row.id,
        user_id: row.account_id ?? '',
        client_id: clientId,
        client_name: typeof client?.client_name === 'string' ? client.client_name : null,
        metadata_document: clientId.startsWith('https://'),
        resources: Object.entries(payload.resources ?? {}).map(([resource, scopes]) => ({ resource, scopes: scopes.split(' ').filter(Boolean) })),
        created_at: new Date(row.created_at).toISOString(),
        expires_at: row.expires_at ? new Date(row.expires_at).toISOString() : null,
      };
    });
  };

  const revoke = async (req: Request, grantId: string, owner: string | undefined): Promise<void> => {
    const me = principalOf(req);
    const found = await db
      .selectFrom('oauth_payloads')
      .select(['account_id', 'client_id'])
      .where('model', '=', 'Grant')
      .where('id', '=', grantId)
      .$if(owner !== undefined, (q) => q.where('account_id', '=', owner!))
      .executeTakeFirst();
    if (!found) throw errors.notFound('Grant');
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('oauth_payloads').where('grant_id', '=', grantId).execute();
      await trx.deleteFrom('oauth_payloads').where('model', '=', 'Grant').where('id', '=', grantId).execute();
    });
    deps.onRevoked(grantId);
    await audit.record({
      action: 'oauth.grant_revoked',
      outcome: 'success',
      actorId: me.userId,
      targetType: 'oauth_grant',
      targetId: grantId,
      ip: req.ip ?? null,
      requestId: String(req.id),
      details: { client_id: found.client_id, user_id: found.account_id, by: owner === undefined ? 'admin' : 'user' },
    });
  };

  const user = Router();
  user.get('/', async (req, res) => {
    res.json({ grants: await list({ userId: principalOf(req).userId }) });
  });
  user.delete('/:id', async (req, res) => {
    const { id } = parseParams(grantIdParams, req);
    await revoke(req, id, principalOf(req).userId);
    res.status(204).end();
  });

  const admin = Router();
  admin.get('/', async (req, res) => {
    const query = parseQuery(adminGrantsQuery, req);
    res.json({ grants: await list({ userId: query.user_id, clientId: query.client_id }) });
  });
  admin.delete('/:id', async (req, res) => {
    const { id } = parseParams(grantIdParams, req);
    await revoke(req, id, undefined);
    res.status(204).end();
  });
  return { user, admin };
}
