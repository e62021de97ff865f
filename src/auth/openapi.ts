import { z } from 'zod';
import { errorResponse, jsonBody, jsonResponse, type OpenApiPaths } from '../gateway/index.js';
import { apiKeyView, createApiKeyBody } from './api-keys.js';
import { listUsersQuery, patchUserBody } from './admin-users.js';
import { ownSessionView } from './own-sessions.js';
import { passwordGrantBody, recoverBody, refreshGrantBody, signupBody, updateUserBody, verifyBody } from './gotrue-routes.js';

const gotrueError = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        description: 'GoTrue error shape (supabase-js reads `code`/`error_code` as AuthApiError.code)',
        properties: {
          code: { type: 'string' },
          error_code: { type: 'string' },
          msg: { type: 'string' },
          message: { type: 'string' },
          weak_password: { type: 'object', properties: { reasons: { type: 'array', items: { type: 'string' } } } },
        },
        required: ['code', 'error_code', 'msg'],
      },
    },
  },
});

const gotrueUserSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    aud: { type: 'string' },
    role: { type: 'string' },
    email: { type: 'string' },
    app_metadata: { type: 'object' },
    user_metadata: { type: 'object' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
};

const tokenResponse = {
  type: 'object',
  properties: {
    access_token: { type: 'string', description: 'ES256 JWT; verify with /auth/v1/.well-known/jwks.json' },
    token_type: { type: 'string', enum: ['bearer'] },
    expires_in: { type: 'integer' },
    expires_at: { type: 'integer' },
    refresh_token: { type: 'string', description: 'Opaque; single use (rotates)' },
    user: gotrueUserSchema,
  },
};

const adminUserSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: ['string', 'null'] },
    role: { type: 'string', enum: ['user', 'admin'] },
    disabled: { type: 'boolean' },
    disabled_at: { type: ['string', 'null'] },
    plan: { type: ['string', 'null'], description: "The user's plan (docs/billing.md); in the answer to a PATCH that set it" },
    external_issuer: { type: ['string', 'null'] },
    last_sign_in_at: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
  required: ['id', 'email', 'role', 'disabled', 'disabled_at', 'last_sign_in_at', 'created_at'],
};

const publicRoute: Array<Record<string, string[]>> = [];
const apikeyHeader = { name: 'apikey', in: 'header', required: false, schema: { type: 'string' }, description: 'Must equal AUTH_PUBLISHABLE_KEY when that is set' };
const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: `${what} ID` });

/** Every route the Auth Service serves (`/auth/v1`, `/v1/api-keys`, `/v1/admin/users`). */
export const authOpenApi: OpenApiPaths = {
  '/auth/v1/signup': {
    post: {
      summary: 'Create an account and return a session (with AUTH_EMAIL_CONFIRM: the user without a session, and a confirmation mail)',
      tags: ['auth'],
      operationId: 'authSignup',
      security: publicRoute,
      parameters: [apikeyHeader],
      requestBody: jsonBody(signupBody),
      responses: {
        '200': jsonResponse('Session and user; or, with AUTH_EMAIL_CONFIRM, the user alone', { oneOf: [tokenResponse, gotrueUserSchema] }),
        '400': gotrueError('validation_failed'),
        '422': gotrueError('weak_password, user_already_exists or signup_disabled'),
      },
    },
  },
  '/auth/v1/recover': {
    post: {
      summary: 'Mail a one-time password recovery link',
      description:
        'Answers `{}` for every well-formed address, registered or not. The link (to `redirect_to` when it is on PUBLIC_URL\'s origin, else `/reset-password`) carries `#token_hash=…&type=recovery`; POST /auth/v1/verify trades it for a session.',
      tags: ['auth'],
      operationId: 'authRecover',
      security: publicRoute,
      parameters: [apikeyHeader, { name: 'redirect_to', in: 'query', required: false, schema: { type: 'string' } }],
      requestBody: jsonBody(recoverBody),
      responses: {
        '200': jsonResponse('Accepted (the same answer for unknown addresses)', { type: 'object' }),
        '400': gotrueError('validation_failed'),
        '429': gotrueError('over_email_send_rate_limit; Retry-After says when to retry'),
      },
    },
  },
  '/auth/v1/verify': {
    post: {
      summary: 'Use a mailed link (recovery or sign-up confirmation) once and get a session',
      tags: ['auth'],
      operationId: 'authVerify',
      security: publicRoute,
      parameters: [apikeyHeader],
      requestBody: jsonBody(verifyBody),
      responses: {
        '200': jsonResponse('Session and user', tokenResponse),
        '400': gotrueError('validation_failed, user_banned'),
        '403': gotrueError('otp_expired: the link is unknown, used or expired'),
      },
    },
  },
  '/auth/v1/token': {
    post: {
      summary: 'Sign in (grant_type=password) or rotate a refresh token (grant_type=refresh_token)',
      tags: ['auth'],
      operationId: 'authToken',
      security: publicRoute,
      parameters: [
        apikeyHeader,
        { name: 'grant_type', in: 'query', required: true, schema: { type: 'string', enum: ['password', 'refresh_token'] } },
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { oneOf: [z.toJSONSchema(passwordGrantBody, { io: 'input', unrepresentable: 'any' }), z.toJSONSchema(refreshGrantBody, { io: 'input' })] } } },
      },
      responses: {
        '200': jsonResponse('Session and user', tokenResponse),
        '400': gotrueError('invalid_credentials, email_not_confirmed, refresh_token_not_found, refresh_token_already_used, session_expired, user_banned, validation_failed'),
        '429': gotrueError('over_request_rate_limit (brute-force lockout); Retry-After says when to retry'),
      },
    },
  },
  '/auth/v1/user': {
    get: {
      summary: 'The signed-in user',
      tags: ['auth'],
      operationId: 'authGetUser',
      parameters: [apikeyHeader],
      responses: {
        '200': jsonResponse('User', gotrueUserSchema),
        '401': gotrueError('no_authorization'),
        '403': gotrueError('bad_jwt, session_not_found, user_banned'),
      },
    },
    put: {
      summary: 'Update email, password or user metadata (`data`, merged; null removes a key)',
      tags: ['auth'],
      operationId: 'authUpdateUser',
      parameters: [apikeyHeader],
      requestBody: jsonBody(updateUserBody),
      responses: {
        '200': jsonResponse('Updated user', gotrueUserSchema),
        '400': gotrueError('validation_failed (unknown fields such as app_metadata or role are refused)'),
        '401': gotrueError('no_authorization'),
        '403': gotrueError('bad_jwt, session_not_found'),
        '422': gotrueError('weak_password, same_password, email_exists'),
      },
    },
  },
  '/auth/v1/logout': {
    post: {
      summary: 'Revoke sessions: scope=global (all, default), local (this one) or others',
      tags: ['auth'],
      operationId: 'authLogout',
      parameters: [apikeyHeader, { name: 'scope', in: 'query', required: false, schema: { type: 'string', enum: ['global', 'local', 'others'] } }],
      responses: {
        '204': { description: 'Signed out' },
        '401': gotrueError('no_authorization'),
        '403': gotrueError('bad_jwt, session_not_found'),
      },
    },
  },
  '/auth/v1/.well-known/jwks.json': {
    get: {
      summary: 'Public keys (ES256) that verify access tokens',
      tags: ['auth'],
      operationId: 'authJwks',
      security: publicRoute,
      responses: { '200': jsonResponse('JSON Web Key Set', { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } }) },
    },
  },
  '/v1/api-keys': {
    post: {
      summary: 'Create a personal API key; the key is in this response only',
      tags: ['api-keys'],
      operationId: 'createApiKey',
      requestBody: jsonBody(createApiKeyBody),
      responses: {
        '201': jsonResponse('Created; `key` (mcp_sk_...) is shown once', apiKeyView.extend({ key: z.string() })),
        '400': errorResponse('validation_failed'),
        '401': errorResponse('unauthorized / invalid_token'),
        '403': errorResponse('forbidden (a scoped key cannot widen its scope)'),
        '409': errorResponse('too_many_api_keys'),
      },
    },
    get: {
      summary: "The caller's active API keys (never the key itself)",
      tags: ['api-keys'],
      operationId: 'listApiKeys',
      responses: {
        '200': jsonResponse('Keys', z.object({ api_keys: z.array(apiKeyView) })),
        '401': errorResponse('unauthorized / invalid_token'),
      },
    },
  },
  '/v1/api-keys/{id}': {
    get: {
      summary: 'One of the caller’s API keys',
      tags: ['api-keys'],
      operationId: 'getApiKey',
      parameters: [idParam('API key')],
      responses: { '200': jsonResponse('Key', apiKeyView), '404': errorResponse('not_found (also for another user’s key)') },
    },
    delete: {
      summary: 'Revoke one of the caller’s API keys (effective at once)',
      tags: ['api-keys'],
      operationId: 'deleteApiKey',
      parameters: [idParam('API key')],
      responses: { '204': { description: 'Revoked' }, '404': errorResponse('not_found (also for another user’s key)') },
    },
  },
  '/v1/me/sessions': {
    get: {
      summary: "The caller's active sign-in sessions (browsers and devices), newest first",
      description:
        'Each session with the User-Agent and address it signed in from, when it was created, when its tokens were last refreshed (a session in use refreshes about once per access-token lifetime) and when it ends; `current` marks the session of this request. Revoked and expired sessions are left out. Signed-in sessions only (403 for API keys and OAuth tokens). To end them all: `POST /auth/v1/logout?scope=global`.',
      tags: ['account'],
      operationId: 'listOwnSessions',
      responses: {
        '200': jsonResponse('Sessions', z.object({ sessions: z.array(ownSessionView) })),
        '401': errorResponse('unauthorized / invalid_token'),
        '403': errorResponse('Called with an API key or OAuth token'),
      },
    },
  },
  '/v1/me/sessions/{id}': {
    delete: {
      summary: 'End one of the caller’s sessions (its refresh and access tokens stop working at once); audited as auth.logout',
      tags: ['account'],
      operationId: 'revokeOwnSession',
      parameters: [idParam('Session')],
      responses: {
        '204': { description: 'Ended' },
        '401': errorResponse('unauthorized / invalid_token'),
        '403': errorResponse('Called with an API key or OAuth token'),
        '404': errorResponse('not_found (also for another user’s session or one already ended)'),
      },
    },
  },
  '/v1/admin/users': {
    get: {
      summary: 'List users (admin): search by email, cursor pagination, ordered by creation',
      tags: ['admin'],
      operationId: 'adminListUsers',
      parameters: [
        { name: 'q', in: 'query', required: false, schema: z.toJSONSchema(listUsersQuery.shape.q, { io: 'input' }), description: 'Case-insensitive substring of the email, matched literally' },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: '`next_cursor` of the previous page' },
      ],
      responses: {
        '200': jsonResponse('A page of users', { type: 'object', properties: { users: { type: 'array', items: adminUserSchema }, next_cursor: { type: ['string', 'null'] } }, required: ['users', 'next_cursor'] }),
        '403': errorResponse('forbidden (not an admin)'),
      },
    },
  },
  '/v1/admin/users/{id}': {
    get: {
      summary: 'One user (admin)',
      tags: ['admin'],
      operationId: 'adminGetUser',
      parameters: [idParam('User')],
      responses: { '200': jsonResponse('User', adminUserSchema), '403': errorResponse('forbidden'), '404': errorResponse('not_found') },
    },
    patch: {
      summary: "Change a user's role, disable/enable them, or give them a plan (admin). Takes effect at once; audited.",
      tags: ['admin'],
      operationId: 'adminPatchUser',
      parameters: [idParam('User')],
      requestBody: jsonBody(patchUserBody),
      responses: {
        '200': jsonResponse('Updated user', adminUserSchema),
        '400': errorResponse('validation_failed'),
        '403': errorResponse('forbidden (not an admin)'),
        '404': errorResponse('not_found'),
        '409': errorResponse('last_admin'),
      },
    },
  },
  '/v1/admin/users/{id}/sessions': {
    delete: {
      summary: 'Sign a user out everywhere: revoke every session (admin). API keys are not touched. Audited.',
      tags: ['admin'],
      operationId: 'adminRevokeUserSessions',
      parameters: [idParam('User')],
      responses: {
        '200': jsonResponse('How many sessions were revoked', { type: 'object', properties: { revoked: { type: 'integer' } }, required: ['revoked'] }),
        '403': errorResponse('forbidden (not an admin)'),
        '404': errorResponse('not_found'),
      },
    },
  },
};
