import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { AuditAction, AuditEvent, AuditSink } from '../logging/index.js';
import type { AccessTokens } from './access-tokens.js';
import { gotrue } from './gotrue-errors.js';
import type { LoginGuard } from './login-guard.js';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import type { RevocationCache } from './revocation-cache.js';
import type { LogoutScope, SessionStore } from './sessions.js';
import { gotrueUser, normaliseEmail, type UserRow } from './users.js';

/** Who is asking, for sessions and the audit trail. */
export interface ClientInfo {
  ip: string;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

/** GoTrue's token response (`AuthTokenResponse`). */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
}

export interface FlowDeps {
  db: Kysely<Database>;
  sessions: SessionStore;
  accessTokens: AccessTokens;
  guard: LoginGuard;
  cache: RevocationCache;
  audit: AuditSink;
  passwordMinLength: number;
  signupEnabled: boolean;
  /**
   * AUTH_EMAIL_CONFIRM: sign-up makes an unconfirmed account and hands it here (the confirmation
   * mail); sign-in of an unconfirmed account is refused. Unset: accounts are confirmed at once.
   */
  confirmSignup?: ((user: UserRow, client: ClientInfo) => Promise<void>) | undefined;
}

export interface UserChanges {
  email?: string | undefined;
  password?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

/** The account flows behind /auth/v1: sign-up, sign-in, refresh, profile update, logout. */
export class AuthFlows {
  constructor(private readonly d: FlowDeps) {}

  private async audit(client: ClientInfo, event: Omit<AuditEvent, 'ip' | 'userAgent' | 'requestId'>): Promise<void> {
    await this.d.audit.record({
      ...event,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 256) ?? null,
      ...(client.requestId ? { requestId: client.requestId } : {}),
    });
  }

  private auditUser(client: ClientInfo, action: AuditAction, outcome: 'success' | 'failure', userId: string | null, details?: Record<string, unknown>) {
    return this.audit(client, { action, outcome, actorId: userId, targetType: 'user', targetId: userId, ...(details ? { details } : {}) });
  }

  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.d.db.selectFrom('users').selectAll().where(sql<string>`lower(email)`, '=', normaliseEmail(email)).executeTakeFirst();
  }

  async userById(id: string): Promise<UserRow | undefined> {
    return this.d.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Creates a local account (no side effects beyond the row). Throws `user_already_exists`. */
  async createUser(email: string, password: string, data: Record<string, unknown>, role: 'user' | 'admin' = 'user', confirmed = true): Promise<UserRow> {
    const normalised = normaliseEmail(email);
    assertPasswordPolicy(password, normalised, this.d.passwordMinLength);
    const encrypted = await hashPassword(password);
    const row = await this.d.db
      .insertInto('users')
      .values({
        email: normalised,
        encrypted_password: encrypted,
        role,
        user_metadata: JSON.stringify(data),
        app_metadata: JSON.stringify({ provider: 'email', providers: ['email'], role }),
        email_confirmed_at: confirmed ? new Date() : null,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw gotrue.userAlreadyExists();
    return row;
  }

  async startSession(user: UserRow, client: ClientInfo, method: string): Promise<TokenResponse> {
    const signedIn = await this.d.db
      .updateTable('users')
      .set({ last_sign_in_at: sql<Date>`now()` })
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const { sessionId, refreshToken } = await this.d.sessions.create(user.id, client);
    return this.tokenResponse(signedIn, sessionId, refreshToken, method, Math.floor(Date.now() / 1000));
  }

  private async tokenResponse(user: UserRow, sessionId: string, refreshToken: string, method: string, authTime: number): Promise<TokenResponse> {
    const access = await this.d.accessTokens.issue(user, sessionId, method, authTime);
    return {
      access_token: access.token,
      token_type: 'bearer',
      expires_in: access.expiresIn,
      expires_at: access.expiresAt,
      refresh_token: refreshToken,
      user: gotrueUser(user),
    };
  }

  /**
   * POST /signup. Without email confirmation the account is confirmed at once (GoTrue's
   * autoconfirm) and a session comes back. With it (AUTH_EMAIL_CONFIRM), the answer is the user
   * without a session, as GoTrue's; a registered address gets the same answer with a made-up
   * user (and, if still unconfirmed, a new confirmation mail), so sign-up does not reveal accounts.
   */
  async signUp(email: string, password: string, data: Record<string, unknown>, client: ClientInfo): Promise<TokenResponse | Record<string, unknown>> {
    if (!this.d.signupEnabled) throw gotrue.signupDisabled();
    await this.d.guard.consumeSignup(client.ip);
    const confirm = this.d.confirmSignup;
    let user: UserRow;
    try {
      user = await this.createUser(email, password, data, 'user', !confirm);
    } catch (err) {
      const reason = (err as { errorCode?: string }).errorCode ?? 'error';
      await this.auditUser(client, 'auth.signup', 'failure', null, { reason });
      if (confirm && reason === 'user_already_exists') {
        const existing = await this.findUserByEmail(email);
        if (existing && !existing.email_confirmed_at && !existing.disabled_at) await confirm(existing, client).catch(() => undefined);
        return unconfirmedSignupAnswer(obfuscatedUser(normaliseEmail(email), data));
      }
      throw err;
    }
    await this.auditUser(client, 'auth.signup', 'success', user.id, confirm ? { confirmation: 'email' } : undefined);
    if (confirm) {
      await confirm(user, client).catch(() => undefined); // a refused mail (rate limit) still made the account
      return unconfirmedSignupAnswer(user);
    }
    return this.startSession(user, client, 'password');
  }

  /** POST /token?grant_type=password, behind the per-account and per-IP brute-force guard. */
  async signInWithPassword(email: string, password: string, client: ClientInfo): Promise<TokenResponse> {
    const account = normaliseEmail(email);
    try {
      await this.d.guard.assertAllowed(account, client.ip);
    } catch (err) {
      await this.auditUser(client, 'auth.login', 'failure', null, { reason: 'locked_out' });
      throw err;
    }
    const user = await this.findUserByEmail(account);
    const ok = await verifyPassword(user?.encrypted_password ?? null, password);
    if (!ok || !user) {
      const { accountLocked, ipLocked } = await this.d.guard.recordFailure(account, client.ip);
      await this.auditUser(client, 'auth.login', 'failure', user?.id ?? null, { reason: 'invalid_credentials' });
      if (accountLocked || ipLocked) {
        await this.auditUser(client, 'auth.lockout', 'success', user?.id ?? null, { account: accountLocked, ip: ipLocked });
      }
      throw gotrue.invalidCredentials();
    }
    if (user.disabled_at) {
      await this.auditUser(client, 'auth.login', 'failure', user.id, { reason: 'user_disabled' });
      throw gotrue.userBanned();
    }
    if (this.d.confirmSignup && !user.email_confirmed_at && !user.external_issuer) {
      await this.auditUser(client, 'auth.login', 'failure', user.id, { reason: 'email_not_confirmed' });
      throw gotrue.emailNotConfirmed();
    }
    await this.d.guard.recordSuccess(account);
    await this.auditUser(client, 'auth.login', 'success', user.id);
    return this.startSession(user, client, 'password');
  }

  /** POST /token?grant_type=refresh_token. Rotates; a reused token revokes its whole session. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenResponse> {
    const outcome = await this.d.sessions.rotate(refreshToken);
    switch (outcome.kind) {
      case 'not_found':
        throw gotrue.refreshTokenNotFound();
      case 'session_revoked':
        throw gotrue.refreshTokenNotFound();
      case 'session_expired':
        throw gotrue.sessionExpired();
      case 'reused':
        if (outcome.newlyRevoked) {
          await this.d.cache.invalidateKey(`s:${outcome.sessionId}`);
          await this.audit(client, {
            action: 'auth.refresh_token_reuse',
            outcome: 'failure',
            actorId: outcome.userId,
            targetType: 'session',
            targetId: outcome.sessionId,
            details: { session_revoked: true },
          });
        }
        throw gotrue.refreshTokenAlreadyUsed();
      case 'rotated': {
        const user = await this.userById(outcome.userId);
        if (!user) throw gotrue.refreshTokenNotFound();
        if (user.disabled_at) throw gotrue.userBanned();
        return this.tokenResponse(user, outcome.sessionId, outcome.refreshToken, 'password', Math.floor(outcome.createdAt.getTime() / 1000));
      }
    }
  }

  /** PUT /user: email, password and `data` (merged into user_metadata; a null value removes a key). */
  async updateUser(userId: string, sessionId: string, changes: UserChanges, client: ClientInfo): Promise<UserRow> {
    const user = await this.userById(userId);
    if (!user) throw gotrue.userNotFound();
    const set: Record<string, unknown> = {};
    const changed: string[] = [];
    const email = changes.email !== undefined ? normaliseEmail(changes.email) : undefined;
    if (email !== undefined && email !== user.email) {
      const other = await this.findUserByEmail(email);
      if (other && other.id !== user.id) throw gotrue.emailExists();
      set.email = email;
      changed.push('email');
    }
    if (changes.password !== undefined) {
      assertPasswordPolicy(changes.password, email ?? user.email, this.d.passwordMinLength);
      if (user.encrypted_password && (await verifyPassword(user.encrypted_password, changes.password))) throw gotrue.samePassword();
      set.encrypted_password = await hashPassword(changes.password);
      changed.push('password');
    }
    if (changes.data !== undefined) {
      const merged: Record<string, unknown> = { ...((user.user_metadata ?? {}) as Record<string, unknown>) };
      for (const [k, v] of Object.entries(changes.data)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      set.user_metadata = JSON.stringify(merged);
      changed.push('user_metadata');
    }
    if (!changed.length) return user;
    let updated: UserRow | undefined;
    try {
      updated = await this.d.db
        .updateTable('users')
        .set({ ...set, updated_at: sql<Date>`now()` })
        .where('id', '=', userId)
        .returningAll()
        .executeTakeFirst();
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw gotrue.emailExists();
      throw err;
    }
    if (!updated) throw gotrue.userNotFound();
    if (changed.includes('password')) {
      // As GoTrue does: a new password signs out every other session.
      await this.d.sessions.logout(userId, sessionId, 'others', 'password_changed');
    }
    await this.d.cache.invalidateUser(userId);
    await this.auditUser(client, 'auth.user_updated', 'success', userId, { fields: changed });
    return updated;
  }

  /** POST /logout?scope=global|local|others. */
  async logout(userId: string, sessionId: string, scope: LogoutScope, client: ClientInfo): Promise<void> {
    const revoked = await this.d.sessions.logout(userId, sessionId, scope);
    for (const id of revoked) await this.d.cache.invalidateKey(`s:${id}`);
    await this.audit(client, {
      action: 'auth.logout',
      outcome: 'success',
      actorId: userId,
      targetType: 'user',
      targetId: userId,
      details: { scope, sessions: revoked.length },
    });
  }
}

/** A user row that exists nowhere: what sign-up answers for a registered address under AUTH_EMAIL_CONFIRM. */
function obfuscatedUser(email: string, data: Record<string, unknown>): UserRow {
  const now = new Date();
  return {
    id: randomUUID(),
    email,
    encrypted_password: null,
    role: 'user',
    user_metadata: data,
    app_metadata: { provider: 'email', providers: ['email'], role: 'user' },
    external_issuer: null,
    external_subject: null,
    email_confirmed_at: null,
    last_sign_in_at: null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** GoTrue's sign-up answer without a session: the user, with when the confirmation was sent. */
function unconfirmedSignupAnswer(user: UserRow): Record<string, unknown> {
  return { ...gotrueUser(user), confirmation_sent_at: new Date().toISOString() };
}
