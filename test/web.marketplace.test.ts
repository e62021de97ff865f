import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from './fixtures/provider-mcp.js';
import { seriousA11yViolations } from './support/axe.js';
import { startLocalRegistry, type LocalRegistry } from './support/npm-registry.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, DEFAULT_TEST_PASSWORD, signUp, uniqueEmail, type TestSession } from './support/users.js';
import { buildWebApp, launchChromium, skipBrowserTests, type TestBrowser, type WebBuild } from './support/web.js';

/**
 * The marketplace's pages in a real Chromium against the real platform (docs/marketplace.md, "Web
 * pages"): an admin grants a provider (REST), the provider submits an http listing (REST; the
 * listing is test/fixtures/provider-mcp.ts, a real SDK MCP server on 127.0.0.1, reachable because
 * EGRESS_ALLOW lists it), the admin sees the tools the platform really found and approves it in the
 * review page, and approves another user's provider application there; a user finds the listing
 * in the Marketplace page (and a search that matches nothing), installs it, rates it, edits the
 * rating and uninstalls it. The provider submits a new version in the provider page (a new URL:
 * release 2 of the fixture, with `multiply`), the admin approves it in the review page and it goes
 * live; a rejected version shows its reason; the npm listing form checks its fields and then submits
 * a package the platform really installs from a local registry stand-in (MARKETPLACE_NPM is on);
 * after a user's calls the provider's traffic charts have points. axe-core checks every page, and
 * Chromium must log no error; with WEB_SCREENSHOTS=<dir> each page is saved.
 */
type Json = Record<string, unknown>;

const toolNames = async (rows: Locator) => Promise.all((await rows.all()).map((row) => row.getAttribute('data-tool')));

let web: WebBuild;
let upstream: ProviderServer;
let upstream2: ProviderServer;
let registry: LocalRegistry;
let t: TestPlatform;
const NPM_PACKAGE = 'mcp-weather-stdio-fixture';

beforeAll(async () => {
  [web, upstream, upstream2, registry] = await Promise.all([
    buildWebApp(),
    startProviderServer(1),
    startProviderServer(2),
    startLocalRegistry([path.resolve(import.meta.dirname, 'fixtures/npm-listing')]),
  ]);
  t = await startPlatform(
    { EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none', MARKETPLACE_NPM: 'true', MARKETPLACE_NPM_REGISTRY: registry.url },
    { web: { distDir: web.distDir } },
  );
}, 240_000);
afterAll(async () => {
  await t?.close();
  await Promise.all([upstream?.close(), upstream2?.close(), registry?.close()]);
  await web?.close();
});

describe.skipIf(skipBrowserTests)('web: the marketplace in Chromium', () => {
  let chromium: TestBrowser;
  let page: Page;
  let admin: TestSession;
  let provider: TestSession;
  let applicant: TestSession;
  let user: TestSession;
  const userEmail = uniqueEmail('shopper');
  let listingId = '';
  const a11y: Record<string, string[]> = {};
  const problems: string[] = [];

  beforeAll(async () => {
    admin = await adminSession(t);
    [provider, applicant, user] = await Promise.all([signUp(t.url), signUp(t.url), signUp(t.url, userEmail)]);
    expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: provider.userId, display_name: 'Acme Ltd' })).status).toBe(201);
    expect((await apiCall(t.url, applicant.accessToken, 'POST', '/v1/marketplace/provider', { display_name: 'Globex', note: 'We sell maps' })).status).toBe(201);
    const submitted = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', {
      slug: 'acme-weather',
      title: 'Acme Weather',
      description: 'Forecasts and arithmetic from Acme',
      categories: ['weather', 'utilities'],
      links: [{ title: 'Docs', url: 'https://acme.example/docs' }],
      price: { per_call: '0.002', currency: 'USD' },
      source: { type: 'http', url: upstream.url },
      credentials: [{ name: 'api_key', title: 'Acme API key', inject: { header: 'x-api-key' } }],
      changelog: 'First release',
      test_credentials: { api_key: 'review-key' },
    });
    expect(submitted.status).toBe(201);
    listingId = submitted.json.id as string;

    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 120_000);
  afterAll(async () => chromium?.close());

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const checkA11y = async (name: string) => {
    await page.locator('.mantine-Notification-root').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    a11y[name] = await seriousA11yViolations(page);
    const dir = process.env.WEB_SCREENSHOTS;
    if (dir) {
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
    }
  };
  const signIn = async (email: string, password: string) => {
    await page.goto(`${t.url}/sign-in`);
    await heading('Sign in').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Services').waitFor();
  };

  it('an admin sees the real tools of the submitted listing and approves it, and approves a provider application', async () => {
    await signIn('admin@example.test', 'admin-password-123');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: /Marketplace review/ }).click();
    await heading('Marketplace review').waitFor();
    const card = page.locator('[data-review="acme-weather/1"]');
    // What the platform found when it connected to the provider's server with the SDK client.
    await card.getByTestId('inspection').waitFor();
    expect((await toolNames(card.locator('tr[data-tool]'))).sort()).toEqual(['add', 'echo']);
    await card.getByText('Prompts: forecast').waitFor();
    await card.getByText('acme://terms').waitFor();
    await card.getByText('0.002 USD per call').waitFor();
    await page.locator(`tr[data-application="${applicant.userId}"]`).getByText('We sell maps').waitFor();
    await checkA11y('marketplace-review');

    // Rejecting needs a reason: the dialog says so and sends nothing.
    await card.getByRole('button', { name: 'Reject Acme Weather v1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('dialog').getByText('Give a reason').waitFor();
    await checkA11y('marketplace-review-reject');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await card.getByRole('button', { name: 'Approve Acme Weather v1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Nothing waits for review').waitFor();
    const approved = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews?state=approved');
    expect((approved.json.reviews as Json[]).map((r) => [r.slug, r.version])).toEqual([['acme-weather', 1]]);

    await page.getByRole('button', { name: 'Approve Globex' }).click();
    await page.getByText('No application waits for a decision.').waitFor();
    expect((await apiCall(t.url, applicant.accessToken, 'GET', '/v1/marketplace/provider')).json.status).toBe('approved');
    await checkA11y('marketplace-review-done');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
  }, 240_000);

  it('a user finds the listing, installs it, rates it, edits the rating and uninstalls it', async () => {
    await signIn(userEmail, DEFAULT_TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: /Marketplace/ }).click();
    await heading('Marketplace').waitFor();
    await page.locator('[data-listing="acme-weather"]').waitFor();
    await checkA11y('marketplace');

    await page.getByLabel('Search').fill('no such thing');
    await page.getByText('No listing matches these filters').waitFor();
    await checkA11y('marketplace-empty');
    await page.getByLabel('Search').fill('arithmetic');
    await page.getByRole('combobox', { name: 'Price' }).click();
    await page.getByRole('option', { name: 'Paid', exact: true }).click();
    const card = page.locator('[data-listing="acme-weather"]');
    await card.getByText('0.002 USD per call').waitFor();
    await card.getByText('No ratings yet').waitFor();
    await card.getByRole('link', { name: 'Acme Weather' }).click();

    await heading('Acme Weather').waitFor();
    expect((await toolNames(page.locator('[data-testid="listing-tools"] tr[data-tool]'))).sort()).toEqual(['add', 'echo']);
    await page.locator('tr[data-version="1"]').getByText('First release').waitFor();
    await page.getByText('Install this listing to rate it.').waitFor();
    await checkA11y('marketplace-listing');

    await page.getByRole('button', { name: 'Install', exact: true }).click();
    await page.getByRole('link', { name: 'add your credentials on the Services page' }).waitFor();
    const installs = await apiCall(t.url, user.accessToken, 'GET', '/v1/marketplace/installs');
    expect(JSON.stringify(installs.json)).toContain('acme-weather');
    const services = await apiCall(t.url, user.accessToken, 'GET', '/v1/services');
    expect((services.json.services as Json[]).map((s) => s.slug)).toContain('acme-weather');

    await page.getByRole('combobox', { name: 'Your rating' }).click();
    await page.getByRole('option', { name: '4 of 5', exact: true }).click();
    await page.getByLabel('Review (optional)').fill('Good forecasts');
    await page.getByRole('button', { name: 'Submit my rating' }).click();
    await page.locator('[data-review="mine"]').getByText('Good forecasts').waitFor();
    await page.getByText('4.0 of 5 (1 rating)').waitFor();
    await checkA11y('marketplace-listing-installed');

    // Once per user: a second submission edits the same rating.
    await page.getByRole('combobox', { name: 'Your rating' }).click();
    await page.getByRole('option', { name: '5 of 5', exact: true }).click();
    await page.getByLabel('Review (optional)').fill('Great forecasts');
    await page.getByRole('button', { name: 'Update my rating' }).click();
    await page.locator('[data-review="mine"]').getByText('Great forecasts').waitFor();
    await page.getByText('5.0 of 5 (1 rating)').waitFor();
    const listing = await apiCall(t.url, user.accessToken, 'GET', `/v1/marketplace/listings/${listingId}`);
    expect(listing.json.rating).toEqual({ average: 5, count: 1 });
    expect(listing.json.reviews).toEqual([expect.objectContaining({ mine: true, rating: 5, review: 'Great forecasts' })]);

    await page.getByRole('button', { name: 'Uninstall' }).click();
    await checkA11y('marketplace-uninstall');
    await page.getByRole('dialog').getByRole('button', { name: 'Uninstall' }).click();
    await page.getByRole('button', { name: 'Install', exact: true }).waitFor();
    expect(((await apiCall(t.url, user.accessToken, 'GET', '/v1/marketplace/installs')).json.listings as Json[]).length).toBe(0);

    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
    expect(problems).toEqual([]);
  }, 240_000);
  it('a user applies to be a provider; a provider follows a listing through review, with its figures, and submits another in the form', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    const newcomer = await signUp(t.url);
    await signIn(newcomer.email, DEFAULT_TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: /Provide services/ }).click();
    await heading('Provide services').waitFor();
    await page.getByRole('heading', { name: 'Become a provider' }).waitFor();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Give the name users will see').waitFor();
    await checkA11y('provider-apply');
    await page.getByLabel('Name shown to users').fill('Initech');
    await page.getByLabel('Note for the administrator (optional)').fill('We make TPS reports');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Your application is waiting for an administrator').waitFor();
    expect((await apiCall(t.url, newcomer.accessToken, 'GET', '/v1/marketplace/provider')).json).toMatchObject({ status: 'pending', display_name: 'Initech', note: 'We make TPS reports' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();

    await signIn(provider.email, DEFAULT_TEST_PASSWORD);
    await page.goto(`${t.url}/provider`);
    await page.getByRole('heading', { name: 'My listings' }).waitFor();
    const mine = page.locator('[data-provider-listing="acme-weather"]');
    await mine.getByRole('link', { name: 'Live: version 1' }).waitFor();
    await mine.locator('tr[data-version="1"]').getByText('approved').waitFor();
    // The user installed and uninstalled it: no install now, no call made.
    await mine.locator('[data-figure="Installs"]').getByText('0', { exact: true }).waitFor();
    await mine.locator('[data-figure="Calls"]').getByText('0', { exact: true }).waitFor();
    await mine.locator('[data-figure="Revenue"]').getByText('0 USD', { exact: true }).waitFor();
    // The traffic section of the live listings: no call yet.
    await page.getByTestId('provider-traffic').getByText('No calls yet').waitFor();
    await checkA11y('provider-listings');

    await page.getByRole('button', { name: 'Submit a listing' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Slug').fill('Acme Maps');
    await dialog.getByRole('button', { name: 'Submit for review' }).click();
    await dialog.getByText('Lowercase letters, digits and dashes, starting with a letter').waitFor();
    await dialog.getByText('Nothing was sent: 3 field(s) need a change.').waitFor();
    await dialog.getByText('An http or https URL').waitFor();
    await checkA11y('provider-submit-errors');
    await dialog.getByLabel('Slug').fill('acme-maps');
    await dialog.getByRole('textbox', { name: 'Title', exact: true }).fill('Acme Maps');
    await dialog.getByRole('textbox', { name: 'Description', exact: true }).fill('Maps from Acme');
    await dialog.getByLabel('Categories').fill('maps, travel');
    await dialog.getByLabel('Price per call (USD)').fill('0.01');
    await dialog.getByLabel('MCP endpoint URL').fill(upstream.url);
    await dialog.getByLabel('Credential header (optional)').fill('x-api-key');
    await dialog.getByLabel('Credential title').fill('Acme API key');
    await dialog.getByLabel('Key for the review').fill('form-review-key');
    await dialog.getByLabel('Changelog').fill('Maps, first release');
    await dialog.getByRole('button', { name: 'Submit for review' }).click();
    await dialog.waitFor({ state: 'detached' });
    const maps = page.locator('[data-provider-listing="acme-maps"]');
    await maps.locator('tr[data-version="1"]').getByText('pending').waitFor();
    await maps.locator('tr[data-version="1"]').getByText('2 tools: echo, add').waitFor();
    // The platform inspected it with the key from the form (used once, never stored).
    expect(upstream.keys).toContain('form-review-key');
    const queue = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews');
    expect((queue.json.reviews as Json[]).map((r) => [r.slug, r.version, r.price])).toEqual([['acme-maps', 1, { per_call: '0.010000', currency: 'USD' }]]);
    await checkA11y('provider-submitted');

    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
    // No console error or failed request on any page (GET /v1/marketplace/provider answers a user who never applied { status: "none" }).
    expect(problems).toEqual([]);
  }, 240_000);

  it('a provider submits a new version in the form, the admin approves it and it goes live; a rejected one shows its reason; the npm form checks its fields; the traffic charts fill after calls', async () => {
    // The provider is still signed in.
    await page.goto(`${t.url}/provider`);
    const mine = page.locator('[data-provider-listing="acme-weather"]');
    await mine.getByRole('button', { name: 'Submit a new version of Acme Weather' }).click();
    const dialog = page.getByRole('dialog');
    // The form starts from version 1: its URL and its credential field.
    await expect(dialog.getByLabel('MCP endpoint URL').inputValue()).resolves.toBe(upstream.url);
    await expect(dialog.getByLabel('Credential header (optional)').inputValue()).resolves.toBe('x-api-key');
    await expect(dialog.getByLabel('Price per call (USD)').inputValue()).resolves.toBe('0.002');
    await dialog.getByLabel('MCP endpoint URL').fill('mcp.acme.example');
    await dialog.getByRole('button', { name: 'Submit for review' }).click();
    await dialog.getByText('An http or https URL').waitFor();
    await dialog.getByText('Nothing was sent: 1 field(s) need a change.').waitFor();
    await checkA11y('provider-version-form');
    await dialog.getByLabel('MCP endpoint URL').fill(upstream2.url);
    await dialog.getByLabel('Key for the review').fill('v2-review-key');
    await dialog.getByLabel('Changelog').fill('Adds multiply');
    await dialog.getByRole('button', { name: 'Submit for review' }).click();
    await dialog.waitFor({ state: 'detached' });
    await mine.getByTestId('version-pending').getByText('Version 2 waits for review').waitFor();
    await mine.locator('tr[data-version="2"]').getByText(/^3 tools: .*multiply/).waitFor();
    // Version 1 stays live until the review.
    await mine.getByRole('link', { name: 'Live: version 1' }).waitFor();
    expect(upstream2.keys).toContain('v2-review-key');
    await checkA11y('provider-version-pending');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    await signIn('admin@example.test', 'admin-password-123');
    await page.goto(`${t.url}/admin/marketplace`);
    await heading('Marketplace review').waitFor();
    const review = page.locator('[data-review="acme-weather/2"]');
    await review.getByTestId('inspection').waitFor();
    expect((await toolNames(review.locator('tr[data-tool]'))).sort()).toEqual(['add', 'echo', 'multiply']);
    await review.getByText('Adds multiply').waitFor();
    await checkA11y('marketplace-review-version');
    await review.getByRole('button', { name: 'Approve Acme Weather v2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await review.waitFor({ state: 'detached' });
    const approved = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews?state=approved');
    expect((approved.json.reviews as Json[]).map((r) => [r.slug, r.version])).toEqual([['acme-weather', 2]]);
    // The queue's "Show" filter (the shared FilterBar): the approved version is listed under "Approved (live)", and back.
    await page.getByRole('region', { name: 'Listing versions' }).getByRole('combobox', { name: 'Show' }).click();
    await page.getByRole('option', { name: 'Approved (live)', exact: true }).click();
    await page.locator('[data-review="acme-weather/2"]').waitFor();
    await page.getByRole('region', { name: 'Listing versions' }).getByRole('combobox', { name: 'Show' }).click();
    await page.getByRole('option', { name: 'Waiting for review', exact: true }).click();
    await page.locator('[data-review="acme-weather/2"]').waitFor({ state: 'detached' });

    // Version 3, by REST, is rejected with a reason.
    const v3 = await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, {
      title: 'Acme Weather',
      source: { type: 'http', url: upstream2.url },
      credentials: [{ name: 'api_key', title: 'Acme API key', inject: { header: 'x-api-key' } }],
      changelog: 'Nothing new',
      test_credentials: { api_key: 'v3-review-key' },
    });
    expect(v3.status).toBe(201);
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/3/decision`, { decision: 'reject', reason: 'The changelog says nothing new' })).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();

    await signIn(provider.email, DEFAULT_TEST_PASSWORD);
    await page.goto(`${t.url}/provider`);
    await mine.getByRole('link', { name: 'Live: version 2' }).waitFor();
    await mine.locator('tr[data-version="1"]').getByText('superseded').waitFor();
    await mine.locator('tr[data-version="2"]').getByText('approved').waitFor();
    await mine.getByTestId('version-rejected').getByText("The administrator's reason: The changelog says nothing new").waitFor();
    await expect(mine.getByTestId('version-pending').count()).resolves.toBe(0);
    await checkA11y('provider-version-rejected');

    // A user's calls reach version 2 (multiply exists only there); the provider's charts then have points.
    const traffic = page.getByTestId('provider-traffic');
    await traffic.getByText('No calls yet').waitFor();
    expect((await apiCall(t.url, user.accessToken, 'POST', `/v1/marketplace/listings/${listingId}/install`)).status).toBe(201);
    expect((await apiCall(t.url, user.accessToken, 'PUT', '/v1/services/acme-weather/credentials', { api_key: 'user-key' })).status).toBe(201);
    const client = new Client({ name: 'web-marketplace-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/acme-weather`), { requestInit: { headers: { Authorization: `Bearer ${user.accessToken}` } } }));
    try {
      const calls: Array<[string, Json]> = [['multiply', { a: 6, b: 7 }], ['multiply', { a: 2, b: 3 }], ['add', { a: 1, b: 2 }], ['echo', { text: 'hi' }]];
      for (const [name, args] of calls) expect((await client.callTool({ name, arguments: args })).isError ?? false).toBe(false);
    } finally {
      await client.close();
    }
    expect(upstream2.calls).toBe(4);
    expect(upstream.calls).toBe(0);
    await t.platform.logging.requestLog.flush();
    await traffic.getByRole('button', { name: 'Refresh' }).click();
    const totals = traffic.getByTestId('analytics-totals');
    await totals.waitFor();
    await expect(totals.textContent()).resolves.toMatch(/^Calls4Errors0/);
    await traffic.locator('canvas').first().waitFor();
    expect(await traffic.locator('canvas').count()).toBeGreaterThanOrEqual(2);
    const topTools = traffic.locator('[data-testid="top-tools"] tr[data-tool]');
    await topTools.first().waitFor();
    expect(await toolNames(topTools)).toEqual(['multiply', expect.any(String), expect.any(String)]);
    await expect(traffic.locator('tr[data-tool="multiply"] td').nth(2).textContent()).resolves.toBe('2');
    // No user's identity reaches the provider's page.
    expect(await page.content()).not.toContain(userEmail);
    await checkA11y('provider-traffic');

    // An npm listing: the form checks the pinned version and the integrity before sending.
    await page.getByRole('button', { name: 'Submit a listing' }).click();
    await dialog.getByRole('radio', { name: 'npm package (run over stdio)' }).check();
    await expect(dialog.getByTestId('npm-disabled').count()).resolves.toBe(0);
    await dialog.getByLabel('Slug').fill('acme-stdio');
    await dialog.getByRole('textbox', { name: 'Title', exact: true }).fill('Acme over stdio');
    await dialog.getByRole('textbox', { name: 'npm package', exact: true }).fill('Not A Package');
    await dialog.getByLabel('Exact version').fill('^1.0.0');
    await dialog.getByRole('textbox', { name: 'Integrity', exact: true }).fill('sha1-abc');
    await dialog.getByLabel('Credential variable (optional)').fill('path');
    await dialog.getByRole('button', { name: 'Submit for review' }).click();
    await dialog.getByText('An npm package name, such as weather-mcp or @acme/weather-mcp').waitFor();
    await dialog.getByText('An exact version such as 1.2.3: not a range (^1.2.0) or a tag (latest)').waitFor();
    await dialog.getByText(/^The sha512 integrity the registry gives/).waitFor();
    await dialog.getByText('An upper-case environment variable name, such as ACME_API_KEY').waitFor();
    await dialog.getByText('Name the credential for users').waitFor();
    await checkA11y('provider-npm-errors');
    const before = await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings');
    expect((before.json.listings as Json[]).map((l) => l.slug)).not.toContain('acme-stdio');
    expect(before.json.npm_enabled).toBe(true);

    await dialog.getByRole('textbox', { name: 'npm package', exact: true }).fill(NPM_PACKAGE);
    await dialog.getByLabel('Exact version').fill('1.0.0');
    await dialog.getByRole('textbox', { name: 'Integrity', exact: true }).fill(registry.integrity[`${NPM_PACKAGE}@1.0.0`]!);
    await dialog.getByLabel('Credential variable (optional)').fill('WEATHER_TOKEN');
    await dialog.getByLabel('Credential title').fill('Weather token');
    await dialog.getByRole('button', { name: 'Submit for review' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 90_000 });
    const stdio = page.locator('[data-provider-listing="acme-stdio"]');
    await stdio.locator('tr[data-version="1"]').getByText('pending').waitFor();
    // The platform installed the pinned package from the registry and listed its tools over stdio.
    await stdio.locator('tr[data-version="1"]').getByText(/^3 tools: /).waitFor();
    expect(registry.downloads).toBe(1);
    await checkA11y('provider-npm-submitted');

    // The provider withdraws the npm listing (confirmed): it leaves the review queue, and its card says so without the buttons.
    await stdio.getByRole('button', { name: /^Withdraw / }).click();
    const confirm = page.getByRole('dialog', { name: /^Withdraw / });
    await confirm.getByText('the versions waiting for review leave the queue', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await stdio.getByTestId('listing-withdrawn').waitFor();
    await expect(stdio.getByRole('button', { name: /^Submit a new version|^Withdraw / }).count()).resolves.toBe(0);
    const withdrawn = ((await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings')).json.listings as Json[]).find((l) => l.slug === 'acme-stdio')!;
    expect(withdrawn.withdrawn).toMatchObject({ by: 'provider', reason: null });
    expect(((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews')).json.reviews as Json[]).map((r) => r.slug)).not.toContain('acme-stdio');
    await checkA11y('provider-withdrawn');

    // And reinstates it (confirmed): the card loses *Withdrawn*, the API answers withdrawn null, and its pending version is back in the queue.
    await stdio.getByRole('button', { name: /^Reinstate / }).click();
    const back = page.getByRole('dialog', { name: /^Reinstate / });
    await back.getByText('the versions waiting for review go back to the queue', { exact: false }).waitFor();
    await back.getByRole('button', { name: 'Reinstate', exact: true }).click();
    await back.waitFor({ state: 'detached' });
    await stdio.getByTestId('listing-withdrawn').waitFor({ state: 'detached' });
    await stdio.getByRole('button', { name: /^Withdraw / }).waitFor();
    const reinstated = ((await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings')).json.listings as Json[]).find((l) => l.slug === 'acme-stdio')!;
    expect(reinstated.withdrawn).toBeNull();
    expect(((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/reviews')).json.reviews as Json[]).map((r) => r.slug)).toContain('acme-stdio');
    await checkA11y('provider-reinstated');

    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
    expect(problems).toEqual([]);
  }, 300_000);

  it('an admin withdraws a listing from the Listings section with a reason, which the provider sees, and reinstates it', async () => {
    // The provider is still signed in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    await signIn('admin@example.test', 'admin-password-123');
    await page.goto(`${t.url}/admin/marketplace`);
    await heading('Marketplace review').waitFor();
    const row = page.locator('tr[data-listing="acme-weather"]');
    await row.getByText('Live', { exact: true }).waitFor();
    await row.getByText('Acme Ltd').waitFor();

    // A withdrawal needs a reason: the dialog says so and sends nothing.
    await row.getByRole('button', { name: /^Withdraw / }).click();
    const dialog = page.getByRole('dialog', { name: /^Withdraw / });
    await dialog.getByText('The provider sees your reason and cannot undo it.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await dialog.getByText('Give a reason').waitFor();
    await checkA11y('marketplace-admin-withdraw');
    expect(((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/listings?state=withdrawn')).json.listings as Json[]).map((l) => l.slug)).not.toContain('acme-weather');
    await dialog.getByLabel('Reason').fill('Breaks the terms of use');
    await dialog.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('by an administrator: Breaks the terms of use', { exact: false }).waitFor();
    const seen = ((await apiCall(t.url, provider.accessToken, 'GET', '/v1/marketplace/provider/listings')).json.listings as Json[]).find((l) => l.slug === 'acme-weather')!;
    expect(seen.withdrawn).toMatchObject({ by: 'admin', reason: 'Breaks the terms of use' });

    // The filter: not on the marketplace any more.
    const show = page.getByRole('region', { name: 'Listings' }).getByRole('combobox', { name: 'Show' });
    await show.click();
    await page.getByRole('option', { name: 'Withdrawn' }).click();
    await row.waitFor();
    await show.click();
    await page.getByRole('option', { name: 'On the marketplace' }).click();
    await row.waitFor({ state: 'detached' });
    await checkA11y('marketplace-admin-listings');
    await show.click();
    await page.getByRole('option', { name: 'All listings' }).click();

    await row.getByRole('button', { name: /^Reinstate / }).click();
    const back = page.getByRole('dialog', { name: /^Reinstate / });
    await back.getByRole('button', { name: 'Reinstate', exact: true }).click();
    await back.waitFor({ state: 'detached' });
    await row.getByText('Live', { exact: true }).waitFor();
    const after = ((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/marketplace/listings?state=live')).json.listings as Json[]).map((l) => [l.slug, l.withdrawn]);
    expect(after).toContainEqual(['acme-weather', null]);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
    expect(problems).toEqual([]);
  }, 180_000);

  it('without MARKETPLACE_NPM the provider page says npm listings are not enabled and offers only http', async () => {
    const plain = await startPlatform({ CATALOG_FILE: 'none' }, { web: { distDir: web.distDir } });
    try {
      const plainAdmin = await adminSession(plain);
      const maker = await signUp(plain.url);
      expect((await apiCall(plain.url, plainAdmin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: maker.userId, display_name: 'Umbrella' })).status).toBe(201);
      expect((await apiCall(plain.url, maker.accessToken, 'GET', '/v1/marketplace/provider/listings')).json).toEqual({ listings: [], npm_enabled: false });
      await page.goto(`${plain.url}/sign-in`);
      await heading('Sign in').waitFor();
      await page.getByLabel('Email').fill(maker.email);
      await page.getByLabel(/^Password/).fill(DEFAULT_TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading('Services').waitFor();
      await page.goto(`${plain.url}/provider`);
      await page.getByText('No listings yet').waitFor();
      // No live listing: no traffic section.
      await expect(page.getByTestId('provider-traffic').count()).resolves.toBe(0);
      await page.getByRole('button', { name: 'Submit a listing' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('npm-disabled').getByText('npm listings are not enabled on this platform').waitFor();
      await expect(dialog.getByRole('radio', { name: 'npm package (run over stdio)' }).isDisabled()).resolves.toBe(true);
      await expect(dialog.getByRole('radio', { name: 'Remote http endpoint' }).isChecked()).resolves.toBe(true);
      await checkA11y('provider-npm-disabled');
      expect(a11y['provider-npm-disabled']).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await plain.close();
    }
  }, 180_000);
});
