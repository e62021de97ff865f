import type { Request, RequestHandler } from 'express';
import type { PlatformRole } from '../db/index.js';
import { ApiError, errors } from './errors.js';
import type { Principal } from './principal.js';

/**
 * Gateway authentication. The gateway knows only this interface; the Auth Service implements it
 * (JWTs of our own issuer, external Supabase JWTs, personal API keys), so gateway never imports auth.
 */
export interface VerifyContext {
  ip?: string | undefined;
  requestId?: string | undefined;
  /**
   * The MCP resource being called (`{PUBLIC_URL}/mcp` or `/mcp/{service}`), set by the MCP endpoint.
   * OAuth access tokens are accepted only where this equals their audience (RFC 8707); unset on /v1.
   */
  resource?: string | undefined;
}

export interface BearerVerifier {
  /** Resolves to the caller, or rejects with a `CredentialRejected` saying why. */
  verify(token: string, ctx: VerifyContext): Promise<Principal>;
}

/** Why a bearer credential was refused. `reason` is stable and safe to show. */
export type RejectionReason =
  | 'malformed'
  | 'bad_signature'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'session_revoked'
  | 'session_not_found'
  | 'user_disabled'
  | 'user_not_found'
  | 'api_key_invalid';

export class CredentialRejected extends Error {
  override name = 'CredentialRejected';
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}

/** The `Bearer` token of a request, or undefined when there is none. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return match?.[1];
}

export function invalidToken(message: string): ApiError {
  return new ApiError(401, 'invalid_token', message, undefined, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${message.replace(/["\\]/g, '')}"`,
  });
}

export interface AuthenticateOptions {
  /** Paths (relative to the mount point) served without a credential, e.g. `/openapi.json`. */
  publicPaths?: string[];
}

/**
 * Requires `Authorization: Bearer <JWT or API key>` and sets `req.principal`. Errors are the
 * platform's JSON shape with `WWW-Authenticate: Bearer` (RFC 6750).
 */
export function authenticate(verifier: BearerVerifier, opts: AuthenticateOptions = {}): RequestHandler {
  const publicPaths = new Set(opts.publicPaths ?? []);
  return async (req, _res, next) => {
    if (publicPaths.has(req.path)) return next();
    const token = bearerToken(req);
    if (!token) {
      return next(
        req.headers.authorization
          ? invalidToken('The Authorization header must be "Bearer <token>"')
          : errors.unauthorized('Send a Bearer token (access token or API key)'),
      );
    }
    try {
      req.principal = await verifier.verify(token, { ip: req.ip, requestId: String(req.id) });
      next();
    } catch (err) {
      if (err instanceof CredentialRejected) return next(invalidToken(err.message));
      next(err);
    }
  };
}

/** Allows the request only when the authenticated principal has one of the roles. */
export function requireRole(...roles: PlatformRole[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal) return next(errors.unauthorized());
    if (!roles.includes(req.principal.role)) return next(errors.forbidden(`This needs the ${roles.join(' or ')} role`));
    next();
  };
}
