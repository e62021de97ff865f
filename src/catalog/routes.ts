import { Router, type Request } from 'express';
import { z } from 'zod';
import { ApiError, errors, parse, parseBody, parseParams, refuseAtRegistration, type EgressGuard, type Principal } from '../gateway/index.js';
import type { AuditAction, AuditSink } from '../logging/index.js';
import { PlatformCatalog } from './catalog.js';
import {
  OPERATIONAL_FIELDS,
  serviceInputSchema,
  servicePatchSchema,
  storedConfig,
  type ServiceInput,
} from './definition.js';
import { isUuid, type ServiceRecord } from './registry.js';
import { toolAllowed, type ResolvedService } from './service-definition.js';
import { credentialBodySchema, toAdminView, toCredentialsView, toServiceView } from './views.js';

export interface CatalogRoutesOptions {
  catalog: PlatformCatalog;
  audit: AuditSink;
  builtinNames: ReadonlySet<string>;
  /** Checks instance URLs at registration ('instance' policy); without it they are not checked here. */
  egress?: Pick<EgressGuard, 'check'>;
  /**
   * Admin guard. Until the auth component's `requireRole('admin')` is mounted, the local guard
   * checks `req.principal.role` itself.
   */
  requireAdmin?: (req: Request) => Principal;
  /**
   * Lists a service's live tools, connecting to it as `caller` (app.ts: through the MCP Router's
   * upstream connector; the catalog knows nothing of routing). Without it `GET
   * /v1/admin/services/{id}/tools` answers 501.
   */
  listTools?: (caller: Principal, service: ResolvedService) => Promise<UpstreamToolSummary[]>;
}

/** One tool as an upstream lists it (the part an admin needs to write a tool policy). */
export interface UpstreamToolSummary {
  name: string;
  title?: string;
  description?: string;
}

const idParams = z.object({ id: z.string().min(1).max(100) });
const instanceParams = z.strictObject({ id: z.string().min(1).max(100), instanceId: z.string().min(1).max(100) });
const instanceBody = z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2000) });

/** The caller, as authenticated by the gateway; 401 when the route was reached without one. */
function principalOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}

function localRequireAdmin(req: Request): Principal {
  const p = principalOf(req);
  if (p.role !== 'admin') throw errors.forbidden('This route needs the admin role');
  return p;
}

/**
 * A marketplace listing's service (`install_required`) changes only by review (docs/marketplace.md):
 * its definition is the approved listing version's. An admin keeps the operational levers.
 */
function listingManaged(slug: string, what: string): ApiError {
  return new ApiError(
    409,
    'listing_managed',
    `Service ${slug} is the live version of marketplace listing "${slug}"; ${what} change only by review: the provider submits a new version (POST /v1/marketplace/provider/listings/{id}/versions) and an admin approves it (an admin may change ${OPERATIONAL_FIELDS.join(', ')})`,
  );
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || /duplicate key value/.test(e?.message ?? '');
}

/** `GET /v1/services…` and `…/credentials` for the signed-in user, plus the admin registry routes. */
export function catalogRouter(opts: CatalogRoutesOptions): Router {
  const { catalog, audit } = opts;
  const { registry, credentials } = catalog;
  const requireAdmin = opts.requireAdmin ?? localRequireAdmin;
  const router = Router();

  const record = async (req: Request, event: { action: AuditAction; actor: Principal; target: ServiceRecord | string; details?: Record<string, unknown> }) => {
    const targetId = typeof event.target === 'string' ? event.target : event.target.definition.id;
    const slug = typeof event.target === 'string' ? undefined : event.target.definition.slug;
    await audit
      .record({
        action: event.action,
        outcome: 'success',
        actorId: event.actor.userId,
        targetType: 'service',
        targetId,
        ip: req.ip ?? null,
        userAgent: req.get('user-agent') ?? null,
        requestId: String(req.id),
        details: { ...(slug ? { service: slug } : {}), ...event.details },
      })
      .catch((err: Error) => req.log?.error({ err: { message: err.message } }, 'audit event not recorded'));
  };

  /** A service the caller may see, by slug or id; 404 for anything else (never "forbidden"). */
  const visibleService = async (req: Request, principal: Principal): Promise<ServiceRecord> => {
    const { id } = parseParams(idParams, req);
    const found = await registry.find(id);
    if (!found || !(await catalog.canSee(principal, found))) throw errors.notFound('Service');
    return found;
  };

  // ---- user routes --------------------------------------------------------------------------
  router.get('/v1/services', async (req, res) => {
    const principal = principalOf(req);
    parse(z.strictObject({}), req.query);
    const [visible, creds] = await Promise.all([catalog.visible(principal), credentials.forUser(principal.userId)]);
    const usable = visible.filter((r) => !r.problem);
    const oauth = await Promise.all(usable.map((r) => catalog.oauthConnected(principal.userId, r.definition)));
    res.json({
      services: usable.map((r, i) => {
        const c = creds.get(r.definition.id);
        return toServiceView(r, c, PlatformCatalog.hasRequired(r, c) && oauth[i] !== false, oauth[i]);
      }),
    });
  });

  router.get('/v1/services/:id', async (req, res) => {
    const principal = principalOf(req);
    const service = await visibleService(req, principal);
    const [c, oauth] = await Promise.all([credentials.get(principal.userId, service.definition.id), catalog.oauthConnected(principal.userId, service.definition)]);
    res.json(toServiceView(service, c, PlatformCatalog.hasRequired(service, c) && oauth !== false, oauth));
  });

  router.put('/v1/services/:id/credentials', async (req, res) => {
    const principal = principalOf(req);
    const service = await visibleService(req, principal);
    if (service.definition.credentialSchema.length === 0) {
      throw errors.badRequest(`Service ${service.definition.slug} takes no credentials`);
    }
    const body = parseBody(credentialBodySchema(service), req);
    const values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const outcome = await credentials.put(principal.userId, service.definition.id, values);
    await record(req, {
      action: outcome === 'stored' ? 'credential.stored' : 'credential.replaced',
      actor: principal,
      target: service,
      details: { fields: Object.keys(values) },
    });
    const updatedAt = await credentials.updatedAt(principal.userId, service.definition.id);
    res.status(outcome === 'stored' ? 201 : 200).json(toCredentialsView(service, values, updatedAt));
  });

  router.get('/v1/services/:id/credentials', async (req, res) => {
    const principal = principalOf(req);
    const service = await visibleService(req, principal);
    const c = await credentials.get(principal.userId, service.definition.id);
    if (!c) throw errors.notFound('Credentials');
    res.json(toCredentialsView(service, c, await credentials.updatedAt(principal.userId, service.definition.id)));
  });

  router.delete('/v1/services/:id/credentials', async (req, res) => {
    const principal = principalOf(req);
    const service = await visibleService(req, principal);
    if (!(await credentials.delete(principal.userId, service.definition.id))) throw errors.notFound('Credentials');
    await record(req, { action: 'credential.deleted', actor: principal, target: service });
    res.status(204).end();
  });

  // ---- admin routes -------------------------------------------------------------------------
  const adminService = async (req: Request): Promise<ServiceRecord> => {
    const { id } = parseParams(idParams, req);
    const found = await registry.fresh(id);
    if (!found) throw errors.notFound('Service');
    return found;
  };

  const checkBuiltin = (input: { kind: string; builtin?: { server: string } }) => {
    if (input.kind === 'builtin' && input.builtin && !opts.builtinNames.has(input.builtin.server)) {
      throw errors.validation([{ path: 'builtin.server', message: `no builtin server "${input.builtin.server}"` }]);
    }
  };

  /** Instance URLs and an openapi service's base URL, checked before anything is saved (refuseAtRegistration). */
  const checkInstanceUrls = async (urls: readonly string[], path: (index: number) => string) => {
    if (!opts.egress) return;
    for (const [index, url] of urls.entries()) await refuseAtRegistration(opts.egress, url, 'instance', { code: 'instance_url_refused', field: path(index), what: 'Instance URL' });
  };
  // The builder's runtime calls a base URL under the 'public' policy, whoever registered it.
  const checkBaseUrl = async (openapi: { base_url: string } | undefined) => {
    if (opts.egress && openapi) await refuseAtRegistration(opts.egress, openapi.base_url, 'public', { code: 'base_url_refused', field: 'openapi.base_url', what: 'Base URL' });
  };

  router.get('/v1/admin/services', async (req, res) => {
    requireAdmin(req);
    parse(z.strictObject({}), req.query);
    registry.invalidate();
    res.json({ services: (await registry.all()).map(toAdminView) });
  });

  router.post('/v1/admin/services', async (req, res) => {
    const admin = requireAdmin(req);
    const input: ServiceInput = parseBody(serviceInputSchema, req);
    checkBuiltin(input);
    if (input.kind === 'http') await checkInstanceUrls(input.http.instances, (i) => `http.instances.${i}`);
    if (input.kind === 'openapi') await checkBaseUrl(input.openapi);
    let created: ServiceRecord;
    try {
      created = await registry.create(input, 'admin', { createdBy: admin.userId });
    } catch (err) {
      if (isUniqueViolation(err)) throw errors.conflict(`A service with slug "${input.slug}" already exists`, 'slug_taken');
      throw err;
    }
    await record(req, { action: 'service.registered', actor: admin, target: created, details: { kind: input.kind } });
    res.status(201).location(`/v1/admin/services/${created.definition.id}`).json(toAdminView(created));
  });

  router.get('/v1/admin/services/:id', async (req, res) => {
    requireAdmin(req);
    res.json(toAdminView(await adminService(req)));
  });

  router.get('/v1/admin/services/:id/tools', async (req, res) => {
    const admin = requireAdmin(req);
    parse(z.strictObject({}), req.query);
    const service = await adminService(req);
    const slug = service.definition.slug;
    if (!opts.listTools) throw new ApiError(501, 'not_available', 'Listing live tools is not available in this process');
    if (service.problem) throw new ApiError(409, 'service_unavailable', `Service ${slug} cannot be run: ${service.problem}`);
    const { service: resolved, missing, oauthConnected } = await catalog.resolveForInspection(admin, service);
    if (oauthConnected === false) {
      throw new ApiError(409, 'oauth_not_connected', `Service ${slug} connects by OAuth and you have not connected it: connect it as yourself (Services → Connect in the portal) to list its tools`);
    }
    let tools: UpstreamToolSummary[];
    try {
      tools = await opts.listTools(admin, resolved);
    } catch (err) {
      // The upstream may refuse to start or answer without the credentials it needs: say which are missing.
      if (err instanceof ApiError && missing.length) {
        throw new ApiError(err.status, err.code, `${err.message} (you have stored no ${missing.join(', ')} for ${slug}; the upstream may need them to start or answer)`);
      }
      throw err;
    }
    const policy = service.definition.toolPolicy;
    res.json({
      service: slug,
      tools: tools.map((t) => ({ ...t, visible: toolAllowed(policy, t.name) })),
      ...(missing.length ? { missing_credentials: missing } : {}),
    });
  });

  router.patch('/v1/admin/services/:id', async (req, res) => {
    const admin = requireAdmin(req);
    const service = await adminService(req);
    const patch = parseBody(servicePatchSchema, req);
    const keys = Object.keys(patch);
    if (service.source === 'catalog') {
      const managed = keys.filter((k) => !(OPERATIONAL_FIELDS as readonly string[]).includes(k));
      if (managed.length) {
        throw new ApiError(
          409,
          'catalog_managed',
          `Service ${service.definition.slug} comes from the catalog file; change ${managed.join(', ')} there (an admin may change ${OPERATIONAL_FIELDS.join(', ')})`,
        );
      }
    }
    if (service.installRequired) {
      const definitionFields = keys.filter((k) => !(OPERATIONAL_FIELDS as readonly string[]).includes(k));
      if (definitionFields.length) throw listingManaged(service.definition.slug, definitionFields.join(', '));
    }
    const kind = service.definition.kind;
    for (const k of ['builtin', 'stdio', 'http', 'openapi'] as const) {
      if (patch[k] !== undefined && k !== kind) {
        throw errors.validation([{ path: k, message: `service is of kind ${kind}` }]);
      }
    }
    let config: Record<string, unknown> | undefined;
    if (patch.builtin) {
      checkBuiltin({ kind, builtin: patch.builtin });
      config = storedConfig({ kind: 'builtin', builtin: patch.builtin });
    } else if (patch.stdio) {
      config = storedConfig({ kind: 'stdio', stdio: patch.stdio });
    } else if (patch.http) {
      config = storedConfig({ kind: 'http', http: { ...patch.http, instances: [] } });
    } else if (patch.openapi) {
      await checkBaseUrl(patch.openapi);
      config = storedConfig({ kind: 'openapi', openapi: patch.openapi });
    }
    let credentialSchema = patch.credentials;
    if (service.liveVersion !== null && (config || credentialSchema)) {
      // A versioned service: the changed definition is saved as a new version and published at once.
      const live = await registry.version(service.definition.id, service.liveVersion);
      const saved = await registry.saveVersion(
        service.definition.id,
        { openapi: patch.openapi ?? live!.definition.openapi, credentials: credentialSchema ?? live!.definition.credentials },
        admin.userId,
      );
      await registry.publish(service.definition.id, saved.version);
      config = undefined;
      credentialSchema = undefined;
    }
    const updated = await registry.update(service.definition.id, {
      title: patch.title,
      description: patch.description,
      enabled: patch.enabled,
      roles: patch.roles,
      tool_policy: patch.tool_policy,
      payload_capture: patch.payload_capture,
      credential_schema: credentialSchema,
      config,
    });
    if (!updated) throw errors.notFound('Service');
    await record(req, { action: 'service.changed', actor: admin, target: updated, details: { fields: keys } });
    res.json(toAdminView(updated));
  });

  router.delete('/v1/admin/services/:id', async (req, res) => {
    const admin = requireAdmin(req);
    const service = await adminService(req);
    if (service.source === 'catalog') {
      throw new ApiError(
        409,
        'catalog_managed',
        `Service ${service.definition.slug} comes from the catalog file and would return on the next start; disable it (PATCH {"enabled": false}) or remove it from the file`,
      );
    }
    await registry.remove(service.definition.id);
    await record(req, { action: 'service.removed', actor: admin, target: service });
    res.status(204).end();
  });

  router.post('/v1/admin/services/:id/instances', async (req, res) => {
    const admin = requireAdmin(req);
    const service = await adminService(req);
    if (service.definition.kind !== 'http') throw errors.badRequest(`Only http services have instances; ${service.definition.slug} is ${service.definition.kind}`);
    if (service.installRequired) throw listingManaged(service.definition.slug, 'its instances');
    const { url } = parseBody(instanceBody, req);
    await checkInstanceUrls([url], () => 'url');
    const instance = await registry.addInstance(service.definition.id, url);
    if (!instance) throw errors.conflict(`Instance ${url} is already registered`, 'instance_exists');
    await record(req, { action: 'service.changed', actor: admin, target: service, details: { instance_added: instance.id } });
    res.status(201).json({ id: instance.id, url: instance.url, source: instance.source, status: instance.status });
  });

  router.delete('/v1/admin/services/:id/instances/:instanceId', async (req, res) => {
    const admin = requireAdmin(req);
    const { instanceId } = parseParams(instanceParams, req);
    const service = await adminService(req);
    const instance = service.instances.find((i) => i.id === instanceId && isUuid(instanceId));
    if (!instance) throw errors.notFound('Instance');
    if (service.installRequired) throw listingManaged(service.definition.slug, 'its instances');
    if (instance.source === 'catalog') {
      throw new ApiError(409, 'catalog_managed', 'This instance is declared in the catalog file; remove it there');
    }
    await registry.removeInstance(service.definition.id, instanceId);
    await record(req, { action: 'service.changed', actor: admin, target: service, details: { instance_removed: instanceId } });
    res.status(204).end();
  });

  return router;
}
