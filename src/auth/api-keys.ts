import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { ApiKeysTable, Database } from '../db/index.js';
import { errors, parseBody, parseParams, type Principal } from '../gateway/index.js';
import type { AuditAction, AuditSink } from '../logging/index.js';
import type { RevocationCache } from './revocation-cache.js';

export const API_KEY_PREFIX = 'mcp_sk_';

export const apiKeyHash = (key: string) => createHash('sha256').update(key).digest('hex');

export const serviceSlug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a service slug: lower-case letters, digits, - and _');

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  expires_at: z.iso.datetime({ offset: true }).nullish(),
  services: z.array(serviceSlug).min(1).max(100).nullish(),
});

export const apiKeyIdParams = z.strictObject({ id: z.string() });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  services: z.array(z.string()).nullable(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  created_at: z.string(),
});

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function view(row: Selectable<ApiKeysTable>): z.infer<typeof apiKeyView> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    services: row.services,
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    created_at: iso(row.created_at) ?? '',
  };
}

export interface ApiKeyRoutesDeps {
  db: Kysely<Database>;
  cache: RevocationCache;
  audit: AuditSink;
}

const MAX_KEYS_PER_USER = 100;

/** `/v1/api-keys`: personal API keys. Mount behind `authenticate`. Another user's key is a 404. */
export function apiKeysRouter({ db, cache, audit }: ApiKeyRoutesDeps): Router {
  const router = Router();
  const recordKeyEvent = (action: AuditAction, req: Request, actorId: string, keyId: string, details?: Record<string, unknown>) =>
    audit.record({
      action,
      outcome: 'success',
      actorId,
      targetType: 'api_key',
      targetId: keyId,
      ip: req.ip ?? null,
      requestId: String(req.id),
      ...(details ? { details } : {}),
    });
  const principalOf = (p: Principal | undefined) => {
    if (!p) throw errors.unauthorized();
    return p;
  };
  const findOwn = (userId: string, id: string) =>
    UUID.test(id)
      ? db
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
      : Promise.resolve(undefined);

  router.post('/', async (req, res) => {
    const me = principalOf(req.principal);
    const body = parseBody(createApiKeyBody, req);
    const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw errors.validation([{ path: 'expires_at', message: 'must be in the future' }]);
    }
    let services = body.services ? [...new Set(body.services)] : null;
    if (me.services) {
      // A scoped key can only mint keys within its own scope.
      services = services ?? me.services;
      if (services.some((s) => !me.services?.includes(s))) throw errors.forbidden('A scoped API key cannot widen its scope');
    }
    const count = await db
      .selectFrom('api_keys')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('user_id', '=', me.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (count.n >= MAX_KEYS_PER_USER) throw errors.conflict(`At most ${MAX_KEYS_PER_USER} active API keys per user`, 'too_many_api_keys');
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await db
      .insertInto('api_keys')
      .values({
        user_id: me.userId,
        name: body.name,
        prefix: key.slice(0, API_KEY_PREFIX.length + 6),
        key_hash: apiKeyHash(key),
        services,
        expires_at: expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordKeyEvent('api_key.created', req, me.userId, row.id, { services, expires_at: iso(expiresAt) });
    res.status(201).json({ ...view(row), key });
  });

  router.get('/', async (req, res) => {
    const me = principalOf(req.principal);
    const rows = await db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', me.userId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    res.json({ api_keys: rows.map(view) });
  });

  router.get('/:id', async (req, res) => {
    const me = principalOf(req.principal);
    const { id } = parseParams(apiKeyIdParams, req);
    const row = await findOwn(me.userId, id);
    if (!row) throw errors.notFound('API key');
    res.json(view(row));
  });

  router.delete('/:id', async (req, res) => {
    const me = principalOf(req.principal);
    const { id } = parseParams(apiKeyIdParams, req);
    if (!UUID.test(id)) throw errors.notFound('API key');
    const row = await db
      .updateTable('api_keys')
      .set({ revoked_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('user_id', '=', me.userId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'key_hash'])
      .executeTakeFirst();
    if (!row) throw errors.notFound('API key');
    await cache.invalidateKey(`k:${row.key_hash}`);
    await recordKeyEvent('api_key.revoked', req, me.userId, row.id);
    res.status(204).end();
  });

  return router;
}
