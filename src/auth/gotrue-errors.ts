import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '../gateway/index.js';

/**
 * Errors in the shape Supabase Auth (GoTrue) sends, so that supabase-js turns them into
 * `AuthApiError`s with the right `code`. GoTrue answers clients that send
 * `X-Supabase-Api-Version: 2024-01-01` with `{ code: "<error_code>", message }`, older ones with
 * `{ code: <status>, error_code, msg }`. We always send the versioned header and include
 * `error_code` and `msg` as well, which every auth-js version understands.
 */
export const API_VERSION = '2024-01-01';

export class GoTrueError extends Error {
  override name = 'GoTrueError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const gotrue = {
  validation: (message: string) => new GoTrueError(400, 'validation_failed', message),
  badJson: () => new GoTrueError(400, 'bad_json', 'Could not parse request body as JSON'),
  notJson: (message: string) => new GoTrueError(415, 'bad_json', message),
  invalidCredentials: () => new GoTrueError(400, 'invalid_credentials', 'Invalid login credentials'),
  weakPassword: (message: string, reasons: string[]) =>
    new GoTrueError(422, 'weak_password', message, { weak_password: { reasons, message } }),
  samePassword: () =>
    new GoTrueError(422, 'same_password', 'New password should be different from the old password.'),
  userAlreadyExists: () => new GoTrueError(422, 'user_already_exists', 'User already registered'),
  emailExists: () =>
    new GoTrueError(422, 'email_exists', 'A user with this email address has already been registered'),
  signupDisabled: () => new GoTrueError(422, 'signup_disabled', 'Signups not allowed for this instance'),
  userBanned: () => new GoTrueError(400, 'user_banned', 'User is banned'),
  noAuthorization: () =>
    new GoTrueError(401, 'no_authorization', 'This endpoint requires a valid Bearer token', {}, {
      'WWW-Authenticate': 'Bearer',
    }),
  badJwt: (message: string) =>
    new GoTrueError(403, 'bad_jwt', `invalid JWT: ${message}`, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
  sessionNotFound: () =>
    new GoTrueError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist', {}, {
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    }),
  userNotFound: () => new GoTrueError(403, 'user_not_found', 'User from sub claim in JWT does not exist'),
  refreshTokenNotFound: () =>
    new GoTrueError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found'),
  refreshTokenAlreadyUsed: () =>
    new GoTrueError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used'),
  sessionExpired: () => new GoTrueError(400, 'session_expired', 'Invalid Refresh Token: Session Expired'),
  unsupportedGrant: () =>
    new GoTrueError(400, 'unsupported_grant_type', 'unsupported_grant_type: use password or refresh_token'),
  overEmailSendRateLimit: (retryAfterSeconds: number) =>
    new GoTrueError(
      429,
      'over_email_send_rate_limit',
      `For security purposes, you can only request this after ${retryAfterSeconds} seconds.`,
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  otpExpired: () => new GoTrueError(403, 'otp_expired', 'Email link is invalid or has expired'),
  emailNotConfirmed: () => new GoTrueError(400, 'email_not_confirmed', 'Email not confirmed'),
  invalidApiKey: () => new GoTrueError(401, 'invalid_api_key', 'Invalid API key'),
  rateLimited: (retryAfterSeconds: number, what = 'failed sign-in attempts') =>
    new GoTrueError(
      429,
      'over_request_rate_limit',
      `Too many ${what}; try again in ${retryAfterSeconds} seconds`,
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  unexpected: () => new GoTrueError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information'),
};

export function sendGoTrueError(res: Response, err: GoTrueError): void {
  res.setHeader('X-Supabase-Api-Version', API_VERSION);
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json({
    code: err.errorCode,
    error_code: err.errorCode,
    msg: err.message,
    message: err.message,
    ...err.extra,
  });
}

interface ParserError extends Error {
  type?: string;
}

/** Renders every error under /auth/v1 in GoTrue's shape (never a stack trace). */
export function gotrueErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let out: GoTrueError;
    if (err instanceof GoTrueError) out = err;
    else if (err instanceof ApiError) out = new GoTrueError(err.status, err.code, err.message, {}, err.headers ?? {});
    else if ((err as ParserError)?.type === 'entity.parse.failed') out = gotrue.badJson();
    else if ((err as ParserError)?.type === 'entity.too.large') out = new GoTrueError(413, 'validation_failed', 'Request body too large');
    else {
      (req.log ?? logger).error({ err }, 'unhandled error in auth route');
      out = gotrue.unexpected();
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendGoTrueError(res, out);
  };
}
