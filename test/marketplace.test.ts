import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from './fixtures/provider-mcp.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { callsByListingVersion } from './support/usage.js';
import { adminSession, apiCall, signUp, type TestSession } from './support/users.js';

/**
 * The marketplace end to end (docs/marketplace.md), through the REST API and the real SDK client:
 * a user applies to be a provider and an admin approves; the provider submits a remote http listing
 * (test/fixtures/provider-mcp.ts, a real SDK v2 server on 127.0.0.1, which the platform may reach
 * only because EGRESS_ALLOW lists 127.0.0.1, as an operator would a partner's network); the platform
 * connects to it and the admin's queue shows the tools, prompts and resources it really exposes; the
 * admin approves; a user finds it, installs it, stores its credential, connects and calls; a second
 * version is reviewed (rejected, then a third approved) before it replaces the live one; the user
 * rates it; the provider sees installs, calls, errors and revenue. PGlite by default, PostgreSQL with
 * DATABASE_URL.
 */

type Json = Record<string, unknown>;
type ToolResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };

async function mcpClient(t: TestPlatform, token: string, path: string): Promise<Client> {
  const client = new Client({ name: 'marketplace-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}${path}`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

const text = (r: unknown) => (r as ToolResult).content.map((c) => c.text ?? '').join('');

describe('marketplace: provider → review → install → call → new version → rating', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let admin: TestSession;
  let provider: TestSession;
  let alice: TestSession;
  let bob: TestSession;
  let v1: ProviderServer;
  let v2: ProviderServer;
  let listingId = '';

  const listing = (overrides: Json = {}) => ({
    slug: 'acme-weather',
    title: 'Acme Weather',
    description: 'Forecasts and arithmetic from Acme',
    icon_url: 'https://acme.example/icon.png',
    categories: ['weather', 'utilities'],
    links: [{ title: 'Docs', url: 'https://acme.example/docs' }],
    price: { per_call: '0.002', currency: 'USD' },
    source: { type: 'http', url: v1.url },
    credentials: [{ name: 'api_key', title: 'Acme API key', inject: { header: 'x-api-key' } }],
    changelog: 'First release',
    test_credentials: { api_key: 'review-key' },
    ...overrides,
  });

  beforeAll(async () => {
    [v1, v2] = await Promise.all([startProviderServer(1), startProviderServer(2)]);
    t = await startPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none' });
    admin = await adminSession(t);
    [provider, alice, bob] = await Promise.all([signUp(t.url), signUp(t.url), signUp(t.url)]);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await Promise.all([v1?.close(), v2?.close()]);
  });

  it('a user applies for the provider role; until an admin approves, provider routes answer 403', async () => {
    expect((await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing())).status).toBe(403);
    const never = await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider');
    expect([never.status, never.json]).toEqual([200, { status: 'none' }]);
    const applied = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider', { display_name: 'Acme Ltd', note: 'We make weather' });
    expect(applied.status).toBe(201);
    expect(applied.json.status).toBe('pending');
    expect((await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider', { display_name: 'Again' })).status).toBe(409);
    // Users never reach the admin routes.
    expect((await apiCall(t.url, provider.accessToken, 'GET', '/v1/admin/marketplace/providers')).status).toBe(403);
    const pending = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/providers?status=pending');
    expect((pending.json.providers as Json[]).map((p) => p.user_id)).toEqual([provider.userId]);
    // Rejecting needs a reason; approving a pending application works once.
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/providers/${provider.userId}/decision`, { decision: 'reject' })).status).toBe(400);
    const approved = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/providers/${provider.userId}/decision`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.json.status).toBe('approved');
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/providers/${provider.userId}/decision`, { decision: 'approve' })).status).toBe(409);
    // An admin may also grant the role directly (bob), and revoke it with a reason.
    expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: bob.userId, display_name: 'Bob' })).status).toBe(201);
    expect((await apiCall(t.url, bob.accessToken, 'GET', '/v1/marketplace/provider/listings')).status).toBe(200);
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/providers/${bob.userId}/decision`, { decision: 'revoke', reason: 'test over' })).status).toBe(200);
    expect((await apiCall(t.url, bob.accessToken, 'GET', '/v1/marketplace/provider/listings')).status).toBe(403);
  });

  it('refuses provider URLs the egress guard refuses, and bad bodies, changing nothing', async () => {
    for (const url of ['http://169.254.169.254/mcp', 'http://10.1.2.3/mcp', 'http://[::1]:8080/mcp', 'http://user:pw@127.0.0.1/mcp', 'file:///etc/passwd']) {
      const res = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing({ source: { type: 'http', url } }));
      expect(res.status, url).toBe(400);
    }
    const metadataIcon = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing({ icon_url: 'http://169.254.169.254/latest/meta-data' }));
    expect(metadataIcon.status).toBe(400);
    expect(JSON.stringify(metadataIcon.json)).toContain('icon_url');
    // An http listing injects credentials as headers, never as environment variables.
    const envInject = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing({ credentials: [{ name: 'k', title: 'K', inject: { env: 'K' } }] }));
    expect(envInject.status).toBe(400);
    expect((await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing({ price: { per_call: '-1' } }))).status).toBe(400);
    expect((await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing({ owner: 'me' }))).status).toBe(400);
    expect(((await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings')).json.listings as Json[]).length).toBe(0);
  });

  it('a submitted listing is inspected with the real SDK client: the queue shows its real tools, prompts and resources', async () => {
    const submitted = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing());
    expect(submitted.status).toBe(201);
    listingId = submitted.json.id as string;
    expect(submitted.json.live_version).toBeNull();
    // The reviewer's one-time key reached the provider; it is stored nowhere.
    expect(v1.keys).toContain('review-key');
    const queue = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews');
    const item = (queue.json.reviews as Json[]).find((r) => r.listing_id === listingId)!;
    expect(item).toMatchObject({ slug: 'acme-weather', version: 1, state: 'pending', provider: { display_name: 'Acme Ltd' }, price: { per_call: '0.002000', currency: 'USD' } });
    const inspection = item.inspection as { ok: boolean; server: Json; tools: Json[]; prompts: Json[]; resources: Json[] };
    expect(inspection.ok).toBe(true);
    expect(inspection.server).toEqual({ name: 'acme-weather', version: '1.0.0' });
    expect(inspection.tools.map((x) => x.name).sort()).toEqual(['add', 'echo']);
    expect(inspection.prompts.map((x) => x.name)).toEqual(['forecast']);
    expect(inspection.resources.map((x) => x.uri)).toEqual(['acme://terms']);
    const rows = await t.platform.database.db.selectFrom('marketplace_listing_versions' as never).selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('review-key');
    // Not live yet: nobody finds it, and its slug is nobody's service.
    expect(((await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/listings')).json.listings as Json[]).length).toBe(0);
    expect((await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/listings/acme-weather')).status).toBe(404);
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-weather/install')).status).toBe(404);
  });

  it('an admin approves: the listing is live, its price is the per-call price, users find it by text, category and price', async () => {
    const decided = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/1/decision`, { decision: 'approve' });
    expect(decided.status).toBe(200);
    expect(decided.json).toMatchObject({ state: 'approved', live_version: 1 });
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/1/decision`, { decision: 'approve' })).status).toBe(409);
    const prices = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/prices');
    expect(prices.json.prices).toEqual([expect.objectContaining({ service: 'acme-weather', price_per_call: '0.002000', currency: 'USD' })]);

    const browse = async (query: string) => ((await apiCall(t.url, alice.accessToken, 'GET', `/v1/marketplace/listings${query}`)).json.listings as Json[]).map((l) => l.slug);
    expect(await browse('')).toEqual(['acme-weather']);
    expect(await browse('?q=arithmetic')).toEqual(['acme-weather']);
    expect(await browse('?q=nothing-like-it')).toEqual([]);
    expect(await browse('?category=weather')).toEqual(['acme-weather']);
    expect(await browse('?category=finance')).toEqual([]);
    expect(await browse('?price=paid')).toEqual(['acme-weather']);
    expect(await browse('?price=free')).toEqual([]);
    expect(await browse('?max_price=0.001')).toEqual([]);
    expect(await browse('?max_price=0.002')).toEqual(['acme-weather']);
    expect((await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/listings?price=cheap')).status).toBe(400);
    const detail = await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/listings/acme-weather');
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({ title: 'Acme Weather', version: 1, installed: false, installs: 0, provider: { display_name: 'Acme Ltd' }, rating: { average: null, count: 0 } });
    expect((detail.json.tools as Json[]).map((x) => x.name).sort()).toEqual(['add', 'echo']);
    expect(detail.json.changelog).toEqual([expect.objectContaining({ version: 1, changelog: 'First release' })]);
    expect(detail.json.credentials).toEqual([{ name: 'api_key', title: 'Acme API key', required: true, secret: true }]);
  });

  it("an admin cannot change a listing's live version past review: PATCH of its definition and its instances are 409", async () => {
    const service = (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/acme-weather')).json;
    for (const patch of [{ http: { transport: 'streamable-http' } }, { title: 'Hijacked' }, { credentials: [] }, { enabled: true, description: 'x' }]) {
      const res = await apiCall(t.url, admin.accessToken, 'PATCH', `/v1/admin/services/${service.id as string}`, patch);
      expect(res.status, JSON.stringify(patch)).toBe(409);
      expect(res.json).toMatchObject({ error: { code: 'listing_managed' } });
      const message = (res.json.error as Json).message as string;
      expect(message).toContain('marketplace listing "acme-weather"');
      expect(message).toContain('submits a new version');
    }
    const added = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/services/${service.id as string}/instances`, { url: v2.url });
    expect(added.status).toBe(409);
    const instanceId = ((service.instances as Json[])[0] as Json).id as string;
    expect((await apiCall(t.url, admin.accessToken, 'DELETE', `/v1/admin/services/${service.id as string}/instances/${instanceId}`)).status).toBe(409);
    // Nothing changed; the operational levers stay the admin's.
    const after = (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/acme-weather')).json;
    expect(after).toMatchObject({ title: 'Acme Weather', instances: [expect.objectContaining({ url: v1.url })] });
    expect((await apiCall(t.url, admin.accessToken, 'PATCH', `/v1/admin/services/${service.id as string}`, { enabled: true })).status).toBe(200);
  });

  it('a user installs it, stores its credential, connects with the SDK client and calls; others cannot', async () => {
    // Before installing, the service does not exist for alice.
    expect(((await apiCall(t.url, alice.accessToken, 'GET', '/v1/services')).json.services as Json[]).map((s) => s.slug)).not.toContain('acme-weather');
    await expect(mcpClient(t, alice.accessToken, '/mcp/acme-weather')).rejects.toThrow();
    const installed = await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-weather/install');
    expect(installed.status).toBe(201);
    expect(installed.json).toMatchObject({ installed: true, installs: 1 });
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-weather/install')).status).toBe(200);
    // Installed: it asks for its credential like any catalog service.
    const services = (await apiCall(t.url, alice.accessToken, 'GET', '/v1/services')).json.services as Json[];
    expect(services.find((s) => s.slug === 'acme-weather')).toMatchObject({ connected: false });
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/services/acme-weather/credentials', { api_key: 'alice-key' })).status).toBe(201);

    const client = await mcpClient(t, alice.accessToken, '/mcp/acme-weather');
    try {
      expect((await client.listTools()).tools.map((x) => x.name).sort()).toEqual(['add', 'echo']);
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('acme:hi');
      expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    } finally {
      await client.close();
    }
    expect(v1.keys.filter((k) => k === 'alice-key').length).toBeGreaterThanOrEqual(2);
    // The balancer connects to the provider's origin under the egress guard's 'public' policy (app.ts's connector reads this set).
    expect([...t.platform.catalog.registry.strictOrigins]).toEqual([new URL(v1.url).host]);
    // The aggregate /mcp lists it for alice, prefixed with its slug.
    const aggregate = await mcpClient(t, alice.accessToken, '/mcp');
    try {
      const names = (await aggregate.listTools()).tools.map((x) => x.name);
      expect(names).toEqual(expect.arrayContaining(['acme-weather__echo', 'acme-weather__add']));
      expect(text(await aggregate.callTool({ name: 'acme-weather__echo', arguments: { text: 'agg' } }))).toBe('acme:agg');
    } finally {
      await aggregate.close();
    }
    // bob never installed it: not in his services, not on /mcp/{slug}, not in his aggregate.
    expect(((await apiCall(t.url, bob.accessToken, 'GET', '/v1/services')).json.services as Json[]).map((s) => s.slug)).not.toContain('acme-weather');
    expect((await apiCall(t.url, bob.accessToken, 'PUT', '/v1/services/acme-weather/credentials', { api_key: 'x' })).status).toBe(404);
    await expect(mcpClient(t, bob.accessToken, '/mcp/acme-weather')).rejects.toThrow();
    const bobAggregate = await mcpClient(t, bob.accessToken, '/mcp');
    try {
      expect((await bobAggregate.listTools()).tools.map((x) => x.name).filter((n) => n.startsWith('acme-weather'))).toEqual([]);
    } finally {
      await bobAggregate.close();
    }
  });

  it('a new version is reviewed before it replaces the live one: rejected with a reason, then the next approved', async () => {
    const v2Body = { ...listing({ source: { type: 'http', url: v2.url }, changelog: 'Adds multiply' }) } as Json;
    delete v2Body.slug;
    const submitted = await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, v2Body);
    expect(submitted.status).toBe(201);
    const review = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/marketplace/reviews/${listingId}/2`);
    expect(((review.json.inspection as Json).tools as Json[]).map((x) => x.name).sort()).toEqual(['add', 'echo', 'multiply']);
    // Still v1 for alice while v2 waits.
    const before = await mcpClient(t, alice.accessToken, '/mcp/acme-weather');
    try {
      expect((await before.listTools()).tools.map((x) => x.name).sort()).toEqual(['add', 'echo']);
    } finally {
      await before.close();
    }
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/2/decision`, { decision: 'reject' })).status).toBe(400);
    const rejected = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/2/decision`, { decision: 'reject', reason: 'multiply needs a description of overflow' });
    expect(rejected.json).toMatchObject({ state: 'rejected', reason: 'multiply needs a description of overflow', live_version: 1 });
    const mine = await apiCall(t.url, provider.accessToken, 'GET', `/v1/marketplace/provider/listings/${listingId}`);
    expect((mine.json.versions as Json[]).map((v) => [v.version, v.state])).toEqual([[2, 'rejected'], [1, 'approved']]);

    const v3Body = { ...v2Body, changelog: 'Adds multiply (overflow documented)', price: { per_call: '0.003', currency: 'USD' } };
    expect((await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, v3Body)).status).toBe(201);
    const approved = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/3/decision`, { decision: 'approve' });
    expect(approved.json).toMatchObject({ state: 'approved', live_version: 3 });
    const after = await mcpClient(t, alice.accessToken, '/mcp/acme-weather');
    try {
      expect((await after.listTools()).tools.map((x) => x.name).sort()).toEqual(['add', 'echo', 'multiply']);
      expect(text(await after.callTool({ name: 'multiply', arguments: { a: 6, b: 7 } }))).toBe('42');
    } finally {
      await after.close();
    }
    const prices = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/prices');
    expect(prices.json.prices).toEqual([expect.objectContaining({ service: 'acme-weather', price_per_call: '0.003000' })]);
    const detail = await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/listings/acme-weather');
    expect((detail.json.changelog as Json[]).map((c) => c.version)).toEqual([3, 1]);
  });

  it('the user rates it once, and edits the rating; a user who did not install it cannot rate', async () => {
    const first = await apiCall(t.url, alice.accessToken, 'PUT', '/v1/marketplace/listings/acme-weather/rating', { rating: 4, review: 'Handy' });
    expect(first.status).toBe(201);
    const edited = await apiCall(t.url, alice.accessToken, 'PUT', '/v1/marketplace/listings/acme-weather/rating', { rating: 5, review: 'Handy, and now it multiplies' });
    expect(edited.status).toBe(200);
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/marketplace/listings/acme-weather/rating', { rating: 6 })).status).toBe(400);
    expect((await apiCall(t.url, bob.accessToken, 'PUT', '/v1/marketplace/listings/acme-weather/rating', { rating: 1 })).status).toBe(403);
    const seenByBob = await apiCall(t.url, bob.accessToken, 'GET', '/v1/marketplace/listings/acme-weather');
    expect(seenByBob.json.rating).toEqual({ average: 5, count: 1 });
    expect(seenByBob.json.reviews).toEqual([expect.objectContaining({ rating: 5, review: 'Handy, and now it multiplies', mine: false })]);
    expect(JSON.stringify(seenByBob.json)).not.toContain(alice.userId);
    expect(JSON.stringify(seenByBob.json)).not.toContain(alice.email);
  });

  it("the provider sees installs, calls, errors and revenue, and no user's identity, payload or credential", async () => {
    await t.platform.billing!.rollUp(); // the counters the figures read are raised behind the answers (docs/billing.md)
    const stats = await apiCall(t.url, provider.accessToken, 'GET', `/v1/marketplace/provider/listings/${listingId}/stats`);
    expect(stats.status).toBe(200);
    // alice's calls: echo, add (v1, /mcp/…), echo (aggregate), multiply (v3): 4, none an error.
    expect(stats.json).toMatchObject({ installs: 1, calls: 4, errors: 0, price: { per_call: '0.003000' }, revenue: { amount: '0.012000', currency: 'USD' } });
    const body = JSON.stringify(stats.json);
    for (const secret of [alice.userId, alice.email, 'alice-key', 'acme:hi']) expect(body).not.toContain(secret);
    // Each usage event names the listing version that served it (the live one at call time): three calls on v1, one on v3.
    expect(await callsByListingVersion(t, 'acme-weather')).toEqual([['1', 3], ['3', 1]]);
    // Another provider's listing is a 404; a user is refused.
    expect((await apiCall(t.url, alice.accessToken, 'GET', `/v1/marketplace/provider/listings/${listingId}/stats`)).status).toBe(403);
    expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: bob.userId, display_name: 'Bob again' })).status).toBe(201);
    expect((await apiCall(t.url, bob.accessToken, 'GET', `/v1/marketplace/provider/listings/${listingId}/stats`)).status).toBe(404);

    // Analytics over the provider's own listings (/v1/provider/analytics, docs/analytics.md): the same four calls, users as pseudonyms.
    await t.platform.logging.requestLog.flush();
    const tools = await apiCall(t.url, provider.accessToken, 'GET', '/v1/provider/analytics/top-tools');
    expect(tools.status, JSON.stringify(tools.json)).toBe(200);
    const rows = tools.json.data as Array<{ service: string; tool: string; calls: number }>;
    expect(rows.every((r) => r.service === 'acme-weather')).toBe(true);
    expect(rows.reduce((n, r) => n + r.calls, 0)).toBe(4);
    const users = await apiCall(t.url, provider.accessToken, 'GET', '/v1/provider/analytics/top-users');
    expect(users.status).toBe(200);
    expect(JSON.stringify(users.json)).not.toContain(alice.userId);
    expect(JSON.stringify(users.json)).not.toContain(alice.email);
    // bob is a provider with no listing: nothing; alice is not a provider: 403.
    expect((await apiCall(t.url, bob.accessToken, 'GET', '/v1/provider/analytics/top-tools')).json).toEqual({ data: [] });
    expect((await apiCall(t.url, alice.accessToken, 'GET', '/v1/provider/analytics/top-tools')).status).toBe(403);
  });

  it('uninstalling removes it and the stored credential; every decision is in the audit trail', async () => {
    expect((await apiCall(t.url, alice.accessToken, 'DELETE', '/v1/marketplace/listings/acme-weather/install')).status).toBe(204);
    expect((await apiCall(t.url, alice.accessToken, 'DELETE', '/v1/marketplace/listings/acme-weather/install')).status).toBe(404);
    expect((await apiCall(t.url, alice.accessToken, 'GET', '/v1/services/acme-weather/credentials')).status).toBe(404);
    await expect(mcpClient(t, alice.accessToken, '/mcp/acme-weather')).rejects.toThrow();
    const rows = await t.platform.database.db.selectFrom('audit_log').select(['action', 'actor_id', 'details']).where('action', 'like', 'marketplace.%').orderBy('seq').execute();
    expect(rows.map((r) => r.action)).toEqual([
      'marketplace.provider_applied',
      'marketplace.provider_approved',
      'marketplace.provider_granted',
      'marketplace.provider_revoked',
      'marketplace.listing_submitted',
      'marketplace.version_approved',
      'marketplace.installed',
      'marketplace.version_submitted',
      'marketplace.version_rejected',
      'marketplace.version_submitted',
      'marketplace.version_approved',
      'marketplace.rated',
      'marketplace.rated',
      'marketplace.provider_granted',
      'marketplace.uninstalled',
    ]);
    expect(rows.find((r) => r.action === 'marketplace.version_rejected')?.details).toMatchObject({ version: 2, reason: 'multiply needs a description of overflow' });
  });
});
