import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from './fixtures/provider-mcp.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, signUp, type TestSession } from './support/users.js';

/**
 * Reinstating a withdrawn listing (docs/marketplace.md, "Reinstating a listing"), and who a
 * withdrawal is shown as. A provider reinstates what they withdrew themselves (not what an admin
 * withdrew: 409 withdrawn_by_admin); an admin reinstates any. The live version's URL goes through the
 * egress guard again as at submission: a row that now names the metadata address is refused (400,
 * nothing changes). A reinstated listing is back in browse, installable, and its pending versions are
 * back in the review queue. An admin who is also a provider and withdraws their own listing through
 * the admin route is shown and audited as 'admin'. PGlite by default, PostgreSQL with DATABASE_URL.
 */

type Json = Record<string, unknown>;

describe('marketplace: reinstating a withdrawn listing', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let server: ProviderServer;
  let admin: TestSession;
  let provider: TestSession;
  let other: TestSession;
  let bob: TestSession;
  const ids: Record<string, string> = {};

  const submit = async (who: TestSession, slug: string) => {
    const res = await apiCall(t.url, who.accessToken, 'POST', '/v1/marketplace/provider/listings', {
      slug,
      title: `Title ${slug}`,
      description: 'Arithmetic',
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
  const browse = async (who: TestSession) => ((await apiCall(t.url, who.accessToken, 'GET', '/v1/marketplace/listings')).json.listings as Json[]).map((l) => l.slug);
  const withdraw = (who: TestSession, slug: string, as: 'provider' | 'admin', reason?: string) =>
    apiCall(t.url, who.accessToken, 'POST', as === 'admin' ? `/v1/admin/marketplace/listings/${ids[slug]!}/withdraw` : `/v1/marketplace/provider/listings/${ids[slug]!}/withdraw`, reason ? { reason } : {});
  const reinstate = (who: TestSession, slug: string, as: 'provider' | 'admin', body: Json = {}) =>
    apiCall(t.url, who.accessToken, 'POST', as === 'admin' ? `/v1/admin/marketplace/listings/${ids[slug]!}/reinstate` : `/v1/marketplace/provider/listings/${ids[slug]!}/reinstate`, body);
  const withdrawnAt = async (slug: string) =>
    (
      await t.platform.database.db
        .withTables<{ marketplace_listings: { id: string; withdrawn_at: Date | null } }>()
        .selectFrom('marketplace_listings')
        .select('withdrawn_at')
        .where('id', '=', ids[slug]!)
        .executeTakeFirstOrThrow()
    ).withdrawn_at;
  const audits = async (action: string) =>
    t.platform.database.db.selectFrom('audit_log').select(['actor_id', 'target_id', 'details']).where('action', '=', action).orderBy('seq').execute();

  beforeAll(async () => {
    server = await startProviderServer(1);
    t = await startPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none' });
    admin = await adminSession(t);
    [provider, other, bob] = await Promise.all([signUp(t.url), signUp(t.url), signUp(t.url)]);
    for (const [who, name] of [[provider, 'Acme'], [other, 'Other'], [admin, 'House']] as const) {
      expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: who.userId, display_name: name })).status).toBe(201);
    }
    for (const slug of ['acme-back', 'acme-held']) await submit(provider, slug);
    await submit(admin, 'house-own');
    for (const slug of ['acme-back', 'acme-held', 'house-own']) expect((await approve(ids[slug]!)).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  it("an admin withdrawing their own listing through the admin route is shown and audited as 'admin'; through the provider route as 'provider'", async () => {
    const res = await withdraw(admin, 'house-own', 'admin', 'Checking it');
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.withdrawn).toMatchObject({ by: 'admin', reason: 'Checking it' });
    expect(((await apiCall(t.url, admin.accessToken, 'GET', `/v1/marketplace/provider/listings/${ids['house-own']!}`)).json.withdrawn as Json).by).toBe('admin');
    expect((await reinstate(admin, 'house-own', 'admin')).status).toBe(200);
    const again = await withdraw(admin, 'house-own', 'provider');
    expect((again.json.withdrawn as Json).by).toBe('provider');
    const rows = (await audits('marketplace.listing_withdrawn')).filter((r) => r.target_id === ids['house-own']);
    expect(rows.map((r) => [r.actor_id, (r.details as Json).by])).toEqual([
      [admin.userId, 'admin'],
      [admin.userId, 'provider'],
    ]);
    expect((await audits('marketplace.listing_reinstated')).map((r) => [r.actor_id, (r.details as Json).by, ((r.details as Json).withdrawn as Json).as])).toEqual([[admin.userId, 'admin', 'admin']]);
  });

  it('the provider reinstates what they withdrew: back in browse, installable, its pending version back in the queue; refusals change nothing', async () => {
    // A second version waits for review when the provider withdraws.
    const v2 = await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${ids['acme-back']!}/versions`, { title: 'Title acme-back', source: { type: 'http', url: server.url }, credentials: [{ name: 'api_key', title: 'API key', inject: { header: 'x-api-key' } }], changelog: 'Second', test_credentials: { api_key: 'review-key' } });
    expect(v2.status, JSON.stringify(v2.json)).toBe(201);
    const queued = async () => ((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews')).json.reviews as Json[]).map((r) => `${String(r.slug)}@${String(r.version)}`);
    expect(await queued()).toEqual(['acme-back@2']);
    expect((await reinstate(provider, 'acme-back', 'provider')).json).toMatchObject({ error: { code: 'not_withdrawn' } });
    expect((await withdraw(provider, 'acme-back', 'provider', 'Maintenance')).status).toBe(200);
    expect(await queued()).toEqual([]);
    expect(await browse(bob)).not.toContain('acme-back');
    const at = await withdrawnAt('acme-back');

    // Refused: another provider (404), a user (403), a bad body (400); the listing stays withdrawn.
    expect((await reinstate(other, 'acme-back', 'provider')).status).toBe(404);
    expect((await reinstate(bob, 'acme-back', 'provider')).status).toBe(403);
    expect((await reinstate(bob, 'acme-back', 'admin')).status).toBe(403);
    expect((await reinstate(provider, 'acme-back', 'provider', { now: true })).status).toBe(400);
    expect(await withdrawnAt('acme-back')).toEqual(at);

    const res = await reinstate(provider, 'acme-back', 'provider', { reason: 'Back up' });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({ withdrawn: null, live_version: 1 });
    expect(await browse(bob)).toContain('acme-back');
    expect((await apiCall(t.url, bob.accessToken, 'POST', '/v1/marketplace/listings/acme-back/install')).status).toBe(201);
    expect(await queued()).toEqual(['acme-back@2']);
    const approved = await approve(ids['acme-back']!, 2);
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    const row = (await audits('marketplace.listing_reinstated')).find((r) => r.target_id === ids['acme-back'])!;
    expect([row.actor_id, row.details]).toEqual([provider.userId, expect.objectContaining({ slug: 'acme-back', by: 'provider', reason: 'Back up', live_version: 1, withdrawn: expect.objectContaining({ as: 'provider', reason: 'Maintenance' }) })]);
  });

  it("what an admin withdrew only an admin reinstates, after the live version's URL passes the egress guard again", async () => {
    expect((await withdraw(admin, 'acme-held', 'admin', 'Terms of use')).status).toBe(200);
    const held = await reinstate(provider, 'acme-held', 'provider');
    expect([held.status, (held.json.error as Json).code]).toEqual([409, 'withdrawn_by_admin']);

    // The live version's stored URL now names the cloud metadata address: refused as at submission, nothing changes.
    const versions = t.platform.database.db.withTables<{ marketplace_listing_versions: { listing_id: string; version: number; source: string } }>();
    await versions.updateTable('marketplace_listing_versions').set({ source: JSON.stringify({ type: 'http', url: 'http://169.254.169.254/mcp', transport: 'streamable-http' }) }).where('listing_id', '=', ids['acme-held']!).where('version', '=', 1).execute();
    const refused = await reinstate(admin, 'acme-held', 'admin');
    expect(refused.status, JSON.stringify(refused.json)).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^source\.url refused: /), details: [{ path: 'source.url' }] });
    expect(await withdrawnAt('acme-held')).not.toBeNull();
    expect(await browse(bob)).not.toContain('acme-held');

    await versions.updateTable('marketplace_listing_versions').set({ source: JSON.stringify({ type: 'http', url: server.url, transport: 'streamable-http' }) }).where('listing_id', '=', ids['acme-held']!).where('version', '=', 1).execute();
    const res = await reinstate(admin, 'acme-held', 'admin', { reason: 'Resolved' });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.withdrawn).toBeNull();
    expect(await browse(bob)).toContain('acme-held');
    expect((await reinstate(admin, 'acme-held', 'admin')).json).toMatchObject({ error: { code: 'not_withdrawn' } });
    expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/listings/00000000-0000-4000-8000-000000000000/reinstate', {})).status).toBe(404);
  });
});
