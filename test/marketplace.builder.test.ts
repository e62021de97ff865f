import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestFixture, type RestFixture } from './fixtures/rest-api.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { callsByListingVersion } from './support/usage.js';
import { adminSession, apiCall, bearer, signUp, type TestSession } from './support/users.js';

/**
 * A marketplace listing made with the builder (docs/marketplace.md, "Builder listings"), end to end:
 * a provider (BUILDER_USERS=true) builds a REST-backed service (test/fixtures/rest-api.ts on
 * 127.0.0.1, allowlisted with EGRESS_ALLOW), submits its version 1 as a listing; the review shows the
 * tools the platform's own runtime serves for it; the admin approves; a user installs, stores the
 * credential and calls through /mcp/{slug} with the SDK client; the provider's builder version 2 is a
 * new listing version, reviewed before it replaces version 1; usage events name the version that
 * served each call. PGlite by default, PostgreSQL with DATABASE_URL.
 */

type Json = Record<string, unknown>;
type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };
const text = (r: unknown) => (r as ToolResult).content.map((c) => c.text ?? '').join('');

/** A hand-made tool: GET /echo/{prefix}{name} on the fixture, which answers with the target it received. */
function echoDefinition(baseUrl: string, prefix: string, extraTool = false) {
  const tool = (name: string, path: string) => ({
    name,
    description: `${name} (${prefix})`,
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
    operation: { method: 'GET', path, parameters: [{ arg: 'name', in: 'path', name: 'name' }] },
  });
  return {
    credentials: [{ name: 'token', title: 'API token', inject: { context: 'token' } }],
    openapi: {
      base_url: baseUrl,
      auth: [{ type: 'bearer', credential: 'token' }],
      tools: [tool('echo', `/echo/${prefix}{name}`), ...(extraTool ? [tool('shout', `/echo/${prefix}loud-{name}`)] : [])],
    },
  };
}

async function mcp(t: TestPlatform, token: string, slug: string) {
  const client = new Client({ name: 'marketplace-builder-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/${slug}`), { requestInit: { headers: bearer(token) } }));
  return client;
}

describe('marketplace: a listing made with the builder', { timeout: 120_000 }, () => {
  let fixture: RestFixture;
  let t: TestPlatform;
  let admin: TestSession;
  let provider: TestSession;
  let other: TestSession;
  let alice: TestSession;
  let builtId = '';
  let listingId = '';

  beforeAll(async () => {
    fixture = await startRestFixture();
    t = await startPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none', BUILDER_USERS: 'true' });
    admin = await adminSession(t);
    [provider, other, alice] = await Promise.all([signUp(t.url), signUp(t.url), signUp(t.url)]);
    for (const [user, name] of [[provider, 'Acme Build'], [other, 'Other']] as const) {
      expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: user.userId, display_name: name })).status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fixture?.close();
  });

  it('a provider submits version 1 of their builder service; the review shows the tools the platform serves for it', async () => {
    const built = await apiCall(t.url, provider.accessToken, 'POST', '/v1/builder/services', { slug: 'acme-echo-draft', title: 'Echo (draft)', ...echoDefinition(fixture.url, 'one-') });
    expect(built.status).toBe(201);
    builtId = built.json.id as string;
    const listing = { slug: 'acme-echo', title: 'Acme Echo', description: 'Echoes, made with the builder', categories: ['utilities'], changelog: 'First', source: { type: 'builder', service_id: builtId, version: 1 } };

    // Someone else's builder service, a version that does not exist, and credential fields of its own are refused, changing nothing.
    const stranger = await apiCall(t.url, other.accessToken, 'POST', '/v1/marketplace/provider/listings', { ...listing, slug: 'not-mine' });
    expect(stranger.status).toBe(400);
    expect(JSON.stringify(stranger.json)).toContain('source.service_id');
    expect((await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', { ...listing, source: { ...listing.source, version: 9 } })).status).toBe(400);
    const ownFields = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', { ...listing, credentials: [{ name: 'k', title: 'K', inject: { header: 'x-k' } }] });
    expect(ownFields.status).toBe(400);
    expect(((await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings')).json.listings as Json[]).length).toBe(0);

    const submitted = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', listing);
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(201);
    expect(submitted.json).toMatchObject({ kind: 'builder', live_version: null });
    listingId = submitted.json.id as string;
    const review = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/marketplace/reviews/${listingId}/1`);
    expect(review.json).toMatchObject({ kind: 'builder', state: 'pending', source: { type: 'builder', service_id: builtId, version: 1 } });
    expect(review.json.credentials).toEqual([expect.objectContaining({ name: 'token', inject: { context: 'token' } })]);
    const inspection = review.json.inspection as { ok: boolean; server: Json; tools: Json[] };
    expect(inspection.ok, JSON.stringify(inspection)).toBe(true);
    expect(inspection.server).toEqual({ name: 'acme-echo', version: '1.0.0' });
    expect(inspection.tools.map((x) => [x.name, x.description])).toEqual([['echo', 'echo (one-)']]);
  });

  it('approved, a user installs it, stores the credential and calls it through /mcp/{slug} with the SDK client', async () => {
    const approved = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/1/decision`, { decision: 'approve' });
    expect(approved.json).toMatchObject({ state: 'approved', live_version: 1 });
    // The listing's service is not the builder's: no builder route lists it, for the provider or an admin.
    const adminBuilt = (await apiCall(t.url, admin.accessToken, 'GET', '/v1/builder/services')).json.services as Json[];
    expect(adminBuilt.map((s) => s.slug)).toEqual(['acme-echo-draft']);
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/acme-echo/install')).status).toBe(201);
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/services/acme-echo/credentials', { token: 'alice-token' })).status).toBe(201);
    const client = await mcp(t, alice.accessToken, 'acme-echo');
    try {
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['echo']);
      expect(JSON.parse(text(await client.callTool({ name: 'echo', arguments: { name: 'x' } })))).toEqual({ target: '/echo/one-x' });
    } finally {
      await client.close();
    }
  });

  it("the builder's next version is a new listing version: reviewed before it replaces the live one", async () => {
    const saved = await apiCall(t.url, provider.accessToken, 'POST', `/v1/builder/services/${builtId}/versions`, { ...echoDefinition(fixture.url, 'two-', true), publish: true });
    expect(saved.status).toBe(201);
    // Publishing in the builder changes the provider's own service, not the listing.
    const still = await mcp(t, alice.accessToken, 'acme-echo');
    try {
      expect((await still.listTools()).tools.map((x) => x.name)).toEqual(['echo']);
    } finally {
      await still.close();
    }
    const v2 = await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, {
      title: 'Acme Echo',
      changelog: 'Adds shout',
      source: { type: 'builder', service_id: builtId, version: 2 },
    });
    expect(v2.status, JSON.stringify(v2.json)).toBe(201);
    // A new version cannot change the kind.
    expect((await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, { title: 'X', source: { type: 'http', url: fixture.url } })).status).toBe(400);
    const review = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/marketplace/reviews/${listingId}/2`);
    expect(((review.json.inspection as Json).tools as Json[]).map((x) => x.name)).toEqual(['echo', 'shout']);
    const before = await mcp(t, alice.accessToken, 'acme-echo');
    try {
      expect(JSON.parse(text(await before.callTool({ name: 'echo', arguments: { name: 'y' } })))).toEqual({ target: '/echo/one-y' });
    } finally {
      await before.close();
    }
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/2/decision`, { decision: 'approve' })).json).toMatchObject({ live_version: 2 });
    const after = await mcp(t, alice.accessToken, 'acme-echo');
    try {
      expect((await after.listTools()).tools.map((x) => x.name)).toEqual(['echo', 'shout']);
      expect(JSON.parse(text(await after.callTool({ name: 'echo', arguments: { name: 'z' } })))).toEqual({ target: '/echo/two-z' });
      expect(JSON.parse(text(await after.callTool({ name: 'shout', arguments: { name: 'z' } })))).toEqual({ target: '/echo/two-loud-z' });
    } finally {
      await after.close();
    }
    // Usage events name the listing version that served each call: two on v1, two on v2.
    expect(await callsByListingVersion(t, 'acme-echo')).toEqual([['1', 2], ['2', 2]]);
    // An admin cannot change it past review either.
    const service = (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/acme-echo')).json;
    const patched = await apiCall(t.url, admin.accessToken, 'PATCH', `/v1/admin/services/${service.id as string}`, { openapi: echoDefinition(fixture.url, 'evil-').openapi });
    expect([patched.status, (patched.json.error as Json).code]).toEqual([409, 'listing_managed']);
  });

  it("a builder version's base URL is checked again at submission: one the guard refuses is 400 base_url_refused, nothing stored", async () => {
    // No API path saves a refused base URL (the builder checks it at every save, and EGRESS_ALLOW changes only
    // with a restart), so the test edits the stored row, as a changed allowlist or a hand-edited database would leave it.
    const saved = await apiCall(t.url, provider.accessToken, 'POST', `/v1/builder/services/${builtId}/versions`, echoDefinition(fixture.url, 'three-'));
    expect(saved.status).toBe(201);
    const version = saved.json.version as number;
    const db = t.platform.database.db.withTables<{ service_versions: { service_id: string; version: number; definition: unknown } }>();
    await db
      .updateTable('service_versions')
      .set({ definition: sql`jsonb_set(definition, '{openapi,base_url}', '"http://169.254.169.254/latest"')` })
      .where('service_id', '=', builtId)
      .where('version', '=', version)
      .execute();
    const versionsBefore = (await apiCall(t.url, provider.accessToken, 'GET', `/v1/marketplace/provider/listings/${listingId}`)).json.versions as Json[];

    const body = { title: 'Acme Echo', changelog: 'Metadata', source: { type: 'builder', service_id: builtId, version } };
    const asVersion = await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, body);
    expect(asVersion.status, JSON.stringify(asVersion.json)).toBe(400);
    expect(asVersion.json.error).toMatchObject({ code: 'base_url_refused', details: [expect.objectContaining({ path: 'source.openapi.base_url' })] });
    expect((asVersion.json.error as Json).message).toContain('169.254.169.254');
    const asListing = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', { ...body, slug: 'acme-metadata' });
    expect([asListing.status, (asListing.json.error as Json).code]).toEqual([400, 'base_url_refused']);

    // Nothing stored: no new version, no new listing, nothing new in the review queue.
    expect((await apiCall(t.url, provider.accessToken, 'GET', `/v1/marketplace/provider/listings/${listingId}`)).json.versions).toEqual(versionsBefore);
    expect(((await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings')).json.listings as Json[]).map((l) => l.slug)).toEqual(['acme-echo']);
    expect((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews')).json.reviews).toEqual([]);
  });
});
