import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../db/index.js';
import type { AuditSink } from '../logging/index.js';

/**
 * Data-subject requests (`export-user`, `delete-user`; docs/operations.md). Both find the user by
 * id or email, and both are recorded in the audit trail (actor: the operator's CLI, no user).
 */

export class UserDataError extends Error {
  override name = 'UserDataError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findUser(db: Kysely<Database>, who: string) {
  const query = db.selectFrom('users').selectAll();
  const user = UUID.test(who) ? await query.where('id', '=', who).executeTakeFirst() : await query.where('email', '=', who.trim().toLowerCase()).executeTakeFirst();
  if (!user) throw new UserDataError(`no user ${who}`);
  return user;
}

/**
 * Everything the platform holds about one user, as JSON. Secrets are described, never included:
 * no password hash, no API key hash, no token hash, and the user's service credentials by service
 * and date only (their values are sealed secrets the user can read in the portal).
 */
export interface ExportRequester {
  /** How the export was asked for, recorded in the audit entry. */
  via: 'cli' | 'api';
  /** Who asked: null for the operator's CLI, the user's own id for `GET /v1/me/export`. */
  actorId: string | null;
}

export async function exportUser(db: Kysely<Database>, audit: AuditSink, who: string, requester: ExportRequester = { via: 'cli', actorId: null }): Promise<Record<string, unknown>> {
  const user = await findUser(db, who);
  const [sessions, apiKeys, credentials, oauthConnections, oauthGrants, builtServices, notes, requests, auditEvents] = await Promise.all([
    db.selectFrom('sessions').select(['id', 'user_agent', 'ip', 'created_at', 'refreshed_at', 'not_after', 'revoked_at', 'revoked_reason']).where('user_id', '=', user.id).orderBy('created_at').execute(),
    db.selectFrom('api_keys').select(['id', 'name', 'prefix', 'services', 'expires_at', 'last_used_at', 'revoked_at', 'created_at']).where('user_id', '=', user.id).orderBy('created_at').execute(),
    db
      .selectFrom('user_credentials')
      .innerJoin('services', 'services.id', 'user_credentials.service_id')
      .select(['services.slug as service', 'user_credentials.created_at', 'user_credentials.updated_at'])
      .where('user_credentials.user_id', '=', user.id)
      .execute(),
    // Upstream OAuth connections by service and date only: the tokens are sealed secrets.
    db
      .selectFrom('upstream_oauth_tokens')
      .innerJoin('services', 'services.id', 'upstream_oauth_tokens.service_id')
      .select(['services.slug as service', 'upstream_oauth_tokens.expires_at', 'upstream_oauth_tokens.created_at', 'upstream_oauth_tokens.updated_at'])
      .where('upstream_oauth_tokens.user_id', '=', user.id)
      .execute(),
    // MCP clients the user authorized (the OAuth server's remembered consents), without tokens.
    db
      .selectFrom('oauth_payloads')
      .select(['client_id', 'created_at', 'expires_at'])
      .where('model', '=', 'Grant')
      .where('account_id', '=', user.id)
      .orderBy('created_at')
      .execute(),
    // Services the user built (BUILDER_USERS), with every saved version of their definitions.
    db
      .selectFrom('services')
      .select((eb) => [
        'services.slug',
        'services.title',
        'services.description',
        'services.kind',
        'services.enabled',
        'services.created_at',
        'services.updated_at',
        jsonArrayFrom(
          eb.selectFrom('service_versions').select(['service_versions.version', 'service_versions.definition', 'service_versions.created_at']).whereRef('service_versions.service_id', '=', 'services.id').orderBy('service_versions.version'),
        ).as('versions'),
      ])
      .where('services.owner_id', '=', user.id)
      .orderBy('services.created_at')
      .execute(),
    db.selectFrom('notes').select(['id', 'title', 'body', 'tags', 'created_at', 'updated_at']).where('user_id', '=', user.id).orderBy('created_at').execute(),
    db.selectFrom('request_log').selectAll().where('user_id', '=', user.id).orderBy('time').execute(),
    db
      .selectFrom('audit_log')
      .select(['seq', 'time', 'action', 'outcome', 'actor_id', 'target_type', 'target_id', 'ip', 'user_agent', 'request_id', 'details'])
      .where((eb) => eb.or([eb('actor_id', '=', user.id), eb('target_id', '=', user.id)]))
      .orderBy('seq')
      .execute(),
  ]);
  const [marketplace, billing] = await Promise.all([exportMarketplace(db, user.id), exportBilling(db, user.id)]);
  const { encrypted_password: password, ...profile } = user;
  await audit.record({ action: requester.via === 'cli' ? 'admin.user_exported' : 'user.data_exported', outcome: 'success', actorId: requester.actorId, targetType: 'user', targetId: user.id, details: { via: requester.via } });
  return {
    exported_at: new Date().toISOString(),
    user: { ...profile, has_password: password !== null },
    sessions,
    api_keys: apiKeys,
    service_credentials: credentials,
    service_oauth_connections: oauthConnections,
    authorized_clients: oauthGrants,
    built_services: builtServices,
    ...marketplace,
    billing,
    notes,
    request_log: requests,
    audit_events: auditEvents,
  };
}

// A type, not an interface: `withTables` wants an index signature.
type BillingExportTables = {
  plans: { id: string; name: string; monthly_calls: string | number | null; per_minute: number | null; soft_limit_percent: number; service_quotas: Record<string, number> };
  user_plans: { user_id: string; plan_id: string; updated_at: Date };
  usage_events: { event_key: string; user_id: string; service: string; listing_version: string | null; tool: string | null; units: number; status: string; latency_ms: number; occurred_at: Date };
  usage_daily: { user_id: string; service: string; day: string; calls: string | number; units: string | number; errors: string | number; latency_ms_sum: string | number };
  statements: { id: string; user_id: string; month: string; finalized_at: Date; totals: Array<{ currency: string; amount: string }> };
  statement_lines: { statement_id: string; service: string; calls: string | number; unit_price_micros: string | number | null; amount_micros: string | number | null; currency: string | null };
};

/**
 * The billing rows about the user (migrations 0013, 0015, 0018): their plan (and since when), each
 * metered call (service, tool, units, status, latency, time), the daily totals, and the monthly
 * statements with their lines. Read by table here, as the marketplace's are.
 */
async function exportBilling(base: Kysely<Database>, userId: string) {
  const db = base.withTables<BillingExportTables>();
  const [plan, events, daily, statements] = await Promise.all([
    db
      .selectFrom('user_plans')
      .innerJoin('plans', 'plans.id', 'user_plans.plan_id')
      .select(['plans.id', 'plans.name', 'plans.monthly_calls', 'plans.per_minute', 'plans.soft_limit_percent', 'plans.service_quotas', 'user_plans.updated_at as since'])
      .where('user_plans.user_id', '=', userId)
      .executeTakeFirst(),
    db
      .selectFrom('usage_events')
      .select(['service', 'listing_version', 'tool', 'units', 'status', 'latency_ms', 'occurred_at'])
      .where('user_id', '=', userId)
      .orderBy('occurred_at')
      .execute(),
    db.selectFrom('usage_daily').select(['day', 'service', 'calls', 'units', 'errors', 'latency_ms_sum']).where('user_id', '=', userId).orderBy('day').orderBy('service').execute(),
    db
      .selectFrom('statements')
      .select((eb) => [
        'statements.month',
        'statements.finalized_at',
        'statements.totals',
        jsonArrayFrom(
          eb
            .selectFrom('statement_lines')
            .select(['statement_lines.service', 'statement_lines.calls', 'statement_lines.unit_price_micros', 'statement_lines.amount_micros', 'statement_lines.currency'])
            .whereRef('statement_lines.statement_id', '=', 'statements.id')
            .orderBy('statement_lines.service'),
        ).as('lines'),
      ])
      .where('statements.user_id', '=', userId)
      .orderBy('statements.month')
      .execute(),
  ]);
  return { plan: plan ?? null, usage_events: events, usage_daily: daily, statements };
}

/**
 * The marketplace's rows about the user (migration 0017): the listings' services they installed, the
 * ratings and reviews they wrote, and, if they applied to be a provider, their provider record and
 * listings. Read by table here (the marketplace component is not imported by ops); who decided on
 * the application (another user) is left out.
 */
// A type, not an interface: `withTables` wants an index signature.
type MarketplaceExportTables = {
  marketplace_providers: { user_id: string; display_name: string; note: string; status: string; reason: string | null; decided_at: Date | null; created_at: Date; updated_at: Date };
  marketplace_listings: {
    id: string;
    provider_id: string;
    slug: string;
    kind: string;
    service_id: string | null;
    live_version: number | null;
    withdrawn_at: Date | null;
    withdrawn_by: string | null;
    withdrawn_as: 'provider' | 'admin' | null;
    withdrawn_reason: string | null;
    created_at: Date;
    updated_at: Date;
  };
  marketplace_listing_versions: { listing_id: string; version: number; title: string; state: string; created_at: Date };
  marketplace_ratings: { listing_id: string; user_id: string; rating: number; body: string; created_at: Date; updated_at: Date };
};

async function exportMarketplace(base: Kysely<Database>, userId: string) {
  const db = base.withTables<MarketplaceExportTables>();
  const [installs, ratings, provider, listings] = await Promise.all([
    db
      .selectFrom('service_installs')
      .innerJoin('services', 'services.id', 'service_installs.service_id')
      .leftJoin('marketplace_listings', 'marketplace_listings.service_id', 'services.id')
      .select(['services.slug as service', 'marketplace_listings.slug as listing', 'service_installs.created_at as installed_at'])
      .where('service_installs.user_id', '=', userId)
      .orderBy('service_installs.created_at')
      .execute(),
    db
      .selectFrom('marketplace_ratings')
      .innerJoin('marketplace_listings', 'marketplace_listings.id', 'marketplace_ratings.listing_id')
      .select(['marketplace_listings.slug as listing', 'marketplace_ratings.rating', 'marketplace_ratings.body', 'marketplace_ratings.created_at', 'marketplace_ratings.updated_at'])
      .where('marketplace_ratings.user_id', '=', userId)
      .orderBy('marketplace_ratings.created_at')
      .execute(),
    db
      .selectFrom('marketplace_providers')
      .select(['display_name', 'note', 'status', 'reason', 'decided_at', 'created_at', 'updated_at'])
      .where('user_id', '=', userId)
      .executeTakeFirst(),
    db
      .selectFrom('marketplace_listings')
      .select((eb) => [
        'marketplace_listings.slug',
        'marketplace_listings.kind',
        'marketplace_listings.live_version',
        'marketplace_listings.created_at',
        'marketplace_listings.updated_at',
        // Withdrawal facts (0021, 0022): when, in which role (their own or an administrator's), why;
        // not who the administrator was (another user).
        'marketplace_listings.withdrawn_at',
        'marketplace_listings.withdrawn_reason',
        sql<'provider' | 'admin' | null>`case when marketplace_listings.withdrawn_at is null then null else coalesce(marketplace_listings.withdrawn_as, case when marketplace_listings.withdrawn_by = marketplace_listings.provider_id then 'provider' else 'admin' end) end`.as('withdrawn_as'),
        eb.selectFrom('services').select('services.slug').whereRef('services.id', '=', 'marketplace_listings.service_id').as('service'),
        jsonArrayFrom(
          eb
            .selectFrom('marketplace_listing_versions')
            .select(['marketplace_listing_versions.version', 'marketplace_listing_versions.title', 'marketplace_listing_versions.state', 'marketplace_listing_versions.created_at'])
            .whereRef('marketplace_listing_versions.listing_id', '=', 'marketplace_listings.id')
            .orderBy('marketplace_listing_versions.version'),
        ).as('versions'),
      ])
      .where('marketplace_listings.provider_id', '=', userId)
      .orderBy('marketplace_listings.created_at')
      .execute(),
  ]);
  const shown = listings.map(({ withdrawn_at, withdrawn_as, withdrawn_reason, ...l }) => ({ ...l, withdrawn: withdrawn_at === null ? null : { at: withdrawn_at, by: withdrawn_as, reason: withdrawn_reason } }));
  return { marketplace_installs: installs, marketplace_ratings: ratings, marketplace_provider: provider ? { ...provider, listings: shown } : null };
}

export interface DeletionReport {
  user_id: string;
  deleted: {
    sessions: number;
    api_keys: number;
    service_credentials: number;
    notes: number;
    request_log: number;
    oauth_payloads: number;
    /** A provider's listings (by cascade), the catalog services they became, and their npm package directories. */
    marketplace_listings: number;
    marketplace_services: number;
    package_directories: number;
  };
}

export interface DeletionOptions {
  /** MARKETPLACE_PACKAGES_DIR (resolved): where a provider's npm listings are installed, one directory per listing. */
  packagesDir?: string;
}

/**
 * Deletes the user and everything that is theirs, in one transaction: the account, sessions and
 * refresh tokens, API keys, service credentials, upstream OAuth connections, services they built
 * (with their versions), notes, request-log
 * rows, and the OAuth grants and tokens the platform issued to their MCP clients; a provider's
 * listings with the catalog services they became (with those services' installs and users'
 * credentials: nothing may serve a deleted provider's code or endpoint) and, after the commit, the
 * listings' npm package directories. The audit trail keeps
 * its rows (a hash chain: removing one breaks verification; it is the security record) and gains
 * one for the deletion. The last enabled admin is not deleted.
 */
export async function deleteUser(db: Kysely<Database>, audit: AuditSink, who: string, options: DeletionOptions = {}): Promise<DeletionReport> {
  const user = await findUser(db, who);
  let listings: Array<{ id: string; slug: string; service_id: string | null }> = [];
  const report = await db.transaction().execute(async (trx) => {
    if (user.role === 'admin') {
      const admins = await trx.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).where('role', '=', 'admin').where('disabled_at', 'is', null).where('id', '!=', user.id).executeTakeFirst();
      if (Number(admins?.n ?? 0) === 0) throw new UserDataError(`${user.email ?? user.id} is the last enabled admin; make another admin first (create-admin)`);
    }
    const count = async (table: 'sessions' | 'api_keys' | 'user_credentials' | 'notes') =>
      Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', user.id).executeTakeFirst())?.n ?? 0);
    const counts = { sessions: await count('sessions'), api_keys: await count('api_keys'), service_credentials: await count('user_credentials'), notes: await count('notes') };
    const logged = await trx.deleteFrom('request_log').where('user_id', '=', user.id).executeTakeFirst();
    // The OAuth authorization server's rows (oidc-provider's store: grants, i.e. remembered consents,
    // codes, access and refresh tokens, sessions) carry the user as account_id and have no foreign
    // key; a token row without account_id still names its grant.
    const userGrants = trx.selectFrom('oauth_payloads').select('id').where('model', '=', 'Grant').where('account_id', '=', user.id);
    const oauth = await trx
      .deleteFrom('oauth_payloads')
      .where((eb) => eb.or([eb('account_id', '=', user.id), eb('grant_id', 'in', userGrants)]))
      .executeTakeFirst();
    // A provider's listings go with the user (ON DELETE CASCADE); the services they became would stay
    // in the catalog, ownerless and still served to those who installed them: removed here, with their
    // installs, credentials and instances (cascade), and their prices (keyed by slug).
    listings = await trx.withTables<MarketplaceExportTables>().selectFrom('marketplace_listings').select(['id', 'slug', 'service_id']).where('provider_id', '=', user.id).execute();
    const serviceIds = listings.flatMap((l) => (l.service_id ? [l.service_id] : []));
    const services = serviceIds.length ? await trx.deleteFrom('services').where('id', 'in', serviceIds).returning('slug').execute() : [];
    if (services.length) {
      await trx
        .withTables<{ service_prices: { service: string } }>()
        .deleteFrom('service_prices')
        .where(
          'service',
          'in',
          services.map((x) => x.slug),
        )
        .execute();
    }
    // Sessions (and their refresh tokens), API keys, credentials, upstream OAuth tokens, notes and listings go by ON DELETE CASCADE.
    await trx.deleteFrom('users').where('id', '=', user.id).execute();
    return {
      user_id: user.id,
      deleted: { ...counts, request_log: Number(logged.numDeletedRows), oauth_payloads: Number(oauth.numDeletedRows), marketplace_listings: listings.length, marketplace_services: services.length, package_directories: 0 },
    };
  });
  report.deleted.package_directories = await removePackageDirectories(options.packagesDir, listings);
  await audit.record({
    action: 'admin.user_deleted',
    outcome: 'success',
    actorId: null,
    targetType: 'user',
    targetId: user.id,
    details: { via: 'cli', ...report.deleted, ...(listings.length ? { listings: listings.map((l) => l.slug) } : {}) },
  });
  return report;
}

const LISTING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Removes the deleted listings' directories (`<packagesDir>/<listing id>`), only inside the packages root; resolves with how many existed. */
async function removePackageDirectories(packagesDir: string | undefined, listings: ReadonlyArray<{ id: string }>): Promise<number> {
  if (!packagesDir) return 0;
  const root = path.resolve(packagesDir);
  let removed = 0;
  for (const { id } of listings) {
    if (!LISTING_ID.test(id)) continue; // a listing id is a UUID: never a path of another shape
    const dir = path.join(root, id);
    if (path.dirname(dir) !== root) continue;
    const existed = await stat(dir).then(
      () => true,
      () => false,
    );
    await rm(dir, { recursive: true, force: true });
    if (existed) removed += 1;
  }
  return removed;
}
