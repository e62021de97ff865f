import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteUser, exportUser } from '../src/ops/index.js';
import { startProviderServer, type ProviderServer } from './fixtures/provider-mcp.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, signUp, type TestSession } from './support/users.js';

/**
 * export-user and delete-user of a marketplace provider (docs/operations.md, docs/marketplace.md):
 * the export names each listing's withdrawal (when, in which role, why) and its catalog service;
 * deleting the provider removes their listings' catalog services (so nobody who installed them is
 * still served), those services' prices, and the listings' package directories on disk (real
 * directories under the packages root; another provider's directory stays), and the audit row says
 * so. PGlite by default, PostgreSQL with DATABASE_URL.
 */

type Json = Record<string, unknown>;

describe('ops: a provider in export-user and delete-user', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let server: ProviderServer;
  let admin: TestSession;
  let provider: TestSession;
  let other: TestSession;
  let alice: TestSession;
  let packagesDir: string;
  const ids: Record<string, string> = {};

  const submit = async (who: TestSession, slug: string) => {
    const res = await apiCall(t.url, who.accessToken, 'POST', '/v1/marketplace/provider/listings', {
      slug,
      title: `Title ${slug}`,
      price: { per_call: '0.01', currency: 'USD' },
      source: { type: 'http', url: server.url },
      credentials: [{ name: 'api_key', title: 'API key', inject: { header: 'x-api-key' } }],
      changelog: 'First',
      test_credentials: { api_key: 'review-key' },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    ids[slug] = res.json.id as string;
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${ids[slug]!}/1/decision`, { decision: 'approve' })).status).toBe(200);
  };
  const slugs = async () => (await t.platform.database.db.selectFrom('services').select('slug').execute()).map((s) => s.slug).sort();

  beforeAll(async () => {
    server = await startProviderServer(1);
    t = await startPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none' });
    packagesDir = path.join(t.dataDir, 'marketplace-packages');
    admin = await adminSession(t);
    [provider, other, alice] = await Promise.all([signUp(t.url), signUp(t.url), signUp(t.url)]);
    for (const [who, name] of [[provider, 'Acme'], [other, 'Other']] as const) {
      expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: who.userId, display_name: name })).status).toBe(201);
    }
    await submit(provider, 'acme-kept');
    await submit(provider, 'acme-gone');
    await submit(other, 'other-live');
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/listings/${ids['acme-gone']!}/withdraw`, { reason: 'Terms of use' })).status).toBe(200);
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-kept/install')).status).toBe(201);
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/services/acme-kept/credentials', { api_key: 'alice-key' })).status).toBe(201);
    // Installed package directories as the npm installer leaves them: <root>/<listing id>/<version>/node_modules/…
    for (const slug of ['acme-kept', 'acme-gone', 'other-live']) {
      const dir = path.join(packagesDir, ids[slug]!, '1', 'node_modules', 'pkg');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'index.js'), '// installed\n');
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  it("export-user lists the provider's listings with their withdrawal and service", async () => {
    const data = await exportUser(t.platform.database.db, t.platform.logging.audit, provider.userId);
    const listings = (data.marketplace_provider as { listings: Json[] }).listings;
    expect(listings.map((l) => [l.slug, l.service, l.withdrawn === null ? null : { ...(l.withdrawn as Json), at: typeof (l.withdrawn as Json).at }])).toEqual([
      ['acme-kept', 'acme-kept', null],
      ['acme-gone', 'acme-gone', { at: 'object', by: 'admin', reason: 'Terms of use' }],
    ]);
    // Who the administrator was (another user) is not in it.
    expect(JSON.stringify(data.marketplace_provider)).not.toContain(admin.userId);
  });

  it("delete-user of a provider removes their listings' services, prices and package directories, and says so in the audit trail", async () => {
    expect(await slugs()).toEqual(['acme-gone', 'acme-kept', 'other-live']);
    const report = await deleteUser(t.platform.database.db, t.platform.logging.audit, provider.email, { packagesDir });
    expect(report.deleted).toMatchObject({ marketplace_listings: 2, marketplace_services: 2, package_directories: 2 });
    expect(await slugs()).toEqual(['other-live']);
    expect((await readdir(packagesDir)).sort()).toEqual([ids['other-live']]);
    const prices = (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/prices')).json.prices as Json[];
    expect(prices.map((p) => p.service)).toEqual(['other-live']);
    // alice installed acme-kept: it is gone for her too, with her credential for it.
    expect(((await apiCall(t.url, alice.accessToken, 'GET', '/v1/marketplace/installs')).json.listings as Json[]).length).toBe(0);
    expect(await t.platform.database.db.selectFrom('user_credentials').select('user_id').where('user_id', '=', alice.userId).execute()).toEqual([]);
    const row = await t.platform.database.db.selectFrom('audit_log').select('details').where('action', '=', 'admin.user_deleted').where('target_id', '=', provider.userId).executeTakeFirstOrThrow();
    expect(row.details).toMatchObject({ marketplace_listings: 2, marketplace_services: 2, package_directories: 2, listings: ['acme-kept', 'acme-gone'] });
    expect((await t.platform.logging.verifyAudit()).ok).toBe(true);
  });
});
