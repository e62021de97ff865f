import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, consentInBrowser, freePort, mcpStatus, pkcePair, registerClient, tokenRequest } from './support/oauth.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { bearer, signUp } from './support/users.js';

/**
 * The authorization server on two replicas behind one PUBLIC_URL: every step of a flow may land on
 * either (oidc-provider's state is in the shared database, its cookie keys sealed in it). Needs
 * DATABASE_URL and REDIS_URL (the server-mode run); embedded PGlite cannot be shared by two servers.
 */
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.skipIf(!shared)('oauth: two replicas', { timeout: 120_000 }, () => {
  let a: TestPlatform;
  let b: TestPlatform;
  beforeAll(async () => {
    const unique = randomBytes(4).toString('hex');
    const portA = await freePort();
    const common = { DATABASE_SCHEMA: `t_oauth_${unique}`, REDIS_KEY_PREFIX: `test:oauth:${unique}:`, PUBLIC_URL: `http://127.0.0.1:${portA}` };
    a = await startPlatform({ ...common, PORT: String(portA) });
    b = await startPlatform({ ...common, PORT: String(await freePort()) });
  }, 180_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('registers on B, authorizes on A, consents on B, exchanges on B, refreshes on A, and a disconnect on A reaches B', async () => {
    const redirect = 'http://127.0.0.1:40003/cb';
    const reg = await registerClient(b.url, { client_name: 'Two replicas', redirect_uris: [redirect] });
    expect(reg.status).toBe(201);
    const clientId = String(reg.body.client_id);
    const user = await signUp(a.url);
    const resource = `${a.platform.config.PUBLIC_URL}/mcp/everything`;
    const pkce = pkcePair();
    const start = authorizeUrl(a.url, { response_type: 'code', client_id: clientId, redirect_uri: redirect, code_challenge: pkce.challenge, code_challenge_method: 'S256', resource, state: 'r' });
    const { callback } = await consentInBrowser(b.url, start, user.accessToken);
    const code = callback.searchParams.get('code');
    expect(code, callback.href).toBeTruthy();
    const tokens = await tokenRequest(b.url, { grant_type: 'authorization_code', code: code!, code_verifier: pkce.verifier, redirect_uri: redirect, client_id: clientId, resource });
    expect(tokens.status).toBe(200);
    expect(await mcpStatus(`${a.url}/mcp/everything`, tokens.body.access_token!)).toBe(200);
    const refreshed = await tokenRequest(a.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token!, client_id: clientId });
    expect(refreshed.status).toBe(200);
    expect(await mcpStatus(`${b.url}/mcp/everything`, refreshed.body.access_token!)).toBe(200);
    // Replaying the rotated refresh token on the other replica is caught too.
    expect((await tokenRequest(b.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token!, client_id: clientId })).body.error).toBe('invalid_grant');
    await expect.poll(() => mcpStatus(`${b.url}/mcp/everything`, refreshed.body.access_token!), { timeout: 15_000 }).toBe(401);

    // A fresh grant, disconnected on A: B stops accepting it within its grant cache TTL.
    const pkce2 = pkcePair();
    const again = await consentInBrowser(a.url, authorizeUrl(a.url, { response_type: 'code', client_id: clientId, redirect_uri: redirect, code_challenge: pkce2.challenge, code_challenge_method: 'S256', resource }), user.accessToken);
    const t2 = await tokenRequest(a.url, { grant_type: 'authorization_code', code: again.callback.searchParams.get('code')!, code_verifier: pkce2.verifier, redirect_uri: redirect, client_id: clientId });
    expect(await mcpStatus(`${b.url}/mcp/everything`, t2.body.access_token!)).toBe(200);
    const grants = (await (await fetch(`${a.url}/v1/oauth/grants`, { headers: bearer(user.accessToken) })).json()) as { grants: Array<{ id: string }> };
    for (const g of grants.grants) expect((await fetch(`${a.url}/v1/oauth/grants/${g.id}`, { method: 'DELETE', headers: bearer(user.accessToken) })).status).toBe(204);
    await expect.poll(() => mcpStatus(`${b.url}/mcp/everything`, t2.body.access_token!), { timeout: 15_000 }).toBe(401);
  });
});
