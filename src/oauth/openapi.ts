import { z } from 'zod';
import { errorResponse, jsonBody, jsonResponse, type OpenApiPaths } from '../gateway/index.js';
import { consentDecisionBody, consentDetailsView } from './consent.js';
import { grantView } from './grants.js';

const oauthError = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } }, required: ['error'] },
    },
  },
});
const form = (properties: Record<string, unknown>, required: string[]) => ({
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties, required } } },
});
const str = (description: string) => ({ type: 'string', description });
const uidParam = { name: 'uid', in: 'path' as const, required: true, schema: { type: 'string' } };
const idParam = { name: 'id', in: 'path' as const, required: true, schema: { type: 'string' } };
const grantList = z.object({ grants: z.array(grantView) });
const metadata = (summary: string) => ({
  tags: ['oauth'],
  summary,
  security: [],
  responses: { '200': { description: 'Authorization server metadata (issuer = PUBLIC_URL)' } },
});

/** The authorization server (docs/oauth.md) and the "Connected apps" REST. */
export const oauthOpenApi: OpenApiPaths = {
  '/.well-known/oauth-authorization-server': { get: metadata('OAuth 2.0 Authorization Server Metadata (RFC 8414)') },
  '/.well-known/openid-configuration': { get: metadata('OpenID Connect discovery (same server, same metadata)') },
  '/oauth/authorize': {
    get: {
      tags: ['oauth'],
      summary: 'Authorization endpoint: code flow with PKCE S256 and a resource (RFC 8707) only',
      description:
        'Redirects to the consent page (/oauth/consent/{uid}), then back to the exact registered redirect_uri with code, state and iss (RFC 9207). Errors that cannot be sent to a verified redirect_uri are shown as a page, never redirected.',
      security: [],
      parameters: ['response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'resource', 'state', 'scope'].map((name) => ({
        name,
        in: 'query',
        required: !['state', 'scope'].includes(name),
        schema: { type: 'string' },
      })),
      responses: { '303': { description: 'To the consent page, or to the redirect_uri' }, '400': { description: 'An error page (HTML)' } },
    },
  },
  '/oauth/token': {
    post: {
      tags: ['oauth'],
      summary: 'Token endpoint: authorization_code (with code_verifier) and refresh_token (rotating)',
      security: [],
      requestBody: form(
        { grant_type: str('authorization_code | refresh_token'), code: str(''), code_verifier: str(''), redirect_uri: str(''), refresh_token: str(''), client_id: str(''), resource: str('the MCP resource') },
        ['grant_type', 'client_id'],
      ),
      responses: {
        '200': jsonResponse('Tokens: an ES256 JWT access token whose audience is the MCP resource, and a single-use refresh token'),
        '400': oauthError('invalid_grant, invalid_target, invalid_request …'),
      },
    },
  },
  '/oauth/register': {
    post: {
      tags: ['oauth'],
      summary: 'Dynamic Client Registration (RFC 7591); rate-limited per IP; off with OAUTH_DYNAMIC_REGISTRATION=false',
      security: [],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { redirect_uris: { type: 'array', items: { type: 'string' } }, client_name: { type: 'string' } }, required: ['redirect_uris'] } } } },
      responses: { '201': jsonResponse('The registered client (client_id; public clients: no secret)'), '400': oauthError('invalid_redirect_uri or invalid_client_metadata'), '429': errorResponse('Too many registrations from this address') },
    },
  },
  '/oauth/revoke': {
    post: {
      tags: ['oauth'],
      summary: 'Token revocation (RFC 7009): a refresh token revokes its whole grant',
      security: [],
      requestBody: form({ token: str(''), token_type_hint: str(''), client_id: str('') }, ['token', 'client_id']),
      responses: { '200': { description: 'Revoked (or unknown token)' }, '400': oauthError('Bad request') },
    },
  },
  '/oauth/jwks': {
    get: { tags: ['oauth'], summary: 'The platform ES256 keys that sign OAuth access tokens (same set as /auth/v1/.well-known/jwks.json)', security: [], responses: { '200': { description: 'JWKS' } } },
  },
  '/oauth/consent/{uid}/details': {
    get: {
      tags: ['oauth'],
      summary: 'Consent page: who asks, where the answer goes, what it gets (needs the interaction cookie of this browser)',
      parameters: [uidParam],
      responses: { '200': jsonResponse('Consent details with a CSRF token', consentDetailsView), '401': errorResponse('Not signed in'), '404': errorResponse('No such pending authorization in this browser') },
    },
  },
  '/oauth/consent/{uid}/decision': {
    post: {
      tags: ['oauth'],
      summary: 'Consent page: approve or deny (CSRF token required); answers where the browser goes next',
      parameters: [uidParam],
      requestBody: jsonBody(consentDecisionBody),
      responses: {
        '200': jsonResponse('Where to send the browser', z.object({ redirect_to: z.string() })),
        '401': errorResponse('Not signed in'),
        '403': errorResponse('CSRF token mismatch, or not a portal session'),
        '404': errorResponse('No such pending authorization in this browser'),
      },
    },
  },
  '/v1/oauth/grants': {
    get: { tags: ['oauth'], summary: 'Connected apps: the OAuth clients you gave access', responses: { '200': jsonResponse('Your grants', grantList), '401': errorResponse('Not signed in') } },
  },
  '/v1/oauth/grants/{id}': {
    delete: {
      tags: ['oauth'],
      summary: 'Disconnect an app: revokes the grant, its refresh tokens and its access tokens',
      parameters: [idParam],
      responses: { '204': { description: 'Revoked' }, '404': errorResponse('No such grant of yours') },
    },
  },
  '/v1/admin/oauth/grants': {
    get: {
      tags: ['oauth', 'admin'],
      summary: "Every user's OAuth grants (filter by user_id, client_id)",
      parameters: [
        { name: 'user_id', in: 'query', required: false, schema: { type: 'string', format: 'uuid' } },
        { name: 'client_id', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: { '200': jsonResponse('Grants', grantList), '403': errorResponse('Admins only') },
    },
  },
  '/v1/admin/oauth/grants/{id}': {
    delete: { tags: ['oauth', 'admin'], summary: "Revoke any user's grant", parameters: [idParam], responses: { '204': { description: 'Revoked' }, '404': errorResponse('No such grant') } },
  },
};
