import { readFileSync } from 'node:fs';
import * as oauth from 'oauth4webapi';
import type { EgressGuard } from '../gateway/index.js';
import type { UpstreamOAuthConfig } from './service-definition.js';

/**
 * The OAuth client side of one upstream provider, on oauth4webapi: the provider's metadata
 * (discovery, or the catalog's explicit endpoints), the platform's client credentials (from the
 * environment or a secret file), and a `fetch` that goes through the egress guard ('public'
 * policy: a provider on a private or loopback address must be allowlisted in `EGRESS_ALLOW`).
 */

export type ProviderEnv = Readonly<Record<string, string | undefined>>;

export interface ProviderClient {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  auth: oauth.ClientAuth;
  /** Options for every oauth4webapi request: the guarded fetch, http allowed only for loopback providers. */
  options: { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]?: boolean };
}

/** The client credentials named by the catalog; throws naming the variable or file that is missing. */
export function clientCredentials(config: UpstreamOAuthConfig, env: ProviderEnv): { clientId: string; clientSecret?: string } {
  const clientId = env[config.clientIdEnv];
  if (!clientId) throw new Error(`environment variable ${config.clientIdEnv} (oauth.client_id_env) is not set`);
  if (config.clientSecretEnv) {
    const secret = env[config.clientSecretEnv];
    if (!secret) throw new Error(`environment variable ${config.clientSecretEnv} (oauth.client_secret_env) is not set`);
    return { clientId, clientSecret: secret };
  }
  if (config.clientSecretFile) {
    let secret: string;
    try {
      secret = readFileSync(config.clientSecretFile, 'utf8').trim();
    } catch {
      throw new Error(`secret file ${config.clientSecretFile} (oauth.client_secret_file) cannot be read`);
    }
    if (!secret) throw new Error(`secret file ${config.clientSecretFile} (oauth.client_secret_file) is empty`);
    return { clientId, clientSecret: secret };
  }
  return { clientId };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const METADATA_TTL_MS = 60 * 60_000;

/** oauth4webapi's fetch, bounded and SSRF-checked by the egress guard. */
function guardedFetch(egress: Pick<EgressGuard, 'fetch'>): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const body = init?.body === undefined || init.body === null ? undefined : String(init.body as string | URLSearchParams);
    const res = await egress.fetch(url, {
      policy: 'public',
      method: init?.method ?? 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
      maxBytes: 256 * 1024,
      timeoutMs: 10_000,
      maxRedirects: 0,
    });
    const empty = res.status === 204 || res.status === 304 || res.body.length === 0;
    return new Response(empty ? null : new Uint8Array(res.body), { status: res.status, headers: res.headers });
  }) as typeof fetch;
}

/** Metadata and client per service, discovered at most once an hour. */
export class ProviderClients {
  private readonly cache = new Map<string, { at: number; client: Promise<ProviderClient> }>();

  constructor(
    private readonly egress: Pick<EgressGuard, 'fetch'>,
    private readonly env: ProviderEnv,
  ) {}

  forService(serviceId: string, config: UpstreamOAuthConfig): Promise<ProviderClient> {
    const hit = this.cache.get(serviceId);
    if (hit && Date.now() - hit.at < METADATA_TTL_MS) return hit.client;
    const client = this.build(config);
    this.cache.set(serviceId, { at: Date.now(), client });
    client.catch(() => this.cache.delete(serviceId));
    return client;
  }

  private async build(config: UpstreamOAuthConfig): Promise<ProviderClient> {
    const { clientId, clientSecret } = clientCredentials(config, this.env);
    const endpoints = [config.issuer, config.authorizationEndpoint, config.tokenEndpoint, config.revocationEndpoint].filter((u): u is string => !!u);
    // http only towards a loopback provider (a local stand-in); everything else must be https.
    const insecure = endpoints.some((u) => new URL(u).protocol === 'http:');
    if (insecure && !endpoints.every((u) => LOOPBACK.has(new URL(u).hostname))) throw new Error('an OAuth provider must use https (http only on loopback)');
    const options: ProviderClient['options'] = { [oauth.customFetch]: guardedFetch(this.egress), ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}) };
    let as: oauth.AuthorizationServer;
    if (config.issuer) {
      const issuer = new URL(config.issuer);
      as = await oauth
        .discoveryRequest(issuer, { ...options, algorithm: 'oauth2' })
        .then((res) => oauth.processDiscoveryResponse(issuer, res))
        .catch(() => oauth.discoveryRequest(issuer, { ...options, algorithm: 'oidc' }).then((res) => oauth.processDiscoveryResponse(issuer, res)));
      if (config.revocationEndpoint) as = { ...as, revocation_endpoint: config.revocationEndpoint };
    } else {
      as = {
        issuer: new URL(config.authorizationEndpoint ?? '').origin,
        authorization_endpoint: config.authorizationEndpoint,
        token_endpoint: config.tokenEndpoint,
        ...(config.revocationEndpoint ? { revocation_endpoint: config.revocationEndpoint } : {}),
      };
    }
    const methods = as.token_endpoint_auth_methods_supported;
    const auth = !clientSecret
      ? oauth.None()
      : methods && !methods.includes('client_secret_post') && methods.includes('client_secret_basic')
        ? oauth.ClientSecretBasic(clientSecret)
        : oauth.ClientSecretPost(clientSecret);
    return { as, client: { client_id: clientId }, auth, options };
  }
}
