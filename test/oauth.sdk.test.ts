import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentInBrowser, freePort, TestOAuthClient } from './support/oauth.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { signUp, type TestSession } from './support/users.js';

/**
 * Acceptance 1 of issue 13: the official SDK client's own OAuth support starts with only the URL
 * of an MCP service, discovers the authorization server through the 401, registers (DCR here; CIMD
 * in oauth.cimd.test.ts), the user consents (scripted HTTP, as the consent page does it), then it
 * lists and calls tools and refreshes when its access token expires. Real platform, real catalog
 * (`everything` over stdio), real PGlite/PostgreSQL.
 */

// Short, so the test sees an expiry; not so short that a loaded machine expires the refreshed token too.
const ACCESS_TTL_SECONDS = 5;
let t: TestPlatform;
let user: TestSession;
beforeAll(async () => {
  const port = await freePort();
  t = await startPlatform({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    OAUTH_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL_SECONDS),
    AUTH_CLOCK_SKEW_SECONDS: '0',
  });
  user = await signUp(t.url);
}, 180_000);
afterAll(async () => t?.close(), 60_000);

/** Connects with the SDK's auth provider; on the first 401 the user consents, then it connects again. */
async function connectWithOAuth(mcpUrl: URL, oauth: TestOAuthClient): Promise<{ client: Client; callback: URL }> {
  const first = new Client({ name: 'oauth-sdk-test', version: '1.0.0' });
  const firstTransport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth });
  const err = await first.connect(firstTransport).then(() => undefined, (e: unknown) => e);
  expect(err, String(err)).toBeInstanceOf(UnauthorizedError);
  expect(oauth.authorizationUrl).toBeDefined();
  const { callback } = await consentInBrowser(t.url, oauth.authorizationUrl!.href, user.accessToken);
  await firstTransport.finishAuth(callback.searchParams);
  await first.close().catch(() => undefined);
  const client = new Client({ name: 'oauth-sdk-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth }));
  return { client, callback };
}

describe('the SDK client signs in by itself (Dynamic Client Registration)', { timeout: 120_000 }, () => {
  it('discovers, registers, gets consent, calls tools and refreshes on expiry', async () => {
    const mcpUrl = new URL(`${t.url}/mcp/everything`);
    const oauth = new TestOAuthClient('http://127.0.0.1:39999/callback');

    // The 401 names the RFC 9728 document, which names this platform's authorization server.
    const challenge = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(challenge.status).toBe(401);
    const prm = (await (await fetch(`${t.url}/.well-known/oauth-protected-resource/mcp/everything`)).json()) as { authorization_servers: string[]; resource: string };
    expect(prm).toMatchObject({ resource: mcpUrl.href, authorization_servers: [t.platform.config.PUBLIC_URL] });
    const meta = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: t.platform.config.PUBLIC_URL,
      authorization_endpoint: `${t.url}/oauth/authorize`,
      token_endpoint: `${t.url}/oauth/token`,
      registration_endpoint: `${t.url}/oauth/register`,
      revocation_endpoint: `${t.url}/oauth/revoke`,
      jwks_uri: `${t.url}/oauth/jwks`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });

    const { client, callback } = await connectWithOAuth(mcpUrl, oauth);
    try {
      // Registered by DCR: an id the platform issued, not a URL.
      expect(oauth.registeredClientId).toMatch(/^[\w-]+$/);
      // The redirect back carries the client's state and the issuer (RFC 9207).
      expect(`${callback.origin}${callback.pathname}`).toBe('http://127.0.0.1:39999/callback');
      expect(callback.searchParams.get('state')).toBe('state-from-the-client');
      expect(callback.searchParams.get('iss')).toBe(t.platform.config.PUBLIC_URL);

      // The access token is the platform's ES256 JWT for exactly this MCP resource.
      const access = oauth.tokens()!.access_token;
      const [header, payload] = access.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      expect(payload).toMatchObject({ iss: t.platform.config.PUBLIC_URL, aud: mcpUrl.href, sub: user.userId, client_id: oauth.registeredClientId });
      const jwks = (await (await fetch(`${t.url}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((k) => k.kid)).toContain(header!.kid);
      // The authorization server publishes the same keys (jwks_uri of its metadata).
      expect((await (await fetch(`${t.url}/oauth/jwks`)).json()) as unknown).toEqual(jwks);

      const names = (await client.listTools()).tools.map((x) => x.name);
      expect(names).toContain('echo');
      const firstCall = await client.callTool({ name: 'echo', arguments: { message: 'signed in by oauth' } });
      expect(JSON.stringify(firstCall.content)).toContain('signed in by oauth');

      // The access token expires; the SDK refreshes (rotating the refresh token) and the call goes through.
      // (Counted, not timed: under load the SDK may already have refreshed once by now.)
      const before = oauth.tokens()!;
      const savedBefore = oauth.savedTokens;
      await new Promise((r) => setTimeout(r, (ACCESS_TTL_SECONDS + 1) * 1000));
      const expired = await fetch(mcpUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${before.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(expired.status).toBe(401);
      const secondCall = await client.callTool({ name: 'echo', arguments: { message: 'after refresh' } });
      expect(JSON.stringify(secondCall.content)).toContain('after refresh');
      expect(oauth.savedTokens).toBeGreaterThan(savedBefore);
      expect(oauth.tokens()!.access_token).not.toBe(before.access_token);
      expect(oauth.tokens()!.refresh_token).toBeTruthy();
      expect(oauth.tokens()!.refresh_token).not.toBe(before.refresh_token);
    } finally {
      await client.close();
    }
  });
});
