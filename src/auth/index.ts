import type { ErrorRequestHandler, Router } from 'express';
import type { CryptoKey, JSONWebKeySet } from 'jose';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { PlatformDatabase, Redis } from '../db/index.js';
import type { BearerVerifier } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import type { SealedColumn, Vault } from '../vault/index.js';
import { AccessTokens } from './access-tokens.js';
import { adminUsersRouter, type UserPlanAssigner } from './admin-users.js';
import { apiKeysRouter } from './api-keys.js';
import { bootstrapAdmin, generatePassword } from './bootstrap.js';
import { EmailFlows } from './email-flows.js';
import { AuthFlows } from './flows.js';
import { gotrueErrorHandler } from './gotrue-errors.js';
import { gotrueRouter } from './gotrue-routes.js';
import { LoginGuard } from './login-guard.js';
import { ownSessionsRouter } from './own-sessions.js';
import { createAuthMailer, type AuthMailer } from './mailer.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { RevocationCache } from './revocation-cache.js';
import { SessionStore } from './sessions.js';
import { sealedSigningKeys, SigningKeys } from './signing-keys.js';
import { normaliseEmail } from './users.js';
import { PlatformVerifier } from './verifier.js';

export { authOpenApi } from './openapi.js';
export { API_KEY_PREFIX } from './api-keys.js';
export type { UserPlanAssigner } from './admin-users.js';
export type { AuthMail, AuthMailer } from './mailer.js';
export { signingKeyContext } from './signing-keys.js';

export interface AuthServiceDeps {
  config: Config;
  database: PlatformDatabase;
  vault: Vault;
  redis: Redis | undefined;
  logger: Logger;
  audit: AuditSink;
  /** Sends the recovery and confirmation mails; defaults to SMTP (SMTP_*) or, without it, the log. */
  mailer?: AuthMailer;
  /** Where the one-time bootstrap credential is printed; defaults to stderr. */
  announce?: (text: string) => void;
  /** Users' plans for `PATCH /v1/admin/users/{id}` `{ "plan" }` (src/billing, through app.ts). */
  userPlans?: UserPlanAssigner;
}

export interface AuthService {
  /** GoTrue-compatible routes; mount at `/auth/v1` followed by `gotrueErrors`. */
  readonly gotrueRouter: Router;
  readonly gotrueErrors: ErrorRequestHandler;
  /** `/v1/api-keys` (behind `authenticate`). */
  readonly apiKeysRouter: Router;
  /** `/v1/me/sessions`: the caller's own sign-in sessions, listed and ended one by one (behind `authenticate`). */
  readonly ownSessionsRouter: Router;
  /** `/v1/admin/users` (behind `authenticate` + `requireRole('admin')`). */
  readonly adminUsersRouter: Router;
  /** What the gateway's `authenticate` uses. */
  readonly verifier: BearerVerifier;
  /** The ES256 keys, for the OAuth authorization server (src/oauth) to sign and check its tokens with. */
  readonly tokenKeys: {
    active(): { kid: string; privateKey: CryptoKey };
    publicKey(kid: string): Promise<CryptoKey | undefined>;
    /** The published public keys (what /auth/v1/.well-known/jwks.json serves). */
    jwks(): JSONWebKeySet;
  };
  /** Creates the first admin (ADMIN_EMAIL or a generated one-time credential). */
  bootstrap(): Promise<void>;
  /** CLI `create-admin`: makes `email` an admin (creating it); returns the generated password if none was given. */
  createAdmin(email: string, password?: string): Promise<{ userId: string; created: boolean; generatedPassword?: string }>;
  /** CLI `rotate-signing-key`: new active ES256 key; the old one stays published for verification. */
  rotateSigningKey(): Promise<{ retired: string | undefined; active: string }>;
  /** The sealed private signing keys, for the vault's key rotation (CLI `rotate-keys`). */
  readonly sealedSigningKeys: SealedColumn;
  close(): Promise<void>;
}

export async function createAuthService(deps: AuthServiceDeps): Promise<AuthService> {
  const { config, database, vault, redis, logger, audit } = deps;
  const db = database.db;
  const log = logger.child({ 'service.component': 'auth' });

  const keys = new SigningKeys(db, vault, (config.AUTH_ACCESS_TOKEN_TTL_SECONDS + config.AUTH_CLOCK_SKEW_SECONDS) * 1000);
  await keys.init();
  // Follow a key rotation made by another process (CLI or replica) within a minute.
  const keyRefresh = setInterval(() => {
    keys.refreshActive().catch((err: Error) => log.warn({ err: { message: err.message } }, 'signing key refresh failed'));
  }, 60_000);
  keyRefresh.unref();
  const cache = new RevocationCache(config.AUTH_REVOCATION_CACHE_TTL_MS, redis, config.REDIS_KEY_PREFIX, log);
  cache.start();
  const accessTokens = new AccessTokens(keys, config.AUTH_ISSUER, config.AUTH_ACCESS_TOKEN_TTL_SECONDS, config.AUTH_CLOCK_SKEW_SECONDS);
  const sessions = new SessionStore(db, config.AUTH_REFRESH_TOKEN_TTL_SECONDS);
  const guard = new LoginGuard(
    {
      maxFailuresPerAccount: config.AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerIp: config.AUTH_LOGIN_MAX_FAILURES_PER_IP,
      lockoutSeconds: config.AUTH_LOGIN_LOCKOUT_SECONDS,
      maxSignupsPerIpPerHour: config.AUTH_SIGNUPS_PER_IP_PER_HOUR,
      emailIntervalSeconds: config.AUTH_EMAIL_INTERVAL_SECONDS,
      maxEmailsPerIpPerHour: config.AUTH_EMAILS_PER_IP_PER_HOUR,
    },
    redis,
  );
  // Set once EmailFlows exists (it needs the flows); used only by sign-up under AUTH_EMAIL_CONFIRM.
  const confirmation: { flows?: EmailFlows } = {};
  const flows = new AuthFlows({
    db,
    sessions,
    accessTokens,
    guard,
    cache,
    audit,
    passwordMinLength: config.AUTH_PASSWORD_MIN_LENGTH,
    signupEnabled: config.AUTH_SIGNUP_ENABLED,
    confirmSignup: config.AUTH_EMAIL_CONFIRM ? (user, client) => confirmation.flows!.sendSignupConfirmation(user, client) : undefined,
  });
  const mailer: AuthMailer = deps.mailer ?? (await createAuthMailer(config, log));
  const emailFlows = new EmailFlows({
    db,
    flows,
    guard,
    mailer,
    audit,
    cache,
    logger: log,
    publicUrl: config.PUBLIC_URL,
    tokenTtlSeconds: config.AUTH_EMAIL_TOKEN_TTL_SECONDS,
  });
  confirmation.flows = emailFlows;
  const supabaseUrl = config.SUPABASE_URL?.replace(/\/+$/, '');
  const verifier = new PlatformVerifier({
    db,
    accessTokens,
    cache,
    ownIssuer: config.AUTH_ISSUER,
    clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    external: {
      issuer: supabaseUrl ? `${supabaseUrl}/auth/v1` : undefined,
      jwksUrl: supabaseUrl ? new URL(`${supabaseUrl}/auth/v1/.well-known/jwks.json`) : undefined,
      jwtSecret: config.SUPABASE_JWT_SECRET,
    },
  });

  return {
    gotrueRouter: gotrueRouter({ flows, email: emailFlows, verifier, keys, publishableKey: config.AUTH_PUBLISHABLE_KEY }),
    gotrueErrors: gotrueErrorHandler(log),
    apiKeysRouter: apiKeysRouter({ db, cache, audit }),
    ownSessionsRouter: ownSessionsRouter({ db, cache, audit }),
    adminUsersRouter: adminUsersRouter({ db, cache, audit, userPlans: deps.userPlans }),
    verifier,
    tokenKeys: { active: () => keys.signingKey, publicKey: (kid) => keys.publicKey(kid), jwks: () => keys.publicJwks },
    sealedSigningKeys: sealedSigningKeys(db),
    bootstrap: () =>
      bootstrapAdmin({
        db,
        flows,
        audit,
        logger: log,
        adminEmail: config.ADMIN_EMAIL,
        adminPassword: config.ADMIN_PASSWORD,
        announce: deps.announce ?? ((text) => process.stderr.write(`${text}\n`)),
      }),
    async createAdmin(email, password) {
      const generatedPassword = password === undefined ? generatePassword() : undefined;
      const existing = await flows.findUserByEmail(email);
      if (existing) {
        if (password !== undefined) assertPasswordPolicy(password, existing.email, config.AUTH_PASSWORD_MIN_LENGTH);
        const set = password !== undefined ? { encrypted_password: await hashPassword(password) } : {};
        await db
          .updateTable('users')
          .set({ role: 'admin', app_metadata: sql<string>`app_metadata || '{"role":"admin"}'::jsonb`, disabled_at: null, updated_at: new Date(), ...set }).where('id', '=', existing.id).execute();
        await cache.invalidateUser(existing.id);
        if (existing.role !== 'admin') {
          await audit.record({ action: 'admin.role_changed', outcome: 'success', actorId: null, targetType: 'user', targetId: existing.id, details: { from: existing.role, to: 'admin', source: 'cli' } });
        }
        return { userId: existing.id, created: false };
      }
      const user = await flows.createUser(normaliseEmail(email), password ?? generatedPassword ?? '', {}, 'admin');
      await audit.record({ action: 'admin.user_created', outcome: 'success', actorId: null, targetType: 'user', targetId: user.id, details: { source: 'cli' } });
      return { userId: user.id, created: true, ...(generatedPassword ? { generatedPassword } : {}) };
    },
    rotateSigningKey: () => keys.rotate(),
    close: async () => {
      clearInterval(keyRefresh);
      mailer.close();
      await cache.close();
    },
  };
}
