import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  openapiConfigSchema,
  openapiDefinitionSchema,
  serviceInputSchema,
  type PlatformCatalog,
  type ServiceRecord,
  type ServiceRegistry,
  type ServiceVersion,
} from '../catalog/index.js';
import { ApiError, errors, parse, parseBody, parseParams, parseQuery, refuseAtRegistration, type EgressGuard, type Principal } from '../gateway/index.js';
import type { AuditAction, AuditSink } from '../logging/index.js';
import { canBuild, principalOf } from './access.js';
import type { OpenApiRuntime } from './runtime.js';

export interface BuilderServicesOptions {
  catalog: PlatformCatalog;
  audit: AuditSink;
  runtime: Pick<OpenApiRuntime, 'call'>;
  /** BUILDER_USERS: users build services only they can see; otherwise admins only. */
  builderUsers: boolean;
  /** A saved base URL is checked here as well as when it is called (docs/gateway.md, "Outbound requests"). */
  egress: Pick<EgressGuard, 'check'>;
}

const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const versionParams = z.strictObject({ id: z.string().min(1).max(100), version: z.coerce.number().int().min(1).max(1_000_000) });
const saveBody = z.strictObject({
  ...openapiDefinitionSchema.shape,
  /** Publish the saved version at once. */
  publish: z.boolean().default(false),
});
const createBody = z.strictObject({
  slug: z.string(),
  title: z.string(),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  payload_capture: z.enum(['off', 'metadata', 'full']).optional(),
  credentials: z.array(z.unknown()).optional(),
  openapi: z.unknown(),
  publish: z.boolean().default(false),
});
const tryBody = z.strictObject({
  /** The definition being built (need not be saved): the tool is called from it. */
  openapi: z.unknown(),
  tool: z.string().min(1).max(128),
  arguments: z.record(z.string(), z.unknown()).default({}),
  /** The caller's own credential values, by the names `openapi.auth` uses; used for this call only, never stored. */
  credentials: z.record(z.string().max(64), z.string().max(16_384)).default({}),
});

function versionView(v: ServiceVersion, live: number | null) {
  return {
    version: v.version,
    live: v.version === live,
    tools: v.definition.openapi.tools.length,
    created_by: v.createdBy,
    created_at: v.createdAt.toISOString(),
    last_published_at: v.lastPublishedAt?.toISOString() ?? null,
  };
}

function serviceView(r: ServiceRecord, latest: number | undefined) {
  const d = r.definition;
  return {
    id: d.id,
    slug: d.slug,
    title: d.title,
    description: d.description,
    enabled: d.enabled,
    owner_id: r.ownerId,
    live_version: r.liveVersion,
    latest_version: latest ?? null,
    tools: d.config.kind === 'openapi' ? d.config.tools.length : 0,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

/**
 * The builder's services (docs/builder.md, "Versions"): admin-made `openapi` services, every save a
 * numbered version, publish and rollback; and `POST /v1/builder/try`, a tool of an unsaved
 * definition called with the caller's own credentials. A builder user (BUILDER_USERS=true) sees
 * and changes only the services they built; anyone else's is a 404.
 */
export function builderServicesRouter(opts: BuilderServicesOptions): Router {
  const { catalog, audit } = opts;
  const registry: ServiceRegistry = catalog.registry;
  const router = Router();

  const checkBaseUrl = (baseUrl: string) =>
    refuseAtRegistration(opts.egress, baseUrl, 'public', { code: 'base_url_refused', field: 'openapi.base_url', what: 'Base URL' });

  const builder = (req: Request): Principal => {
    const p = principalOf(req);
    if (!canBuild(p, opts.builderUsers)) throw errors.forbidden('Building services needs the admin role (or BUILDER_USERS=true)');
    return p;
  };

  /**
   * What the builder builds: admin-made openapi services, not a marketplace listing's (`install_required`),
   * whose versions are the listing's and change only by review (docs/marketplace.md).
   */
  const isBuilt = (r: ServiceRecord) => r.definition.kind === 'openapi' && r.source === 'admin' && !r.installRequired;

  /** A service this caller may build: an admin-made openapi service; a user's own only. */
  const buildable = async (req: Request, principal: Principal): Promise<ServiceRecord> => {
    const { id } = parseParams(z.object({ id: idParams.shape.id }), req);
    const found = await registry.fresh(id);
    if (!found || !isBuilt(found)) throw errors.notFound('Service');
    if (principal.role !== 'admin' && found.ownerId !== principal.userId) throw errors.notFound('Service');
    return found;
  };

  const record = async (req: Request, action: AuditAction, actor: Principal, service: ServiceRecord, details: Record<string, unknown> = {}) => {
    await audit
      .record({
        action,
        outcome: 'success',
        actorId: actor.userId,
        targetType: 'service',
        targetId: service.definition.id,
        ip: req.ip ?? null,
        userAgent: req.get('user-agent') ?? null,
        requestId: String(req.id),
        details: { service: service.definition.slug, ...details },
      })
      .catch((err: Error) => req.log?.error({ err: { message: err.message } }, 'audit event not recorded'));
  };

  router.get('/v1/builder/services', async (req, res) => {
    const principal = builder(req);
    parseQuery(z.strictObject({}), req);
    registry.invalidate();
    const mine = (await registry.all()).filter(
      (r) => isBuilt(r) && (principal.role === 'admin' || r.ownerId === principal.userId),
    );
    const latest = await registry.latestVersions(mine.map((r) => r.definition.id));
    res.json({ services: mine.map((r) => serviceView(r, latest.get(r.definition.id))) });
  });

  router.post('/v1/builder/services', async (req, res) => {
    const principal = builder(req);
    const { publish, ...fields } = parseBody(createBody, req);
    const input = parse(serviceInputSchema, { ...fields, kind: 'openapi' });
    if (input.kind !== 'openapi') throw errors.badRequest('kind must be openapi');
    await checkBaseUrl(input.openapi.base_url);
    let created: ServiceRecord;
    try {
      // A user's service is theirs alone; an admin's is a platform service like any other.
      created = await registry.create(input, 'admin', { ownerId: principal.role === 'admin' ? null : principal.userId, createdBy: principal.userId, publish });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e?.code === '23505' || /duplicate key value/.test(e?.message ?? '')) throw errors.conflict(`A service with slug "${input.slug}" already exists`, 'slug_taken');
      throw err;
    }
    await record(req, 'service.registered', principal, created, { kind: 'openapi', version: 1, published: publish });
    res.status(201).location(`/v1/builder/services/${created.definition.id}`).json(serviceView(created, 1));
  });

  router.get('/v1/builder/services/:id', async (req, res) => {
    const service = await buildable(req, builder(req));
    const latest = await registry.latestVersions([service.definition.id]);
    res.json(serviceView(service, latest.get(service.definition.id)));
  });

  router.delete('/v1/builder/services/:id', async (req, res) => {
    const principal = builder(req);
    const service = await buildable(req, principal);
    await registry.remove(service.definition.id);
    await record(req, 'service.removed', principal, service);
    res.status(204).end();
  });

  router.get('/v1/builder/services/:id/versions', async (req, res) => {
    const service = await buildable(req, builder(req));
    const versions = await registry.versions(service.definition.id);
    res.json({ live_version: service.liveVersion, versions: versions.map((v) => versionView(v, service.liveVersion)) });
  });

  router.post('/v1/builder/services/:id/versions', async (req, res) => {
    const principal = builder(req);
    const service = await buildable(req, principal);
    const { publish, ...definition } = parseBody(saveBody, req);
    await checkBaseUrl(definition.openapi.base_url);
    const saved = await registry.saveVersion(service.definition.id, definition, principal.userId);
    await record(req, 'service.version_saved', principal, service, { version: saved.version });
    let live = service.liveVersion;
    if (publish) {
      const published = await registry.publish(service.definition.id, saved.version);
      live = published?.liveVersion ?? live;
      await record(req, 'service.published', principal, service, { version: saved.version });
    }
    res.status(201).json(versionView({ ...saved, lastPublishedAt: publish ? new Date() : null }, live));
  });

  router.get('/v1/builder/services/:id/versions/:version', async (req, res) => {
    const service = await buildable(req, builder(req));
    const { version } = parseParams(versionParams, req);
    const found = await registry.version(service.definition.id, version);
    if (!found) throw errors.notFound('Version');
    res.json({ ...versionView(found, service.liveVersion), definition: found.definition });
  });

  router.post('/v1/builder/services/:id/versions/:version/publish', async (req, res) => {
    const principal = builder(req);
    const service = await buildable(req, principal);
    const { version } = parseParams(versionParams, req);
    const published = await registry.publish(service.definition.id, version);
    if (!published) throw errors.notFound('Version');
    await record(req, 'service.published', principal, service, { version, previous: service.liveVersion });
    res.json({ live_version: published.liveVersion, previous_version: service.liveVersion });
  });

  router.post('/v1/builder/services/:id/rollback', async (req, res) => {
    const principal = builder(req);
    const service = await buildable(req, principal);
    const previous = await registry.previousVersion(service.definition.id, service.liveVersion);
    if (previous === undefined) throw new ApiError(409, 'no_previous_version', `No version of ${service.definition.slug} was live before version ${service.liveVersion ?? '(none)'}`);
    const published = await registry.publish(service.definition.id, previous);
    if (!published) throw errors.notFound('Version');
    await record(req, 'service.rolled_back', principal, service, { version: previous, previous: service.liveVersion });
    res.json({ live_version: published.liveVersion, previous_version: service.liveVersion });
  });

  router.post('/v1/builder/try', async (req, res) => {
    builder(req);
    const body = parseBody(tryBody, req);
    const { openapi } = parse(z.strictObject({ openapi: openapiConfigSchema }), { openapi: body.openapi });
    if (!openapi.tools.some((t) => t.name === body.tool)) {
      throw errors.validation([{ path: 'tool', message: `no tool "${body.tool}" in openapi.tools` }]);
    }
    const result = await opts.runtime.call(openapi, body.tool, body.arguments, body.credentials);
    res.json(result);
  });

  return router;
}
