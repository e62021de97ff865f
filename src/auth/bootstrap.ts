import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/index.js';
import type { AuditSink } from '../logging/index.js';
import type { AuthFlows } from './flows.js';
import { hashPassword } from './passwords.js';
import { normaliseEmail } from './users.js';

export const BOOTSTRAP_STATE_KEY = 'auth.bootstrap_admin';
export const GENERATED_ADMIN_EMAIL = 'admin@localhost';

/** A password that meets any policy we allow (≥ 128 bits, 24 characters). */
export const generatePassword = () => randomBytes(18).toString('base64url');

export interface BootstrapDeps {
  db: Kysely<Database>;
  flows: AuthFlows;
  audit: AuditSink;
  logger: Logger;
  adminEmail?: string | undefined;
  adminPassword?: string | undefined;
  /** Where the one-time credential goes: the operator's terminal (stderr), not the JSON log. */
  announce: (text: string) => void;
}

/**
 * First start. With ADMIN_EMAIL/ADMIN_PASSWORD: create that admin if the account does not exist.
 * Otherwise, if there is no admin at all and none was ever generated, create `admin@localhost`
 * with a random password and print it once. platform_state remembers that it was printed, so it
 * is never printed again (not on restart, not by another replica).
 */
export async function bootstrapAdmin(d: BootstrapDeps): Promise<void> {
  if (d.adminEmail && d.adminPassword) {
    const existing = await d.flows.findUserByEmail(d.adminEmail);
    if (existing) {
      // Never promote an existing account by configuration alone (someone may have signed up with
      // that address first); the operator can use `create-admin --email` deliberately.
      if (existing.role !== 'admin') d.logger.warn({ 'user.id': existing.id }, 'ADMIN_EMAIL belongs to an existing non-admin account; not promoting it (use create-admin)');
      return;
    }
    try {
      const user = await d.flows.createUser(d.adminEmail, d.adminPassword, {}, 'admin');
      await d.audit.record({ action: 'admin.user_created', outcome: 'success', actorId: null, targetType: 'user', targetId: user.id, details: { source: 'ADMIN_EMAIL' } });
      d.logger.info({ 'user.id': user.id }, 'created the admin from ADMIN_EMAIL');
    } catch (err) {
      if ((err as { errorCode?: string }).errorCode === 'user_already_exists') return; // another replica was faster
      throw err;
    }
    return;
  }
  const hasAdmin = await d.db.selectFrom('users').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst();
  if (hasAdmin) return;

  const password = generatePassword();
  const email = normaliseEmail(GENERATED_ADMIN_EMAIL);
  const created = await d.db.transaction().execute(async (trx) => {
    // The claim row is the "printed once" marker; a concurrent replica blocks on it and then finds it.
    const claim = await trx
      .insertInto('platform_state')
      .values({ key: BOOTSTRAP_STATE_KEY, value: JSON.stringify({ email, created_at: new Date().toISOString() }) })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claim) return undefined;
    const taken = await trx.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', email).executeTakeFirst();
    if (taken) return undefined;
    return trx
      .insertInto('users')
      .values({
        email,
        encrypted_password: await hashPassword(password),
        role: 'admin',
        user_metadata: JSON.stringify({}),
        app_metadata: JSON.stringify({ provider: 'email', providers: ['email'], role: 'admin' }),
        email_confirmed_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  });
  if (!created) return;
  await d.audit.record({ action: 'admin.user_created', outcome: 'success', actorId: null, targetType: 'user', targetId: created.id, details: { source: 'generated' } });
  d.logger.warn({ 'user.id': created.id }, 'created a first admin with a one-time password, printed to stderr');
  d.announce(
    [
      '',
      '================================================================',
      ' First start: an admin account was created. This is shown ONCE.',
      `   email:    ${email}`,
      `   password: ${password}`,
      ' Sign in and change the password (PUT /auth/v1/user).',
      '================================================================',
      '',
    ].join('\n'),
  );
}
