import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Opaque refresh token: 32 random bytes, base64url. Only its sha256 is stored. */
export const newRefreshToken = () => randomBytes(32).toString('base64url');

export interface NewSession {
  sessionId: string;
  refreshToken: string;
}

export type RefreshOutcome =
  | { kind: 'rotated'; sessionId: string; userId: string; refreshToken: string; createdAt: Date }
  | { kind: 'not_found' }
  | { kind: 'reused'; sessionId: string; userId: string; newlyRevoked: boolean }
  | { kind: 'session_revoked'; sessionId: string; userId: string }
  | { kind: 'session_expired'; sessionId: string; userId: string };

export type LogoutScope = 'global' | 'local' | 'others';

/**
 * Sessions and their refresh-token families. Each refresh token is used once: using it revokes it
 * and issues its child. Presenting an already-rotated token is treated as theft: the whole
 * session (every token of the family, and the access tokens bound to it) is revoked.
 */
export class SessionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly refreshTtlSeconds: number,
  ) {}

  async create(userId: string, meta: { userAgent?: string | undefined; ip?: string | undefined }): Promise<NewSession> {
    const refreshToken = newRefreshToken();
    const sessionId = await this.db.transaction().execute(async (trx) => {
      const session = await trx
        .insertInto('sessions')
        .values({
          user_id: userId,
          user_agent: meta.userAgent?.slice(0, 512) ?? null,
          ip: meta.ip ?? null,
          not_after: new Date(Date.now() + this.refreshTtlSeconds * 1000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('refresh_tokens').values({ session_id: session.id, token_hash: sha256(refreshToken) }).execute();
      return session.id;
    });
    return { sessionId, refreshToken };
  }

  /** Uses a refresh token once. Concurrent use of the same token: one wins, the rest count as reuse. */
  async rotate(refreshToken: string): Promise<RefreshOutcome> {
    const hash = sha256(refreshToken);
    return this.db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
      const row = await trx
        .selectFrom('refresh_tokens as rt')
        .innerJoin('sessions as s', 's.id', 'rt.session_id')
        .select(['rt.id', 'rt.revoked_at', 's.id as session_id', 's.user_id', 's.revoked_at as session_revoked_at', 's.not_after', 's.created_at'])
        .where('rt.token_hash', '=', hash)
        .executeTakeFirst();
      if (!row) return { kind: 'not_found' };
      const ids = { sessionId: row.session_id, userId: row.user_id };
      if (row.session_revoked_at && !row.revoked_at) return { kind: 'session_revoked', ...ids };
      const claimed = row.revoked_at
        ? undefined
        : await trx
            .updateTable('refresh_tokens')
            .set({ revoked_at: sql<Date>`now()` })
            .where('id', '=', row.id)
            .where('revoked_at', 'is', null)
            .returning('id')
            .executeTakeFirst();
      if (!claimed) {
        const revoked = await this.revokeSessionIn(trx, row.session_id, 'refresh_token_reuse');
        return { kind: 'reused', ...ids, newlyRevoked: revoked > 0 };
      }
      if (new Date(row.not_after).getTime() <= Date.now()) return { kind: 'session_expired', ...ids };
      const next = newRefreshToken();
      await trx
        .insertInto('refresh_tokens')
        .values({ session_id: row.session_id, token_hash: sha256(next), parent_id: row.id })
        .execute();
      await trx.updateTable('sessions').set({ refreshed_at: sql<Date>`now()` }).where('id', '=', row.session_id).execute();
      return { kind: 'rotated', ...ids, refreshToken: next, createdAt: new Date(row.created_at) };
    });
  }

  private async revokeSessionIn(trx: Kysely<Database>, sessionId: string, reason: string): Promise<number> {
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: sql<Date>`now()` })
      .where('session_id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    const res = await trx
      .updateTable('sessions')
      .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Revokes sessions of `userId` by scope relative to `currentSessionId`. Returns the revoked IDs. */
  async logout(userId: string, currentSessionId: string, scope: LogoutScope, reason = 'logout'): Promise<string[]> {
    let q = this.db
      .updateTable('sessions')
      .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (scope === 'local') q = q.where('id', '=', currentSessionId);
    if (scope === 'others') q = q.where('id', '!=', currentSessionId);
    const rows = await q.returning('id').execute();
    const ids = rows.map((r) => r.id);
    // Their refresh tokens die with the session (rotate() checks the session first).
    return ids;
  }
}
