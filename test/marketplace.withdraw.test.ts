import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from './fixtures/provider-mcp.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Withdrawing a listing (docs/marketplace.md, "Withdrawing a listing"): a provider withdraws its own
 * listing (another provider's is a 404 that changes nothing), an admin any, with a reason. A
 * withdrawn listing leaves browse and search and cannot be newly installed, nor take a new version or
 * an approval; a user who installed it before keeps calling it (SDK client, /mcp/{slug}) until they
 * uninstall, and cannot install it again. Audited. PGlite by default, PostgreSQL with DATABASE_URL.
 */

type Json = Record<string, unknown>;
type ToolResult = { content: Array<{ type: string; text?: string }> };
const text = (r: unknown) => (r as ToolResult).content.map((c) => c.text ?? '').join('');

describe('marketplace: withdrawing a listing', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let server: ProviderServer;
  let admin: TestSession;
  let provider: TestSession;
  let other: TestSession;
  let alice: TestSession;
  let bob: TestSession;
  const ids: Record<string, string> = {};

  const submit = async (who: TestSession, slug: string) => {
    const res = await apiCall(t.url, who.accessToken, 'POST', '/v1/marketplace/provider/listings', {
      slug,
      title: `Title ${slug}`,
      description: 'Arithmetic',
      categories: ['utilities'],
      source: { type: 'http', url: server.url },
      credentials: [{ name: 'api_key', title: 'API key', inject: { header: 'x-api-key' } }],
      changelog: 'First',
      test_credentials: { api_key: 'review-key' },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    ids[slug] = res.json.id as string;
    return ids[slug];
  };
  const approve = async (id: string, version = 1) => apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${id}/${version}/decision`, { decision: 'approve' });
  const browse = async (who: TestSession, query = '') => ((await apiCall(t.url, who.accessToken, 'GET', `/v1/marketplace/listings${query}`)).json.listings as Json[]).map((l) => l.slug);
  const withdrawnRow = async (id: string) =>
    t.platform.database.db
      .withTables<{ marketplace_listings: { id: string; withdrawn_at: Date | null; withdrawn_reason: string | null } }>()
      .selectFrom('marketplace_listings')
      .select(['withdrawn_at', 'withdrawn_reason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    server = await startProviderServer(1);
    t = await startPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none' });
    admin = await adminSession(t);
    [provider, other, alice, bob] = await Promise.all([signUp(t.url), signUp(t.url), signUp(t.url), signUp(t.url)]);
    for (const [who, name] of [[provider, 'Acme'], [other, 'Other']] as const) {
      expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: who.userId, display_name: name })).status).toBe(201);
    }
    for (const slug of ['acme-sum', 'acme-pending', 'acme-admin']) await submit(provider, slug);
    for (const slug of ['acme-sum', 'acme-admin']) expect((await approve(ids[slug]!)).status).toBe(200);
    // alice installs acme-sum and calls it; bob never installs it (he installs acme-admin only).
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-sum/install')).status).toBe(201);
    expect((await apiCall(t.url, bob.accessToken, 'POST', '/v1/marketplace/listings/acme-admin/install')).status).toBe(201);
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/services/acme-sum/credentials', { api_key: 'alice-key' })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  it("another provider's listing is a 404 that changes nothing; users are refused; bad bodies are 400", async () => {
    const stranger = await apiCall(t.url, other.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-sum']!}/withdraw`, {});
    expect(stranger.status).toBe(404);
    expect((await apiCall(t.url, alice.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-sum']!}/withdraw`, {})).status).toBe(403);
    expect((await apiCall(t.url, alice.accessToken, 'POST', `/v1/admin/marketplace/listings/${ids['acme-sum']!}/withdraw`, { reason: 'x' })).status).toBe(403);
    expect((await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-sum']!}/withdraw`, { reason: 'x', now: true })).status).toBe(400);
    // An admin must give a reason; an unknown listing is a 404.
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/listings/${ids['acme-admin']!}/withdraw`, {})).status).toBe(400);
    expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/listings/00000000-0000-4000-8000-000000000000/withdraw', { reason: 'x' })).status).toBe(404);
    for (const slug of ['acme-sum', 'acme-admin']) expect((await withdrawnRow(ids[slug]!)).withdrawn_at).toBeNull();
    expect(await browse(bob)).toEqual(['acme-admin', 'acme-sum']);
  });

  it('the provider withdraws its listing: it leaves search, cannot be newly installed, takes no new version; alice keeps calling it until she uninstalls', async () => {
    const res = await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-sum']!}/withdraw`, { reason: 'Moving to a new API' });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.withdrawn).toMatchObject({ by: 'provider', reason: 'Moving to a new API' });
    expect((await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-sum']!}/withdraw`, {})).json).toMatchObject({ error: { code: 'listing_withdrawn' } });

    // Gone from browse and search for everyone, alice included; bob (who installed another listing) cannot see or install it.
    for (const who of [alice, bob]) {
      expect(await browse(who)).toEqual(['acme-admin']);
      expect(await browse(who, '?q=sum')).toEqual([]);
    }
    expect((await apiCall(t.url, bob.accessToken, 'GET', '/v1/marketplace/listings/acme-sum')).status).toBe(404);
    expect((await apiCall(t.url, bob.accessToken, 'POST', '/v1/marketplace/listings/acme-sum/install')).status).toBe(404);
    expect(((await apiCall(t.url, bob.accessToken, 'GET', '/v1/services')).json.services as Json[]).map((s) => s.slug)).not.toContain('acme-sum');

    // alice installed it before: she still sees it among her installs (marked), and her MCP client still calls it.
    const mine = (await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/installs')).json.listings as Json[];
    expect(mine.map((l) => [l.slug, typeof l.withdrawn_at])).toEqual([['acme-sum', 'string']]);
    expect((await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/listings/acme-sum')).json).toMatchObject({ installed: true, withdrawn_at: expect.any(String) });
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-sum/install')).status).toBe(200);
    const client = new Client({ name: 'withdraw-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/acme-sum`), { requestInit: { headers: bearer(alice.accessToken) } }));
    try {
      expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    } finally {
      await client.close();
    }

    // No new version and no approval.
    const version = await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-sum']!}/versions`, {
      title: 'Again',
      source: { type: 'http', url: server.url },
      changelog: 'Second',
    });
    expect([version.status, (version.json.error as Json).code]).toEqual([409, 'listing_withdrawn']);

    // Once alice uninstalls, she cannot install it again.
    expect((await apiCall(t.url, alice.accessToken, 'DELETE', '/v1/marketplace/listings/acme-sum/install')).status).toBe(204);
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-sum/install')).status).toBe(404);
    expect((await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/installs')).json.listings).toEqual([]);
  });

  it('a withdrawn listing that never went live leaves the review queue and cannot be approved', async () => {
    const queued = async () => ((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews')).json.reviews as Json[]).map((r) => r.slug);
    expect(await queued()).toEqual(['acme-pending']);
    expect((await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-pending']!}/withdraw`, {})).status).toBe(200);
    expect(await queued()).toEqual([]);
    expect((await approve(ids['acme-pending']!)).json).toMatchObject({ error: { code: 'listing_withdrawn' } });
    expect((await withdrawnRow(ids['acme-pending']!)).withdrawn_reason).toBeNull();
  });

  it("an admin withdraws any listing with a reason, which the provider sees; every withdrawal is audited", async () => {
    const res = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/listings/${ids['acme-admin']!}/withdraw`, { reason: 'Terms of use' });
    expect(res.status).toBe(200);
    expect(await browse(bob)).toEqual([]);
    const listings = (await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings')).json.listings as Json[];
    expect(listings.map((l) => [l.slug, (l.withdrawn as Json | null)?.by ?? null])).toEqual([['acme-sum', 'provider'], ['acme-pending', 'provider'], ['acme-admin', 'admin']]);
    expect(listings.find((l) => l.slug === 'acme-admin')!.withdrawn).toMatchObject({ reason: 'Terms of use' });
    const rows = await t.platform.database.db.selectFrom('audit_log').select(['action', 'actor_id', 'target_id', 'details']).where('action', '=', 'marketplace.listing_withdrawn').orderBy('seq').execute();
    expect(rows.map((r) => [r.actor_id, r.target_id])).toEqual([
      [provider.userId, ids['acme-sum']],
      [provider.userId, ids['acme-pending']],
      [admin.userId, ids['acme-admin']],
    ]);
    expect(rows[0]!.details).toMatchObject({ slug: 'acme-sum', by: 'provider', reason: 'Moving to a new API', live_version: 1, installs: 1 });
    expect(rows[2]!.details).toMatchObject({ slug: 'acme-admin', by: 'admin', reason: 'Terms of use' });
  });

  it("lists every listing for the admins, live or withdrawn, with who withdrew it, why, and its installs; users are refused", async () => {
    const list = async (query = '') => apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/marketplace/listings${query}`);
    const all = (await list()).json.listings as Json[];
    // Newest first; every listing of this file is withdrawn by now.
    expect(all.map((l) => [l.slug, l.title, (l.provider as Json).display_name, l.live_version, (l.withdrawn as Json | null)?.by ?? null, l.installs])).toEqual([
      ['acme-admin', 'Title acme-admin', 'Acme', 1, 'admin', 1],
      ['acme-pending', null, 'Acme', null, 'provider', 0],
      ['acme-sum', 'Title acme-sum', 'Acme', 1, 'provider', 0],
    ]);
    expect(all[0]!.withdrawn).toMatchObject({ reason: 'Terms of use' });
    expect(((await list('?state=withdrawn')).json.listings as Json[]).map((l) => l.slug)).toEqual(['acme-admin', 'acme-pending', 'acme-sum']);
    expect((await list('?state=live')).json.listings).toEqual([]);
    // Reinstated by the admin, it is live again.
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/listings/${ids['acme-admin']!}/reinstate`, {})).status).toBe(200);
    expect(((await list('?state=live')).json.listings as Json[]).map((l) => [l.slug, l.withdrawn])).toEqual([['acme-admin', null]]);
    expect((await list('?state=gone')).status).toBe(400);
    expect((await list('?limit=5')).status).toBe(400);
    expect((await apiCall(t.url, provider.accessToken, 'GET', '/v1/admin/marketplace/listings')).status).toBe(403);
  });
});
