import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPlatform } from './support/platform.js';
import { freePort, linkIn, startSmtpServer, type TestSmtpServer } from './support/smtp.js';
import { adminSession, apiCall, bearer, createApiKey, DEFAULT_TEST_PASSWORD, signIn, signUp, type TestSession } from './support/users.js';
import { EVERYTHING_ENTRY, startEverythingHttp, type EverythingHttp } from './support/upstream.js';
import { openAppPage, skipBrowserTests, startWebPlatform, type AppPage, type WebPlatform } from './support/web.js';

/**
 * The web app's account pages and the admin dashboard in a real Chromium, against the real
 * platform (app.ts) with a real SMTP server on loopback: forgot password end to end, change
 * password, a user kept out of the admin pages (UI and API), and an admin who disables that user
 * (whose next MCP call is refused), finds it in the audit trail and verifies the chain; the
 * services admin registers an http service (on a real server-everything over loopback) and a stdio
 * one, edits the tool policy from the upstream's live tools, adds and removes instances. axe-core
 * checks every page, form and dialog on the way.
 */
let served: WebPlatform;
let smtp: TestSmtpServer;
let t: TestPlatform;

beforeAll(async () => {
  smtp = await startSmtpServer();
  // PUBLIC_URL names the port the platform listens on, so the mailed link opens this platform.
  const port = await freePort();
  served = await startWebPlatform({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), LOG_FLUSH_INTERVAL_MS: '50' });
  t = served.t;
}, 240_000);
afterAll(async () => {
  await served?.close();
  await smtp?.close();
});

/** An MCP initialize on /mcp/notes with a bearer token: the HTTP status. */
async function mcpStatus(token: string): Promise<number> {
  const res = await fetch(`${t.url}/mcp/notes`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** A 2026-07-28 tools/call of the notes service's create_note (no session in that era): the HTTP status. */
async function createNote(token: string, title: string): Promise<number> {
  const res = await fetch(`${t.url}/mcp/notes`, {
    method: 'POST',
    headers: {
      ...bearer(token),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'create_note',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'create_note',
        arguments: { title },
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'e2e', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe.skipIf(skipBrowserTests)('web: account and admin dashboard in Chromium', () => {
  let app: AppPage;
  let page: Page;
  let user: TestSession;
  let userKey = '';
  let password = DEFAULT_TEST_PASSWORD;

  beforeAll(async () => {
    user = await signUp(t.url);
    userKey = (await createApiKey(t.url, user.accessToken, { name: 'e2e' })).key;
    app = await openAppPage(t.url);
    page = app.page;
  }, 120_000);
  afterAll(async () => app?.close());

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const checkA11y = (name: string) => app.checkPage(name);
  const signInAs = async (email: string, pw: string, landing: string) => {
    await page.goto(`${t.url}/sign-in`);
    await heading('Sign in').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill(pw);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(landing).waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading('Sign in').waitFor();
  };

  it('forgot password, end to end: the mailed link opens the reset page, which sets a new password once', async () => {
    await page.goto(`${t.url}/sign-in`);
    await heading('Sign in').waitFor();
    await checkA11y('sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading('Reset your password').waitFor();
    await checkA11y('forgot-password');
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Send the reset link' }).click();
    await page.getByText('Check your inbox').waitFor();
    await checkA11y('forgot-password (sent)');

    const mail = await smtp.waitForMail(user.email);
    const { link } = linkIn(mail);
    expect(link.startsWith(`${t.url}/reset-password#token_hash=`)).toBe(true);
    await page.goto(link);
    await heading('Choose a new password').waitFor();
    await page.getByLabel(/^New password/).waitFor().catch(async (e: Error) => {
      throw new Error(`${e.message}\n${await page.locator('body').innerText()}\n${app.problems.join('\n')}`);
    });
    // The token left the address bar at once.
    expect(new URL(page.url()).hash).toBe('');
    await checkA11y('reset-password');
    password = `${DEFAULT_TEST_PASSWORD}-${randomBytes(3).toString('hex')}`;
    await page.getByLabel(/^New password/).fill(password);
    await page.getByLabel('Repeat the new password').fill(`${password}x`);
    await expect(page.getByText('The two passwords differ.').waitFor()).resolves.toBeUndefined();
    expect(await page.getByRole('button', { name: 'Save the new password' }).isDisabled()).toBe(true);
    await page.getByLabel('Repeat the new password').fill(password);
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await heading('Services').waitFor();

    await expect(signIn(t.url, user.email)).rejects.toThrow(/400/);
    await expect(signIn(t.url, user.email, password)).resolves.toMatchObject({ userId: user.userId });

    // The link works once.
    await signOut();
    await page.goto(link);
    await expect(page.getByRole('alert').filter({ hasText: 'invalid, already used or expired' }).waitFor()).resolves.toBeUndefined();
    await checkA11y('reset-password (used link)');
    await page.goto(`${t.url}/confirm-email`);
    await page.getByRole('alert').waitFor();
    await checkA11y('confirm-email (no link)');
    await page.goto(`${t.url}/sign-up`);
    await heading('Create your account').waitFor();
    await checkA11y('sign-up');
  }, 180_000);

  it('changes the password on the account page', async () => {
    await signInAs(user.email, password, 'Services');
    await checkA11y('services');
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: /^Account/ }).click();
    await heading('Account').waitFor();
    await expect(page.getByTestId('account-email').textContent()).resolves.toBe(user.email);
    await checkA11y('account');
    const next = `${password}-2`;
    await page.getByLabel(/^New password/).fill(next);
    await page.getByLabel('Repeat the new password').fill(next);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your other sessions were signed out.').waitFor();
    await expect(signIn(t.url, user.email, password)).rejects.toThrow(/400/);
    password = next;
    await expect(signIn(t.url, user.email, password)).resolves.toMatchObject({ userId: user.userId });

    // Sessions: a phone signs in; the list shows it beside this browser, and signing it out here ends it.
    const phoneRes = await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: 'test', 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1' },
      body: JSON.stringify({ email: user.email, password }),
    });
    const phone = (await phoneRes.json()) as { access_token: string };
    expect(phoneRes.status).toBe(200);
    expect((await apiCall(t.url, phone.access_token, 'GET', '/v1/me/sessions')).status).toBe(200);
    await page.reload();
    const sessions = page.getByRole('table', { name: 'Your sessions' });
    const phoneRow = sessions.locator('tr', { hasText: 'Safari on iOS' });
    await phoneRow.waitFor();
    await expect(sessions.locator('tr[data-session="current"]').textContent()).resolves.toMatch(/Chrome on Linux\s*this browser/);
    expect(await sessions.locator('tr[data-session="current"]').count()).toBe(1);
    await checkA11y('account-sessions');
    await phoneRow.getByRole('button', { name: /^Sign out Safari on iOS/ }).click();
    await page.getByRole('dialog', { name: 'Sign out Safari on iOS?' }).getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByText('Safari on iOS is signed out.').waitFor();
    await phoneRow.waitFor({ state: 'detached' });
    expect((await apiCall(t.url, phone.access_token, 'GET', '/v1/me/sessions')).status).toBe(401);
    await expect(sessions.locator('tr[data-session="current"]').count()).resolves.toBe(1);

    for (const [path, title] of [['/api-keys', 'API keys'], ['/connect', 'Connect a client']] as const) {
      await page.goto(`${t.url}${path}`);
      await heading(title).waitFor();
      await checkA11y(path.slice(1));
    }
  }, 180_000);

  it('keeps a user out of the admin pages: no admin navigation, "Not allowed" on the page, 403 from the API', async () => {
    await page.goto(`${t.url}/services`);
    await heading('Services').waitFor();
    expect(await page.getByRole('navigation', { name: 'Administration' }).count()).toBe(0);
    for (const path of ['/admin', '/admin/users', '/admin/services', '/admin/logs', '/admin/audit', '/admin/errors', '/admin/analytics']) {
      await page.goto(`${t.url}${path}`);
      await heading('Not allowed').waitFor();
      await page.getByText('This page is for administrators').waitFor();
    }
    await checkA11y('not-allowed');
    // The browser's own session is refused by the API as well.
    const stored = (await page.evaluate('localStorage.getItem("mcp-platform-auth")')) as string;
    const token = (JSON.parse(stored) as { access_token: string }).access_token;
    for (const path of ['/v1/admin/users', '/v1/admin/services', '/v1/admin/audit', '/v1/admin/logs', '/v1/admin/traffic', '/v1/admin/errors', '/v1/admin/router/pool', '/v1/admin/analytics/series', '/v1/admin/analytics/top-users', '/v1/admin/analytics/quota-pressure']) {
      const res = await apiCall(t.url, token, 'GET', path);
      expect(res.status, path).toBe(403);
    }
    expect((await apiCall(t.url, token, 'PATCH', `/v1/admin/users/${user.userId}`, { role: 'admin' })).status).toBe(403);
    await signOut();
  });

  it('an admin sees live traffic, disables the user (whose next MCP call is refused), and finds it in the verified audit trail', async () => {
    // Some MCP traffic by the user first.
    expect(await mcpStatus(userKey)).toBe(200);
    expect(await mcpStatus(userKey)).toBe(200);
    await t.platform.logging.requestLog.flush();

    const admin = await adminSession(t);
    await signInAs(t.env.ADMIN_EMAIL!, t.env.ADMIN_PASSWORD!, 'Services');
    const adminNav = page.getByRole('navigation', { name: 'Administration' });
    await adminNav.getByRole('link', { name: /^Overview/ }).click();
    await heading('Overview').waitFor();
    await page.locator('tr[data-service="notes"]').waitFor();
    expect(Number(await page.locator('tr[data-service="notes"] td').nth(2).textContent())).toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('stdio-processes').textContent()).resolves.toMatch(/of 50 processes/);
    await checkA11y('admin overview');

    await adminNav.getByRole('link', { name: /^Users/ }).click();
    await heading('Users').waitFor();
    await page.getByLabel('Search by email').fill(user.email.slice(0, 12));
    const row = page.locator(`tr[data-user="${user.email}"]`);
    await row.waitFor();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1); // after the search's debounce
    await checkA11y('admin users');
    await row.getByRole('button', { name: `Disable ${user.email}` }).click();
    const dialog = page.getByRole('dialog', { name: `Disable ${user.email}?` });
    await checkA11y('admin users (confirm)');
    await dialog.getByRole('button', { name: 'Disable', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByTestId('user-status').filter({ hasText: 'Disabled' }).waitFor();

    // The user's next MCP call (with the API key) and REST call (with a session) are refused.
    expect(await mcpStatus(userKey)).toBe(401);
    expect((await apiCall(t.url, userKey, 'GET', '/v1/services')).status).toBe(401);
    await expect(signIn(t.url, user.email, password)).rejects.toThrow(/user_banned|400/);

    await adminNav.getByRole('link', { name: /^Audit trail/ }).click();
    await heading('Audit trail').waitFor();
    await page.getByLabel('Action').fill('admin.user_disabled');
    const entry = page.locator('tr[data-action="admin.user_disabled"]');
    await entry.first().waitFor();
    expect(await entry.first().getAttribute('data-action')).toBe('admin.user_disabled');
    await expect(entry.first().locator('td').nth(4).textContent()).resolves.toBe(admin.userId.slice(0, 8));
    await expect(entry.first().locator('td').nth(5).textContent()).resolves.toContain(user.userId.slice(0, 8));
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(page.getByTestId('chain-result').textContent()).resolves.toMatch(/^Chain intact/);
    await checkA11y('admin audit');

    await adminNav.getByRole('link', { name: /^Logs/ }).click();
    await heading('Logs').waitFor();
    await page.getByLabel('User ID').fill(user.userId);
    await page.getByLabel('Service').fill('notes');
    const first = page.getByRole('button', { name: /^Details of request/ }).first();
    await first.waitFor();
    await checkA11y('admin logs');
    await first.click();
    const drawer = page.getByRole('dialog', { name: 'Request details' });
    await drawer.getByText(user.userId).waitFor();
    await checkA11y('admin logs (details)');
    await page.keyboard.press('Escape');
    await page.getByLabel('User ID').fill('not-an-id');
    await page.getByText('A user ID looks like').waitFor();

    await adminNav.getByRole('link', { name: /^Error groups/ }).click();
    await heading('Error groups').waitFor();
    await page.getByText(/No unexpected errors|Fingerprint/).first().waitFor();
    await checkA11y('admin errors');

    // Services admin: slack ships disabled; the switch turns it on for its roles.
    await adminNav.getByRole('link', { name: /^Services admin/ }).click();
    await heading('Services admin').waitFor();
    const slack = page.locator('section[data-admin-service="slack"]');
    await slack.getByText('Defined in the catalog file').waitFor();
    const toggle = slack.getByRole('switch', { name: 'Enable Slack' });
    expect(await toggle.isChecked()).toBe(false);
    await checkA11y('admin services');
    await toggle.click({ force: true }); // Mantine's switch input sits under its styled track
    await page.getByText('Service enabled').waitFor();
    const listed = await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services');
    expect((listed.json.services as Array<{ slug: string; enabled: boolean }>).find((x) => x.slug === 'slack')?.enabled).toBe(true);

    // Enable again: the key works again.
    await adminNav.getByRole('link', { name: /^Users/ }).click();
    await page.getByLabel('Search by email').fill(user.email);
    await row.getByRole('button', { name: `Enable ${user.email}` }).click();
    await page.getByRole('dialog', { name: `Enable ${user.email}?` }).getByRole('button', { name: 'Enable', exact: true }).click();
    await row.getByTestId('user-status').filter({ hasText: 'Active' }).waitFor();
    expect(await mcpStatus(userKey)).toBe(200);

    // Role change, and sign the user out everywhere: both take effect at once and are audited.
    await row.getByRole('combobox', { name: `Role of ${user.email}` }).click();
    await page.getByRole('option', { name: 'admin', exact: true }).click();
    await page.getByText(`${user.email} is now an admin.`).waitFor();
    expect((await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/users/${user.userId}`)).json.role).toBe('admin');
    await row.getByRole('combobox', { name: `Role of ${user.email}` }).click();
    await page.getByRole('option', { name: 'user', exact: true }).click();
    await page.getByText(`${user.email} is now a user.`).waitFor();
    const session = await signIn(t.url, user.email, password);
    expect((await apiCall(t.url, session.accessToken, 'GET', '/v1/api-keys')).status).toBe(200);
    await row.getByRole('button', { name: `Sign ${user.email} out everywhere` }).click();
    await page.getByRole('dialog', { name: `Sign out everywhere ${user.email}?` }).getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
    await page.getByText(/session\(s\) of .* ended/).waitFor();
    expect((await apiCall(t.url, session.accessToken, 'GET', '/v1/api-keys')).status).toBe(401);
    const actions = ((await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/audit?limit=10`)).json.data as Array<{ action: string; target_id: string }>)
      .filter((a) => a.target_id === user.userId)
      .map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['admin.sessions_revoked', 'admin.role_changed', 'admin.user_enabled', 'admin.user_disabled']));
  }, 400_000);

  it('an admin registers http and stdio services, sets the tool policy from the live tools, adds and removes instances; all audited', async () => {
    const upstream: EverythingHttp = await startEverythingHttp('streamableHttp');
    const admin = await adminSession(t);
    const slug = 'e2e-everything';
    try {
      await page.goto(`${t.url}/admin/services`);
      await heading('Services admin').waitFor();
      await page.locator('section[data-admin-service="notes"]').waitFor();
      // Catalog services: their definition is shown read-only, with the reason.
      const notes = page.locator('section[data-admin-service="notes"]');
      await notes.getByText('read-only').waitFor();
      await expect(notes.getByTestId('service-definition').textContent()).resolves.toContain('notes (in the platform)');
      expect(await notes.getByRole('button', { name: 'Remove Notes' }).count()).toBe(0);
      expect(await notes.getByRole('button', { name: /^Edit title, description and credential fields/ }).count()).toBe(0);
      await notes.getByText('its title, description, settings, credential fields and catalog instances change there').waitFor();

      await page.getByRole('button', { name: 'Register a service' }).click();
      const dialog = page.getByRole('dialog', { name: 'Register a service' });
      await dialog.getByLabel(/^Slug/).waitFor();
      await checkA11y('admin services (register)');
      // Checked as the API checks, before anything is sent.
      await dialog.getByLabel(/^Slug/).fill('Bad Slug');
      await dialog.getByRole('button', { name: 'Register', exact: true }).click();
      await dialog.getByText('Check the marked fields').waitFor();
      await dialog.getByText('Must be lower-case letters, digits and dashes').waitFor();
      await dialog.getByText('Give the service a title').waitFor();
      expect(await dialog.getByLabel(/^Slug/).getAttribute('aria-invalid')).toBe('true');
      await dialog.getByLabel(/^Instance URLs/).fill('ftp://example.com/mcp');
      await dialog.getByText('Line 1: must be an http:// or https:// URL').waitFor();
      await checkA11y('admin services (register, errors)');

      // What only the server knows comes back under the field it names: an address the egress guard refuses, a taken slug.
      await dialog.getByLabel(/^Slug/).fill('notes');
      await dialog.getByLabel(/^Title/).fill('Everything over http');
      await dialog.getByLabel(/^Instance URLs/).fill('http://169.254.169.254/mcp');
      await dialog.getByRole('button', { name: 'Add a credential field' }).click();
      await dialog.getByLabel(/^Field 1 name/).fill('token');
      await dialog.getByLabel(/^Field 1 title/).fill('Access token');
      await dialog.getByLabel(/^Field 1 header/).fill('X-Token');
      await dialog.getByLabel(/^Field 1 template/).fill('Bearer {value}');
      await dialog.getByRole('button', { name: 'Register', exact: true }).click();
      await dialog.getByText(/^Line 1: 169\.254\.169\.254 is link-local/).waitFor();
      expect(await dialog.getByLabel(/^Instance URLs/).getAttribute('aria-invalid')).toBe('true');
      await dialog.getByLabel(/^Instance URLs/).fill(upstream.url);
      await dialog.getByRole('button', { name: 'Register', exact: true }).click();
      await dialog.getByText('A service with slug "notes" already exists').waitFor();
      expect(await dialog.getByLabel(/^Slug/).getAttribute('aria-invalid')).toBe('true');
      await dialog.getByLabel(/^Slug/).fill(slug);
      await dialog.getByLabel('Payload capture').click();
      await page.getByRole('option', { name: /^Full/ }).click();
      await dialog.getByRole('button', { name: 'Register', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByText(`Everything over http is at /mcp/${slug}`).waitFor();
      const card = page.locator(`section[data-admin-service="${slug}"]`);
      await card.waitFor();
      const created = (await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/services/${slug}`)).json as {
        id: string;
        kind: string;
        payload_capture: string;
        credential_schema: Array<{ name: string; inject: Record<string, string> }>;
        instances: Array<{ url: string }>;
      };
      expect(created).toMatchObject({ kind: 'http', payload_capture: 'full', instances: [{ url: upstream.url }] });
      expect(created.credential_schema).toEqual([expect.objectContaining({ name: 'token', inject: { header: 'X-Token', template: 'Bearer {value}' } })]);

      // Tool policy from the tools the upstream lists now.
      await card.getByRole('button', { name: 'Settings of Everything over http' }).click();
      const settings = page.getByRole('dialog', { name: 'Settings of Everything over http' });
      const echo = settings.locator('tr[data-tool="echo"]');
      await echo.waitFor({ timeout: 30_000 });
      await expect(echo.getByTestId('tool-visibility').textContent()).resolves.toBe('can call');
      await settings.getByText('you have stored none for token').waitFor();
      await settings.getByLabel('Deny list (never these tools)').fill('echo');
      await page.keyboard.press('Enter');
      await expect.poll(() => echo.getByTestId('tool-visibility').textContent()).toBe('hidden');
      await settings.getByRole('checkbox', { name: 'user' }).uncheck();
      await checkA11y('admin services (settings)');
      await settings.getByRole('button', { name: 'Save' }).click();
      await settings.waitFor({ state: 'hidden' });
      await card.getByTestId('service-settings').filter({ hasText: 'never echo' }).waitFor();
      const changed = (await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/services/${slug}`)).json;
      expect(changed).toMatchObject({ roles: ['admin'], tool_policy: { deny: ['echo'] } });

      // Instances: the health, this replica's circuit (the listing above opened it), add and remove.
      await card.getByTestId('instance-circuit').filter({ hasText: 'circuit closed' }).waitFor({ timeout: 15_000 });
      const newUrl = card.getByLabel('New instance URL for Everything over http');
      await newUrl.fill('not a url');
      await card.getByRole('button', { name: 'Add', exact: true }).click();
      await card.getByText('Must be an http:// or https:// URL').waitFor();
      await newUrl.fill(upstream.url);
      await card.getByRole('button', { name: 'Add', exact: true }).click();
      await card.getByText(`Instance ${upstream.url} is already registered`).waitFor();
      const second = `http://127.0.0.1:${upstream.port}/mcp/second`;
      await newUrl.fill(second);
      await card.getByRole('button', { name: 'Add', exact: true }).click();
      await card.locator(`[data-instance="${second}"]`).waitFor();
      await card.getByRole('button', { name: `Remove instance ${second}` }).click();
      const confirm = page.getByRole('dialog', { name: `Remove instance ${second}?` });
      await confirm.waitFor();
      await checkA11y('admin services (remove instance)');
      await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
      await confirm.waitFor({ state: 'hidden' });
      await card.locator(`[data-instance="${second}"]`).waitFor({ state: 'detached' });
      await checkA11y('admin services (registered)');

      // A stdio service: the real server-everything run by the platform's Node.
      await page.getByRole('button', { name: 'Register a service' }).click();
      await dialog.getByText('stdio (command)').click();
      await dialog.getByLabel(/^Slug/).fill('e2e-stdio');
      await dialog.getByLabel(/^Title/).fill('Everything over stdio');
      await dialog.getByLabel(/^Command/).fill(process.execPath);
      await dialog.getByLabel(/^Arguments/).fill(`${EVERYTHING_ENTRY}\nstdio`);
      await dialog.getByLabel(/^Environment/).fill('lower=1');
      await dialog.getByRole('button', { name: 'Register', exact: true }).click();
      await dialog.getByText('Line 1: lower must be an upper-case environment variable name').waitFor();
      await dialog.getByLabel(/^Environment/).fill('EVERYTHING_MODE=e2e');
      await checkA11y('admin services (register stdio)');
      await dialog.getByRole('button', { name: 'Register', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      const stdioCard = page.locator('section[data-admin-service="e2e-stdio"]');
      await stdioCard.getByRole('button', { name: 'Settings of Everything over stdio' }).click();
      await page.getByRole('dialog', { name: 'Settings of Everything over stdio' }).locator('tr[data-tool="echo"]').waitFor({ timeout: 30_000 });
      await page.keyboard.press('Escape');
      const stdio = (await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/services/e2e-stdio')).json as { config: { command: string; args: string[]; env: Record<string, string> } };
      expect(stdio.config).toMatchObject({ command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'], env: { EVERYTHING_MODE: 'e2e' } });

      // Its title, description and credential fields, edited: checked before sending, the API's refusal under its field.
      await card.getByRole('button', { name: 'Edit title, description and credential fields of Everything over http' }).click();
      const definition = page.getByRole('dialog', { name: 'Definition of Everything over http' });
      await definition.getByLabel(/^Title/).fill('Everything, edited');
      await definition.getByLabel(/^Description/).fill('Edited in the web app');
      await definition.getByLabel(/^Field 1 title/).fill('API token');
      await definition.getByLabel(/^Field 1 header/).fill('X Token');
      await definition.getByRole('button', { name: 'Save' }).click();
      await definition.getByText('An HTTP header name').waitFor();
      await definition.getByLabel(/^Field 1 header/).fill('X-Token');
      await definition.getByRole('button', { name: 'Add a credential field' }).click();
      await definition.getByLabel(/^Field 2 name/).fill('region');
      await definition.getByLabel(/^Field 2 title/).fill('Region');
      await definition.getByLabel(/^Field 2 header/).fill('x-token');
      await definition.getByRole('button', { name: 'Save' }).click();
      await definition.getByText(/two fields inject into header:x-token/).waitFor();
      expect(await definition.getByLabel(/^Field 2 header/).getAttribute('aria-invalid')).toBe('true');
      await definition.getByLabel(/^Field 2 header/).fill('X-Region');
      await definition.getByRole('checkbox', { name: 'Secret (shown masked)' }).nth(1).uncheck();
      await definition.getByRole('checkbox', { name: 'Required' }).nth(1).uncheck();
      await checkA11y('admin services (edit definition)');
      await definition.getByRole('button', { name: 'Save' }).click();
      await definition.waitFor({ state: 'hidden' });
      await card.getByRole('heading', { name: 'Everything, edited' }).waitFor();
      await card.getByText('region → header X-Region (optional) (not secret)').waitFor();
      const edited = (await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/services/${slug}`)).json;
      expect(edited).toMatchObject({ title: 'Everything, edited', description: 'Edited in the web app' });
      expect(edited.credential_schema).toEqual([
        expect.objectContaining({ name: 'token', title: 'API token', secret: true, required: true, inject: { header: 'X-Token', template: 'Bearer {value}' } }),
        expect.objectContaining({ name: 'region', title: 'Region', secret: false, required: false, inject: { header: 'X-Region' } }),
      ]);

      // Remove the http one; every step is in the audit trail with the admin as actor.
      await card.getByRole('button', { name: 'Remove Everything, edited' }).click();
      const removeDialog = page.getByRole('dialog', { name: 'Remove Everything, edited?' });
      await removeDialog.waitFor();
      await checkA11y('admin services (remove service)');
      await removeDialog.getByRole('button', { name: 'Remove', exact: true }).click();
      await card.waitFor({ state: 'detached' });
      expect((await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/services/${slug}`)).status).toBe(404);
      const audit = ((await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/audit?actor_id=${admin.userId}&limit=200`)).json.data as Array<{ action: string; actor_id: string; target_id: string; details: Record<string, unknown> }>).filter(
        (a) => a.target_id === created.id,
      );
      expect(audit.every((a) => a.actor_id === admin.userId)).toBe(true);
      const details = audit.map((a) => `${a.action} ${JSON.stringify(a.details)}`);
      for (const expected of [/^service\.registered .*"kind":"http"/, /^service\.changed .*"fields":\["roles","tool_policy"\]/, /^service\.changed .*"fields":\["title","description","credentials"\]/, /^service\.changed .*instance_added/, /^service\.changed .*instance_removed/, /^service\.removed /]) {
        expect(details.some((d) => expected.test(d)), `${expected} in ${details.join('\n')}`).toBe(true);
      }
      expect((await apiCall(t.url, admin.accessToken, 'GET', '/v1/admin/audit/verify')).json.ok).toBe(true);
    } finally {
      await upstream.stop();
    }
  }, 600_000);

  it('an admin reads the Analytics page: empty first, then the calls made, the top tool and user; a bad filter shows the error state', async () => {
    await page.goto(`${t.url}/admin/analytics`);
    await heading('Analytics').waitFor();
    const adminNav = page.getByRole('navigation', { name: 'Administration' });
    await expect(adminNav.getByRole('link', { name: /^Analytics/ }).count()).resolves.toBe(1);
    // No tools/call yet in this platform's log (the earlier tests only initialized).
    await page.getByText('No tool calls in this range').first().waitFor();
    await checkA11y('admin analytics (empty)');

    for (let i = 0; i < 3; i++) expect(await createNote(userKey, `analytics ${i}`)).toBe(200);
    await t.platform.logging.requestLog.flush();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const totals = page.getByTestId('analytics-totals');
    await totals.waitFor();
    await expect(totals.textContent()).resolves.toMatch(/^Calls3Errors0/);
    const tool = page.locator('[data-testid="top-tools"] tr[data-tool="create_note"]');
    await tool.waitFor();
    await expect(tool.locator('td').nth(2).textContent()).resolves.toBe('3');
    const topUser = page.locator(`[data-testid="top-users"] tr[data-user-id="${user.userId}"]`);
    await topUser.waitFor();
    await expect(topUser.locator('td').nth(0).textContent()).resolves.toBe(user.email);
    await expect(page.getByTestId('users-totals').textContent()).resolves.toMatch(/Active users1New1Returning0/);
    // The charts are uPlot canvases, loaded lazily with the first chart.
    await page.locator('section[aria-labelledby="series-heading"] canvas').first().waitFor();
    await checkA11y('admin analytics');

    // A service filter the API refuses (over 200 characters): each section says so, with a retry.
    await page.getByLabel('Service').fill('x'.repeat(201));
    await page.getByText('Could not load the series').waitFor();
    await page.getByText('Could not load the top tools').waitFor();
    await checkA11y('admin analytics (error)');
    await page.getByLabel('Service').fill('');
    await totals.waitFor();
  }, 180_000);

  it('lays the admin pages out at 375 px without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      for (const [path, title] of [['/admin', 'Overview'], ['/admin/users', 'Users'], ['/admin/services', 'Services admin'], ['/admin/logs', 'Logs'], ['/admin/audit', 'Audit trail'], ['/admin/errors', 'Error groups'], ['/admin/analytics', 'Analytics'], ['/account', 'Account']] as const) {
        await page.goto(`${t.url}${path}`);
        await heading(title).waitFor();
        await page.getByRole('status').filter({ hasText: /Loading/ }).waitFor({ state: 'detached' }).catch(() => undefined);
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        expect(width, title).toBeLessThanOrEqual(375);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }, 180_000);

  it('met no serious or critical axe violation, CSP violation or console error on any page', async () => {
    expect(Object.keys(app.a11y).length).toBeGreaterThanOrEqual(28);
    expect(Object.fromEntries(Object.entries(app.a11y).filter(([, v]) => v.length))).toEqual({});
    expect(await app.cspViolations()).toEqual([]);
    // Expected refusals the browser reports as failed loads: the used link (403), the weak/banned answers and the
    // refused instance URL (400), the taken slug and the duplicate instance (409).
    expect(app.problems.filter((p) => !/Failed to load resource: the server responded with a status of (400|403|409)/.test(p))).toEqual([]);
  });
});
