import { Router, type Request } from 'express';
import { z } from 'zod';
import { ApiError, errors, errorResponse, jsonResponse, parseParams, type OpenApiPaths } from '../gateway/index.js';
import type { AuditAction, AuditSink } from '../logging/index.js';
import type { PlatformCatalog } from './catalog.js';
import type { ServiceDefinition } from './service-definition.js';
import { OAuthFlowError, oauthConfigOf, type UpstreamOAuth } from './upstream-oauth.js';

/** The callback path under /v1 that every provider redirects to; public (the state names the user). */
export const UPSTREAM_OAUTH_CALLBACK_PATH = '/services/oauth/callback';

export interface UpstreamOAuthRoutesOptions {
  catalog: PlatformCatalog;
  oauth: UpstreamOAuth;
  audit: AuditSink;
  /** The portal's services page: where the browser lands after a connection, and (`/oauth-refused` below it) after a refusal. */
  portalServicesUrl: string;
}

const idParams = z.object({ id: z.string().min(1).max(100) });

/** `GET /v1/services/{id}/oauth/start`, `DELETE /v1/services/{id}/oauth`, `GET /v1/services/oauth/callback`. */
export function upstreamOAuthRouter(opts: UpstreamOAuthRoutesOptions): Router {
  const { catalog, oauth, audit } = opts;
  const router = Router();

  const record = (req: Request, action: AuditAction, actorId: string, service: ServiceDefinition, outcome: 'success' | 'failure' = 'success', details: Record<string, unknown> = {}) =>
    audit
      .record({
        action,
        outcome,
        actorId,
        targetType: 'service',
        targetId: service.id,
        ip: req.ip ?? null,
        userAgent: req.get('user-agent') ?? null,
        requestId: String(req.id),
        details: { service: service.slug, ...details },
      })
      .catch((err: Error) => req.log?.error({ err: { message: err.message } }, 'audit event not recorded'));

  /** A service the caller may see that connects by OAuth; 404 otherwise. */
  const oauthService = async (req: Request) => {
    if (!req.principal) throw errors.unauthorized();
    const { id } = parseParams(idParams, req);
    const found = await catalog.registry.find(id);
    if (!found || !(await catalog.canSee(req.principal, found)) || !oauthConfigOf(found.definition)) throw errors.notFound('OAuth service');
    return { principal: req.principal, service: found.definition };
  };

  router.get('/v1/services/oauth/callback', async (req, res) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') params.set(k, v);
    try {
      const { userId, service } = await oauth.finish(params, async (id) => (await catalog.registry.find(id))?.definition);
      catalog.credentials.invalidate(userId);
      await record(req, 'upstream_oauth.connected', userId, service);
      res.redirect(303, `${opts.portalServicesUrl}?connected=${encodeURIComponent(service.slug)}`);
    } catch (err) {
      if (!(err instanceof OAuthFlowError)) throw err;
      // A person's browser gets the portal's page that says what went wrong and what to do; other clients the JSON 400.
      if (req.accepts(['application/json', 'text/html']) === 'text/html') {
        const why = new URLSearchParams({ reason: err.reason, ...(err.providerError ? { provider_error: err.providerError } : {}) });
        res.redirect(303, `${opts.portalServicesUrl}/oauth-refused?${why.toString()}`);
        return;
      }
      throw new ApiError(400, 'oauth_callback_refused', err.message);
    }
  });

  router.get('/v1/services/:id/oauth/start', async (req, res) => {
    const { principal, service } = await oauthService(req);
    try {
      const { authorizationUrl, expiresIn } = await oauth.start(principal.userId, service);
      res.json({ authorization_url: authorizationUrl, expires_in: expiresIn });
    } catch (err) {
      if (err instanceof OAuthFlowError) throw errors.badRequest(err.message);
      req.log?.warn({ 'service.slug': service.slug, err: { message: (err as Error).message } }, 'upstream OAuth start failed');
      throw new ApiError(503, 'oauth_provider_unavailable', `The OAuth provider of service "${service.slug}" is not available`);
    }
  });

  router.delete('/v1/services/:id/oauth', async (req, res) => {
    const { principal, service } = await oauthService(req);
    const { deleted, revoked } = await oauth.disconnect(principal.userId, service);
    if (!deleted) throw errors.notFound('OAuth connection');
    catalog.credentials.invalidate(principal.userId);
    await record(req, 'upstream_oauth.disconnected', principal.userId, service, 'success', { revoked });
    res.status(204).end();
  });

  return router;
}

const idParam = { name: 'id', in: 'path', required: true, description: 'Service slug or UUID', schema: { type: 'string', maxLength: 100 } };

export const upstreamOAuthOpenApi: OpenApiPaths = {
  '/v1/services/{id}/oauth/start': {
    get: {
      summary: "Start connecting a service to the caller's account at its OAuth provider",
      description: 'Answers the provider authorization URL (code flow, PKCE S256, a single-use state bound to the caller, valid `expires_in` seconds). Open it in a browser; the provider redirects to `/v1/services/oauth/callback`.',
      tags: ['services'],
      operationId: 'startServiceOAuth',
      parameters: [idParam],
      responses: {
        '200': jsonResponse('The authorization URL', z.object({ authorization_url: z.string(), expires_in: z.number().int() })),
        '401': errorResponse('Not authenticated'),
        '404': errorResponse('No such service, or it does not connect by OAuth'),
        '503': errorResponse('The provider cannot be reached or its client is not configured'),
      },
    },
  },
  '/v1/services/{id}/oauth': {
    delete: {
      summary: 'Disconnect the service: revoke the tokens at the provider (RFC 7009) and delete them',
      tags: ['services'],
      operationId: 'disconnectServiceOAuth',
      parameters: [idParam],
      responses: { '204': { description: 'Disconnected' }, '401': errorResponse('Not authenticated'), '404': errorResponse('No such service or connection') },
    },
  },
  '/v1/services/oauth/callback': {
    get: {
      summary: 'Where the OAuth provider sends the browser back (public: the state names the user)',
      tags: ['services'],
      operationId: 'serviceOAuthCallback',
      security: [],
      parameters: [
        { name: 'state', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'code', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '303': { description: "Connected: redirect to the portal's services page (`?connected=<slug>`); or, for a browser, refused: redirect to the portal's page that explains why" },
        '400': errorResponse('Unknown, reused or expired state, or the provider refused (a browser navigation, `Accept: text/html`, is sent instead with 303 to the portal\'s `/services/oauth-refused?reason=<no_state|unknown_state|expired|service_unavailable|provider_refused|code_refused>[&provider_error=<code>]`, a page that explains it)'),
      },
    },
  },
};
