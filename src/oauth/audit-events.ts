import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditAction, AuditSink } from '../logging/index.js';

/**
 * Every grant, refusal and revocation of the authorization server goes to the audit trail, from
 * oidc-provider's events. Details carry the client, the grant type, the resource and the OAuth
 * error code — never a code, token or secret.
 */
export function auditProviderEvents(provider: Provider, audit: AuditSink, log: Logger): void {
  const record = (ctx: KoaContextWithOIDC | undefined, action: AuditAction, outcome: 'success' | 'failure', details: Record<string, unknown>, actorId: string | null = null) => {
    const oidc = ctx?.oidc;
    const clientId = oidc?.client?.clientId ?? (typeof oidc?.params?.client_id === 'string' ? oidc.params.client_id : undefined);
    audit
      .record({
        action,
        outcome,
        actorId,
        targetType: 'oauth_client',
        targetId: clientId ?? null,
        ip: ctx?.ip ?? null,
        userAgent: ctx?.get('user-agent') || null,
        ...(ctx?.req && (ctx.req as { id?: unknown }).id !== undefined ? { requestId: String((ctx.req as { id?: unknown }).id) } : {}),
        details: Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)),
      })
      .catch((err: Error) => log.warn({ err: { message: err.message } }, 'oauth audit failed'));
  };
  const errorDetails = (err: unknown) => {
    const e = err as { error?: unknown; error_description?: unknown; message?: string };
    return { error: typeof e.error === 'string' ? e.error : 'server_error', error_description: typeof e.error_description === 'string' ? e.error_description : undefined };
  };
  const resourceOf = (ctx: KoaContextWithOIDC) => (typeof ctx.oidc?.params?.resource === 'string' ? ctx.oidc.params.resource : undefined);

  provider.on('authorization.success', (ctx: KoaContextWithOIDC) =>
    record(ctx, 'oauth.authorization', 'success', { resource: resourceOf(ctx) }, ctx.oidc.session?.accountId ?? null),
  );
  provider.on('authorization.error', (ctx: KoaContextWithOIDC, err: unknown) => record(ctx, 'oauth.authorization', 'failure', { ...errorDetails(err), resource: resourceOf(ctx) }));
  provider.on('grant.success', (ctx: KoaContextWithOIDC) =>
    record(ctx, 'oauth.token', 'success', { grant_type: ctx.oidc.params?.grant_type, resource: resourceOf(ctx) }, ctx.oidc.account?.accountId ?? null),
  );
  provider.on('grant.error', (ctx: KoaContextWithOIDC, err: unknown) => record(ctx, 'oauth.token', 'failure', { ...errorDetails(err), grant_type: ctx.oidc?.params?.grant_type }));
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => record(ctx, 'oauth.grant_revoked', 'success', { grant_id: grantId, route: ctx.oidc?.route }));
  provider.on('registration_create.success', (ctx: KoaContextWithOIDC) => record(ctx, 'oauth.client_registered', 'success', {}));
  provider.on('registration_create.error', (ctx: KoaContextWithOIDC, err: unknown) => record(ctx, 'oauth.client_registered', 'failure', errorDetails(err)));
  provider.on('revocation.error', (ctx: KoaContextWithOIDC, err: unknown) => record(ctx, 'oauth.token_revoked', 'failure', errorDetails(err)));
  provider.on('server_error', (_ctx: KoaContextWithOIDC, err: Error) => log.error({ err: { message: err.message, stack: err.stack } }, 'oauth server error'));
}
