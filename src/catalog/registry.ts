import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  Database,
  InstanceStatus,
  PayloadCapture,
  PlatformRole,
  RegistrySource,
  ServiceInstancesTable,
  ServicesTable,
  ServiceVersionsTable,
} from '../db/index.js';
import type {
  CredentialField,
  HttpServiceConfig,
  OpenApiServiceConfig,
  ServiceDefinition,
  ServiceKind,
  StdioServiceConfig,
  ToolPolicy,
  UpstreamOAuthConfig,
} from './service-definition.js';
import { storedConfig, type OpenApiConfigInput, type ServiceInput, type StoredCredentialField, type UpstreamOAuthInput } from './definition.js';
import { resolvePackageScript } from './packages.js';

/** A service as the registry holds it: the router's definition plus registry-only facts. */
/** The `problem` of an admin-made `openapi` service none of whose versions is published. */
export const UNPUBLISHED = 'no version of this service is published yet';

export interface ServiceRecord {
  definition: ServiceDefinition;
  payloadCapture: PayloadCapture;
  source: RegistrySource;
  /** Max length per credential field (not part of the router contract). */
  credentialLimits: Record<string, number>;
  instances: ServiceInstance[];
  /** Set when the definition cannot be run as stored (e.g. a package script is missing). */
  problem?: string;
  /** The user who built it (BUILDER_USERS): only they see and call it. Null: a platform service. */
  ownerId: string | null;
  /** The published version (admin-made `openapi` services, marketplace listings); null when none is, or for other kinds. */
  liveVersion: number | null;
  /** Only users who installed it see and call it (a marketplace listing). */
  installRequired: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceInstance {
  id: string;
  url: string;
  source: RegistrySource;
  status: InstanceStatus;
  lastCheckedAt: Date | null;
  consecutiveFailures: number;
  statusChangedAt: Date | null;
  statusReportedBy: string | null;
}

type ServiceRow = Selectable<ServicesTable>;
type InstanceRow = Selectable<ServiceInstancesTable>;

export const DEFAULT_CREDENTIAL_MAX_LENGTH = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function toInstance(row: InstanceRow): ServiceInstance {
  return {
    id: row.id,
    url: row.url,
    source: row.source,
    status: row.status,
    lastCheckedAt: row.last_checked_at,
    consecutiveFailures: row.consecutive_failures,
    statusChangedAt: row.status_changed_at,
    statusReportedBy: row.status_reported_by,
  };
}

function toOAuthConfig(o: UpstreamOAuthInput): UpstreamOAuthConfig {
  return {
    ...(o.issuer ? { issuer: o.issuer } : {}),
    ...(o.authorization_endpoint ? { authorizationEndpoint: o.authorization_endpoint } : {}),
    ...(o.token_endpoint ? { tokenEndpoint: o.token_endpoint } : {}),
    ...(o.revocation_endpoint ? { revocationEndpoint: o.revocation_endpoint } : {}),
    scopes: o.scopes,
    inject: o.inject,
    clientIdEnv: o.client_id_env,
    ...(o.client_secret_env ? { clientSecretEnv: o.client_secret_env } : {}),
    ...(o.client_secret_file ? { clientSecretFile: o.client_secret_file } : {}),
  };
}

/** Builds the router's ServiceDefinition from a row (resolving package scripts to absolute paths). */
export function toRecord(row: ServiceRow, instanceRows: InstanceRow[]): ServiceRecord {
  const stored = row.config as Record<string, unknown>;
  const fields = row.credential_schema as unknown as StoredCredentialField[];
  const credentialSchema: CredentialField[] = fields.map((f) => ({
    name: f.name,
    title: f.title,
    ...(f.description ? { description: f.description } : {}),
    secret: f.secret,
    required: f.required,
    inject: f.inject,
  }));
  const credentialLimits = Object.fromEntries(fields.map((f) => [f.name, f.max_length ?? DEFAULT_CREDENTIAL_MAX_LENGTH]));
  const instances = instanceRows.map(toInstance);
  let problem: string | undefined;
  let config: ServiceDefinition['config'];
  switch (row.kind as ServiceKind) {
    case 'stdio': {
      const pkg = stored.package as { name: string; script: string } | undefined;
      const args = (stored.args as string[] | undefined) ?? [];
      let command = stored.command as string | undefined;
      let fullArgs = args;
      if (pkg) {
        command = process.execPath;
        try {
          fullArgs = [resolvePackageScript(pkg.name, pkg.script), ...args];
        } catch (err) {
          problem = (err as Error).message;
          fullArgs = args;
        }
      }
      const stdio: StdioServiceConfig = { kind: 'stdio', command: command ?? '', args: fullArgs };
      if (stored.env) stdio.env = stored.env as Record<string, string>;
      config = stdio;
      break;
    }
    case 'http': {
      const http: HttpServiceConfig = {
        kind: 'http',
        instances: instances.map((i) => i.url),
        transport: (stored.transport as HttpServiceConfig['transport'] | undefined) ?? 'streamable-http',
      };
      if (typeof stored.timeout_ms === 'number') http.timeoutMs = stored.timeout_ms;
      if (stored.oauth) http.oauth = toOAuthConfig(stored.oauth as UpstreamOAuthInput);
      config = http;
      break;
    }
    case 'openapi':
      // Validated by openapiConfigSchema when it was saved; the stored form is the definition.
      config = { ...(stored as unknown as OpenApiServiceConfig), kind: 'openapi' };
      // A builder-made service is served only once a version is published (catalog-file ones have no versions).
      if (row.source === 'admin' && row.live_version === null) problem = UNPUBLISHED;
      break;
    default:
      config = { kind: 'builtin', server: String(stored.server) };
  }
  return {
    definition: {
      id: row.id,
      slug: row.slug,
      title: row.title,
      description: row.description,
      kind: row.kind,
      enabled: row.enabled,
      roles: row.roles,
      toolPolicy: row.tool_policy as ToolPolicy,
      credentialSchema,
      payloadCapture: row.payload_capture,
      ...(row.live_version !== null ? { version: row.live_version } : {}),
      ...(row.install_required ? { listing: true } : {}),
      config,
    },
    payloadCapture: row.payload_capture,
    source: row.source,
    credentialLimits,
    instances,
    ...(problem ? { problem } : {}),
    ownerId: row.owner_id,
    liveVersion: row.live_version,
    installRequired: row.install_required,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface RegistryOptions {
  /** How long the in-process snapshot of every service may be served before re-reading. */
  cacheTtlMs: number;
}

/**
 * The service registry in the database. Reads go through a whole-registry snapshot cached for
 * `cacheTtlMs` (the registry is small, and every MCP call consults it); writes invalidate it.
 */
export class ServiceRegistry {
  private snapshot: { at: number; records: ServiceRecord[] } | undefined;
  /**
   * `host:port` of every instance of a service that needs installing (marketplace listings: URLs a
   * provider supplied), from the last snapshot read. The http balancer connects to these under the
   * egress guard's 'public' policy instead of 'instance' (app.ts), so a provider's DNS name that
   * turns private after review reaches nothing internal.
   */
  strictOrigins: ReadonlySet<string> = new Set();
  /** The last snapshot read, kept through invalidation: what is served while the database is down. */
  private lastGood: ServiceRecord[] | undefined;
  private loading: Promise<ServiceRecord[]> | undefined;
  /** Called after this process changed the registry (app wires it to cross-replica invalidation). */
  onChange: () => void = () => undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: RegistryOptions,
  ) {}

  invalidate(): void {
    this.snapshot = undefined;
  }

  async all(): Promise<ServiceRecord[]> {
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.at < this.opts.cacheTtlMs) return this.snapshot.records;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    const lastGood = this.lastGood;
    // During a database outage the last snapshot read serves MCP calls (no write can land meanwhile);
    // without one, the error goes up (503). docs/operations.md, "Faults".
    return lastGood ? this.loading.catch(() => lastGood) : this.loading;
  }

  private async load(): Promise<ServiceRecord[]> {
    const started = Date.now();
    const [rows, instances] = await Promise.all([
      this.db.selectFrom('services').selectAll().orderBy('slug').execute(),
      this.db.selectFrom('service_instances').selectAll().orderBy('created_at').orderBy('id').execute(),
    ]);
    const byService = new Map<string, InstanceRow[]>();
    for (const i of instances) byService.set(i.service_id, [...(byService.get(i.service_id) ?? []), i]);
    const records = rows.map((r) => toRecord(r, byService.get(r.id) ?? []));
    this.strictOrigins = new Set(records.filter((r) => r.installRequired).flatMap((r) => r.instances.map((i) => originKey(i.url))));
    this.snapshot = { at: started, records };
    this.lastGood = records;
    return records;
  }

  /** By slug or UUID. Bypasses nothing: served from the snapshot. */
  async find(idOrSlug: string): Promise<ServiceRecord | undefined> {
    const all = await this.all();
    return all.find((r) => r.definition.slug === idOrSlug || r.definition.id === idOrSlug);
  }

  /** Fresh read for admin responses right after a write. */
  async fresh(idOrSlug: string): Promise<ServiceRecord | undefined> {
    this.invalidate();
    return this.find(idOrSlug);
  }

  private changed(): void {
    this.invalidate();
    this.onChange();
  }

  /**
   * A new service. An admin-made `openapi` service starts with version 1, published unless
   * `publish: false` (then nothing is served until a version is published).
   */
  async create(
    input: ServiceInput,
    source: RegistrySource,
    opts: { ownerId?: string | null; createdBy?: string | null; publish?: boolean; installRequired?: boolean; liveVersion?: number } = {},
  ): Promise<ServiceRecord> {
    // A marketplace listing's service (installRequired) has no builder versions: its versions are the listing's.
    const versioned = input.kind === 'openapi' && source === 'admin' && !opts.installRequired;
    const publish = opts.publish ?? true;
    const id = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('services')
        .values({
          ...rowValues(input, source),
          owner_id: opts.ownerId ?? null,
          live_version: opts.liveVersion ?? (versioned && publish ? 1 : null),
          install_required: opts.installRequired ?? false,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (versioned) {
        await trx
          .insertInto('service_versions')
          .values({
            service_id: row.id,
            version: 1,
            definition: JSON.stringify({ openapi: input.openapi, credentials: input.credentials }),
            created_by: opts.createdBy ?? null,
            last_published_at: publish ? sql<Date>`now()` : null,
          })
          .execute();
      }
      if (input.kind === 'http' && input.http.instances.length) {
        await trx
          .insertInto('service_instances')
          .values(input.http.instances.map((url) => ({ service_id: row.id, url, source })))
          .execute();
      }
      return row.id;
    });
    this.changed();
    return (await this.fresh(id))!;
  }

  /**
   * Applies the catalog file: inserts new entries; for existing catalog entries, the file's
   * definition (title, description, kind, config, credential schema, declared instances) wins,
   * while the operational fields an admin may change (enabled, roles, tool_policy,
   * payload_capture) are set only on first insert, so admin edits survive restarts.
   * Catalog rows no longer in the file are disabled, not deleted (users' credentials stay).
   */
  async applyCatalog(entries: ServiceInput[]): Promise<{ inserted: string[]; updated: string[]; disabled: string[]; conflicts: string[] }> {
    const result = { inserted: [] as string[], updated: [] as string[], disabled: [] as string[], conflicts: [] as string[] };
    await this.db.transaction().execute(async (trx) => {
      // One replica applies the file at a time.
      await sql`select pg_advisory_xact_lock(${sql.lit(0x6d63702d636174n)})`.execute(trx);
      const existing = await trx.selectFrom('services').select(['id', 'slug', 'source']).execute();
      const bySlug = new Map(existing.map((r) => [r.slug, r]));
      for (const entry of entries) {
        const row = bySlug.get(entry.slug);
        let serviceId: string;
        if (!row) {
          const inserted = await trx.insertInto('services').values(rowValues(entry, 'catalog')).returning('id').executeTakeFirstOrThrow();
          serviceId = inserted.id;
          result.inserted.push(entry.slug);
        } else if (row.source !== 'catalog') {
          // An admin registered this slug first: the admin's service stays, the file entry is skipped.
          result.conflicts.push(entry.slug);
          continue;
        } else {
          serviceId = row.id;
          const v = rowValues(entry, 'catalog');
          const upd = await trx
            .updateTable('services')
            .set({
              title: v.title,
              description: v.description,
              kind: v.kind,
              config: v.config,
              credential_schema: v.credential_schema,
              updated_at: sql<Date>`now()`,
            })
            .where('id', '=', serviceId)
            .where((eb) =>
              eb.or([
                eb('title', '<>', v.title),
                eb('description', '<>', v.description ?? ''),
                eb('kind', '<>', v.kind),
                eb(sql`config`, '<>', sql`${v.config}::jsonb`),
                eb(sql`credential_schema`, '<>', sql`${v.credential_schema}::jsonb`),
              ]),
            )
            .executeTakeFirst();
          if (Number(upd.numUpdatedRows) > 0) result.updated.push(entry.slug);
        }
        const declared = entry.kind === 'http' ? entry.http.instances : [];
        await trx
          .deleteFrom('service_instances')
          .where('service_id', '=', serviceId)
          .where('source', '=', 'catalog')
          .$if(declared.length > 0, (q) => q.where('url', 'not in', declared))
          .execute();
        if (declared.length) {
          await trx
            .insertInto('service_instances')
            .values(declared.map((url) => ({ service_id: serviceId, url, source: 'catalog' as const })))
            .onConflict((oc) => oc.columns(['service_id', 'url']).doNothing())
            .execute();
        }
      }
      const inFile = new Set(entries.map((e) => e.slug));
      for (const row of existing) {
        if (row.source === 'catalog' && !inFile.has(row.slug)) {
          const upd = await trx
            .updateTable('services')
            .set({ enabled: false, updated_at: sql<Date>`now()` })
            .where('id', '=', row.id)
            .where('enabled', '=', true)
            .executeTakeFirst();
          if (Number(upd.numUpdatedRows) > 0) result.disabled.push(row.slug);
        }
      }
    });
    this.changed();
    return result;
  }

  async update(id: string, values: Partial<{
    title: string;
    description: string;
    enabled: boolean;
    roles: PlatformRole[];
    tool_policy: ToolPolicy;
    payload_capture: PayloadCapture;
    credential_schema: StoredCredentialField[];
    config: Record<string, unknown>;
  }>): Promise<ServiceRecord | undefined> {
    const set: Record<string, unknown> = { updated_at: sql`now()` };
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) continue;
      set[k] = k === 'tool_policy' || k === 'credential_schema' || k === 'config' ? JSON.stringify(v) : v;
    }
    const res = await this.db.updateTable('services').set(set).where('id', '=', id).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
    this.changed();
    return this.fresh(id);
  }

  /**
   * Replaces a service's whole definition (title, description, kind, config, credential fields and
   * its instances) in one transaction and sets its live version: a marketplace listing's approved
   * version going live. Operational fields (enabled, roles, tool policy) stay.
   */
  async replaceDefinition(id: string, input: ServiceInput, liveVersion: number): Promise<ServiceRecord | undefined> {
    const replaced = await this.db.transaction().execute(async (trx) => {
      const v = rowValues(input, 'admin');
      const res = await trx
        .updateTable('services')
        .set({ title: v.title, description: v.description, kind: v.kind, config: v.config, credential_schema: v.credential_schema, live_version: liveVersion, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      const urls = input.kind === 'http' ? input.http.instances : [];
      await trx
        .deleteFrom('service_instances')
        .where('service_id', '=', id)
        .$if(urls.length > 0, (q) => q.where('url', 'not in', urls))
        .execute();
      if (urls.length) {
        await trx
          .insertInto('service_instances')
          .values(urls.map((url) => ({ service_id: id, url, source: 'admin' as const })))
          .onConflict((oc) => oc.columns(['service_id', 'url']).doNothing())
          .execute();
      }
      return true;
    });
    if (!replaced) return undefined;
    this.changed();
    return this.fresh(id);
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('services').where('id', '=', id).executeTakeFirst();
    this.changed();
    return Number(res.numDeletedRows) > 0;
  }

  // ---- versions of admin-made `openapi` services (docs/builder.md, "Versions") ----

  async versions(serviceId: string): Promise<ServiceVersion[]> {
    const rows = await this.db.selectFrom('service_versions').selectAll().where('service_id', '=', serviceId).orderBy('version', 'desc').execute();
    return rows.map(toVersion);
  }

  async version(serviceId: string, version: number): Promise<ServiceVersion | undefined> {
    const row = await this.db.selectFrom('service_versions').selectAll().where('service_id', '=', serviceId).where('version', '=', version).executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  /** The highest version number of each service (those without versions are absent). */
  async latestVersions(serviceIds: string[]): Promise<Map<string, number>> {
    if (!serviceIds.length) return new Map();
    const rows = await this.db
      .selectFrom('service_versions')
      .select(['service_id', (eb) => eb.fn.max('version').as('max')])
      .where('service_id', 'in', serviceIds)
      .groupBy('service_id')
      .execute();
    return new Map(rows.map((r) => [r.service_id, Number(r.max)]));
  }

  /** Saves a definition as the next version (not published). */
  async saveVersion(serviceId: string, definition: VersionDefinition, createdBy: string | null): Promise<ServiceVersion> {
    const row = await this.db.transaction().execute(async (trx) => {
      // The service row's lock orders concurrent saves: each gets its own number.
      await trx.selectFrom('services').select('id').where('id', '=', serviceId).forUpdate().executeTakeFirstOrThrow();
      const last = await trx
        .selectFrom('service_versions')
        .select((eb) => eb.fn.max('version').as('max'))
        .where('service_id', '=', serviceId)
        .executeTakeFirst();
      return trx
        .insertInto('service_versions')
        .values({ service_id: serviceId, version: Number(last?.max ?? 0) + 1, definition: JSON.stringify(definition), created_by: createdBy })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return toVersion(row);
  }

  /** Makes `version` live: its definition becomes the service's config and credential fields. */
  async publish(serviceId: string, version: number): Promise<ServiceRecord | undefined> {
    const published = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('service_versions')
        .set({ last_published_at: sql<Date>`now()` })
        .where('service_id', '=', serviceId)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
      if (!row) return false;
      const { openapi, credentials } = row.definition;
      await trx
        .updateTable('services')
        .set({
          config: JSON.stringify(storedConfig({ kind: 'openapi', openapi: openapi as unknown as OpenApiConfigInput })),
          credential_schema: JSON.stringify(credentials),
          live_version: version,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', serviceId)
        .execute();
      return true;
    });
    if (!published) return undefined;
    this.changed();
    return this.fresh(serviceId);
  }

  /** The version that was live before the current one (the most recently published other one). */
  async previousVersion(serviceId: string, live: number | null): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('service_versions')
      .select('version')
      .where('service_id', '=', serviceId)
      .where('last_published_at', 'is not', null)
      .$if(live !== null, (q) => q.where('version', '<>', live!))
      .orderBy('last_published_at', 'desc')
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.version;
  }

  async addInstance(serviceId: string, url: string): Promise<ServiceInstance | undefined> {
    const row = await this.db
      .insertInto('service_instances')
      .values({ service_id: serviceId, url, source: 'admin' })
      .onConflict((oc) => oc.columns(['service_id', 'url']).doNothing())
      .returningAll()
      .executeTakeFirst();
    this.changed();
    return row ? toInstance(row) : undefined;
  }

  async removeInstance(serviceId: string, instanceId: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('service_instances')
      .where('service_id', '=', serviceId)
      .where('id', '=', instanceId)
      .executeTakeFirst();
    this.changed();
    return Number(res.numDeletedRows) > 0;
  }
}

/** What a version holds: the `openapi` config and the credential fields it names, as the admin API spells them. */
export interface VersionDefinition {
  openapi: OpenApiConfigInput;
  credentials: StoredCredentialField[];
}

export interface ServiceVersion {
  version: number;
  definition: VersionDefinition;
  createdBy: string | null;
  createdAt: Date;
  lastPublishedAt: Date | null;
}

function toVersion(row: Selectable<ServiceVersionsTable>): ServiceVersion {
  return {
    version: row.version,
    definition: row.definition as unknown as VersionDefinition,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastPublishedAt: row.last_published_at,
  };
}

/** `host:port` of a URL (default ports filled in), as an undici connector sees its target. */
export function originKey(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    return `${host.toLowerCase()}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

function rowValues(input: ServiceInput, source: RegistrySource) {
  return {
    slug: input.slug,
    title: input.title,
    description: input.description,
    kind: input.kind,
    config: JSON.stringify(storedConfig(input)),
    credential_schema: JSON.stringify(input.credentials),
    roles: input.roles,
    tool_policy: JSON.stringify(input.tool_policy),
    enabled: input.enabled,
    payload_capture: input.payload_capture,
    source,
  };
}
