import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from './support/platform.js';
import { adminSession, apiCall, signUp, uniqueEmail, type TestSession } from './support/users.js';
import { openAppPage, skipBrowserTests, startWebPlatform, type AppPage, type WebPlatform } from './support/web.js';

/**
 * The admin Billing page (docs/billing.md, "Admin page") in a real Chromium against the real
 * platform: empty states first (no price, no payout, an empty outbox); then prices set and calls
 * metered as the router meters them; a price set in the page's form (a bad amount named first) and
 * removed (confirmed), each checked through the API; users found by e-mail and paged (51 matches: 50,
 * then *More users*); the statement and the payouts downloaded as CSV, byte for byte the API's; with the webhook outbox on and a local receiver (a real HTTP
 * server) that refuses every delivery at first, so the events end dead. The page lists the prices, a
 * user's open statement with its line items and total, refuses to finalise a month that has not
 * ended (the API's 409 in the dialog), lists the payouts of the provider's service, and delivers a
 * dead event again once the receiver accepts (same idempotency key). A failing API shows the error
 * state. axe-core checks every state; with WEB_SCREENSHOTS=<dir> each is saved.
 */
class Receiver {
  accept = false;
  /** Idempotency keys of the deliveries answered 200. */
  readonly delivered: string[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (this.accept) this.delivered.push(String(req.headers['idempotency-key']));
        res.writeHead(this.accept ? 200 : 503, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/billing`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const receiver = new Receiver();
let served: WebPlatform;
let t: TestPlatform;

beforeAll(async () => {
  await receiver.start();
  served = await startWebPlatform({
    CATALOG_FILE: 'none',
    BILLING_WEBHOOK_URL: receiver.url,
    BILLING_WEBHOOK_SECRET: 'whsec-web-billing-test-secret-0123456789',
    BILLING_WEBHOOK_BACKOFF_MS: '20',
    BILLING_WEBHOOK_POLL_MS: '200',
    BILLING_WEBHOOK_MAX_ATTEMPTS: '2',
  });
  t = served.t;
}, 240_000);
afterAll(async () => {
  await served?.close();
  await receiver.close();
});

describe.skipIf(skipBrowserTests)('web: the admin Billing page in Chromium', () => {
  let app: AppPage;
  let page: Page;
  let admin: TestSession;
  const month = new Date().toISOString().slice(0, 7);

  beforeAll(async () => {
    admin = await adminSession(t);
    app = await openAppPage(t.url, {
      beforeCheck: (p) => p.locator('.mantine-Notification-root').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined),
    });
    page = app.page;
  }, 120_000);
  afterAll(async () => app?.close());

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const tab = (name: string) => page.getByRole('tab', { name });
  /** A choice of the outbox's state filter (Mantine hides the radio inputs behind their labels). */
  const segment = (name: string) => page.locator('label.mantine-SegmentedControl-label', { hasText: new RegExp(`^${name}$`) });
  const events = async () => (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/billing/events?limit=500')).json.events as Array<{ id: string; state: string; payload: { calls?: number } }>;
  const calls = (all: Awaited<ReturnType<typeof events>>) => all.reduce((n, e) => n + (e.payload.calls ?? 0), 0);

  it('shows empty states, then prices, a statement, the refusal to finalise an open month, payouts and the outbox; delivers a dead event again', async () => {
    await page.goto(`${t.url}/sign-in`);
    await heading('Sign in').waitFor();
    await page.getByLabel('Email').fill('admin@example.test');
    await page.getByLabel(/^Password/).fill('admin-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Services').waitFor();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: /^Billing/ }).click();
    await heading('Billing').waitFor();

    // Nothing yet.
    await page.getByText('No service has a price').waitFor();
    await app.checkPage('billing-empty');
    await tab('Payouts').click();
    await page.getByText('No payouts this month').waitFor();
    await tab('Outbox').click();
    await page.getByText('The outbox is empty').waitFor();

    // A provider's priced service and a free one; ada calls the first three times, the second once.
    const provider = await signUp(t.url);
    const ada = await signUp(t.url, uniqueEmail('ada'));
    for (const slug of ['ui-alpha', 'ui-free']) {
      const created = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', { slug, title: slug, kind: 'http', http: { transport: 'streamable-http', instances: ['http://127.0.0.1:9/mcp'] } });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
    }
    await t.platform.database.db.updateTable('services').set({ owner_id: provider.userId }).where('slug', '=', 'ui-alpha').execute();
    expect((await apiCall(t.url, admin.accessToken, 'PUT', '/v1/admin/prices/ui-alpha', { price_per_call: '0.25' })).status).toBe(200);
    const metering = t.platform.billing!.metering;
    await Promise.all(
      ['ui-alpha', 'ui-alpha', 'ui-alpha', 'ui-free'].map((service) =>
        metering.record({ key: `call:${randomUUID()}`, userId: ada.userId, service, listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 2 }),
      ),
    );
    // The receiver refuses every delivery: after two attempts each usage.recorded event (one per user, service and
    // day of a written batch: the four calls in two to four events) is dead.
    const deadline = Date.now() + 30_000;
    let all = await events();
    while (!(calls(all) === 4 && all.every((e) => e.state === 'dead')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      all = await events();
    }
    expect(calls(all)).toBe(4);
    expect(new Set(all.map((e) => e.state))).toEqual(new Set(['dead']));

    await page.reload();
    await heading('Billing').waitFor();
    const prices = page.getByTestId('billing-prices');
    await prices.locator('tr[data-service="ui-alpha"]').getByText('0.25 USD').waitFor();
    await app.checkPage('billing-prices');

    // Set a price in the form: a bad amount is named and nothing is sent; then ui-free costs 0.5 EUR.
    const apiPrices = async () => (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/prices')).json.prices as Array<{ service: string; price_per_call: string; currency: string }>;
    await page.getByRole('button', { name: 'Set the price' }).click();
    await page.getByText('Choose a service', { exact: true }).last().waitFor();
    await page.getByRole('combobox', { name: 'Service' }).fill('ui-fr');
    await page.getByRole('option', { name: 'ui-free' }).click();
    await page.getByRole('textbox', { name: 'Price per call' }).fill('0.5x');
    await page.getByRole('textbox', { name: 'Currency' }).fill('eur');
    await page.getByRole('button', { name: 'Set the price' }).click();
    await page.getByText('A decimal with at most 6 places, e.g. 0.002').waitFor();
    expect((await apiPrices()).map((p) => p.service)).toEqual(['ui-alpha']);
    await page.getByRole('textbox', { name: 'Price per call' }).fill('0.5');
    await page.getByRole('button', { name: 'Set the price' }).click();
    await prices.locator('tr[data-service="ui-free"]').getByText('0.50 EUR').waitFor();
    expect((await apiPrices()).find((p) => p.service === 'ui-free')).toMatchObject({ price_per_call: '0.500000', currency: 'EUR' });
    await app.checkPage('billing-price-set');
    // Removed again (confirmed): ui-free is free, as the statement below expects.
    await prices.locator('tr[data-service="ui-free"]').getByRole('button', { name: 'Remove the price of ui-free' }).click();
    const removeDialog = page.getByRole('dialog', { name: 'Remove the price of ui-free?' });
    await removeDialog.getByRole('button', { name: 'Remove the price' }).click();
    await prices.locator('tr[data-service="ui-free"]').waitFor({ state: 'detached' });
    expect((await apiPrices()).map((p) => p.service)).toEqual(['ui-alpha']);

    // ada's statement of this month: open, a line per service, the total.
    await tab('Statements').click();
    await page.getByText('Choose a user and a month').waitFor();
    // Any user, not only the first page: 51 users match "pager-", 50 are shown, then the 51st after *More users*.
    await t.platform.database.db
      .insertInto('users')
      .values(Array.from({ length: 51 }, (_, i) => ({ email: `pager-${String(i).padStart(2, '0')}@example.test`, user_metadata: '{}', app_metadata: '{}' })))
      .execute();
    const userRows = page.getByTestId('billing-users').locator('tr[data-user]');
    // Each page's answer is awaited before its count is read: the list on screen is then the filtered
    // one (the search is debounced), and a click that fetched nothing fails here, by name.
    const usersPage = (cursor: boolean) =>
      page.waitForResponse((r) => r.url().includes('/v1/admin/users?') && r.url().includes('q=pager-') && r.url().includes('cursor=') === cursor, { timeout: 15_000 });
    const firstPage = usersPage(false);
    await page.getByRole('textbox', { name: 'Find a user' }).fill('pager-');
    expect((await firstPage).status()).toBe(200);
    await page.getByText('50 users shown, more follow').waitFor();
    expect(await userRows.count()).toBe(50);
    const secondPage = usersPage(true);
    await page.getByRole('button', { name: 'More users' }).click();
    const second = await secondPage;
    expect([second.status(), ((await second.json()) as { users: unknown[] }).users.length]).toEqual([200, 1]);
    await page
      .getByText('51 users shown')
      .waitFor()
      .catch(async (err: unknown) => {
        throw new Error(`after More users the list says "${await page.getByText(/users? shown/).first().textContent()}"`, { cause: err });
      });
    expect(await userRows.count()).toBe(51);
    await expect(page.getByRole('button', { name: 'More users' }).count()).resolves.toBe(0);
    await page.getByRole('textbox', { name: 'Find a user' }).fill('nobody-has-this');
    await page.getByText('No user found').waitFor();
    await page.getByRole('textbox', { name: 'Find a user' }).fill(ada.email);
    await page.getByText('1 user shown').waitFor();
    await page.getByRole('button', { name: `Statement of ${ada.email}` }).click();
    await page.getByRole('textbox', { name: 'Month' }).fill(month);
    const statement = page.getByTestId('billing-statement');
    await statement.getByText('open', { exact: true }).waitFor();
    await expect(statement.locator('tr[data-service="ui-alpha"] td').allTextContents()).resolves.toEqual(['ui-alpha', '3', '0.25 USD', '0.75 USD']);
    await expect(statement.locator('tr[data-service="ui-free"] td').allTextContents()).resolves.toEqual(['ui-free', '1', 'free', '—']);
    await statement.getByText('Total: 0.75 USD').waitFor();
    await app.checkPage('billing-statement');
    // The CSV download: byte for byte what the API's format=csv answers.
    const download = async (button: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      return { name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') };
    };
    const csvOf = async (path: string) => (await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${admin.accessToken}` } })).text();
    const statementCsv = await download('Download CSV');
    expect(statementCsv.name).toBe(`statement-${month}-${ada.userId.slice(0, 8)}.csv`);
    expect(statementCsv.text).toBe(await csvOf(`/v1/admin/users/${ada.userId}/statement?month=${month}&format=csv`));
    expect(statementCsv.text).toContain('ui-alpha,3,0.250000,0.750000,USD');
    // This month has not ended: the API's refusal is shown in the dialog, and nothing is final.
    await page.getByRole('button', { name: `Finalise ${month}` }).click();
    const dialog = page.getByRole('dialog', { name: `Finalise ${month}?` });
    await dialog.getByRole('button', { name: 'Finalise' }).click();
    await dialog.getByText('Not finalised').waitFor();
    await dialog.getByText(/has not ended yet/).waitFor();
    await app.checkPage('billing-finalise-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/users/${ada.userId}/statement?month=${month}`)).json.status).toBe('open');
    // A month that is not one is named under the field.
    await page.getByRole('textbox', { name: 'Month' }).fill('2026-13');
    await page.getByText('A month looks like 2026-11').waitFor();

    // Payouts: the provider's service for this month (the default, last month, has none).
    await tab('Payouts').click();
    await page.getByText('No payouts this month').waitFor();
    await page.getByRole('textbox', { name: 'Month' }).fill(month);
    const payouts = page.getByTestId('billing-payouts');
    await payouts.locator('tr[data-service="ui-alpha"]').waitFor();
    await expect(payouts.locator('tr[data-service="ui-alpha"] td').allTextContents()).resolves.toEqual([provider.userId.slice(0, 8), 'ui-alpha', '3', '0.75 USD']);
    await app.checkPage('billing-payouts');
    const payoutsCsv = await download('Download CSV');
    expect(payoutsCsv.name).toBe(`payouts-${month}.csv`);
    expect(payoutsCsv.text).toBe(await csvOf(`/v1/admin/payouts?month=${month}&format=csv`));
    expect(payoutsCsv.text).toContain(`${provider.userId},ui-alpha,3,0.750000,USD`);

    // The outbox: the dead events; once the receiver accepts, one is delivered again with its own id as the idempotency key.
    await tab('Outbox').click();
    const rows = page.getByTestId('billing-events').locator('tr[data-event]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(all.length);
    await segment('Delivered').click();
    await page.getByText('No delivered event').waitFor();
    await segment('Dead').click();
    await rows.first().waitFor();
    expect(await rows.count()).toBe(all.length);
    await segment('All').click();
    const first = rows.first();
    const eventId = (await first.getAttribute('data-event'))!;
    receiver.accept = true;
    await first.getByRole('button', { name: /^Deliver .* again$/ }).click();
    await page.locator(`tr[data-event="${eventId}"]`).getByText('delivered').waitFor({ timeout: 20_000 });
    expect(receiver.delivered).toEqual([eventId]);
    await app.checkPage('billing-outbox');

    // A failing API: the error state, with what the API said.
    await page.route('**/v1/admin/prices', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'The database is unavailable' } }) }));
    await page.reload();
    await page.getByText('The prices could not be loaded').waitFor();
    await page.getByText('The database is unavailable').first().waitFor();
    await app.checkPage('billing-error');
    await page.unroute('**/v1/admin/prices');

    expect(app.a11y).toEqual(Object.fromEntries(Object.keys(app.a11y).map((k) => [k, []])));
    expect(await app.cspViolations()).toEqual([]);
    // The only console errors: the browser's reports of the refused finalisation (409) and of the 500 the test made the API answer.
    expect(app.problems.filter((p) => !/status of (409|500)/.test(p))).toEqual([]);
  }, 300_000);
});
