import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderClients, UpstreamOAuth } from '../src/catalog/index.js';
import { createEgressGuard } from '../src/gateway/index.js';
import type { AuditSink } from '../src/logging/index.js';
import { startGithubLikeProvider, startProtectedMcp, type GithubLikeProvider, type ProtectedMcp } from './fixtures/github-like-provider.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { signUp, type TestSession } from './support/users.js';

/**
 * OAuth connections to upstream providers (docs/oauth.md, "Connecting upstream providers"),
 * end to end: the real platform, a GitHub-like OAuth provider on loopback (oidc-provider: the
 * stand-in for github.com, which this machine cannot reach; real wire format, rotating refresh
 * tokens), and an MCP upstream that accepts only tokens the provider says are active.
 * The provider is on 127.0.0.1, which the egress guard's 'public' policy refuses: this test
 * allowlists it explicitly with EGRESS_ALLOW=127.0.0.1.
 */
const PUBLIC_URL = 'https://platform.example.test';
const CALLBACK = `${PUBLIC_URL}/v1/services/oauth/callback`;

describe('upstream OAuth: connect, use, refresh, disconnect', () => {
  let t: TestPlatform;
  let provider: GithubLikeProvider;
  let upstream: ProtectedMcp;
  let user: TestSession;
  const logLines: string[] = [];
  const responseBodies: string[] = [];

  const api = async (method: string, p: string, token = user.accessToken) => {
    const res = await fetch(`${t.url}${p}`, { method, redirect: 'manual', headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    responseBodies.push(text, res.headers.get('location') ?? '');
    const json = res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {};
    return { status: res.status, text, location: res.headers.get('location'), json };
  };
  /** The browser's trip: start → provider sign-in and consent → the platform's callback (at its real address). */
  const connect = async () => {
    const start = await api('GET', '/v1/services/ghlike/oauth/start');
    expect(start.status).toBe(200);
    const back = await provider.authorize(String(start.json.authorization_url));
    expect(back.href.startsWith(`${CALLBACK}?`)).toBe(true);
    return { start, back, callback: await api('GET', `${back.pathname}${back.search}`, '') };
  };
  const callWhoami = async () => {
    const client = new Client({ name: 'upstream-oauth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/ghlike`), { requestInit: { headers: { authorization: `Bearer ${user.accessToken}` } } }));
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      responseBodies.push(JSON.stringify(result));
      return result;
    } catch (err) {
      responseBodies.push(String((err as Error).message));
      throw err;
    } finally {
      await client.close();
    }
  };
  const tokenRow = () =>
    t.platform.database.db.selectFrom('upstream_oauth_tokens').selectAll().where('user_id', '=', user.userId).executeTakeFirst();
  const expireStoredToken = () =>
    t.platform.database.db.updateTable('upstream_oauth_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', user.userId).execute();

  beforeAll(async () => {
    provider = await startGithubLikeProvider(CALLBACK);
    upstream = await startProtectedMcp(provider);
    const dir = await mkdtemp(path.join(tmpdir(), 'upstream-oauth-'));
    const catalogFile = path.join(dir, 'services.json');
    await writeFile(
      catalogFile,
      JSON.stringify({
        version: 1,
        services: [
          {
            slug: 'ghlike',
            title: 'GitHub-like',
            kind: 'http',
            http: {
              instances: [upstream.url],
              oauth: { issuer: provider.issuer, scopes: ['repo'], client_id_env: 'GHLIKE_CLIENT_ID', client_secret_env: 'GHLIKE_CLIENT_SECRET' },
            },
          },
        ],
      }),
    );
    const capture = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    t = await startPlatform(
      { CATALOG_FILE: catalogFile, EGRESS_ALLOW: '127.0.0.1', PUBLIC_URL, LOG_FLUSH_INTERVAL_MS: '50' },
      { logger: pino({ level: 'debug' }, capture), providerEnv: { GHLIKE_CLIENT_ID: provider.clientId, GHLIKE_CLIENT_SECRET: provider.clientSecret } },
    );
    user = await signUp(t.url);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
    await provider?.close();
  });

  it('refuses to start when the client ID variable is missing, naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'upstream-oauth-bad-'));
    const file = path.join(dir, 'services.json');
    await writeFile(file, JSON.stringify({ version: 1, services: [{ slug: 'gh', title: 'GH', kind: 'http', http: { instances: [upstream.url], oauth: { issuer: provider.issuer, client_id_env: 'NOPE_CLIENT_ID' } } }] }));
    await expect(startPlatform({ CATALOG_FILE: file }, { providerEnv: {} })).rejects.toThrow(/services\[0\] \(gh\)\.http\.oauth: environment variable NOPE_CLIENT_ID/);
  });

  it('before connecting, the service is listed as not connected and is not usable', async () => {
    const view = await api('GET', '/v1/services/ghlike');
    expect(view.json).toMatchObject({ connected: false, oauth: { connected: false } });
    await expect(callWhoami()).rejects.toThrow();
    expect(upstream.seen.length).toBe(0);
  });

  it('connects: PKCE S256 and state at the provider, code exchanged, tokens sealed, audited, browser sent to the portal', async () => {
    const { start, back, callback } = await connect();
    const authUrl = new URL(String(start.json.authorization_url));
    expect(authUrl.origin).toBe(provider.issuer);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(authUrl.searchParams.get('scope')).toBe('repo');
    expect(back.searchParams.get('state')).toBe(authUrl.searchParams.get('state'));
    expect(callback.status).toBe(303);
    expect(callback.location).toBe(`${PUBLIC_URL}/services?connected=ghlike`);
    expect(provider.grants.authorization_code).toBe(1);
    const row = await tokenRow();
    expect(row).toBeDefined();
    for (const token of [...provider.issuedAccessTokens, ...provider.issuedRefreshTokens]) expect(row!.sealed).not.toContain(token);
    const audit = await t.platform.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'upstream_oauth.connected').execute();
    expect(audit.map((a) => a.actor_id)).toEqual([user.userId]);

    // The same state again (a replayed callback) is refused and stores nothing new.
    const again = await api('GET', `${back.pathname}${back.search}`, '');
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ error: { code: 'oauth_callback_refused', message: expect.stringMatching(/already used/) } });
    const forged = await api('GET', '/v1/services/oauth/callback?code=abc&state=forged-state', '');
    expect(forged.status).toBe(400);
    expect(provider.grants.authorization_code).toBe(1);
  });

  it('refuses a denied consent, an expired state, a non-OAuth service and an anonymous start; nothing stored', async () => {
    const rowBefore = await tokenRow();
    const denied = await api('GET', '/v1/services/ghlike/oauth/start');
    const deniedState = new URL(String(denied.json.authorization_url)).searchParams.get('state')!;
    // As the provider answers when the user presses "Cancel" (with `iss`, RFC 9207, which its metadata promises).
    const refused = await api('GET', `/v1/services/oauth/callback?error=access_denied&state=${encodeURIComponent(deniedState)}&iss=${encodeURIComponent(provider.issuer)}`, '');
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: 'oauth_callback_refused', message: expect.stringMatching(/access_denied/) } });

    const late = await api('GET', '/v1/services/ghlike/oauth/start');
    const lateUrl = new URL(String(late.json.authorization_url));
    await t.platform.database.db.updateTable('upstream_oauth_states').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    const back = await provider.authorize(lateUrl.href);
    const expired = await api('GET', `${back.pathname}${back.search}`, '');
    expect(expired.status).toBe(400);
    expect(expired.json).toMatchObject({ error: { message: expect.stringMatching(/expired/) } });

    expect((await api('GET', '/v1/services/notes/oauth/start')).status).toBe(404);
    expect((await api('GET', '/v1/services/ghlike/oauth/start', '')).status).toBe(401);
    expect(await tokenRow()).toEqual(rowBefore);
  });

  it('calls carry the access token the provider issued', async () => {
    expect((await api('GET', '/v1/services')).json.services).toEqual([expect.objectContaining({ slug: 'ghlike', connected: true, oauth: { connected: true } })]);
    const result = await callWhoami();
    expect(result.content).toEqual([{ type: 'text', text: 'octocat' }]);
    const ok = upstream.seen.filter((s) => s.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.every((s) => s.token === provider.issuedAccessTokens.at(-1))).toBe(true);
  });

  it('refreshes before expiry (one refresh grant, the new token used)', async () => {
    await expireStoredToken();
    const before = provider.grants.refresh_token;
    await callWhoami();
    expect(provider.grants.refresh_token).toBe(before + 1);
    expect(upstream.seen.at(-1)).toEqual({ token: provider.issuedAccessTokens.at(-1), status: 200 });
  });

  it('on an upstream 401, refreshes once and retries', async () => {
    // The provider ends the access token early (the grant and refresh token stay); the upstream now answers 401.
    await provider.expireAccessToken(provider.issuedAccessTokens.at(-1)!);
    const before = provider.grants.refresh_token;
    const seenBefore = upstream.seen.length;
    const result = await callWhoami();
    expect(result.content).toEqual([{ type: 'text', text: 'octocat' }]);
    expect(provider.grants.refresh_token).toBe(before + 1);
    expect(upstream.seen.slice(seenBefore).map((s) => s.status)).toContain(401);
    expect(upstream.seen.at(-1)).toEqual({ token: provider.issuedAccessTokens.at(-1), status: 200 });
  });

  it('single-flight: many concurrent refreshes of one expired token spend the refresh token once', async () => {
    await expireStoredToken();
    const before = provider.grants.refresh_token;
    const principal = { userId: user.userId, role: 'user' as const, email: user.email, via: 'jwt' as const };
    const resolved = await Promise.all(Array.from({ length: 6 }, () => t.platform.catalog.catalog.resolve(principal, 'ghlike')));
    const headers = await Promise.all(resolved.map((r) => r!.authorization!.headers()));
    expect(provider.grants.refresh_token).toBe(before + 1);
    expect(new Set(headers.map((h) => h!.authorization)).size).toBe(1);
    expect(provider.tokenErrors).toEqual([]);
  });

  it('single-flight across replicas: three token stores sharing only the database spend the refresh token once', async () => {
    // Each store has its own memory (no shared promise), as separate replicas do: only the row's version claim keeps them apart.
    const egress = createEgressGuard({ allow: ['127.0.0.1'] });
    const env = { GHLIKE_CLIENT_ID: provider.clientId, GHLIKE_CLIENT_SECRET: provider.clientSecret };
    const replicas = Array.from(
      { length: 3 },
      () => new UpstreamOAuth({ db: t.platform.database.db, vault: t.platform.vault, providers: new ProviderClients(egress, env), redirectUri: CALLBACK, logger: pino({ level: 'silent' }) }),
    );
    const definition = (await t.platform.catalog.registry.find('ghlike'))!.definition;
    await expireStoredToken();
    const before = provider.grants.refresh_token;
    const headers = await Promise.all(replicas.map((r) => r.authorization(user.userId, definition).headers()));
    expect(provider.grants.refresh_token).toBe(before + 1);
    expect(new Set(headers.map((h) => h!.authorization)).size).toBe(1);
    expect(headers[0]!.authorization).toBe(`Bearer ${provider.issuedAccessTokens.at(-1)}`);
    expect(provider.tokenErrors).toEqual([]);
    await egress.close();
  });

  it('a rotated (already spent) refresh token is refused by the provider; the user is asked to reconnect', async () => {
    const stale = (await tokenRow())!;
    await expireStoredToken();
    await callWhoami(); // rotates: the refresh token in `stale` is now spent
    // Put the spent refresh token back (as a restored backup would), then need a refresh.
    await t.platform.database.db
      .updateTable('upstream_oauth_tokens')
      .set({ sealed: stale.sealed, expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.userId)
      .execute();
    const err = await callWhoami().then(
      (r) => r,
      (e: Error) => e,
    );
    const message = err instanceof Error ? err.message : JSON.stringify(err);
    expect(message).toMatch(/service "ghlike"/);
    expect(message).toMatch(/reconnect/);
    expect(provider.tokenErrors).toContain('invalid_grant');
    expect(await tokenRow()).toBeUndefined();
    const audit = await t.platform.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'upstream_oauth.refresh_refused').execute();
    expect(audit.length).toBe(1);
  });

  it('a refused refresh is audited before the connection disappears: no replica tells the user to reconnect ahead of the audit row', async () => {
    // The cause of an old flake of the test above: the refreshing request deleted the row, then
    // appended the audit row; the session's other request (its GET stream warms a lease) found the
    // row gone in between and answered "reconnect" before the refusal was in the trail. Replica A's
    // audit append is held at a gate here, so the window is wide open rather than a few ms.
    const { callback } = await connect();
    expect(callback.status).toBe(303);
    const egress = createEgressGuard({ allow: ['127.0.0.1'] });
    const env = { GHLIKE_CLIENT_ID: provider.clientId, GHLIKE_CLIENT_SECRET: provider.clientSecret };
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let auditStarted!: () => void;
    const auditing = new Promise<void>((resolve) => (auditStarted = resolve));
    const heldAudit: AuditSink = {
      async record(event) {
        auditStarted();
        await gate;
        await t.platform.logging.audit.record(event);
      },
    };
    const replica = (audit?: AuditSink) =>
      new UpstreamOAuth({ db: t.platform.database.db, vault: t.platform.vault, providers: new ProviderClients(egress, env), redirectUri: CALLBACK, logger: pino({ level: 'silent' }), ...(audit ? { audit } : {}) });
    const [a, b] = [replica(heldAudit), replica()];
    const definition = (await t.platform.catalog.registry.find('ghlike'))!.definition;
    const stale = (await tokenRow())!;
    await expireStoredToken();
    await a.authorization(user.userId, definition).headers(); // rotates: `stale` now holds a spent refresh token
    await t.platform.database.db.updateTable('upstream_oauth_tokens').set({ sealed: stale.sealed, expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', user.userId).execute();
    const auditedBefore = (await t.platform.database.db.selectFrom('audit_log').select('seq').where('action', '=', 'upstream_oauth.refresh_refused').execute()).length;

    const onA = a.authorization(user.userId, definition).headers();
    await auditing; // A was refused by the provider and is appending the audit row
    let bAnswered = false;
    const onB = b
      .authorization(user.userId, definition)
      .headers()
      .finally(() => (bAnswered = true));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await tokenRow(), 'the connection is still there while its refusal is being audited').toBeDefined();
    expect(bAnswered, 'replica B waits for A rather than answering "reconnect" ahead of the audit').toBe(false);
    openGate();
    expect(await onA).toBeUndefined();
    expect(await onB).toBeUndefined();
    expect(await tokenRow()).toBeUndefined();
    const auditedAfter = (await t.platform.database.db.selectFrom('audit_log').select('seq').where('action', '=', 'upstream_oauth.refresh_refused').execute()).length;
    expect(auditedAfter).toBe(auditedBefore + 1);
    await egress.close();
  });

  it('reconnects, then disconnect revokes at the provider (RFC 7009) and deletes the row', async () => {
    const { callback } = await connect();
    expect(callback.status).toBe(303);
    await callWhoami();
    const access = provider.issuedAccessTokens.at(-1)!;
    const refresh = provider.issuedRefreshTokens.at(-1)!;
    expect((await provider.introspect(refresh)).active).toBe(true);
    const res = await api('DELETE', '/v1/services/ghlike/oauth');
    expect(res.status).toBe(204);
    expect((await provider.introspect(refresh)).active).toBe(false);
    expect((await provider.introspect(access)).active).toBe(false);
    expect(await tokenRow()).toBeUndefined();
    expect((await api('DELETE', '/v1/services/ghlike/oauth')).status).toBe(404);
    const audit = await t.platform.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'upstream_oauth.disconnected').execute();
    expect(audit[0]?.details).toMatchObject({ service: 'ghlike', revoked: true });
  });

  it('no refresh token in a log line, a response body or a request-log row', async () => {
    await t.platform.logging.requestLog.flush();
    const rows = await t.platform.database.db.selectFrom('request_log').selectAll().execute();
    const auditRows = await t.platform.database.db.selectFrom('audit_log').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(0);
    expect(provider.issuedRefreshTokens.length).toBeGreaterThanOrEqual(5);
    const haystacks = { logs: logLines.join('\n'), responses: responseBodies.join('\n'), requestLog: JSON.stringify(rows), audit: JSON.stringify(auditRows) };
    for (const token of provider.issuedRefreshTokens) {
      for (const [where, text] of Object.entries(haystacks)) expect(text.includes(token), `refresh token in ${where}`).toBe(false);
    }
  });
});
