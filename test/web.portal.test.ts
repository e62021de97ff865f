import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/index.js';
import { RESERVED_PREFIXES, webAppRouter } from '../src/web/index.js';
import type { TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, DEFAULT_TEST_PASSWORD, signIn, uniqueEmail } from './support/users.js';
import { openAppPage, skipBrowserTests, startWebPlatform, type AppPage, type WebPlatform } from './support/web.js';

/**
 * The web app, served by the real platform (app.ts, real PGlite/PostgreSQL) from a fresh
 * production build of web/, and used in a real Chromium: the serving rules, then a new user's
 * path through the portal. One build, one platform and one browser for the whole file.
 */
let platform: WebPlatform;
let t: TestPlatform;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = createLogger('debug', new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) }));
  platform = await startWebPlatform({}, { logger });
  t = platform.t;
}, 240_000);
afterAll(async () => platform?.close());

/** What a browser sends when it navigates to a page. */
const NAVIGATION = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const cspOf = (res: Response) => res.headers.get('content-security-policy') ?? '';
const directive = (csp: string, name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';

describe('web: serving rules', () => {
  it('answers app routes with index.html: no-cache, a strict CSP with a fresh nonce, no framing', async () => {
    const nonces = new Set<string>();
    for (const route of ['/', '/services', '/api-keys', '/connect', '/sign-in', '/some/deep/app/route', '/index.html']) {
      const res = await fetch(`${t.url}${route}`, { headers: NAVIGATION });
      const html = await res.text();
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type'), route).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control'), route).toBe('no-cache');
      expect(html, route).toContain('<div id="root"></div>');
      const csp = cspOf(res);
      expect(directive(csp, 'default-src')).toBe("default-src 'self'");
      expect(directive(csp, 'script-src')).toBe("script-src 'self'");
      expect(directive(csp, 'frame-ancestors')).toBe("frame-ancestors 'none'");
      expect(directive(csp, 'object-src')).toBe("object-src 'none'");
      // This origin only: every source of every directive is 'self', 'none' or the nonce.
      for (const d of csp.split(';').map((x) => x.trim())) {
        for (const source of d.split(/\s+/).slice(1)) expect(source, d).toMatch(/^'(self|none|nonce-[A-Za-z0-9+/=]+)'$/);
      }
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce, route).toBeTruthy();
      expect(html).toContain(`<meta name="csp-nonce" content="${nonce}"`);
      expect(html).not.toContain('__PLATFORM_');
      nonces.add(nonce!);
      // No inline script in the page: every script comes from /assets/.
      for (const tag of html.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/src="\/assets\/[^"]+\.js"/);
    }
    expect(nonces.size).toBe(7);
    // `/` is the page for any client; other paths only for a browser navigation, so API clients
    // (curl, fetch: Accept */*) keep the JSON 404 of an unknown route.
    expect((await fetch(`${t.url}/`)).headers.get('content-type')).toMatch(/^text\/html/);
    const api = await fetch(`${t.url}/services`, { headers: { accept: '*/*' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });

  it('never applies the fallback to the API, auth, MCP and operations prefixes', async () => {
    for (const prefix of RESERVED_PREFIXES) {
      for (const route of [`${prefix}/web-app-probe`, `${prefix}/services`]) {
        const res = await fetch(`${t.url}${route}`, { headers: NAVIGATION });
        const body = await res.text();
        expect(res.headers.get('content-type') ?? '', route).not.toMatch(/text\/html/);
        expect(body, route).not.toContain('<div id="root">');
        expect(res.status, route).toBeGreaterThanOrEqual(400);
      }
    }
    // The real routes there still answer as before.
    expect((await fetch(`${t.url}/healthz`)).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${t.url}/v1/openapi.json`)).status).toBe(200);
    // Other methods on app routes are not the app.
    const post = await fetch(`${t.url}/services`, { method: 'POST', headers: NAVIGATION });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });

  it('serves hashed assets immutable, other build files revalidated, and 404s missing files as JSON', async () => {
    const html = await (await fetch(`${t.url}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      expect(asset).toMatch(/-[A-Za-z0-9_-]{8}\.(js|css)$/); // content hash in the name
      const res = await fetch(`${t.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
    }
    const favicon = await fetch(`${t.url}/favicon.svg`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('cache-control')).toBe('no-cache');
    for (const missing of ['/assets/index-00000000.js', '/missing.png']) {
      const res = await fetch(`${t.url}${missing}`, { headers: NAVIGATION });
      expect(res.status, missing).toBe(404);
      expect(res.headers.get('content-type'), missing).toMatch(/json/);
    }
  });

  it('counts page loads as the route `web` in the metrics and writes no request-log row for them', async () => {
    const marker = `/page-${randomBytes(4).toString('hex')}`;
    const page = await fetch(`${t.url}${marker}`, { headers: NAVIGATION });
    expect(page.status).toBe(200);
    const html = await page.text();
    const asset = [...html.matchAll(/src="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)[0]!;
    // Bodies read to the end: a row is written once the response has finished.
    const status = async (url: string) => {
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.status;
    };
    expect(await status(`${t.url}${asset}`)).toBe(200);
    expect(await status(`${t.url}/favicon.svg`)).toBe(200);
    // An API request still gets its row: the log is on and the check below can fail.
    const admin = await adminSession(t);
    const services = await fetch(`${t.url}/v1/services`, { headers: bearer(admin.accessToken) });
    await services.arrayBuffer();
    expect(services.status).toBe(200);
    await t.platform.logging.requestLog.flush();
    const rows = await t.platform.database.db.selectFrom('request_log').select(['route', 'http_status']).where('kind', '=', 'rest').execute();
    expect(rows.map((r) => r.route)).toContain('/v1/services');
    // No row for any page or file the web app served (before, each was an anonymous `unmatched` 200 row).
    expect(rows.filter((r) => (r.route === 'unmatched' && r.http_status === 200) || r.route === 'web')).toEqual([]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="web"[^}]*status="200"[^}]*\}/);
    expect(metrics).not.toMatch(/route="unmatched"[^}]*status="200"/);
  });

  it('without a build, app routes explain how to build it (503), and the API still serves', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'mcp-platform-no-web-'));
    const app = express().use(webAppRouter({ distDir: empty }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const port = (server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/services`, { headers: NAVIGATION });
      expect(res.status).toBe(503);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('The web app is not built');
      expect(text).toContain('npm run build');
    } finally {
      server.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipBrowserTests)('web: the portal in Chromium', () => {
  let app: AppPage;
  let page: Page;
  const email = uniqueEmail('portal');
  const password = `${DEFAULT_TEST_PASSWORD}-web`;
  const secret = `xoxb-${randomBytes(12).toString('hex')}-topsecret`;
  const bodies: Array<{ url: string; body: string }> = [];
  let apiKey = '';

  beforeAll(async () => {
    // A catalog service with a credential schema (secret bot_token, plain team_id, optional channel_ids), enabled by an admin.
    const admin = await adminSession(t);
    const enable = await fetch(`${t.url}/v1/admin/services/slack`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
      body: JSON.stringify({ enabled: true }),
    });
    expect(enable.status).toBe(200);

    app = await openAppPage(t.url, { clipboard: true });
    page = app.page;
    page.on('response', (r) => {
      if (!r.url().startsWith(t.url)) return;
      void r.text().then(
        (body) => bodies.push({ url: r.url(), body }),
        () => undefined,
      );
    });
  }, 120_000);
  afterAll(async () => app?.close());

  const clipboard = async () => (await page.evaluate('navigator.clipboard.readText()')) as string;
  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const card = (slug: string) => page.locator(`section[data-service="${slug}"]`);
  const nav = (name: string) => page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: new RegExp(`^${name}`) });

  it('signs up, signs out and signs in again', async () => {
    await page.goto(`${t.url}/`);
    await heading('Sign in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading('Create your account').waitFor();

    // A weak password gets the server's reason, in words.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Choose a stronger password');

    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Services').waitFor();
    await expect(page.getByTestId('signed-in-email').textContent()).resolves.toBe(email);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    // Signed out means the portal is closed again.
    await page.goto(`${t.url}/api-keys`);
    await heading('Sign in').waitFor();

    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill('wrong-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The email or password is wrong');
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the visitor was going.
    await heading('API keys').waitFor();
    expect(new URL(page.url()).pathname).toBe('/api-keys');
  });

  it('connects a service with credentials: the secret is masked after saving and never comes back', async () => {
    await nav('Services').click();
    await heading('Services').waitFor();
    await expect(card('notes').getByTestId('service-status').textContent()).resolves.toMatch(/no credentials needed/);
    await expect(card('slack').getByTestId('service-status').textContent()).resolves.toBe('Needs credentials');

    await card('slack').getByRole('button', { name: 'Connect' }).click();
    const form = page.getByRole('form', { name: 'Credentials for Slack' });
    const tokenInput = form.getByLabel(/Slack bot token/);
    expect(await tokenInput.getAttribute('type')).toBe('password');
    await tokenInput.fill(secret);
    await form.getByLabel(/Slack team/).fill('T0123WEB');
    await form.getByRole('button', { name: 'Save and connect' }).click();

    await expect(card('slack').getByTestId('service-status').filter({ hasText: 'Connected' }).waitFor()).resolves.toBeUndefined();
    const masked = (await card('slack').getByTestId('stored-bot_token').textContent()) ?? '';
    expect(masked).toMatch(/^•+/);
    expect(masked).not.toContain(secret.slice(0, 12));
    await expect(card('slack').getByTestId('stored-team_id').textContent()).resolves.toBe('T0123WEB');

    // After a reload and when replacing, the secret input starts empty; the plain field is prefilled.
    await page.reload();
    await heading('Services').waitFor();
    // The stored values are loaded (they prefill the form) before the form is opened.
    await card('slack').getByTestId('stored-team_id').filter({ hasText: 'T0123WEB' }).waitFor();
    await card('slack').getByRole('button', { name: 'Replace credentials' }).click();
    const again = page.getByRole('form', { name: 'Credentials for Slack' });
    await expect(again.getByLabel(/Slack bot token/).inputValue()).resolves.toBe('');
    await expect(again.getByLabel(/Slack team/).inputValue()).resolves.toBe('T0123WEB');
    // A bad value gets the API's field message next to the field.
    await again.getByLabel(/Slack bot token/).fill('x'.repeat(10));
    await again.getByLabel(/Channel IDs/).fill('C1\tC2');
    await again.getByRole('button', { name: 'Replace credentials' }).click();
    await expect(again.getByText('must not contain control characters').waitFor()).resolves.toBeUndefined();
    await again.getByRole('button', { name: 'Cancel' }).click();

    expect(await page.content()).not.toContain(secret);
  });

  it('creates an API key shown once with a copy button, lists it, and the key works', async () => {
    await nav('API keys').click();
    await heading('API keys').waitFor();
    await expect(page.getByText('No API keys yet').waitFor()).resolves.toBeUndefined();

    await page.getByLabel(/^Name/).fill('laptop');
    await page.getByRole('combobox', { name: 'Expires after' }).click();
    await page.getByRole('option', { name: '30 days' }).click();
    await page.getByRole('combobox', { name: /^Services it may reach/ }).click();
    await page.getByRole('option', { name: /Slack \(slack\)/ }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Create key' }).click();

    const dialog = page.getByRole('dialog', { name: 'Your new API key' });
    apiKey = ((await dialog.getByTestId('new-api-key').textContent()) ?? '').trim();
    expect(apiKey).toMatch(/^mcp_sk_[A-Za-z0-9_-]{20,}$/);
    await dialog.getByRole('button', { name: 'Copy the API key' }).click();
    expect(await clipboard()).toBe(apiKey); // (the button's "Copied" lasts 2 s: too short to assert on a loaded machine)
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row').filter({ hasText: 'laptop' });
    await expect(row.getByText('slack').waitFor()).resolves.toBeUndefined();
    // The list shows the prefix only.
    expect(await page.getByRole('table', { name: 'Your API keys' }).textContent()).not.toContain(apiKey);

    // The key is real, scoped to slack, and expires in about 30 days.
    const res = await fetch(`${t.url}/v1/services`, { headers: bearer(apiKey) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { services: Array<{ slug: string }> }).services.map((s) => s.slug)).toEqual(['slack']);
    const listed = (await (await fetch(`${t.url}/v1/api-keys`, { headers: bearer(apiKey) })).json()) as { api_keys: Array<{ name: string; expires_at: string }> };
    const days = (Date.parse(listed.api_keys[0]!.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
  });

  it('shows ready-to-paste client configuration with the URL and the fresh key', async () => {
    await nav('Connect a client').click();
    await heading('Connect a client').waitFor();
    await expect(page.getByTestId('mcp-url').textContent()).resolves.toBe(`${t.url}/mcp`);

    await page.getByRole('tab', { name: 'Claude Code' }).click();
    await expect(page.getByTestId('snippet-claude-code').textContent()).resolves.toBe(
      `claude mcp add --transport http mcp-platform ${t.url}/mcp --header "Authorization: Bearer ${apiKey}"`,
    );
    await page.getByRole('tab', { name: 'Cursor' }).click();
    const cursor = JSON.parse((await page.getByTestId('snippet-cursor').textContent()) ?? '') as {
      mcpServers: Record<string, { url: string; headers: Record<string, string> }>;
    };
    expect(cursor).toEqual({ mcpServers: { 'mcp-platform': { url: `${t.url}/mcp`, headers: { Authorization: `Bearer ${apiKey}` } } } });
    await page.getByRole('button', { name: 'Copy the Cursor configuration' }).click();
    expect(JSON.parse(await clipboard())).toEqual(cursor);

    // One service instead of the aggregate endpoint.
    await page.getByText('One service').click();
    await page.getByRole('combobox', { name: /^Service/ }).click();
    await page.getByRole('option', { name: /Slack \(slack\)/ }).click();
    await expect(page.getByTestId('mcp-url').textContent()).resolves.toBe(`${t.url}/mcp/slack`);
    await page.getByRole('tab', { name: 'VS Code' }).click();
    const vscode = JSON.parse((await page.getByTestId('snippet-vscode').textContent()) ?? '') as {
      servers: Record<string, { type: string; url: string; headers: Record<string, string> }>;
    };
    expect(vscode.servers['mcp-platform']).toEqual({ type: 'http', url: `${t.url}/mcp/slack`, headers: { Authorization: `Bearer ${apiKey}` } });
  });

  it('revokes the key: gone from the list and refused by the API', async () => {
    await nav('API keys').click();
    await heading('API keys').waitFor();
    await page.getByRole('button', { name: 'Revoke laptop' }).click();
    const dialog = page.getByRole('dialog', { name: /Revoke “laptop”/ });
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(page.getByText('No API keys yet').waitFor()).resolves.toBeUndefined();
    expect((await fetch(`${t.url}/v1/services`, { headers: bearer(apiKey) })).status).toBe(401);
  });

  it('shows the plan and this month\'s calls against the quota on the Activity page: the soft limit warns, the hard limit says so', async () => {
    const admin = await adminSession(t);
    const me = await signIn(t.url, email, password);
    const planId = `portal-${randomBytes(3).toString('hex')}`;
    expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/plans', { id: planId, name: 'Portal', monthly_calls: 10, soft_limit_percent: 80 })).status).toBe(201);
    expect((await apiCall(t.url, admin.accessToken, 'PATCH', `/v1/admin/users/${me.userId}`, { plan: planId })).status).toBe(200);
    // Calls as the router meters them (the usage writer; test/billing.quota.test.ts drives real MCP calls).
    const record = (n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => t.platform.billing!.metering.record({ key: `portal:${randomBytes(8).toString('hex')}:${i}`, userId: me.userId, service: 'notes', listingVersion: null, tool: 'list', units: 1, status: 'ok', latencyMs: 3 })));
    await record(8);

    await nav('Activity').click();
    await heading('Activity').waitFor();
    const panel = page.getByTestId('quota-panel');
    await expect(panel.getByTestId('quota-plan').textContent()).resolves.toBe(`Plan: ${planId}`);
    await expect(panel.getByTestId('quota-calls').textContent()).resolves.toBe('8 of 10 calls this month');
    await expect(panel.getByTestId('quota-alert').textContent()).resolves.toMatch(/^Approaching your quota.*80% of this month's calls/);
    await expect(panel.getByRole('progressbar', { name: "Calls this month against your plan's quota" }).getAttribute('aria-valuenow')).resolves.toBe('80');
    await expect(panel.getByRole('table', { name: 'Calls per service this month' }).getByRole('row', { name: /notes/ }).textContent()).resolves.toBe('notes8—');
    const dir = process.env.WEB_SCREENSHOTS;
    if (dir) await panel.screenshot({ path: path.join(dir, 'portal-quota.png') });

    await record(2);
    await page.reload();
    await heading('Activity').waitFor();
    await expect(page.getByTestId('quota-calls').textContent()).resolves.toBe('10 of 10 calls this month');
    await expect(page.getByTestId('quota-alert').textContent()).resolves.toMatch(/^Quota used up/);
  });

  it('works at 375 px wide: the menu folds behind a button and no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      for (const [link, title] of [['Services', 'Services'], ['API keys', 'API keys'], ['Connect a client', 'Connect a client']] as const) {
        await page.getByRole('button', { name: 'Open the menu' }).click();
        await nav(link).click();
        await heading(title).waitFor();
        await page.getByRole('button', { name: 'Open the menu' }).waitFor(); // the menu closed again
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        expect(width, title).toBeLessThanOrEqual(375);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('never let the secret out (pages, responses, storage, logs) and met no CSP violation or console error', async () => {
    expect(apiKey).toMatch(/^mcp_sk_/); // the earlier steps ran
    // The browser keeps the supabase-js session only, and neither the secret nor the API key.
    const storage = (await page.evaluate('Object.fromEntries(Object.entries(localStorage))')) as Record<string, string>;
    expect(Object.keys(storage)).toEqual(['mcp-platform-auth']);
    expect(JSON.stringify(storage)).not.toContain(secret);
    expect(JSON.stringify(storage)).not.toContain(apiKey);
    await new Promise((r) => setTimeout(r, 200)); // let the last response bodies be read
    expect(bodies.length).toBeGreaterThan(10);
    expect(bodies.filter((b) => b.body.includes(secret)).map((b) => b.url)).toEqual([]);
    expect(bodies.filter((b) => b.url.includes('/v1/services/slack/credentials')).length).toBeGreaterThan(0);
    expect(await page.content()).not.toContain(secret);
    await t.platform.logging.requestLog.flush();
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(secret) || l.includes(apiKey))).toEqual([]);

    expect(await app.cspViolations()).toEqual([]);
    // The browser reports expected API refusals (weak password, wrong password, invalid value) as failed loads.
    expect(app.problems.filter((p) => !/Failed to load resource: the server responded with a status of (400|422)/.test(p))).toEqual([]);
  });
});
