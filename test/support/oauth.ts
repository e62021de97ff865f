import { createServer } from 'node:net';
import type { OAuthClientMetadata, OAuthClientProvider } from '@modelcontextprotocol/client';
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
  for (let hop = 0; hop < 5 && next.origin === new URL(platformUrl).origin; hop++) {
    const res = await browserGet(jar, next.href);
    if (res.status !== 303 && res.status !== 302) throw new Error(`${next.pathname} answered ${res.status}: ${await res.text()}`);
    next = new URL(res.headers.get('location')!, platformUrl);
  }
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
