import type { McpServer } from '@modelcontextprotocol/server';
import { sql } from 'kysely';
import { serviceInputSchema, type OpenApiServiceConfig, type PlatformCatalog, type ServiceInput } from '../catalog/index.js';
import { errors, refuseAtRegistration, type EgressGuard } from '../gateway/index.js';
import type { AuditAction, AuditSink } from '../logging/index.js';
import { emptyInspection, inspectHttp, inspectServer } from './inspect.js';
import type { VersionInput } from './schemas.js';
import type { BuilderSource, Inspection, ListingSource, MarketplaceDb, ProviderStatus, ProvidersTable, VersionState } from './tables.js';

/**
 * The marketplace (docs/marketplace.md): providers, listings and their reviewed versions, installs
 * and ratings. A listing's approved version is a catalog service that needs installing
 * (`install_required`): the catalog serves it on /mcp/{slug} and /mcp to the users who installed it,
 * with their own credentials, like any other service.
 */

/** Billing's per-call prices, as app.ts hands them over (the marketplace does not import billing). */
export interface ListingPrices {
  set(service: string, pricePerCall: string, currency: string): Promise<void>;
  remove(service: string): Promise<void>;
}

/** Installs and runs npm listings (slice 4); absent: npm listings are refused. */
export interface NpmListings {
  /** Installs the exact version into the listing's own directory, verifying the integrity; resolves with the command to run it. */
  prepare(listingId: string, version: number, source: Extract<ListingSource, { type: 'npm' }>): Promise<{ command: string; args: string[]; env: Record<string, string> }>;
  /** Connects to it over stdio with the given environment, lists what it exposes, stops it. */
  inspect(run: { command: string; args: string[]; env: Record<string, string> }, timeoutMs: number): Promise<Inspection>;
  /** Removes the listing's installed versions other than those `keep` names (read again at each try), once no child runs from them; resolves with those removed. */
  retire(listingId: string, keep: () => Promise<readonly number[]>): Promise<number[]>;
}

/** Builder-made listings: the builder's runtime, as app.ts hands it over (the marketplace does not import the builder). */
export interface BuiltListings {
  /** The SDK server the router would serve for this `openapi` definition (listing its tools needs no credentials). */
  server(slug: string, config: OpenApiServiceConfig): McpServer;
}

export interface MarketplaceOptions {
  db: MarketplaceDb;
  catalog: PlatformCatalog;
  egress: Pick<EgressGuard, 'check' | 'dispatcher'>;
  audit: AuditSink;
  prices: ListingPrices | undefined;
  npm: NpmListings | undefined;
  /** Absent: builder listings are refused. */
  builder?: BuiltListings;
  inspectTimeoutMs: number;
}

export interface Actor {
  userId: string;
  ip?: string | null;
  requestId?: string;
}

const toMicros = (decimal: string): number => {
  const [whole, fraction = ''] = decimal.split('.');
  return Number(BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0')));
};
const fromMicros = (micros: bigint): string => `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
const priceOf = (micros: string | number | null, currency: string) => (micros === null ? null : { per_call: fromMicros(BigInt(micros)), currency });
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export class Marketplace {
  readonly db: MarketplaceDb;

  constructor(private readonly opts: MarketplaceOptions) {
    this.db = opts.db;
  }

  /** Whether providers may publish npm listings here (MARKETPLACE_NPM); the provider page says so. */
  get npmEnabled(): boolean {
    return this.opts.npm !== undefined;
  }

  /** The services of an approved provider's live listings (their analytics scope); 403 for anyone else. */
  async providerServices(userId: string): Promise<string[]> {
    if (!(await this.isProvider(userId))) throw errors.forbidden('This needs the provider role: apply with POST /v1/marketplace/provider, an admin approves it');
    return (await this.serviceOwners(userId)).map((s) => s.service);
  }

  /** The catalog services of approved listings, by provider (all providers, or only `providerId`): billing's payout reports. */
  async serviceOwners(providerId?: string): Promise<Array<{ provider_id: string; service: string }>> {
    let q = this.db
      .selectFrom('marketplace_listings')
      .innerJoin('services', 'services.id', 'marketplace_listings.service_id')
      .select(['marketplace_listings.provider_id', 'services.slug as service']);
    if (providerId) q = q.where('marketplace_listings.provider_id', '=', providerId);
    return q.execute();
  }

  private async audit(actor: Actor, action: AuditAction, targetType: string, targetId: string, details: Record<string, unknown> = {}): Promise<void> {
    await this.opts.audit.record({ action, outcome: 'success', actorId: actor.userId, targetType, targetId, ip: actor.ip ?? null, requestId: actor.requestId, details });
  }

  // ---- providers -------------------------------------------------------------------------------

  async provider(userId: string) {
    const row = await this.db.selectFrom('marketplace_providers').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row ? providerView(row) : undefined;
  }

  async isProvider(userId: string): Promise<boolean> {
    return (await this.provider(userId))?.status === 'approved';
  }

  /** A user applies (or applies again after a rejection or revocation). */
  async apply(actor: Actor, body: { display_name: string; note: string }) {
    const existing = await this.provider(actor.userId);
    if (existing?.status === 'approved') throw errors.conflict('You are already a provider', 'already_provider');
    if (existing?.status === 'pending') throw errors.conflict('Your application is waiting for review', 'application_pending');
    const row = await this.db
      .insertInto('marketplace_providers')
      .values({ user_id: actor.userId, display_name: body.display_name, note: body.note, status: 'pending' })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ display_name: body.display_name, note: body.note, status: 'pending', reason: null, decided_by: null, decided_at: null, updated_at: sql<Date>`now()` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.audit(actor, 'marketplace.provider_applied', 'user', actor.userId, { display_name: body.display_name });
    return providerView(row);
  }

  /** An admin makes a user a provider at once. */
  async grant(actor: Actor, userId: string, displayName: string) {
    const user = await this.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw errors.notFound('User');
    const row = await this.db
      .insertInto('marketplace_providers')
      .values({ user_id: userId, display_name: displayName, status: 'approved', decided_by: actor.userId, decided_at: sql<Date>`now()` })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ display_name: displayName, status: 'approved', reason: null, decided_by: actor.userId, decided_at: sql<Date>`now()`, updated_at: sql<Date>`now()` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.audit(actor, 'marketplace.provider_granted', 'user', userId, { display_name: displayName });
    return providerView(row);
  }

  async decideProvider(actor: Actor, userId: string, decision: 'approve' | 'reject' | 'revoke', reason: string | undefined) {
    const current = await this.provider(userId);
    if (!current) throw errors.notFound('Provider application');
    const allowed: Record<typeof decision, ProviderStatus[]> = { approve: ['pending'], reject: ['pending'], revoke: ['approved'] };
    if (!allowed[decision].includes(current.status)) {
      throw errors.conflict(`Cannot ${decision} a provider whose status is ${current.status}`, 'invalid_state');
    }
    if (decision !== 'approve' && !reason) throw errors.badRequest(`A reason is required to ${decision}`);
    const status: ProviderStatus = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'revoked';
    const row = await this.db
      .updateTable('marketplace_providers')
      .set({ status, reason: reason ?? null, decided_by: actor.userId, decided_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where('status', '=', current.status)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw errors.conflict('The application changed meanwhile; read it again', 'invalid_state');
    const action: AuditAction = decision === 'approve' ? 'marketplace.provider_approved' : decision === 'reject' ? 'marketplace.provider_rejected' : 'marketplace.provider_revoked';
    await this.audit(actor, action, 'user', userId, reason ? { reason } : {});
    return providerView(row);
  }

  async providers(status: ProviderStatus | undefined) {
    const rows = await this.db
      .selectFrom('marketplace_providers')
      .innerJoin('users', 'users.id', 'marketplace_providers.user_id')
      .selectAll('marketplace_providers')
      .select('users.email')
      .$if(status !== undefined, (q) => q.where('marketplace_providers.status', '=', status!))
      .orderBy('marketplace_providers.created_at')
      .execute();
    return rows.map((r) => ({ ...providerView(r), email: r.email }));
  }

  // ---- submissions and review ----------------------------------------------------------------

  /**
   * The URLs a provider supplies, through the gateway kit's registration check (as every registered
   * URL): the endpoint must pass the guard's 'public' policy now, and resolve (it is inspected at
   * once); icons and links are never fetched by the platform, so they must only not name a refused
   * address (a name that does not resolve from here is accepted).
   */
  private async checkUrls(body: Pick<VersionInput, 'source' | 'icon_url' | 'links'>): Promise<void> {
    const check = (url: string, field: string, unresolvable: 'accept' | 'refuse') =>
      refuseAtRegistration(this.opts.egress, url, 'public', { code: 'bad_request', field, what: field, unresolvable });
    if (body.source.type === 'http') await check(body.source.url, 'source.url', 'refuse');
    if (body.icon_url) await check(body.icon_url, 'icon_url', 'accept');
    for (const [i, l] of body.links.entries()) await check(l.url, `links.${i}.url`, 'accept');
  }

  /** Connects to the version as the platform will, with `credentials` for this time only. */
  private async inspect(listingId: string, version: number, source: ListingSource, fields: Array<Record<string, unknown>>, credentials: Record<string, string>): Promise<Inspection> {
    if (source.type === 'http') {
      const headers: Record<string, string> = {};
      for (const f of fields) {
        const inject = f.inject as { header?: string; template?: string };
        const value = credentials[f.name as string];
        if (inject.header && value !== undefined) headers[inject.header] = (inject.template ?? '{value}').replace('{value}', value);
      }
      return inspectHttp(this.opts.egress, source, headers, { timeoutMs: this.opts.inspectTimeoutMs });
    }
    if (source.type === 'builder') {
      if (!this.opts.builder) return emptyInspection('builder listings are not available on this platform');
      try {
        const listing = await this.db.selectFrom('marketplace_listings').select('slug').where('id', '=', listingId).executeTakeFirstOrThrow();
        const input = builtServiceInput({ slug: listing.slug, title: listing.slug, description: '', credentials: fields }, source);
        const config = { kind: 'openapi', ...input.openapi } as unknown as OpenApiServiceConfig;
        return await inspectServer(this.opts.builder.server(listing.slug, config), { timeoutMs: this.opts.inspectTimeoutMs });
      } catch (err) {
        return emptyInspection((err as Error).message.slice(0, 1000));
      }
    }
    if (!this.opts.npm) return emptyInspection('npm listings are not enabled on this platform');
    try {
      const run = await this.opts.npm.prepare(listingId, version, source);
      const env = { ...run.env };
      for (const f of fields) {
        const inject = f.inject as { env?: string };
        const value = credentials[f.name as string];
        if (inject.env && value !== undefined) env[inject.env] = value;
      }
      return await this.opts.npm.inspect({ ...run, env }, this.opts.inspectTimeoutMs);
    } catch (err) {
      return emptyInspection((err as Error).message.slice(0, 1000));
    }
  }

  async submitListing(actor: Actor, submitted: VersionInput & { slug: string }) {
    if (submitted.source.type === 'npm' && !this.opts.npm) throw errors.badRequest('npm listings are not enabled on this platform (MARKETPLACE_NPM)');
    const body = await this.withBuiltDefinition(actor.userId, submitted);
    await this.checkUrls(body);
    if (await this.opts.catalog.registry.find(body.slug)) throw errors.conflict(`The slug "${body.slug}" is in use`, 'slug_taken');
    let listingId: string;
    try {
      listingId = await this.db.transaction().execute(async (trx) => {
        const listing = await trx
          .insertInto('marketplace_listings')
          .values({ provider_id: actor.userId, slug: body.slug, kind: body.source.type })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx.insertInto('marketplace_listing_versions').values(versionRow(listing.id, 1, body, actor.userId)).execute();
        return listing.id;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505' || /duplicate key/.test((err as Error).message)) throw errors.conflict(`The slug "${body.slug}" is in use`, 'slug_taken');
      throw err;
    }
    await this.audit(actor, 'marketplace.listing_submitted', 'listing', listingId, { slug: body.slug, version: 1, source: body.source.type });
    await this.storeInspection(listingId, 1, body.source, body.credentials, body.test_credentials ?? {});
    return this.providerListing(actor.userId, listingId);
  }

  async submitVersion(actor: Actor, listingId: string, submitted: VersionInput) {
    const listing = await this.ownListing(actor.userId, listingId);
    if (listing.withdrawn_at !== null) throw withdrawnConflict(listing.withdrawn_at);
    if (submitted.source.type !== listing.kind) throw errors.badRequest(`This listing is ${listing.kind}; a new version cannot change that`);
    if (submitted.source.type === 'npm' && !this.opts.npm) throw errors.badRequest('npm listings are not enabled on this platform (MARKETPLACE_NPM)');
    const body = await this.withBuiltDefinition(actor.userId, submitted);
    await this.checkUrls(body);
    const version = await this.db.transaction().execute(async (trx) => {
      await trx.selectFrom('marketplace_listings').select('id').where('id', '=', listingId).forUpdate().executeTakeFirstOrThrow();
      const last = await trx.selectFrom('marketplace_listing_versions').select((eb) => eb.fn.max('version').as('max')).where('listing_id', '=', listingId).executeTakeFirst();
      const next = Number(last?.max ?? 0) + 1;
      await trx.insertInto('marketplace_listing_versions').values(versionRow(listingId, next, body, actor.userId)).execute();
      return next;
    });
    await this.audit(actor, 'marketplace.version_submitted', 'listing', listingId, { slug: listing.slug, version });
    await this.storeInspection(listingId, version, body.source, body.credentials, body.test_credentials ?? {});
    return this.providerListing(actor.userId, listingId);
  }

  /**
   * A builder listing's version: the provider's own builder service (`POST /v1/builder/services`) at
   * the version named, its definition and credential fields copied into the listing version, so what
   * is reviewed is what goes live, whatever the builder saves or publishes afterwards.
   */
  private async withBuiltDefinition<T extends VersionInput>(providerId: string, body: T): Promise<T> {
    if (body.source.type !== 'builder') return body;
    if (!this.opts.builder) throw errors.badRequest('builder listings are not available on this platform');
    const { service_id: serviceId, version } = body.source;
    const registry = this.opts.catalog.registry;
    const built = await registry.fresh(serviceId);
    if (!built || built.definition.kind !== 'openapi' || built.source !== 'admin' || built.installRequired || built.ownerId !== providerId) {
      throw errors.badRequest('source.service_id: no service of yours made with the builder has this ID (build one with POST /v1/builder/services)', [
        { path: 'source.service_id', message: 'not a builder service of yours' },
      ]);
    }
    const saved = await registry.version(serviceId, version);
    if (!saved) throw errors.badRequest(`source.version: ${built.definition.slug} has no version ${version}`, [{ path: 'source.version', message: 'no such version' }]);
    // The builder checked the base URL when the version was saved; the egress policy (EGRESS_ALLOW) or the
    // stored row may have changed since, and the listing goes live with this URL, so it is checked again here.
    const baseUrl = (saved.definition.openapi as { base_url?: unknown } | undefined)?.base_url;
    await refuseAtRegistration(this.opts.egress, typeof baseUrl === 'string' ? baseUrl : '', 'public', {
      code: 'base_url_refused',
      field: 'source.openapi.base_url',
      what: `The base URL of ${built.definition.slug} version ${version}`,
    });
    const source: BuilderSource = { type: 'builder', service_id: serviceId, version, openapi: saved.definition.openapi as Record<string, unknown> };
    return { ...body, source, credentials: saved.definition.credentials as T['credentials'] };
  }

  private async storeInspection(listingId: string, version: number, source: ListingSource, fields: Array<Record<string, unknown>>, credentials: Record<string, string>): Promise<Inspection> {
    const inspection = await this.inspect(listingId, version, source, fields, credentials);
    await this.db
      .updateTable('marketplace_listing_versions')
      .set({ inspection: JSON.stringify(inspection), inspected_at: sql<Date>`now()` })
      .where('listing_id', '=', listingId)
      .where('version', '=', version)
      .execute();
    return inspection;
  }

  /** An admin connects again (e.g. with credentials of their own for an endpoint that needs them). */
  async reinspect(actor: Actor, listingId: string, version: number, credentials: Record<string, string>) {
    const row = await this.versionRow(listingId, version);
    const inspection = await this.storeInspection(listingId, version, row.source, row.credentials, credentials);
    await this.audit(actor, 'marketplace.version_inspected', 'listing', listingId, { version, ok: inspection.ok, tools: inspection.tools.length });
    return this.reviewItem(listingId, version);
  }

  private async versionRow(listingId: string, version: number) {
    const row = await this.db.selectFrom('marketplace_listing_versions').selectAll().where('listing_id', '=', listingId).where('version', '=', version).executeTakeFirst();
    if (!row) throw errors.notFound('Listing version');
    return row;
  }

  /** The review queue: every pending version, oldest first, with what the platform saw. */
  async queue(state: VersionState = 'pending') {
    const rows = await this.db
      .selectFrom('marketplace_listing_versions as v')
      .innerJoin('marketplace_listings as l', 'l.id', 'v.listing_id')
      .select(['v.listing_id', 'v.version'])
      .where('v.state', '=', state)
      // A withdrawn listing's pending versions wait for no one (approving them is 409 listing_withdrawn).
      .$if(state === 'pending', (q) => q.where('l.withdrawn_at', 'is', null))
      .orderBy('v.created_at')
      .limit(200)
      .execute();
    return Promise.all(rows.map((r) => this.reviewItem(r.listing_id, r.version)));
  }

  async reviewItem(listingId: string, version: number) {
    const listing = await this.db.selectFrom('marketplace_listings').selectAll().where('id', '=', listingId).executeTakeFirst();
    if (!listing) throw errors.notFound('Listing');
    const v = await this.versionRow(listingId, version);
    const provider = await this.provider(listing.provider_id);
    return {
      listing_id: listing.id,
      slug: listing.slug,
      kind: listing.kind,
      provider: { user_id: listing.provider_id, display_name: provider?.display_name ?? null },
      live_version: listing.live_version,
      withdrawn_at: iso(listing.withdrawn_at),
      ...versionView(v),
      source: v.source,
      credentials: v.credentials,
      inspection: v.inspection,
      inspected_at: iso(v.inspected_at),
    };
  }

  /**
   * Approve: the version becomes the listing's live one (a catalog service that needs installing,
   * created on the first approval, its definition replaced on later ones) and its price billing's
   * price for the service. Reject: the provider is told why. Either way audited.
   */
  async decide(actor: Actor, listingId: string, version: number, decision: 'approve' | 'reject', reason: string | undefined) {
    const listing = await this.db.selectFrom('marketplace_listings').selectAll().where('id', '=', listingId).executeTakeFirst();
    if (!listing) throw errors.notFound('Listing');
    const v = await this.versionRow(listingId, version);
    if (v.state !== 'pending') throw errors.conflict(`Version ${version} is ${v.state}, not pending`, 'invalid_state');
    if (listing.withdrawn_at !== null) throw withdrawnConflict(listing.withdrawn_at);
    if (decision === 'reject') {
      if (!reason) throw errors.badRequest('A reason is required to reject');
      await this.db
        .updateTable('marketplace_listing_versions')
        .set({ state: 'rejected', reason, reviewed_by: actor.userId, reviewed_at: sql<Date>`now()` })
        .where('listing_id', '=', listingId)
        .where('version', '=', version)
        .where('state', '=', 'pending')
        .execute();
      await this.audit(actor, 'marketplace.version_rejected', 'listing', listingId, { slug: listing.slug, version, reason });
      await this.retirePackages(listingId).catch(() => undefined); // tidying: never fails the decision
      return this.reviewItem(listingId, version);
    }
    if (listing.live_version !== null && version < listing.live_version) {
      throw errors.conflict(`Version ${listing.live_version} is live; an older version cannot replace it`, 'older_version');
    }
    if (!v.inspection?.ok) throw errors.conflict('The platform could not connect to this version; inspect it again before approving', 'not_inspected');
    const input = await this.serviceInput(listing, v);
    const registry = this.opts.catalog.registry;
    let serviceId = listing.service_id;
    if (serviceId && (await registry.fresh(serviceId))) {
      await registry.replaceDefinition(serviceId, input, version);
    } else {
      if (await registry.find(listing.slug)) throw errors.conflict(`The slug "${listing.slug}" is in use by another service`, 'slug_taken');
      serviceId = (await registry.create(input, 'admin', { installRequired: true, liveVersion: version, createdBy: actor.userId })).definition.id;
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('marketplace_listing_versions')
        .set({ state: 'superseded' })
        .where('listing_id', '=', listingId)
        .where('state', '=', 'approved')
        .where('version', '<', version)
        .execute();
      await trx
        .updateTable('marketplace_listing_versions')
        .set({ state: 'approved', reason: reason ?? null, reviewed_by: actor.userId, reviewed_at: sql<Date>`now()` })
        .where('listing_id', '=', listingId)
        .where('version', '=', version)
        .execute();
      await trx.updateTable('marketplace_listings').set({ service_id: serviceId, live_version: version, updated_at: sql<Date>`now()` }).where('id', '=', listingId).execute();
    });
    const price = priceOf(v.price_per_call_micros, v.currency);
    if (this.opts.prices) {
      if (price) await this.opts.prices.set(listing.slug, price.per_call, price.currency);
      else await this.opts.prices.remove(listing.slug);
    }
    await this.audit(actor, 'marketplace.version_approved', 'listing', listingId, { slug: listing.slug, version, previous_version: listing.live_version, price });
    await this.retirePackages(listingId).catch(() => undefined); // tidying: never fails the decision
    return this.reviewItem(listingId, version);
  }

  /** The catalog service a version becomes. */
  private async serviceInput(listing: { id: string; slug: string }, v: { version: number; title: string; description: string; source: ListingSource; credentials: Array<Record<string, unknown>> }): Promise<ServiceInput> {
    const common = { slug: listing.slug, title: v.title, description: v.description.slice(0, 4000), credentials: v.credentials, roles: ['user', 'admin'], enabled: true };
    if (v.source.type === 'http') {
      return serviceInputSchema.parse({ ...common, kind: 'http', http: { transport: v.source.transport, instances: [v.source.url] } });
    }
    if (v.source.type === 'builder') return builtServiceInput(common, v.source);
    if (!this.opts.npm) throw errors.conflict('npm listings are not enabled on this platform (MARKETPLACE_NPM)', 'npm_unavailable');
    const run = await this.opts.npm.prepare(listing.id, v.version, v.source);
    return serviceInputSchema.parse({ ...common, kind: 'stdio', stdio: { command: run.command, args: run.args, env: run.env } });
  }

  /**
   * Removes the package directories of npm listings' versions that no longer serve (superseded,
   * rejected; every version of a listing whose service an admin deleted), keeping the live version
   * and those waiting for review (their install is reused at approval). One listing, or all of them.
   */
  async retirePackages(listingId?: string): Promise<void> {
    const npm = this.opts.npm;
    if (!npm) return;
    const listings = await this.db
      .selectFrom('marketplace_listings')
      .select(['id'])
      .where('kind', '=', 'npm')
      .$if(listingId !== undefined, (q) => q.where('id', '=', listingId!))
      .execute();
    for (const listing of listings) await npm.retire(listing.id, () => this.versionsToKeep(listing.id));
  }

  /** An npm listing's versions whose packages must stay installed: the live one (while its service exists) and those waiting for review. */
  private async versionsToKeep(listingId: string): Promise<number[]> {
    const listing = await this.db.selectFrom('marketplace_listings').select(['service_id', 'live_version']).where('id', '=', listingId).executeTakeFirst();
    if (!listing) return [];
    const pending = await this.db.selectFrom('marketplace_listing_versions').select('version').where('listing_id', '=', listingId).where('state', '=', 'pending').execute();
    const keep = pending.map((p) => p.version);
    if (listing.service_id !== null && listing.live_version !== null) keep.push(listing.live_version);
    return keep;
  }

  // ---- providers' own listings ----------------------------------------------------------------

  private async ownListing(providerId: string, listingId: string) {
    const listing = await this.db.selectFrom('marketplace_listings').selectAll().where('id', '=', listingId).where('provider_id', '=', providerId).executeTakeFirst();
    if (!listing) throw errors.notFound('Listing');
    return listing;
  }

  async providerListing(providerId: string, listingId: string) {
    const listing = await this.ownListing(providerId, listingId);
    const versions = await this.db.selectFrom('marketplace_listing_versions').selectAll().where('listing_id', '=', listingId).orderBy('version', 'desc').execute();
    return {
      id: listing.id,
      slug: listing.slug,
      kind: listing.kind,
      live_version: listing.live_version,
      withdrawn: withdrawnView(listing),
      created_at: iso(listing.created_at),
      versions: versions.map((v) => ({
        ...versionView(v),
        source: v.source,
        // The provider's own field definitions, so a new version can start from them (no user's value is here).
        credentials: v.credentials,
        inspection: v.inspection ? { ok: v.inspection.ok, ...(v.inspection.error ? { error: v.inspection.error } : {}), tools: v.inspection.tools.map((t) => t.name) } : null,
      })),
    };
  }

  /**
   * Withdraws a listing (docs/marketplace.md, "Withdrawing a listing"): a provider its own (another's
   * is a 404 and changes nothing), an admin any. It leaves browse and search, cannot be newly
   * installed and takes no new version or approval; its catalog service stays, so the users who
   * installed it keep using it (and are billed at its live price) until they uninstall. `reinstate` undoes it.
   */
  async withdraw(actor: Actor, listingId: string, by: 'provider' | 'admin', reason: string | undefined) {
    const listing =
      by === 'provider'
        ? await this.ownListing(actor.userId, listingId)
        : await this.db.selectFrom('marketplace_listings').selectAll().where('id', '=', listingId).executeTakeFirst();
    if (!listing) throw errors.notFound('Listing');
    if (listing.withdrawn_at !== null) throw withdrawnConflict(listing.withdrawn_at);
    const row = await this.db
      .updateTable('marketplace_listings')
      .set({ withdrawn_at: sql<Date>`now()`, withdrawn_by: actor.userId, withdrawn_as: by, withdrawn_reason: reason ?? null, updated_at: sql<Date>`now()` })
      .where('id', '=', listingId)
      .where('withdrawn_at', 'is', null)
      .returning('withdrawn_at')
      .executeTakeFirst();
    if (!row) throw errors.conflict('This listing was withdrawn meanwhile', 'listing_withdrawn');
    const installs = listing.service_id ? ((await this.opts.catalog.installs?.counts([listing.service_id]))?.get(listing.service_id) ?? 0) : 0;
    await this.audit(actor, 'marketplace.listing_withdrawn', 'listing', listingId, { slug: listing.slug, by, ...(reason ? { reason } : {}), live_version: listing.live_version, installs });
    return this.providerListing(listing.provider_id, listingId);
  }

  /**
   * Puts a withdrawn listing back on the marketplace (docs/marketplace.md, "Reinstating a listing"):
   * its provider, if they withdrew it themselves (one an admin withdrew is `409 withdrawn_by_admin`
   * for them); an admin, any. The live version's URLs are checked by the egress guard again exactly as
   * at submission (the allowlist may have shrunk, a name turned private): refused, nothing changes.
   * Its pending versions return to the review queue.
   */
  async reinstate(actor: Actor, listingId: string, by: 'provider' | 'admin', reason: string | undefined) {
    const listing =
      by === 'provider'
        ? await this.ownListing(actor.userId, listingId)
        : await this.db.selectFrom('marketplace_listings').selectAll().where('id', '=', listingId).executeTakeFirst();
    if (!listing) throw errors.notFound('Listing');
    if (listing.withdrawn_at === null) throw errors.conflict('This listing is not withdrawn', 'not_withdrawn');
    const withdrawnAs = listing.withdrawn_as ?? (listing.withdrawn_by === listing.provider_id ? 'provider' : 'admin');
    if (by === 'provider' && withdrawnAs === 'admin') {
      throw errors.conflict('An administrator withdrew this listing; only an administrator can reinstate it', 'withdrawn_by_admin');
    }
    if (listing.live_version !== null) {
      const live = await this.versionRow(listingId, listing.live_version);
      await this.checkUrls({ source: live.source, icon_url: live.icon_url ?? undefined, links: live.links });
      if (live.source.type === 'builder') {
        const baseUrl = (live.source.openapi as { base_url?: unknown }).base_url;
        await refuseAtRegistration(this.opts.egress, typeof baseUrl === 'string' ? baseUrl : '', 'public', {
          code: 'base_url_refused',
          field: 'source.openapi.base_url',
          what: `The base URL of version ${live.version}`,
        });
      }
    }
    const row = await this.db
      .updateTable('marketplace_listings')
      .set({ withdrawn_at: null, withdrawn_by: null, withdrawn_as: null, withdrawn_reason: null, updated_at: sql<Date>`now()` })
      .where('id', '=', listingId)
      .where('withdrawn_at', 'is not', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw errors.conflict('This listing was reinstated meanwhile', 'not_withdrawn');
    await this.audit(actor, 'marketplace.listing_reinstated', 'listing', listingId, {
      slug: listing.slug,
      by,
      ...(reason ? { reason } : {}),
      live_version: listing.live_version,
      withdrawn: { at: iso(listing.withdrawn_at), as: withdrawnAs, reason: listing.withdrawn_reason },
    });
    return this.providerListing(listing.provider_id, listingId);
  }

  /**
   * Every listing, for the admins' page (docs/marketplace.md, "Withdrawing a listing"): `live` (on
   * the marketplace), `withdrawn`, or all (a never-approved one included), newest first, with its
   * provider, its live version's title and its installs now.
   */
  async adminListings(state: 'live' | 'withdrawn' | undefined) {
    const rows = await this.db
      .selectFrom('marketplace_listings as l')
      .innerJoin('marketplace_providers as p', 'p.user_id', 'l.provider_id')
      .leftJoin('marketplace_listing_versions as v', (join) => join.onRef('v.listing_id', '=', 'l.id').onRef('v.version', '=', 'l.live_version'))
      .select(['l.id', 'l.slug', 'l.kind', 'l.live_version', 'l.service_id', 'l.provider_id', 'l.withdrawn_at', 'l.withdrawn_as', 'l.withdrawn_by', 'l.withdrawn_reason', 'l.created_at', 'p.display_name', 'v.title'])
      .$if(state === 'live', (q) => q.where('l.withdrawn_at', 'is', null).where('l.live_version', 'is not', null))
      .$if(state === 'withdrawn', (q) => q.where('l.withdrawn_at', 'is not', null))
      .orderBy('l.created_at', 'desc')
      .limit(500)
      .execute();
    const serviceIds = rows.flatMap((r) => (r.service_id ? [r.service_id] : []));
    const installs = serviceIds.length ? await this.opts.catalog.installs?.counts(serviceIds) : undefined;
    return rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      kind: r.kind,
      title: r.title ?? null,
      provider: { user_id: r.provider_id, display_name: r.display_name },
      live_version: r.live_version,
      withdrawn: withdrawnView(r),
      installs: r.service_id ? (installs?.get(r.service_id) ?? 0) : 0,
      created_at: iso(r.created_at),
    }));
  }

  async providerListings(providerId: string) {
    const rows = await this.db.selectFrom('marketplace_listings').select('id').where('provider_id', '=', providerId).orderBy('created_at').execute();
    return Promise.all(rows.map((r) => this.providerListing(providerId, r.id)));
  }

  /**
   * A provider's figures for one listing, per day: installs (now), calls, errors and revenue (calls
   * × the live price). Read from billing's `usage_daily` counters: no user, payload or credential
   * is in them, and none leaves here (a rollup of analytics may replace this later).
   */
  async stats(providerId: string, listingId: string, from: string, to: string) {
    const listing = await this.ownListing(providerId, listingId);
    const installs = listing.service_id ? ((await this.opts.catalog.installs?.counts([listing.service_id]))?.get(listing.service_id) ?? 0) : 0;
    const live = listing.live_version !== null ? await this.versionRow(listingId, listing.live_version) : undefined;
    const micros = live?.price_per_call_micros === null || live === undefined ? null : BigInt(live.price_per_call_micros);
    const rows = await this.db
      .selectFrom('usage_daily')
      .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), (eb) => eb.fn.sum<string>('calls').as('calls'), (eb) => eb.fn.sum<string>('errors').as('errors')])
      .where('service', '=', listing.slug)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .groupBy('day')
      .orderBy('day')
      .execute();
    const days = rows.map((r) => {
      const calls = Number(r.calls);
      return { day: r.day, calls, errors: Number(r.errors), revenue: micros === null ? null : fromMicros(micros * BigInt(calls)) };
    });
    const calls = days.reduce((n, d) => n + d.calls, 0);
    return {
      listing_id: listing.id,
      slug: listing.slug,
      period: { from, to },
      installs,
      calls,
      errors: days.reduce((n, d) => n + d.errors, 0),
      price: live ? priceOf(live.price_per_call_micros, live.currency) : null,
      revenue: micros === null ? null : { amount: fromMicros(micros * BigInt(calls)), currency: live!.currency },
      days,
    };
  }

  // ---- users: browse, install, rate ------------------------------------------------------------

  /** Approved listings; withdrawn ones only among `installedServices` (the caller's installs), else none. */
  private liveListings(installedServices?: ReadonlySet<string>) {
    const installed = [...(installedServices ?? [])];
    return this.db
      .selectFrom('marketplace_listings as l')
      .innerJoin('marketplace_listing_versions as v', (j) => j.onRef('v.listing_id', '=', 'l.id').onRef('v.version', '=', 'l.live_version'))
      .innerJoin('marketplace_providers as p', 'p.user_id', 'l.provider_id')
      .where('l.service_id', 'is not', null)
      .where((eb) => (installed.length ? eb.or([eb('l.withdrawn_at', 'is', null), eb('l.service_id', 'in', installed)]) : eb('l.withdrawn_at', 'is', null)));
  }

  /**
   * Live listings for browse and search (never a withdrawn one). Internally, `installed` also lets
   * through the withdrawn listings among the caller's installs (their own installs and detail).
   */
  async browse(userId: string, q: { q?: string; category?: string; price?: 'free' | 'paid'; max_price?: string; limit: number; offset: number; id?: string; installed?: ReadonlySet<string> }) {
    let query = this.liveListings(q.installed)
      .select(['l.id', 'l.slug', 'l.kind', 'l.service_id', 'l.live_version', 'l.updated_at', 'l.withdrawn_at', 'v.title', 'v.description', 'v.icon_url', 'v.categories', 'v.links', 'v.price_per_call_micros', 'v.currency', 'p.display_name'])
      .select((eb) => [
        eb.selectFrom('marketplace_ratings as r').whereRef('r.listing_id', '=', 'l.id').select((e) => e.fn.avg<string>('r.rating').as('a')).as('rating_average'),
        eb.selectFrom('marketplace_ratings as r').whereRef('r.listing_id', '=', 'l.id').select((e) => e.fn.countAll<string>().as('n')).as('rating_count'),
      ]);
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('v.title', 'ilike', like), eb('v.description', 'ilike', like), eb('l.slug', 'ilike', like)]));
    }
    if (q.id) query = query.where('l.id', '=', q.id);
    if (q.category) query = query.where(sql<boolean>`${q.category} = any(v.categories)`);
    if (q.price === 'free') query = query.where('v.price_per_call_micros', 'is', null);
    if (q.price === 'paid') query = query.where('v.price_per_call_micros', 'is not', null);
    if (q.max_price) query = query.where((eb) => eb.or([eb('v.price_per_call_micros', 'is', null), eb('v.price_per_call_micros', '<=', toMicros(q.max_price!))]));
    const rows = await query.orderBy('v.title').orderBy('l.slug').limit(q.limit).offset(q.offset).execute();
    const serviceIds = rows.map((r) => r.service_id!);
    const [installs, mine] = await Promise.all([
      this.opts.catalog.installs?.counts(serviceIds) ?? new Map<string, number>(),
      this.opts.catalog.installs?.forUser(userId) ?? new Set<string>(),
    ]);
    return rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      kind: r.kind,
      version: r.live_version!,
      title: r.title,
      description: r.description,
      icon_url: r.icon_url,
      categories: r.categories,
      links: r.links,
      price: priceOf(r.price_per_call_micros, r.currency),
      provider: { display_name: r.display_name },
      rating: { average: r.rating_average === null ? null : Math.round(Number(r.rating_average) * 100) / 100, count: Number(r.rating_count ?? 0) },
      installs: installs.get(r.service_id!) ?? 0,
      installed: mine.has(r.service_id!),
      withdrawn_at: iso(r.withdrawn_at),
      updated_at: iso(r.updated_at),
    }));
  }

  /**
   * A live listing by slug or ID, as `userId` sees it; anything else (not approved yet, unknown,
   * withdrawn and not installed by them) is 404.
   */
  private async liveListing(idOrSlug: string, userId: string) {
    const mine = (await this.opts.catalog.installs?.forUser(userId)) ?? new Set<string>();
    const row = await this.liveListings(mine)
      .select(['l.id', 'l.slug', 'l.service_id', 'l.live_version'])
      .where((eb) => (isUuid(idOrSlug) ? eb('l.id', '=', idOrSlug) : eb('l.slug', '=', idOrSlug)))
      .executeTakeFirst();
    if (!row) throw errors.notFound('Listing');
    return { id: row.id, slug: row.slug, serviceId: row.service_id!, liveVersion: row.live_version!, installed: mine };
  }

  async detail(userId: string, idOrSlug: string) {
    const listing = await this.liveListing(idOrSlug, userId);
    const [summary] = await this.browse(userId, { id: listing.id, limit: 1, offset: 0, installed: listing.installed });
    const live = await this.versionRow(listing.id, listing.liveVersion);
    const history = await this.db
      .selectFrom('marketplace_listing_versions')
      .select(['version', 'changelog', 'reviewed_at'])
      .where('listing_id', '=', listing.id)
      .where('state', 'in', ['approved', 'superseded'])
      .orderBy('version', 'desc')
      .execute();
    const ratings = await this.db.selectFrom('marketplace_ratings').selectAll().where('listing_id', '=', listing.id).orderBy('updated_at', 'desc').limit(100).execute();
    const inspection = live.inspection ?? emptyInspection('not inspected');
    return {
      ...summary!,
      service: listing.slug,
      tools: inspection.tools.map((t) => ({ name: t.name, ...(t.title ? { title: t.title } : {}), ...(t.description ? { description: t.description } : {}) })),
      prompts: inspection.prompts,
      resources: inspection.resources.map((r) => ({ name: r.name, uri: r.uri, ...(r.description ? { description: r.description } : {}) })),
      credentials: live.credentials.map((f) => ({ name: f.name, title: f.title, ...(f.description ? { description: f.description } : {}), required: f.required ?? true, secret: f.secret ?? true })),
      changelog: history.map((h) => ({ version: h.version, changelog: h.changelog, approved_at: iso(h.reviewed_at) })),
      // Other users' reviews without who wrote them; the caller's own is marked.
      reviews: ratings.map((r) => ({ rating: r.rating, review: r.body, updated_at: iso(r.updated_at), mine: r.user_id === userId })),
    };
  }

  async install(actor: Actor, idOrSlug: string) {
    const listing = await this.liveListing(idOrSlug, actor.userId);
    const installs = this.opts.catalog.installs;
    if (!installs) throw errors.unavailable('Installs are not available');
    const created = await installs.install(actor.userId, listing.serviceId);
    if (created) await this.audit(actor, 'marketplace.installed', 'listing', listing.id, { slug: listing.slug });
    return { created, listing: await this.detail(actor.userId, listing.id) };
  }

  async uninstall(actor: Actor, idOrSlug: string): Promise<void> {
    const listing = await this.liveListing(idOrSlug, actor.userId);
    const removed = await this.opts.catalog.installs?.uninstall(actor.userId, listing.serviceId);
    if (!removed) throw errors.notFound('Install');
    await this.audit(actor, 'marketplace.uninstalled', 'listing', listing.id, { slug: listing.slug });
  }

  async installed(userId: string) {
    const mine = await this.opts.catalog.installs?.forUser(userId);
    if (!mine?.size) return [];
    return (await this.browse(userId, { limit: 100, offset: 0, installed: mine })).filter((l) => l.installed);
  }

  /** One rating per user and listing; a second PUT edits it. Only users who installed the listing rate it. */
  async rate(actor: Actor, idOrSlug: string, body: { rating: number; review: string }) {
    const listing = await this.liveListing(idOrSlug, actor.userId);
    const mine = listing.installed;
    if (!mine.has(listing.serviceId)) throw errors.forbidden('Install the listing before rating it');
    const before = await this.db.selectFrom('marketplace_ratings').select('rating').where('listing_id', '=', listing.id).where('user_id', '=', actor.userId).executeTakeFirst();
    await this.db
      .insertInto('marketplace_ratings')
      .values({ listing_id: listing.id, user_id: actor.userId, rating: body.rating, body: body.review })
      .onConflict((oc) => oc.columns(['listing_id', 'user_id']).doUpdateSet({ rating: body.rating, body: body.review, updated_at: sql<Date>`now()` }))
      .execute();
    await this.audit(actor, 'marketplace.rated', 'listing', listing.id, { slug: listing.slug, rating: body.rating, edited: !!before });
    return { created: !before, rating: body.rating, review: body.review };
  }
}

/** The catalog service of a builder listing's version: an `openapi` service with the copied definition. */
function builtServiceInput(common: { slug: string; title: string; description: string; credentials: Array<Record<string, unknown>> }, source: BuilderSource) {
  const input = serviceInputSchema.parse({ ...common, roles: ['user', 'admin'], enabled: true, kind: 'openapi', openapi: source.openapi });
  if (input.kind !== 'openapi') throw new Error('a builder listing is an openapi service');
  return input;
}

/** 409 listing_withdrawn: a withdrawn listing takes no new version, approval or second withdrawal. */
const withdrawnConflict = (at: Date) => errors.conflict(`This listing was withdrawn on ${at.toISOString()}; it takes no new version or decision`, 'listing_withdrawn');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (v: string) => UUID.test(v);

function providerView(row: { user_id: string; display_name: string; note: string; status: ProviderStatus; reason: string | null; decided_at: Date | null; created_at: Date } & Partial<Pick<ProvidersTable, 'decided_by'>>) {
  return {
    user_id: row.user_id,
    display_name: row.display_name,
    note: row.note,
    status: row.status,
    reason: row.reason,
    decided_at: iso(row.decided_at),
    created_at: iso(row.created_at),
  };
}

/** A listing's withdrawal, or null. `by` is the role the withdrawer acted in (0022), not who they are: an admin withdrawing their own listing through the admin route is 'admin'. */
function withdrawnView(listing: { provider_id: string; withdrawn_at: Date | null; withdrawn_as: 'provider' | 'admin' | null; withdrawn_by: string | null; withdrawn_reason: string | null }) {
  if (listing.withdrawn_at === null) return null;
  return { at: iso(listing.withdrawn_at)!, by: listing.withdrawn_as ?? (listing.withdrawn_by === listing.provider_id ? ('provider' as const) : ('admin' as const)), reason: listing.withdrawn_reason };
}

function versionView(v: {
  version: number;
  title: string;
  description: string;
  icon_url: string | null;
  categories: string[];
  links: Array<{ title: string; url: string }>;
  price_per_call_micros: string | number | null;
  currency: string;
  changelog: string;
  state: VersionState;
  reason: string | null;
  created_at: Date;
  reviewed_at: Date | null;
}) {
  return {
    version: v.version,
    state: v.state,
    reason: v.reason,
    title: v.title,
    description: v.description,
    icon_url: v.icon_url,
    categories: v.categories,
    links: v.links,
    price: priceOf(v.price_per_call_micros, v.currency),
    changelog: v.changelog,
    created_at: iso(v.created_at),
    reviewed_at: iso(v.reviewed_at),
  };
}

function versionRow(listingId: string, version: number, body: VersionInput, submittedBy: string) {
  return {
    listing_id: listingId,
    version,
    title: body.title,
    description: body.description,
    icon_url: body.icon_url ?? null,
    categories: body.categories,
    links: JSON.stringify(body.links),
    price_per_call_micros: body.price ? toMicros(body.price.per_call) : null,
    currency: body.price?.currency ?? 'USD',
    source: JSON.stringify(body.source),
    credentials: JSON.stringify(body.credentials),
    changelog: body.changelog,
    state: 'pending' as const,
    submitted_by: submittedBy,
  };
}
