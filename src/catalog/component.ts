import type { Logger } from 'pino';
import type { PlatformDatabase, Redis } from '../db/index.js';
import type { EgressGuard } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import type { SealedColumn, Vault } from '../vault/index.js';
import { PlatformCatalog } from './catalog.js';
import { CredentialStore, sealedCredentials } from './credentials.js';
import { DEFAULT_CATALOG_FILE, loadCatalogFile } from './file.js';
import { InstallStore } from './installs.js';
import { ServiceRegistry } from './registry.js';
import { sealedOAuthTokens, UpstreamOAuth } from './upstream-oauth.js';
import { clientCredentials, ProviderClients, type ProviderEnv } from './upstream-oauth-client.js';

export interface CatalogSettings {
  database: PlatformDatabase;
  vault: Vault;
  redis: Redis | undefined;
  /** Redis key prefix: namespaces the invalidation channel like every other key. */
  redisKeyPrefix: string;
  logger: Logger;
  /** Path of the catalog file; undefined for the shipped `catalog/services.yaml`, '' for none. */
  catalogFile: string | undefined;
  builtinNames: ReadonlySet<string>;
  serviceCacheTtlMs: number;
  credentialCacheTtlMs: number;
  credentialCacheMaxUsers: number;
  /** OAuth connections to upstream providers (docs/oauth.md, "Connecting upstream providers"). */
  upstreamOAuth?: {
    egress: Pick<EgressGuard, 'fetch'>;
    /** Where client IDs and secrets named by the catalog are read (process.env). */
    env: ProviderEnv;
    /** The callback URL registered with every provider. */
    redirectUri: string;
    audit?: AuditSink;
  };
}

export interface CatalogComponent {
  catalog: PlatformCatalog;
  registry: ServiceRegistry;
  credentials: CredentialStore;
  /** Who installed the services that need installing (marketplace listings). */
  installs: InstallStore;
  /** The sealed user credentials, for the vault's key rotation (CLI `rotate-keys`). */
  sealedCredentials: SealedColumn;
  /** The sealed upstream OAuth tokens, likewise. */
  sealedOAuthTokens: SealedColumn;
  /** OAuth connections to upstream providers; undefined when not configured. */
  upstreamOAuth: UpstreamOAuth | undefined;
  close(): Promise<void>;
}

/**
 * Builds the registry, the credential store and the catalog, applies the catalog file, and
 * (with Redis) subscribes to cross-replica invalidation so a credential PUT/DELETE or an admin
 * change on one replica drops the others' cached copies at once.
 */
export async function createCatalog(s: CatalogSettings): Promise<CatalogComponent> {
  const log = s.logger.child({ component: 'catalog' });
  const registry = new ServiceRegistry(s.database.db, { cacheTtlMs: s.serviceCacheTtlMs });
  const credentials = new CredentialStore(
    s.database.db,
    s.vault,
    { ttlMs: s.credentialCacheTtlMs, maxUsers: s.credentialCacheMaxUsers },
    log,
  );
  const upstreamOAuth = s.upstreamOAuth
    ? new UpstreamOAuth({
        db: s.database.db,
        vault: s.vault,
        providers: new ProviderClients(s.upstreamOAuth.egress, s.upstreamOAuth.env),
        redirectUri: s.upstreamOAuth.redirectUri,
        logger: log,
        audit: s.upstreamOAuth.audit,
      })
    : undefined;
  const installs = new InstallStore(s.database.db, { ttlMs: s.credentialCacheTtlMs, maxUsers: s.credentialCacheMaxUsers });
  // An uninstall deletes the user's credentials for the service too.
  installs.onChange = (userId) => credentials.invalidate(userId);
  const catalog = new PlatformCatalog(registry, credentials, upstreamOAuth, installs);

  const file = s.catalogFile ?? DEFAULT_CATALOG_FILE;
  if (file !== '') {
    const entries = await loadCatalogFile(file, s.builtinNames);
    // An enabled service that connects by OAuth needs its client ID (and secret) now, not at first use.
    entries.forEach((entry, i) => {
      if (entry.kind !== 'http' || !entry.http.oauth || !entry.enabled) return;
      const o = entry.http.oauth;
      try {
        clientCredentials({ clientIdEnv: o.client_id_env, clientSecretEnv: o.client_secret_env, clientSecretFile: o.client_secret_file, scopes: o.scopes, inject: o.inject }, s.upstreamOAuth?.env ?? {});
      } catch (err) {
        throw new Error(`${file}: services[${i}] (${entry.slug}).http.oauth: ${(err as Error).message}`);
      }
    });
    const applied = await registry.applyCatalog(entries);
    if (applied.conflicts.length) {
      log.warn({ slugs: applied.conflicts }, 'catalog entries skipped: an admin-registered service already uses the slug');
    }
    log.info({ file, inserted: applied.inserted, updated: applied.updated, disabled: applied.disabled }, 'service catalog applied');
  }

  let subscriber: Redis | undefined;
  if (s.redis) {
    const redis = s.redis;
    const channel = `${s.redisKeyPrefix}catalog:invalidate`;
    const publish = (message: string) => {
      redis.publish(channel, message).catch((err: Error) => log.warn({ err: { message: err.message } }, 'cache invalidation not published'));
    };
    registry.onChange = () => publish('services');
    credentials.onChange = (userId) => publish(`user:${userId}`);
    installs.onChange = (userId) => {
      credentials.invalidate(userId);
      publish(`user:${userId}`);
    };
    subscriber = redis.duplicate({ keyPrefix: '', enableOfflineQueue: true });
    subscriber.on('error', () => undefined); // the main connection already reports Redis trouble
    subscriber.on('message', (_channel: string, message: string) => {
      if (message === 'services') registry.invalidate();
      else if (message.startsWith('user:')) {
        credentials.invalidate(message.slice(5));
        installs.invalidate(message.slice(5));
      }
    });
    // After a reconnect we may have missed messages: drop everything cached.
    subscriber.on('ready', () => {
      registry.invalidate();
      credentials.invalidate();
      installs.invalidate();
    });
    await subscriber.subscribe(channel).catch((err: Error) => log.warn({ err: { message: err.message } }, 'cache invalidation channel unavailable; relying on TTLs'));
  }

  return {
    catalog,
    registry,
    credentials,
    installs,
    sealedCredentials: sealedCredentials(s.database.db),
    sealedOAuthTokens: sealedOAuthTokens(s.database.db),
    upstreamOAuth,
    async close() {
      if (subscriber) await subscriber.quit().catch(() => subscriber?.disconnect());
    },
  };
}
