import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { OAuthClientMetadata, OAuthClientProvider } from '@modelcontextprotocol/client';
import { recordSecret } from './secret-scan.js';
import { bearer } from './users.js';

/** A free TCP port on 127.0.0.1 (the platform must know its PUBLIC_URL, with the port, before it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The cookies a browser would keep (name, value, path), enough for oidc-provider's interaction cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^expires=/i.test(a.trim()) && Date.parse(a.trim().slice(8)) < Date.now());
      if (expired || value === '') this.cookies.delete(`${name}\0${path}`);
      else this.cookies.set(`${name}\0${path}`, { value, path });
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    return [...this.cookies.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map(([key, c]) => `${key.split('\0')[0]}=${c.value}`)
      .join('; ');
  }
}

/** GET without following redirects, as a browser would, keeping cookies. */
export async function browserGet(jar: CookieJar, url: string): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
  jar.take(res);
  return res;
}

export interface ConsentDetailsBody {
  uid: string;
  client: { client_id: string; client_name: string | null; metadata_document: boolean };
  redirect_uri: string;
  redirect_host: string;
  resource: string;
  scopes: string[];
  remembered: boolean;
  csrf_token: string;
}

/**
 * What a user does in the browser, scripted over HTTP: opens the authorization URL (→ consent page),
 * the page reads the details and posts the decision with the portal session's token, the browser
 * follows `redirect_to` back through /oauth/authorize to the client's redirect URI.
 */
export async function consentInBrowser(
  platformUrl: string,
  authorizationUrl: string,
  portalToken: string,
  opts: { approve?: boolean; jar?: CookieJar; csrf?: (real: string) => string } = {},
): Promise<{ callback: URL; details: ConsentDetailsBody; jar: CookieJar }> {
  const jar = opts.jar ?? new CookieJar();
  const first = await browserGet(jar, authorizationUrl);
  if (first.status !== 303 && first.status !== 302) throw new Error(`authorize answered ${first.status}: ${await first.text()}`);
  const consentPage = new URL(first.headers.get('location')!, platformUrl);
  if (!consentPage.pathname.startsWith('/oauth/consent/')) throw new Error(`authorize went to ${consentPage.href}, not the consent page`);
  const detailsUrl = `${consentPage.href}/details`;
  const detailsRes = await fetch(detailsUrl, { headers: { cookie: jar.header(detailsUrl), ...bearer(portalToken) } });
  if (detailsRes.status !== 200) throw new Error(`consent details answered ${detailsRes.status}: ${await detailsRes.text()}`);
  const details = (await detailsRes.json()) as ConsentDetailsBody;
  recordSecret('oauth_csrf_token', details.csrf_token);
  const decisionUrl = `${consentPage.href}/decision`;
  const csrf = opts.csrf ? opts.csrf(details.csrf_token) : details.csrf_token;
  const decision = await fetch(decisionUrl, {
    method: 'POST',
    headers: { cookie: jar.header(decisionUrl), 'content-type': 'application/json', ...bearer(portalToken) },
    body: JSON.stringify({ approve: opts.approve ?? true, csrf_token: csrf }),
  });
  if (decision.status !== 200) throw new Error(`consent decision answered ${decision.status}: ${await decision.text()}`);
  const { redirect_to } = (await decision.json()) as { redirect_to: string };
  let next = new URL(redirect_to, platformUrl);
  // Back through /oauth/authorize/{uid} (the resume step) to the client's redirect URI.
  // (Any replica's /oauth/ URL counts as the platform: a client's redirect URI in the tests never is one.)
  for (let hop = 0; hop < 5 && next.pathname.startsWith('/oauth/'); hop++) {
    const res = await browserGet(jar, next.href);
    if (res.status !== 303 && res.status !== 302) throw new Error(`${next.pathname} answered ${res.status}: ${await res.text()}`);
    next = new URL(res.headers.get('location')!, platformUrl);
  }
  recordSecret('oauth_code', next.searchParams.get('code') ?? undefined);
  return { callback: next, details, jar };
}

/** An OAuthClientProvider as a real MCP client keeps it, in memory; the redirect goes to the test. */
export class TestOAuthClient implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private client: Parameters<NonNullable<OAuthClientProvider['saveClientInformation']>>[0] | undefined;
  private stored: Parameters<OAuthClientProvider['saveTokens']>[0] | undefined;
  private verifier = '';
  savedTokens = 0;

  constructor(
    readonly redirect: string,
    readonly clientMetadataUrl?: string,
  ) {}

  get redirectUrl(): string {
    return this.redirect;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK test client',
      redirect_uris: [this.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    return 'state-from-the-client';
  }

  clientInformation() {
    return this.client;
  }

  saveClientInformation(info: NonNullable<TestOAuthClient['client']>): void {
    this.client = info;
  }

  tokens() {
    return this.stored;
  }

  saveTokens(tokens: NonNullable<TestOAuthClient['stored']>): void {
    this.stored = tokens;
    this.savedTokens++;
    recordSecret('oauth_access_token', tokens.access_token);
    recordSecret('oauth_refresh_token', tokens.refresh_token);
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }

  private discovery: Awaited<ReturnType<NonNullable<OAuthClientProvider['discoveryState']>>>;

  saveDiscoveryState(state: NonNullable<TestOAuthClient['discovery']>): void {
    this.discovery = state;
  }

  discoveryState() {
    return this.discovery;
  }

  get registeredClientId(): string | undefined {
    return this.client?.client_id;
  }
}

// ---- a hand-driven OAuth client (the hostile tests need to bend each request) ----

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Dynamic Client Registration of a public client; returns the response (status, JSON). */
export async function registerClient(platformUrl: string, metadata: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${platformUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], ...metadata }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function authorizeUrl(platformUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL(`${platformUrl}/oauth/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

export interface TokenAnswer {
  status: number;
  body: { access_token?: string; refresh_token?: string; error?: string; error_description?: string; scope?: string; token_type?: string; expires_in?: number };
}

export async function tokenRequest(platformUrl: string, form: Record<string, string | undefined>): Promise<TokenAnswer> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  for (const kind of ['code', 'code_verifier', 'refresh_token'] as const) recordSecret(`oauth_${kind}`, form[kind]);
  const res = await fetch(`${platformUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const answer = { status: res.status, body: (await res.json()) as TokenAnswer['body'] };
  recordSecret('oauth_access_token', answer.body.access_token);
  recordSecret('oauth_refresh_token', answer.body.refresh_token);
  return answer;
}

/** A JSON-RPC tools/list at an MCP endpoint with a bearer token; the HTTP status says whether it was accepted. */
export async function mcpStatus(url: string, token: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'oauth-test', version: '1' } } }),
  });
  await res.body?.cancel();
  return res.status;
}
