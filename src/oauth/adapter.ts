import { sql, type Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../db/index.js';

/**
 * oidc-provider's storage on the platform database (table `oauth_payloads`, migration 0009_oauth):
 * every model (Client, Grant, AuthorizationCode, RefreshToken, Interaction, Session, …) is a row
 * keyed by (model, id), so any replica serves any step of a flow. Expired rows are never returned
 * and are swept by `sweepExpired`.
 */
export class DatabaseAdapter implements Adapter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
    const accountId = typeof payload.accountId === 'string' ? payload.accountId : null;
    const clientId = typeof payload.clientId === 'string' ? payload.clientId : typeof payload.client_id === 'string' ? payload.client_id : null;
    const row = {
      payload: JSON.stringify(payload),
      grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      account_id: accountId,
      client_id: clientId,
      expires_at: expiresAt,
    };
    await this.db
      .insertInto('oauth_payloads')
      .values({ model: this.model, id, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('id', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid', uid);
  }

  async findByUserCode(): Promise<undefined> {
    return undefined; // the device flow is not enabled
  }

  private async findWhere(column: 'id' | 'uid', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom('oauth_payloads')
      .select(['payload', 'consumed_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
      .executeTakeFirst();
    if (!row) return undefined;
    const payload = row.payload as AdapterPayload;
    // oidc-provider reads `consumed` (epoch seconds) to detect the reuse of a code or refresh token.
    return row.consumed_at ? { ...payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : payload;
  }

  async consume(id: string): Promise<void> {
    await this.db.updateTable('oauth_payloads').set({ consumed_at: sql<Date>`now()` }).where('model', '=', this.model).where('id', '=', id).execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('oauth_payloads').where('model', '=', this.model).where('id', '=', id).execute();
  }

  /** Every token of a grant, whatever its model (oidc-provider calls it on each model's adapter). */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom('oauth_payloads').where('grant_id', '=', grantId).execute();
  }
}

/** Deletes expired rows (called periodically; a missing sweep only costs space, never correctness). */
export async function sweepExpired(db: Kysely<Database>): Promise<number> {
  const result = await db.deleteFrom('oauth_payloads').where('expires_at', '<', sql<Date>`now() - interval '1 hour'`).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
