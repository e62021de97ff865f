import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { bearerToken, CredentialRejected, unreadBody } from '../gateway/index.js';
import { VERIFY_TYPES, type EmailFlows, type VerifyType } from './email-flows.js';
import type { AuthFlows, ClientInfo } from './flows.js';
import { API_VERSION, gotrue, GoTrueError } from './gotrue-errors.js';
import { PASSWORD_MAX_LENGTH } from './passwords.js';
import type { SigningKeys } from './signing-keys.js';
import { gotrueUser } from './users.js';
import type { PlatformVerifier } from './verifier.js';

const METADATA_MAX_BYTES = 16 * 1024;

const email = z.string().trim().max(254).pipe(z.email({ message: 'Unable to validate email address: invalid format' }));
/** Sign-in only looks the address up, so any `local@domain` is accepted (e.g. admin@localhost). */
const loginEmail = z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+$/, 'Unable to validate email address: invalid format');
const password = z.string().min(1, 'Password is required').max(PASSWORD_MAX_LENGTH);
export const metadata = z
  .record(z.string().max(200), z.unknown())
  .refine((v) => Buffer.byteLength(JSON.stringify(v)) <= METADATA_MAX_BYTES, `user metadata must be at most ${METADATA_MAX_BYTES} bytes`);
/** Fields supabase-js always sends; accepted and ignored (no captcha or PKCE here). */
const clientExtras = {
  gotrue_meta_security: z.strictObject({ captcha_token: z.string().max(4096).nullish() }).nullish(),
  code_challenge: z.string().max(256).nullish(),
  code_challenge_method: z.string().max(16).nullish(),
};

export const signupBody = z.strictObject({ email, password, data: metadata.nullish(), ...clientExtras });
export const passwordGrantBody = z.strictObject({ email: loginEmail, password, gotrue_meta_security: clientExtras.gotrue_meta_security });
export const refreshGrantBody = z.strictObject({ refresh_token: z.string().min(1).max(512) });
export const updateUserBody = z.strictObject({
  email: email.optional(),
  password: password.optional(),
  data: metadata.optional(),
  nonce: z.string().max(64).nullish(),
  ...clientExtras,
});
export const recoverBody = z.strictObject({ email, ...clientExtras });
export const verifyBody = z.strictObject({
  type: z.enum(Object.keys(VERIFY_TYPES) as [VerifyType, ...VerifyType[]], { message: 'Unsupported verification type: use recovery, signup or email' }),
  token_hash: z.string().min(1, 'Verify requires a token_hash').max(256),
  gotrue_meta_security: clientExtras.gotrue_meta_security,
});
const redirectQuery = z.object({ redirect_to: z.string().max(2048).optional() });
const tokenQuery = z.object({ grant_type: z.enum(['password', 'refresh_token']) });
const logoutQuery = z.object({ scope: z.enum(['global', 'local', 'others']).default('global') });

function gparse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  if (issue?.code === 'unrecognized_keys') throw gotrue.validation(`Unknown field(s): ${issue.keys.join(', ')}`);
  throw gotrue.validation(`${where}${issue?.message ?? 'invalid request'}`);
}

const clientOf = (req: Request): ClientInfo => ({
  ip: req.ip ?? 'unknown',
  userAgent: req.get('user-agent'),
  requestId: String(req.id),
});

export interface GoTrueRoutesDeps {
  flows: AuthFlows;
  email: EmailFlows;
  verifier: PlatformVerifier;
  keys: SigningKeys;
  publishableKey?: string | undefined;
}

/** The Supabase Auth (GoTrue) compatible subset, mounted at /auth/v1. */
export function gotrueRouter({ flows, email: emailFlows, verifier, keys, publishableKey }: GoTrueRoutesDeps): Router {
  const router = Router();

  router.use((req, res, next) => {
    res.setHeader('X-Supabase-Api-Version', API_VERSION);
    res.setHeader('Cache-Control', 'no-store');
    const unread = unreadBody(req);
    if (unread) return next(gotrue.notJson(unread));
    next();
  });

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=600');
    res.json(keys.publicJwks);
  });

  if (publishableKey) {
    const expected = Buffer.from(publishableKey);
    router.use((req, _res, next) => {
      const given = Buffer.from(String(req.get('apikey') ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return next(gotrue.invalidApiKey());
      next();
    });
  }

  router.post('/signup', async (req, res) => {
    const body = gparse(signupBody, req.body);
    res.json(await flows.signUp(body.email, body.password, body.data ?? {}, clientOf(req)));
  });

  router.post('/token', async (req, res) => {
    const parsed = tokenQuery.safeParse({ grant_type: req.query.grant_type });
    if (!parsed.success) throw gotrue.unsupportedGrant();
    const { grant_type } = parsed.data;
    if (grant_type === 'password') {
      const body = gparse(passwordGrantBody, req.body);
      res.json(await flows.signInWithPassword(body.email, body.password, clientOf(req)));
    } else {
      const body = gparse(refreshGrantBody, req.body);
      res.json(await flows.refresh(body.refresh_token, clientOf(req)));
    }
  });

  // Password recovery: `{}` for every well-formed address, registered or not (docs/auth.md, "Email").
  router.post('/recover', async (req, res) => {
    const body = gparse(recoverBody, req.body);
    const { redirect_to } = gparse(redirectQuery, { redirect_to: typeof req.query.redirect_to === 'string' ? req.query.redirect_to : undefined });
    await emailFlows.recover(body.email, redirect_to, clientOf(req));
    res.json({});
  });

  // The mailed link's token for a session. GoTrue's 6-digit `token` + `email` form is not offered: links only.
  router.post('/verify', async (req, res) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    if (raw.token !== undefined && raw.token_hash === undefined) throw gotrue.validation('Only token_hash is accepted here: use the token_hash from the link in the mail');
    const body = gparse(verifyBody, req.body);
    res.json(await emailFlows.verify(body.type, body.token_hash, clientOf(req)));
  });

  /** Our own access token only (as GoTrue): API keys and external tokens are not sessions here. */
  const requireSession: RequestHandler = async (req, res, next) => {
    const token = bearerToken(req);
    if (!token) return next(gotrue.noAuthorization());
    try {
      const principal = await verifier.verifyOwn(token);
      req.principal = principal;
      res.locals.sessionId = principal.sessionId;
      next();
    } catch (err) {
      if (!(err instanceof CredentialRejected)) return next(err);
      if (err.reason === 'session_revoked' || err.reason === 'session_not_found') return next(gotrue.sessionNotFound());
      if (err.reason === 'user_disabled') return next(new GoTrueError(403, 'user_banned', 'User is banned'));
      next(gotrue.badJwt(err.message));
    }
  };

  router.get('/user', requireSession, async (req, res) => {
    const user = await flows.userById(req.principal?.userId ?? '');
    if (!user) throw gotrue.userNotFound();
    res.json(gotrueUser(user));
  });

  router.put('/user', requireSession, async (req, res) => {
    const body = gparse(updateUserBody, req.body);
    const user = await flows.updateUser(
      req.principal?.userId ?? '',
      String(res.locals.sessionId),
      { email: body.email, password: body.password, data: body.data },
      clientOf(req),
    );
    res.json(gotrueUser(user));
  });

  router.post('/logout', requireSession, async (req, res) => {
    const { scope } = gparse(logoutQuery, { scope: req.query.scope });
    await flows.logout(req.principal?.userId ?? '', String(res.locals.sessionId), scope, clientOf(req));
    res.status(204).end();
  });

  return router;
}
