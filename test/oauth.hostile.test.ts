import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  browserGet,
  consentInBrowser,
  CookieJar,
  freePort,
  mcpStatus,
  pkcePair,
  registerClient,
  tokenRequest,
} from './support/oauth.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Acceptance 2 of issue 13: each hostile request is refused and nothing is issued; plus the
 * lifecycle (revocation, Connected apps) and the audit trail of grants, refusals and revocations.
 */

const REDIRECT = 'http://127.0.0.1:40001/cb';
let t: TestPlatform;
let user: TestSession;
let clientId: string;
let everything: string;

beforeAll(async () => {
  const port = await freePort();
  t = await startPlatform({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, OAUTH_REGISTRATIONS_PER_IP_PER_MINUTE: '50' });
  user = await signUp(t.url);
  const reg = await registerClient(t.url, { client_name: 'Hostile test', redirect_uris: [REDIRECT] });
  expect(reg.status).toBe(201);
  clientId = String(reg.body.client_id);
  everything = `${t.platform.config.PUBLIC_URL}/mcp/everything`;
}, 180_000);
afterAll(async () => t?.close(), 60_000);

const authParams = (pkce: { challenge: string }, over: Record<string, string | undefined> = {}) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: REDIRECT,
  code_challenge: pkce.challenge,
  code_challenge_method: 'S256',
  resource: everything,
  scope: 'mcp offline_access',
  state: 'st-1',
  ...over,
});

/** Codes, refresh tokens and grants stored for the test client (what "nothing issued" counts). */
async function issuedRows(model: string): Promise<number> {
  const rows = await t.platform.database.db.selectFrom('oauth_payloads').select('id').where('model', '=', model).where('client_id', '=', clientId).execute();
  return rows.length;
}

async function fullFlow(resource = everything): Promise<{ access: string; refresh: string; code: string; verifier: string }> {
  const pkce = pkcePair();
  const { callback } = await consentInBrowser(t.url, authorizeUrl(t.url, authParams(pkce, { resource })), user.accessToken);
  const code = callback.searchParams.get('code');
  expect(code).toBeTruthy();
  const tokens = await tokenRequest(t.url, { grant_type: 'authorization_code', code: code!, code_verifier: pkce.verifier, redirect_uri: REDIRECT, client_id: clientId, resource });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return { access: tokens.body.access_token!, refresh: tokens.body.refresh_token!, code: code!, verifier: pkce.verifier };
}

/** An authorization request the server must refuse without sending the browser anywhere. */
async function refusedInPlace(url: string): Promise<string> {
  const res = await browserGet(new CookieJar(), url);
  expect(res.status).toBe(400);
  expect(res.headers.get('location')).toBeNull();
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  return res.text();
}

describe('redirect URIs', { timeout: 60_000 }, () => {
  it('refuses an unregistered redirect_uri, and one that differs by one character, with a page and no redirect', async () => {
    const pkce = pkcePair();
    expect(await refusedInPlace(authorizeUrl(t.url, authParams(pkce, { redirect_uri: 'https://evil.example/cb' })))).toContain('redirect_uri');
    await refusedInPlace(authorizeUrl(t.url, authParams(pkce, { redirect_uri: 'http://127.0.0.1:40001/cc' })));
    await refusedInPlace(authorizeUrl(t.url, authParams(pkce, { redirect_uri: `${REDIRECT}/` })));
  });

  it('is no open redirect through the error path: an unknown client or a bad request never goes to an unverified URI', async () => {
    const pkce = pkcePair();
    await refusedInPlace(authorizeUrl(t.url, authParams(pkce, { client_id: 'no-such-client', redirect_uri: 'https://evil.example/cb' })));
    await refusedInPlace(authorizeUrl(t.url, authParams(pkce, { response_type: 'token', redirect_uri: 'https://evil.example/cb' })));
  });

  it('registers only https or loopback http redirect URIs', async () => {
    for (const bad of ['http://example.com/cb', 'javascript:alert(1)', 'https://app.example/cb#frag', 'http://10.0.0.1/cb']) {
      const reg = await registerClient(t.url, { redirect_uris: [bad] });
      expect(reg.status, bad).toBe(400);
      expect(reg.body.error).toMatch(/invalid_redirect_uri|invalid_client_metadata/);
    }
    for (const good of ['https://app.example/cb', 'http://localhost:1234/cb', 'http://[::1]:9/cb']) {
      expect((await registerClient(t.url, { redirect_uris: [good] })).status, good).toBe(201);
    }
  });
});

describe('PKCE and codes', { timeout: 60_000 }, () => {
  it('refuses a request without PKCE, or with plain, and issues no code', async () => {
    const codesBefore = await issuedRows('AuthorizationCode');
    for (const over of [{ code_challenge: undefined, code_challenge_method: undefined }, { code_challenge_method: 'plain' }]) {
      const res = await browserGet(new CookieJar(), authorizeUrl(t.url, authParams(pkcePair(), over)));
      expect(res.status).toBe(303);
      const back = new URL(res.headers.get('location')!);
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT); // the verified URI only
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('state')).toBe('st-1');
      expect(back.searchParams.get('iss')).toBe(t.platform.config.PUBLIC_URL);
      expect(back.searchParams.get('code')).toBeNull();
    }
    expect(await issuedRows('AuthorizationCode')).toBe(codesBefore);
  });

  it('refuses a code exchanged with the wrong verifier', async () => {
    const pkce = pkcePair();
    const { callback } = await consentInBrowser(t.url, authorizeUrl(t.url, authParams(pkce)), user.accessToken);
    const wrong = await tokenRequest(t.url, { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, code_verifier: pkcePair().verifier, redirect_uri: REDIRECT, client_id: clientId });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });
    expect(wrong.body.access_token).toBeUndefined();
  });

  it('makes a code single-use: the second exchange is refused and revokes what the first one issued', async () => {
    const first = await fullFlow();
    expect(await mcpStatus(everything, first.access)).toBe(200);
    const again = await tokenRequest(t.url, { grant_type: 'authorization_code', code: first.code, code_verifier: first.verifier, redirect_uri: REDIRECT, client_id: clientId });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_grant' });
    expect(again.body.access_token).toBeUndefined();
    // The tokens of that code are gone: the gateway refuses the access token, the refresh token is dead.
    await expect.poll(() => mcpStatus(everything, first.access), { timeout: 10_000 }).toBe(401);
    expect((await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: first.refresh, client_id: clientId })).body.error).toBe('invalid_grant');
  });
});

describe('resources (RFC 8707)', { timeout: 60_000 }, () => {
  it('requires a resource, and refuses one that is not an MCP resource of this platform', async () => {
    for (const resource of [undefined, 'https://evil.example/mcp', `${t.platform.config.PUBLIC_URL}/v1/services`, `${t.platform.config.PUBLIC_URL}/mcp/../v1`]) {
      const res = await browserGet(new CookieJar(), authorizeUrl(t.url, authParams(pkcePair(), { resource })));
      expect(res.status, String(resource)).toBe(303);
      const back = new URL(res.headers.get('location')!);
      expect(back.searchParams.get('error'), String(resource)).toBe('invalid_target');
      expect(back.searchParams.get('code')).toBeNull();
    }
  });

  it('refuses a token for /mcp/everything at /mcp/notes, at /mcp, and on the REST API', async () => {
    const { access } = await fullFlow();
    expect(await mcpStatus(everything, access)).toBe(200);
    expect(await mcpStatus(`${t.url}/mcp/notes`, access)).toBe(401);
    expect(await mcpStatus(`${t.url}/mcp`, access)).toBe(401);
    expect((await fetch(`${t.url}/v1/services`, { headers: bearer(access) })).status).toBe(401);
  });

  it('refuses a token request naming another resource than the one authorized', async () => {
    const pkce = pkcePair();
    const { callback } = await consentInBrowser(t.url, authorizeUrl(t.url, authParams(pkce)), user.accessToken);
    const other = await tokenRequest(t.url, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      code_verifier: pkce.verifier,
      redirect_uri: REDIRECT,
      client_id: clientId,
      resource: `${t.platform.config.PUBLIC_URL}/mcp/notes`,
    });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('invalid_target');
    expect(other.body.access_token).toBeUndefined();
  });
});

describe('consent', { timeout: 60_000 }, () => {
  it('refuses a decision without the CSRF token, or with another one, and no code comes out', async () => {
    const codesBefore = await issuedRows('AuthorizationCode');
    for (const csrf of [() => '', (real: string) => `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`]) {
      await expect(consentInBrowser(t.url, authorizeUrl(t.url, authParams(pkcePair())), user.accessToken, { csrf })).rejects.toThrow(/decision answered (400|403)/);
    }
    expect(await issuedRows('AuthorizationCode')).toBe(codesBefore);
  });

  it('binds the decision to the browser that started the flow (no interaction cookie: not found)', async () => {
    const jar = new CookieJar();
    const first = await browserGet(jar, authorizeUrl(t.url, authParams(pkcePair())));
    const page = new URL(first.headers.get('location')!, t.url);
    const stranger = await fetch(`${page.href}/details`, { headers: bearer(user.accessToken) });
    expect(stranger.status).toBe(404);
    const noUser = await fetch(`${page.href}/details`, { headers: { cookie: jar.header(`${page.href}/details`) } });
    expect(noUser.status).toBe(401);
  });

  it('sends the user back with access_denied when they refuse', async () => {
    const { callback } = await consentInBrowser(t.url, authorizeUrl(t.url, authParams(pkcePair())), user.accessToken, { approve: false });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });
});

describe('refresh tokens', { timeout: 60_000 }, () => {
  it('rotates, and a replayed refresh token is refused and ends the whole grant', async () => {
    const first = await fullFlow();
    const rotated = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: first.refresh, client_id: clientId });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toBeTruthy();
    expect(rotated.body.refresh_token).not.toBe(first.refresh);
    expect(await mcpStatus(everything, rotated.body.access_token!)).toBe(200);

    const replay = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: first.refresh, client_id: clientId });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect(replay.body.access_token).toBeUndefined();
    // Reuse detection: the legitimate holder's new tokens die with the grant too.
    expect((await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token!, client_id: clientId })).body.error).toBe('invalid_grant');
    await expect.poll(() => mcpStatus(everything, rotated.body.access_token!), { timeout: 10_000 }).toBe(401);
  });
});

describe('signing key rotation', { timeout: 60_000 }, () => {
  it('signs with the new platform key after rotate-signing-key; tokens of the retired key keep working', async () => {
    const { access, refresh } = await fullFlow();
    const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const { retired, active } = await t.platform.auth.rotateSigningKey();
    expect(kidOf(access)).toBe(retired);
    const next = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId });
    expect(next.status).toBe(200);
    expect(kidOf(next.body.access_token!)).toBe(active);
    expect(await mcpStatus(everything, next.body.access_token!)).toBe(200);
    expect(await mcpStatus(everything, access)).toBe(200);
    const jwks = (await (await fetch(`${t.url}/oauth/jwks`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([active, retired].sort());
  });
});

describe('revocation and Connected apps', { timeout: 60_000 }, () => {
  it('revokes by RFC 7009: the refresh token ends its grant and the access token is refused', async () => {
    const { access, refresh } = await fullFlow();
    // Used once first: its verified signature is cached (tokens.ts), the revocation must still reach it.
    expect(await mcpStatus(everything, access)).toBe(200);
    const res = await fetch(`${t.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refresh, token_type_hint: 'refresh_token', client_id: clientId }),
    });
    expect(res.status).toBe(200);
    expect((await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId })).body.error).toBe('invalid_grant');
    await expect.poll(() => mcpStatus(everything, access), { timeout: 10_000 }).toBe(401);
  });

  it('lists the grant under the user, lets the user revoke it, hides it from others; admins see and revoke any', async () => {
    const { access } = await fullFlow();
    const mine = (await (await fetch(`${t.url}/v1/oauth/grants`, { headers: bearer(user.accessToken) })).json()) as { grants: Array<{ id: string; client_id: string; client_name: string | null; resources: Array<{ resource: string }> }> };
    const grant = mine.grants.find((g) => g.client_id === clientId);
    expect(grant).toMatchObject({ client_name: 'Hostile test', resources: [{ resource: everything, scopes: expect.arrayContaining(['mcp']) }] });

    const other = await signUp(t.url);
    const othersView = (await (await fetch(`${t.url}/v1/oauth/grants`, { headers: bearer(other.accessToken) })).json()) as { grants: unknown[] };
    expect(othersView.grants).toEqual([]);
    expect((await fetch(`${t.url}/v1/oauth/grants/${grant!.id}`, { method: 'DELETE', headers: bearer(other.accessToken) })).status).toBe(404);
    expect((await fetch(`${t.url}/v1/admin/oauth/grants`, { headers: bearer(other.accessToken) })).status).toBe(403);
    const admin = await adminSession(t);
    const all = (await (await fetch(`${t.url}/v1/admin/oauth/grants?user_id=${user.userId}`, { headers: bearer(admin.accessToken) })).json()) as { grants: Array<{ id: string }> };
    expect(all.grants.map((g) => g.id)).toContain(grant!.id);

    expect(await mcpStatus(everything, access)).toBe(200);
    expect((await fetch(`${t.url}/v1/oauth/grants/${grant!.id}`, { method: 'DELETE', headers: bearer(user.accessToken) })).status).toBe(204);
    expect(await mcpStatus(everything, access)).toBe(401); // this replica forgets the grant at once
    const after = (await (await fetch(`${t.url}/v1/oauth/grants`, { headers: bearer(user.accessToken) })).json()) as { grants: Array<{ id: string }> };
    expect(after.grants.find((g) => g.id === grant!.id)).toBeUndefined();
  });

  it('audits grants, refusals and revocations, without codes or tokens in the trail', async () => {
    const rows = await t.platform.database.db.selectFrom('audit_log').select(['action', 'outcome', 'details']).where('action', 'like', 'oauth.%').execute();
    const seen = new Set(rows.map((r) => `${r.action}:${r.outcome}`));
    for (const expected of ['oauth.client_registered:success', 'oauth.consent:success', 'oauth.consent:failure', 'oauth.token:success', 'oauth.token:failure', 'oauth.authorization:failure', 'oauth.grant_revoked:success']) {
      expect(seen, expected).toContain(expected);
    }
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/eyJ[\w-]{20,}\./); // no JWT
    expect(text).not.toContain('code_verifier');
  });
});

describe('Dynamic Client Registration controls', { timeout: 120_000 }, () => {
  it('rate-limits registrations per IP, and the admin switch turns registration off', async () => {
    const limited = await startPlatform({ OAUTH_REGISTRATIONS_PER_IP_PER_MINUTE: '2' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await registerClient(limited.url, { redirect_uris: [REDIRECT] })).status);
      expect(statuses).toEqual([201, 201, 429, 429]);
    } finally {
      await limited.close();
    }
    const off = await startPlatform({ OAUTH_DYNAMIC_REGISTRATION: 'false' });
    try {
      expect((await registerClient(off.url, { redirect_uris: [REDIRECT] })).status).toBe(404);
      const meta = (await (await fetch(`${off.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(meta.registration_endpoint).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
