import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { Database } from '../db/index.js';
import { bearerToken, CredentialRejected, errors, parseBody, type BearerVerifier, type Principal } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import { MCP_SCOPE } from './mcp-resources.js';

export const consentDecisionBody = z.strictObject({
  approve: z.boolean(),
  csrf_token: z.string().min(1).max(200),
});

export interface ConsentDeps {
  /** oidc-provider, loaded on first use (index.ts). */
  provider: () => Promise<Provider>;
  db: Kysely<Database>;
  /** The Auth Service's verifier: the portal user's own access token (never an API key or OAuth token). */
  verifier: BearerVerifier;
  audit: AuditSink;
  /** Secret for the CSRF tokens (the provider's cookie key). */
  csrfSecret: string;
}

/** What the consent page shows: who asks, where the answer goes, what it gets. */
export const consentDetailsView = z.object({
  uid: z.string(),
  client: z.object({
    client_id: z.string(),
    client_name: z.string().nullable(),
    client_uri: z.string().nullable(),
    logo_uri: z.string().nullable(),
    /** The client_id is the URL of its Client ID Metadata Document. */
    metadata_document: z.boolean(),
  }),
  redirect_uri: z.string(),
  redirect_host: z.string(),
  resource: z.string(),
  scopes: z.array(z.string()),
  /** The user already approved this client for this resource: the page may continue without asking. */
  remembered: z.boolean(),
  csrf_token: z.string(),
});
export type ConsentDetails = z.infer<typeof consentDetailsView>;

/**
 * The consent step of /oauth/authorize, as a JSON API for the web app's consent page
 * (`/oauth/consent/{uid}`, web/src/features/oauth). Both routes sit under the page's path, so the
 * browser sends oidc-provider's interaction cookie: the decision binds to the browser that started
 * the flow. The caller is the signed-in portal user (Bearer access token); the decision also carries
 * a CSRF token bound to the interaction and the user.
 */
export function consentRouter(deps: ConsentDeps): Router {
  const { audit } = deps;
  const router = Router();
  const csrfFor = (uid: string, userId: string) => createHmac('sha256', deps.csrfSecret).update(`oauth-consent\0${uid}\0${userId}`).digest('base64url');

  const portalUser = async (req: Request): Promise<Principal> => {
    const token = bearerToken(req);
    if (!token) throw errors.unauthorized('Sign in to the portal first: send your access token as Bearer');
    let principal: Principal;
    try {
      principal = await deps.verifier.verify(token, { ip: req.ip, requestId: String(req.id) });
    } catch (err) {
      if (err instanceof CredentialRejected) throw errors.unauthorized(err.message, 'invalid_token');
      throw err;
    }
    if (principal.via === 'api_key' || principal.via === 'oauth') throw errors.forbidden('Consent is given by a signed-in user, not with an API key or OAuth token');
    return principal;
  };

  const interaction = async (req: Request, res: Response) => {
    let details;
    try {
      details = await (await deps.provider()).interactionDetails(req, res);
    } catch {
      throw errors.notFound('Authorization request (it expired, was finished, or was started in another browser)');
    }
    if (details.uid !== req.params.uid) throw errors.notFound('Authorization request');
    return details;
  };

  router.get('/oauth/consent/:uid/details', async (req, res) => {
    const user = await portalUser(req);
    const details = await interaction(req, res);
    const clientId = String(details.params.client_id);
    const client = await (await deps.provider()).Client.find(clientId);
    if (!client) throw errors.notFound('OAuth client');
    const resource = String(details.params.resource ?? '');
    const redirectUri = String(details.params.redirect_uri ?? '');
    const body: ConsentDetails = {
      uid: details.uid,
      client: {
        client_id: clientId,
        client_name: typeof client.clientName === 'string' ? client.clientName : null,
        client_uri: typeof client.clientUri === 'string' ? client.clientUri : null,
        logo_uri: typeof client.logoUri === 'string' ? client.logoUri : null,
        metadata_document: clientId.startsWith('https://'),
      },
      redirect_uri: redirectUri,
      redirect_host: URL.parse(redirectUri)?.host ?? '',
      resource,
      scopes: requestedScopes(details.params.scope),
      remembered: Boolean(await rememberedGrant(deps.db, user.userId, clientId, resource)),
      csrf_token: csrfFor(details.uid, user.userId),
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });

  router.post('/oauth/consent/:uid/decision', async (req, res) => {
    const user = await portalUser(req);
    const body = parseBody(consentDecisionBody, req);
    const details = await interaction(req, res);
    const expected = Buffer.from(csrfFor(details.uid, user.userId));
    const given = Buffer.from(body.csrf_token);
    const clientId = String(details.params.client_id);
    const resource = String(details.params.resource ?? '');
    const auditBase = { actorId: user.userId, targetType: 'oauth_client', targetId: clientId, ip: req.ip ?? null, requestId: String(req.id) };
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await audit.record({ action: 'oauth.consent', outcome: 'failure', ...auditBase, details: { reason: 'csrf_token_mismatch', resource } });
      throw errors.forbidden('The consent form is stale or forged (CSRF token mismatch); reload the page');
    }
    const provider = await deps.provider();
    let redirectTo: string;
    if (!body.approve) {
      redirectTo = await provider.interactionResult(req, res, { error: 'access_denied', error_description: 'The user denied the request' }, { mergeWithLastSubmission: false });
      await audit.record({ action: 'oauth.consent', outcome: 'failure', ...auditBase, details: { reason: 'denied', resource } });
    } else {
      const existing = await rememberedGrant(deps.db, user.userId, clientId, undefined);
      const grant = (existing ? await provider.Grant.find(existing) : undefined) ?? new provider.Grant({ accountId: user.userId, clientId });
      const oidcScopes = requestedScopes(details.params.scope).filter((s) => s === 'openid' || s === 'offline_access' || s === MCP_SCOPE);
      if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
      grant.addResourceScope(resource, MCP_SCOPE);
      const grantId = await grant.save();
      redirectTo = await provider.interactionResult(req, res, { login: { accountId: user.userId }, consent: { grantId } }, { mergeWithLastSubmission: false });
      await audit.record({ action: 'oauth.consent', outcome: 'success', ...auditBase, details: { resource, grant_id: grantId, remembered: Boolean(existing) } });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ redirect_to: redirectTo });
  });

  return router;
}

function requestedScopes(scope: unknown): string[] {
  return typeof scope === 'string' ? [...new Set(scope.split(' ').filter(Boolean))] : [];
}

/** The user's live grant to this client (covering `resource`, when given), if any. */
async function rememberedGrant(db: Kysely<Database>, userId: string, clientId: string, resource: string | undefined): Promise<string | undefined> {
  const rows = await db
    .selectFrom('oauth_payloads')
    .select(['id', 'payload'])
    .where('model', '=', 'Grant')
    .where('account_id', '=', userId)
    .where('client_id', '=', clientId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
    .orderBy('created_at', 'desc')
    .execute();
  const match = rows.find((r) => resource === undefined || Object.hasOwn((r.payload as { resources?: Record<string, string> }).resources ?? {}, resource));
  return match?.id;
}
