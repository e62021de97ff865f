import type { Principal } from '../gateway/index.js';
import type { ResolvedService, ServiceCatalog, Unusable } from './service-definition.js';
import type { CredentialStore } from './credentials.js';
import type { InstallStore } from './installs.js';
import { UNPUBLISHED, type ServiceRecord, type ServiceRegistry } from './registry.js';
import { oauthConfigOf, type UpstreamOAuth } from './upstream-oauth.js';

/**
 * The router's view of the registry: which services a caller may use, with that caller's
 * decrypted credentials. A service is usable when it is enabled, runnable, allowed for the
 * caller's role, inside the API key's `services` scope (if any), and every required credential
 * field has a stored value.
 */
const NO_INSTALLS: ReadonlySet<string> = new Set();

export class PlatformCatalog implements ServiceCatalog {
  constructor(
    readonly registry: ServiceRegistry,
    readonly credentials: CredentialStore,
    /** OAuth connections to upstream providers; a service with `oauth` is usable once connected. */
    readonly oauth?: UpstreamOAuth,
    /** Who installed the services that need installing (marketplace listings); without it no one sees those. */
    readonly installs?: InstallStore,
  ) {}

  /** The services the caller installed, read only when some record needs it. */
  private async installedBy(principal: Principal, records: readonly ServiceRecord[]): Promise<ReadonlySet<string>> {
    if (!this.installs || !records.some((r) => r.installRequired)) return NO_INSTALLS;
    return this.installs.forUser(principal.userId);
  }

  /** `visibleTo`, with the caller's installs read when the service needs installing. */
  async canSee(principal: Principal, record: ServiceRecord): Promise<boolean> {
    return this.visibleTo(principal, record, await this.installedBy(principal, [record]));
  }

  /** For a service with `oauth`: whether the caller has connected it; undefined for other services. */
  async oauthConnected(userId: string, definition: ServiceRecord['definition']): Promise<boolean | undefined> {
    if (!oauthConfigOf(definition)) return undefined;
    return this.oauth ? this.oauth.isConnected(userId, definition.id) : false;
  }

  /** Adds the caller's OAuth connection to a service that has `oauth`; undefined when not connected. */
  private async withAuthorization(principal: Principal, resolved: ResolvedService): Promise<ResolvedService | undefined> {
    if (!oauthConfigOf(resolved.definition)) return resolved;
    if (!this.oauth || !(await this.oauth.isConnected(principal.userId, resolved.definition.id))) return undefined;
    return { ...resolved, authorization: this.oauth.authorization(principal.userId, resolved.definition) };
  }

  /**
   * Whether the caller may see the service at all (before credentials). A service that needs
   * installing is seen only by the users in `installed` (see `canSee`, which reads it).
   */
  visibleTo(principal: Principal, record: ServiceRecord, installed: ReadonlySet<string> = NO_INSTALLS): boolean {
    const d = record.definition;
    if (record.installRequired && !installed.has(d.id)) return false;
    // A service a user built is theirs alone (BUILDER_USERS): no one else sees or calls it, admins included.
    if (record.ownerId !== null && record.ownerId !== principal.userId) return false;
    if (!d.enabled) return false;
    if (!d.roles.includes(principal.role)) return false;
    if (principal.services && !principal.services.includes(d.slug)) return false;
    return true;
  }

  /** Services the caller may see, in slug order. */
  async visible(principal: Principal): Promise<ServiceRecord[]> {
    const all = await this.registry.all();
    const installed = await this.installedBy(principal, all);
    return all.filter((r) => this.visibleTo(principal, r, installed));
  }

  /** True when every required field has a value (services without fields are always connected). */
  static hasRequired(record: ServiceRecord, creds: Record<string, string> | undefined): boolean {
    return record.definition.credentialSchema.every((f) => !f.required || (creds?.[f.name] ?? '') !== '');
  }

  async listUsable(principal: Principal): Promise<ResolvedService[]> {
    const visible = await this.visible(principal);
    if (!visible.length) return [];
    const creds = await this.credentials.forUser(principal.userId);
    const out: ResolvedService[] = [];
    for (const record of visible) {
      if (record.problem) continue;
      const c = creds.get(record.definition.id);
      if (!PlatformCatalog.hasRequired(record, c)) continue;
      const resolved = await this.withAuthorization(principal, { definition: record.definition, credentials: { ...(c ?? {}) } });
      if (resolved) out.push(resolved);
    }
    return out;
  }

  async resolve(principal: Principal, slug: string): Promise<ResolvedService | undefined> {
    const record = await this.registry.find(slug);
    if (!record || record.problem || !(await this.canSee(principal, record))) return undefined;
    const c = await this.credentials.get(principal.userId, record.definition.id);
    if (!PlatformCatalog.hasRequired(record, c)) return undefined;
    return this.withAuthorization(principal, { definition: record.definition, credentials: { ...(c ?? {}) } });
  }

  /**
   * A service as an admin inspects it (its live tools list): whatever its state (disabled, other
   * roles), with the admin's own stored credentials and OAuth connection. `missing` names the
   * required fields the admin has not stored, so an upstream's refusal can be explained.
   */
  async resolveForInspection(principal: Principal, record: ServiceRecord): Promise<{ service: ResolvedService; missing: string[]; oauthConnected?: boolean }> {
    const c = await this.credentials.get(principal.userId, record.definition.id);
    const missing = record.definition.credentialSchema.filter((f) => f.required && (c?.[f.name] ?? '') === '').map((f) => f.name);
    const service: ResolvedService = { definition: record.definition, credentials: { ...(c ?? {}) } };
    const oauthConnected = await this.oauthConnected(principal.userId, record.definition);
    if (oauthConnected && this.oauth) service.authorization = this.oauth.authorization(principal.userId, record.definition);
    return { service, missing, ...(oauthConnected !== undefined ? { oauthConnected } : {}) };
  }

  async whyUnusable(principal: Principal, slug: string): Promise<Unusable> {
    const record = await this.registry.find(slug);
    if (!record || !record.definition.roles.includes(principal.role)) return { reason: 'not_found' };
    if (record.ownerId !== null && record.ownerId !== principal.userId) return { reason: 'not_found' };
    // A listing the caller has not installed does not exist for them.
    if (record.installRequired && !(await this.installedBy(principal, [record])).has(record.definition.id)) return { reason: 'not_found' };
    if (principal.services && !principal.services.includes(slug)) return { reason: 'key_scope', scope: principal.services };
    if (!record.definition.enabled) return { reason: 'disabled' };
    if (record.problem) return { reason: 'unavailable', unpublished: record.problem === UNPUBLISHED };
    return { reason: 'needs_credentials' };
  }
}
