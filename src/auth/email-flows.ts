import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, EmailTokenPurpose } from '../db/index.js';
import type { AuditSink } from '../logging/index.js';
import type { AuthFlows, ClientInfo, TokenResponse } from './flows.js';
import { gotrue } from './gotrue-errors.js';
import type { LoginGuard } from './login-guard.js';
import type { AuthMailer } from './mailer.js';
import type { RevocationCache } from './revocation-cache.js';
import { sha256 } from './sessions.js';
import { normaliseEmail, type UserRow } from './users.js';

export interface EmailFlowDeps {
  db: Kysely<Database>;
  flows: AuthFlows;
  guard: LoginGuard;
  mailer: AuthMailer;
  audit: AuditSink;
  cache: RevocationCache;
  logger: Logger;
  /** PUBLIC_URL: the links point at the web app there; a `redirect_to` must be on this origin. */
  publicUrl: string;
  tokenTtlSeconds: number;
}

/** GoTrue's verification types we accept on POST /verify, and the token each one uses. */
export const VERIFY_TYPES = { recovery: 'recovery', signup: 'signup', email: 'signup' } as const satisfies Record<string, EmailTokenPurpose>;
export type VerifyType = keyof typeof VERIFY_TYPES;

const PAGES: Record<EmailTokenPurpose, string> = { recovery: '/reset-password', signup: '/confirm-email' };

/**
 * Password recovery and email confirmation by mailed link, as GoTrue does them: POST /recover
 * mails a one-time link, POST /verify trades its token for a session. The token (256 random bits)
 * travels in the link's fragment, so it is never sent to a server in a URL; only its sha256 is
 * stored, it works once, and it dies after AUTH_EMAIL_TOKEN_TTL_SECONDS.
 */
export class EmailFlows {
  private readonly origin: string;
  private readonly log: Logger;

  constructor(private readonly d: EmailFlowDeps) {
    this.origin = new URL(d.publicUrl).origin;
    this.log = d.logger.child({ 'service.component': 'auth.email' });
  }

  private audit(client: ClientInfo, action: 'auth.recovery_requested' | 'auth.email_verified', outcome: 'success' | 'failure', userId: string | null, details: Record<string, unknown>) {
    return this.d.audit.record({
      action,
      outcome,
      actorId: userId,
      targetType: 'user',
      targetId: userId,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 256) ?? null,
      ...(client.requestId ? { requestId: client.requestId } : {}),
      details,
    });
  }

  /** A same-origin `redirect_to` is kept (its fragment replaced); anything else falls back to the web app's page. */
  private linkBase(purpose: EmailTokenPurpose, redirectTo: string | undefined): string {
    if (redirectTo) {
      try {
        const url = new URL(redirectTo);
        if (url.origin === this.origin) {
          url.hash = '';
          return url.toString();
        }
      } catch {
        // not a URL: the default page
      }
    }
    return `${this.origin}${PAGES[purpose]}`;
  }

  /** A new token for the user; earlier unused tokens of the same purpose stop working. */
  private async issue(userId: string, purpose: EmailTokenPurpose): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.d.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('auth_email_tokens')
        .set({ used_at: sql<Date>`now()` })
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .execute();
      await trx
        .insertInto('auth_email_tokens')
        .values({ user_id: userId, purpose, token_hash: sha256(token), expires_at: new Date(Date.now() + this.d.tokenTtlSeconds * 1000) })
        .execute();
    });
    return token;
  }

  /** Sends in the background: the answer must not wait on SMTP (its timing would tell known addresses apart). */
  private deliver(to: string, purpose: EmailTokenPurpose, token: string, redirectTo: string | undefined): void {
    const link = `${this.linkBase(purpose, redirectTo)}#token_hash=${token}&type=${purpose}`;
    this.d.mailer.send({ to, kind: purpose, link, ttlMinutes: Math.round(this.d.tokenTtlSeconds / 60) }).catch((err: Error) => {
      this.log.error({ err: { message: err.message } }, `the ${purpose} mail could not be sent`);
    });
  }

  /** POST /recover: the same empty answer whether or not the address has an account. */
  async recover(email: string, redirectTo: string | undefined, client: ClientInfo): Promise<void> {
    const address = normaliseEmail(email);
    await this.d.guard.consumeEmail(address, client.ip);
    const user = await this.d.flows.findUserByEmail(address);
    if (!user || user.disabled_at || user.external_issuer) {
      await this.audit(client, 'auth.recovery_requested', 'failure', user?.id ?? null, { reason: user ? 'not_recoverable' : 'unknown_email' });
      return;
    }
    const token = await this.issue(user.id, 'recovery');
    await this.audit(client, 'auth.recovery_requested', 'success', user.id, {});
    this.deliver(user.email ?? address, 'recovery', token, redirectTo);
  }

  /** The confirmation mail of a new account (AUTH_EMAIL_CONFIRM), within the same mail budget. */
  async sendSignupConfirmation(user: UserRow, client: ClientInfo, redirectTo?: string): Promise<void> {
    const address = user.email ?? '';
    await this.d.guard.consumeEmail(address, client.ip);
    const token = await this.issue(user.id, 'signup');
    this.deliver(address, 'signup', token, redirectTo);
  }

  /** POST /verify with `token_hash`: uses the token once and starts a session. */
  async verify(type: VerifyType, token: string, client: ClientInfo): Promise<TokenResponse> {
    const purpose = VERIFY_TYPES[type];
    const used = await this.d.db
      .updateTable('auth_email_tokens')
      .set({ used_at: sql<Date>`now()` })
      .where('token_hash', '=', sha256(token))
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning('user_id')
      .executeTakeFirst();
    const user = used ? await this.d.flows.userById(used.user_id) : undefined;
    if (!user) {
      await this.audit(client, 'auth.email_verified', 'failure', null, { type: purpose, reason: 'invalid_or_expired' });
      throw gotrue.otpExpired();
    }
    if (user.disabled_at) {
      await this.audit(client, 'auth.email_verified', 'failure', user.id, { type: purpose, reason: 'user_disabled' });
      throw gotrue.userBanned();
    }
    // Following either link proves the address is theirs.
    const confirmed = user.email_confirmed_at
      ? user
      : await this.d.db
          .updateTable('users')
          .set({ email_confirmed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
          .where('id', '=', user.id)
          .returningAll()
          .executeTakeFirstOrThrow();
    if (confirmed !== user) await this.d.cache.invalidateUser(user.id);
    await this.audit(client, 'auth.email_verified', 'success', user.id, { type: purpose });
    return this.d.flows.startSession(confirmed, client, purpose === 'recovery' ? 'recovery' : 'otp');
  }
}
