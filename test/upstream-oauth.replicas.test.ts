import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGithubLikeProvider, startProtectedMcp, type GithubLikeProvider, type ProtectedMcp } from './fixtures/github-like-provider.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { signUp, type TestSession } from './support/users.js';

/**
 * Upstream OAuth across replicas (server mode only): two platforms on one PostgreSQL schema. The
 * flow started on one replica finishes on the other (the state is in the database), and calls on
 * both replicas with an expired token spend the refresh token once. The provider is
 * oidc-provider on loopback as a GitHub-like provider (rotating refresh tokens: a second use of
 * one would show as `invalid_grant`); EGRESS_ALLOW=127.0.0.1 allowlists it explicitly.
 */
const PUBLIC_URL = 'https://platform.example.test';
const CALLBACK = `${PUBLIC_URL}/v1/services/oauth/callback`;

describe.skipIf(!process.env.DATABASE_URL)('upstream OAuth: two replicas on one PostgreSQL', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let provider: GithubLikeProvider;
  let upstream: ProtectedMcp;
  let user: TestSession;

  const call = async (t: TestPlatform) => {
    const client = new Client({ name: 'replica-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/ghlike`), { requestInit: { headers: { authorization: `Bearer ${user.accessToken}` } } }));
    try {
      return await client.callTool({ name: 'whoami', arguments: {} });
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    provider = await startGithubLikeProvider(CALLBACK);
    upstream = await startProtectedMcp(provider);
    const dir = await mkdtemp(path.join(tmpdir(), 'upstream-oauth-replicas-'));
    const catalogFile = path.join(dir, 'services.json');
    await writeFile(
      catalogFile,
      JSON.stringify({
        version: 1,
        services: [{ slug: 'ghlike', title: 'GitHub-like', kind: 'http', http: { instances: [upstream.url], oauth: { issuer: provider.issuer, scopes: ['repo'], client_id_env: 'GHLIKE_CLIENT_ID', client_secret_env: 'GHLIKE_CLIENT_SECRET' } } }],
      }),
    );
    const unique = randomBytes(4).toString('hex');
    const shared = { CATALOG_FILE: catalogFile, EGRESS_ALLOW: '127.0.0.1', PUBLIC_URL, DATABASE_SCHEMA: `t_${unique}`, REDIS_KEY_PREFIX: `test:${unique}:` };
    const providerEnv = { GHLIKE_CLIENT_ID: provider.clientId, GHLIKE_CLIENT_SECRET: provider.clientSecret };
    a = await startPlatform({ ...shared, REPLICA_ID: 'a' }, { providerEnv });
    b = await startPlatform({ ...shared, REPLICA_ID: 'b' }, { providerEnv });
    user = await signUp(a.url);
  }, 240_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await upstream?.close();
    await provider?.close();
  });

  it('starts on replica a, finishes on replica b', async () => {
    const start = await fetch(`${a.url}/v1/services/ghlike/oauth/start`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    const back = await provider.authorize(((await start.json()) as { authorization_url: string }).authorization_url);
    const callback = await fetch(`${b.url}${back.pathname}${back.search}`, { redirect: 'manual' });
    expect(callback.status).toBe(303);
    expect((await call(a)).content).toEqual([{ type: 'text', text: 'octocat' }]);
    expect((await call(b)).content).toEqual([{ type: 'text', text: 'octocat' }]);
  });

  it('an expired token refreshed by calls on both replicas at once: one refresh grant, no invalid_grant', async () => {
    await a.platform.database.db.updateTable('upstream_oauth_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', user.userId).execute();
    const before = provider.grants.refresh_token;
    const results = await Promise.all([call(a), call(b), call(a), call(b)]);
    for (const r of results) expect(r.content).toEqual([{ type: 'text', text: 'octocat' }]);
    expect(provider.grants.refresh_token).toBe(before + 1);
    expect(provider.tokenErrors).toEqual([]);
  });
});
