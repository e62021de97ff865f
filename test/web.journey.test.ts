import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGithubLikeProvider, startProtectedMcp, type GithubLikeProvider, type ProtectedMcp } from './fixtures/github-like-provider.js';
import { freePort } from './support/oauth.js';
import type { TestPlatform } from './support/platform.js';
import { adminSession, bearer, DEFAULT_TEST_PASSWORD, uniqueEmail } from './support/users.js';
import { openAppPage, skipBrowserTests, startWebPlatform, type AppPage, type WebPlatform } from './support/web.js';

/**
 * A new user's whole journey through the portal in a real Chromium (issue 12, acceptance 1), against
 * the real platform serving a fresh build of web/: sign up; connect `forecast`, an http service on a
 * local stand-in MCP server (SDK server over Streamable HTTP) that refuses every request without the
 * credential the platform injects as `X-Api-Key`; connect `ghlike` by upstream OAuth (the
 * GitHub-like oidc-provider stand-in of test/upstream-oauth.test.ts, since github.com is out of
 * reach); create an API key and copy the Cursor config; run tools in the Playground (the SDK client
 * in the browser on /mcp/forecast) and see the result, structured content, progress and an
 * isError; see the calls in Activity with a chart point; download the account export (no secret
 * in it); the Connected apps page. axe on every page; with WEB_SCREENSHOTS=<dir>, screenshots.
 */

interface StandIn {
  url: string;
  /** X-Api-Key of every MCP POST it got, and whether it accepted it. */
  seen: Array<{ apiKey: string | undefined; accepted: boolean; method: string }>;
  close(): Promise<void>;
}

async function startForecastStandIn(expectedKey: string): Promise<StandIn> {
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'forecast-stand-in', version: '1.0.0' });
      server.registerTool(
        'forecast',
        {
          description: 'The weather for a city over the next days',
          inputSchema: z.object({
            city: z.string().min(1).describe('City name'),
            days: z.number().int().min(1).max(7).describe('How many days'),
            units: z.enum(['metric', 'imperial']),
            alerts: z.boolean().optional(),
            tags: z.array(z.string()).optional().describe('Labels for the answer'),
          }),
          outputSchema: z.object({ city: z.string(), days: z.array(z.object({ day: z.number(), high: z.number() })), tags: z.array(z.string()) }),
        },
        async ({ city, days, units, tags }) => {
          const list = Array.from({ length: days }, (_, i) => ({ day: i + 1, high: units === 'metric' ? 20 + i : 68 + i }));
          return {
            content: [{ type: 'text', text: `Forecast for ${city}: ${list.map((d) => d.high).join(', ')} (${units})` }],
            structuredContent: { city, days: list, tags: tags ?? [] },
          };
        },
      );
      server.registerTool('countdown', { description: 'Counts down, reporting progress', inputSchema: z.object({ from: z.number().int().min(1).max(10) }) }, async ({ from }, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        for (let i = 1; i <= from; i++) {
          if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: from, message: `step ${i}` } });
        }
        return { content: [{ type: 'text', text: 'lift-off' }] };
      });
      server.registerTool('storm', { description: 'Always reports a tool error' }, async () => ({ content: [{ type: 'text', text: 'storm warning: no forecast' }], isError: true }));
      return server;
    },
    { legacy: 'stateless' },
  );
  const node = toNodeHandler(handler);
  const seen: StandIn['seen'] = [];
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return void node(req, res).catch(() => res.end());
    const apiKey = req.headers['x-api-key'] as string | undefined;
    const accepted = apiKey === expectedKey;
    seen.push({ apiKey, accepted, method: req.method });
    // The upstream's own check of the credential the platform injects.
    if (!accepted) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"missing or wrong X-Api-Key"}');
    node(req, res).catch(() => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    seen,
    async close() {
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const upstreamKey = `fc_${randomBytes(12).toString('hex')}`;
let served: WebPlatform;
let t: TestPlatform;
let standIn: StandIn;
let provider: GithubLikeProvider;
let protectedMcp: ProtectedMcp;
let dir: string;

beforeAll(async () => {
  if (skipBrowserTests) return;
  dir = await mkdtemp(path.join(tmpdir(), 'web-journey-'));
  // PUBLIC_URL names the platform's own port: the OAuth provider sends the browser back there.
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  provider = await startGithubLikeProvider(`${publicUrl}/v1/services/oauth/callback`);
  protectedMcp = await startProtectedMcp(provider);
  standIn = await startForecastStandIn(upstreamKey);
  const catalogFile = path.join(dir, 'services.json');
  await writeFile(
    catalogFile,
    JSON.stringify({
      version: 1,
      services: [
        {
          slug: 'ghlike',
          title: 'GitHub-like',
          description: 'A GitHub-like service you connect by OAuth',
          kind: 'http',
          http: { instances: [protectedMcp.url], oauth: { issuer: provider.issuer, scopes: ['repo'], client_id_env: 'GHLIKE_CLIENT_ID', client_secret_env: 'GHLIKE_CLIENT_SECRET' } },
        },
      ],
    }),
  );
  served = await startWebPlatform(
    { PORT: String(port), PUBLIC_URL: publicUrl, CATALOG_FILE: catalogFile, EGRESS_ALLOW: '127.0.0.1', LOG_FLUSH_INTERVAL_MS: '50' },
    { providerEnv: { GHLIKE_CLIENT_ID: provider.clientId, GHLIKE_CLIENT_SECRET: provider.clientSecret } },
  );
  t = served.t;
  // The operator registers the http service (admin API), as the platform's admin would.
  const admin = await adminSession(t);
  const created = await fetch(`${t.url}/v1/admin/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
    body: JSON.stringify({
      slug: 'forecast',
      title: 'Forecast',
      description: 'Weather forecasts (a local stand-in that checks its X-Api-Key)',
      kind: 'http',
      http: { transport: 'streamable-http', instances: [standIn.url] },
      credentials: [{ name: 'api_key', title: 'Forecast API key', secret: true, required: true, inject: { header: 'X-Api-Key' } }],
    }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
}, 300_000);
afterAll(async () => {
  await served?.close();
  await standIn?.close();
  await protectedMcp?.close();
  await provider?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skipBrowserTests)('web: a new user from sign-up to a tool call in Activity', () => {
  let app: AppPage;
  let page: Page;
  const email = uniqueEmail('journey');
  const bodies: string[] = [];
  let apiKey = '';
  /** The provider's redirect back to the platform, once used. */
  let usedCallback = '';

  beforeAll(async () => {
    app = await openAppPage(t.url, {
      timeoutMs: 20_000,
      clipboard: true,
      // Screenshots and axe after the page's own loading states are gone.
      beforeCheck: (p) => p.getByRole('status').filter({ hasText: /Loading|Connecting/ }).first().waitFor({ state: 'detached' }).catch(() => undefined),
    });
    page = app.page;
    page.on('response', (r) => {
      if (r.url().startsWith(t.url)) void r.text().then((b) => bodies.push(b), () => undefined);
    });
  }, 120_000);
  afterAll(async () => app?.close());

  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: new RegExp(`^${name}`) });
  const card = (slug: string) => page.locator(`section[data-service="${slug}"]`);
  const clipboard = async () => (await page.evaluate('navigator.clipboard.readText()')) as string;
  const settled = () => page.getByRole('status').filter({ hasText: /Loading|Connecting/ }).first().waitFor({ state: 'detached' }).catch(() => undefined);
  const checkPage = (name: string) => app.checkPage(name);
  const pickOption = async (combobox: string, option: RegExp | string) => {
    await page.getByRole('combobox', { name: combobox, exact: true }).click();
    await page.getByRole('option', { name: option }).click();
  };

  it('signs up and connects the service that needs a credential', async () => {
    await page.goto(`${t.url}/sign-up`);
    await heading('Create your account').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill(DEFAULT_TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Services').waitFor();

    await expect(card('forecast').getByTestId('service-status').textContent()).resolves.toBe('Needs credentials');
    await card('forecast').getByRole('button', { name: 'Connect' }).click();
    const form = page.getByRole('form', { name: 'Credentials for Forecast' });
    await form.getByLabel(/Forecast API key/).fill(upstreamKey);
    await form.getByRole('button', { name: 'Save and connect' }).click();
    await card('forecast').getByTestId('service-status').filter({ hasText: 'Connected' }).waitFor();
    expect(await page.content()).not.toContain(upstreamKey);
  });

  it('connects and disconnects an OAuth service with the Connect button', async () => {
    const oauth = card('ghlike').getByTestId('oauth-connection');
    await expect(oauth.getByTestId('oauth-status').textContent()).resolves.toBe('Not connected');
    await expect(card('ghlike').getByTestId('service-status').textContent()).resolves.toBe('Not connected');
    await checkPage('services-oauth');

    // The button sends the browser to the provider. The stand-in provider's sign-in and consent
    // are walked by its own helper (as test/upstream-oauth.test.ts does); the browser then follows
    // the provider's redirect back to the platform's callback.
    let authorizationUrl = '';
    await page.route(`${provider.issuer}/**`, (route) => {
      authorizationUrl = route.request().url();
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Provider</title><p>Signing in at the provider…</p>' });
    });
    await oauth.getByRole('button', { name: 'Connect GitHub-like' }).click();
    await page.waitForURL((u) => u.href.startsWith(provider.issuer));
    const sent = new URL(authorizationUrl);
    expect(sent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(sent.searchParams.get('redirect_uri')).toBe(`${t.url}/v1/services/oauth/callback`);
    const back = await provider.authorize(authorizationUrl);
    usedCallback = back.href;
    await page.goto(back.href);
    await heading('Services').waitFor();
    await page.waitForURL((u) => u.pathname === '/services' && u.search === ''); // ?connected= is read once, then removed
    await card('ghlike').getByTestId('oauth-status').filter({ hasText: 'Connected' }).waitFor();
    await expect(card('ghlike').getByTestId('service-status').textContent()).resolves.toBe('Connected');
    const tokens = await t.platform.database.db.selectFrom('upstream_oauth_tokens').select('user_id').execute();
    expect(tokens).toHaveLength(1);
    await checkPage('services-oauth-connected');
  });

  it('explains a refused OAuth callback on a page (what went wrong, what to do), and answers API clients in JSON', async () => {
    // The used redirect opened again (from the history): its state is spent.
    await page.goto(usedCallback);
    await heading('Connection not made').waitFor();
    expect(new URL(page.url()).pathname).toBe('/services/oauth-refused');
    await page.getByText('This connection attempt is unknown or was already used').waitFor();
    await page.getByText('Nothing was stored. To connect, open your services and choose Connect on the service again').waitFor();
    await checkPage('oauth-refused');
    // The person declined at the provider: the provider's error code is named.
    const session = JSON.parse((await page.evaluate('localStorage.getItem("mcp-platform-auth")')) as string) as { access_token: string };
    const started = await fetch(`${t.url}/v1/services/ghlike/oauth/start`, { headers: bearer(session.access_token) });
    const state = new URL(((await started.json()) as { authorization_url: string }).authorization_url).searchParams.get('state')!;
    await page.goto(`${t.url}/v1/services/oauth/callback?${new URLSearchParams({ error: 'access_denied', state, iss: provider.issuer }).toString()}`);
    await page.getByText('The provider did not authorize the connection').waitFor();
    await page.getByText('The provider said: access_denied.').waitFor();
    await page.getByRole('link', { name: 'Go to your services' }).click();
    await heading('Services').waitFor();
    // An API client (no Accept: text/html) still gets the JSON error.
    const api = await fetch(usedCallback);
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'oauth_callback_refused', message: expect.stringMatching(/already used state/) });
    expect(await t.platform.database.db.selectFrom('upstream_oauth_tokens').select('user_id').execute()).toHaveLength(1);
  });

  it('creates an API key and copies the Cursor configuration', async () => {
    await nav('API keys').click();
    await heading('API keys').waitFor();
    await page.getByLabel(/^Name/).fill('cursor');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your new API key' });
    apiKey = ((await dialog.getByTestId('new-api-key').textContent()) ?? '').trim();
    expect(apiKey).toMatch(/^mcp_sk_/);
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await nav('Connect a client').click();
    await heading('Connect a client').waitFor();
    await page.getByRole('tab', { name: 'Cursor' }).click();
    const snippet = page.getByTestId('snippet-cursor');
    await snippet.filter({ hasText: 'mcp_sk_' }).waitFor();
    await page.getByRole('button', { name: 'Copy the Cursor configuration' }).click();
    const copied = JSON.parse(await clipboard()) as { mcpServers: Record<string, { url: string; headers: { Authorization: string } }> };
    const entry = copied.mcpServers['mcp-platform']!;
    expect(entry.url).toBe(`${t.url}/mcp`);
    const cursorKey = entry.headers.Authorization.replace(/^Bearer /, '');
    expect(cursorKey).toBe(apiKey); // the key just made, filled in
    // The copied configuration works: its key reaches the user's services.
    const listed = await fetch(`${t.url}/v1/services`, { headers: bearer(cursorKey) });
    expect(((await listed.json()) as { services: Array<{ slug: string }> }).services.map((s) => s.slug).sort()).toEqual(['forecast', 'ghlike']);
    await checkPage('connect');
  });

  it('runs a tool in the Playground through /mcp/forecast and shows the result', async () => {
    await nav('Playground').click();
    await heading('Playground').waitFor();
    await checkPage('playground-empty');
    await pickOption('Service', /Forecast \(forecast\)/);
    await pickOption('Tool', /^forecast/);
    await expect(page.getByTestId('tool-description').textContent()).resolves.toBe('The weather for a city over the next days');

    // The form comes from the tool's inputSchema: required marks, a number, an enum, a boolean, a JSON array.
    const form = page.getByRole('form', { name: 'Tool arguments' });
    await form.getByRole('button', { name: 'Call the tool' }).click();
    await form.getByText('Required').first().waitFor();
    expect(await form.getByLabel(/^city/).getAttribute('required')).not.toBeNull();
    await form.getByLabel(/^city/).fill('Lisbon');
    await form.getByLabel(/^days/).fill('2.5');
    await form.getByLabel(/^units/).selectOption({ label: 'metric' });
    await form.getByLabel(/^tags/).fill('["a",');
    await form.getByRole('button', { name: 'Call the tool' }).click();
    await form.getByText('Enter a whole number').waitFor();
    await form.getByText(/^Not valid JSON/).waitFor();
    const callsBefore = standIn.seen.filter((s) => s.accepted).length;
    await form.getByLabel(/^days/).fill('3');
    await form.getByLabel(/^tags/).fill('["beach"]');
    await form.getByLabel(/^alerts/).selectOption({ label: 'true' });
    await form.getByRole('button', { name: 'Call the tool' }).click();

    const outcome = page.getByTestId('call-outcome');
    await expect(outcome.getByTestId('content-text').textContent()).resolves.toBe('Forecast for Lisbon: 20, 21, 22 (metric)');
    await expect(outcome.getByTestId('result-status').textContent()).resolves.toBe('Success');
    expect(JSON.parse((await outcome.getByTestId('structured-content').textContent()) ?? '')).toEqual({
      city: 'Lisbon',
      days: [{ day: 1, high: 20 }, { day: 2, high: 21 }, { day: 3, high: 22 }],
      tags: ['beach'],
    });
    await expect(outcome.getByTestId('latency').textContent()).resolves.toMatch(/^\d+(\.\d)? ms$/);
    // It went through the platform to the upstream, with the stored credential injected.
    expect(standIn.seen.filter((s) => s.accepted).length).toBeGreaterThan(callsBefore);
    expect(standIn.seen.every((s) => s.apiKey === upstreamKey)).toBe(true);
    await checkPage('playground');

    // Progress notifications, then a tool that reports isError, then a JSON-RPC error.
    await pickOption('Tool', /^countdown/);
    await page.getByRole('form', { name: 'Tool arguments' }).getByLabel(/^from/).fill('3');
    await page.getByRole('button', { name: 'Call the tool' }).click();
    await expect(outcome.getByTestId('content-text').textContent()).resolves.toBe('lift-off');
    await expect(outcome.getByTestId('progress-list').getByRole('listitem').count()).resolves.toBe(3);
    await checkPage('playground-progress');

    await pickOption('Tool', /^storm/);
    await page.getByText('This tool takes no arguments.').waitFor();
    await page.getByRole('button', { name: 'Call the tool' }).click();
    await expect(outcome.getByTestId('result-status').textContent()).resolves.toMatch(/^isError/);
    await expect(outcome.getByTestId('content-text').textContent()).resolves.toBe('storm warning: no forecast');
  });

  it('shows the calls in Activity, with a point in the chart', async () => {
    // A call that fails (an unknown tool), from an MCP client with the user's API key: Activity shows every client's calls.
    const client = new Client({ name: 'journey-cli', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/forecast`), { requestInit: { headers: bearer(apiKey) } }));
    await expect(client.callTool({ name: 'no-such-tool', arguments: {} })).rejects.toThrow();
    await client.close();
    await t.platform.logging.requestLog.flush();
    await nav('Activity').click();
    await heading('Activity').waitFor();
    const log = page.getByRole('table', { name: 'Your requests, newest first' });
    await log.getByRole('row').filter({ hasText: 'forecast' }).first().waitFor();
    await log.getByRole('row').filter({ hasText: 'storm' }).first().waitFor();
    const chart = page.getByTestId('time-series-chart').first();
    await chart.locator('canvas').waitFor();
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    const totals = page.getByRole('table', { name: 'Usage per service in this range' });
    const forecastRow = totals.locator('tr[data-service="forecast"]');
    await expect(forecastRow.textContent()).resolves.toMatch(/forecast\d+/);
    await checkPage('activity');

    // Filters: failed calls only; then back to all, and the next page control is there.
    await page.getByLabel('Outcome', { exact: true }).selectOption({ label: 'Failed' });
    await log.getByRole('row').filter({ hasText: 'no-such-tool' }).first().waitFor();
    // (The previous page stays on screen until the filtered one arrives.)
    await log.getByRole('row').filter({ hasText: 'countdown' }).first().waitFor({ state: 'detached' });
    const rows = await log.locator('tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    for (const text of await log.locator('tbody tr').allTextContents()) expect(text).toContain('error');
    await page.getByLabel('Tool', { exact: true }).fill('never-called');
    await page.getByText('No requests match').waitFor();
    await checkPage('activity-empty');
    await page.getByLabel('Tool', { exact: true }).fill('');
    await page.getByLabel('Outcome', { exact: true }).selectOption({ label: 'All' });
    await log.waitFor();
  });

  it('downloads the account export: the user\'s rows, no secret', async () => {
    await nav('Account').click();
    await heading('Account').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download my data' }).click();
    const file = await (await download).path();
    const text = await readFile(file, 'utf8');
    const data = JSON.parse(text) as Record<string, unknown> & { user: { email: string }; request_log: Array<{ target: string | null }>; service_credentials: Array<{ service: string }>; service_oauth_connections: Array<{ service: string }>; api_keys: Array<{ name: string }> };
    expect(data.user.email).toBe(email);
    expect(data.request_log.map((r) => r.target)).toEqual(expect.arrayContaining(['forecast', 'countdown', 'storm']));
    expect(data.service_credentials.map((c) => c.service)).toEqual(['forecast']);
    expect(data.service_oauth_connections.map((c) => c.service)).toEqual(['ghlike']);
    expect(data.api_keys.map((k) => k.name)).toContain('cursor');
    for (const secret of [upstreamKey, apiKey, ...provider.issuedAccessTokens, ...provider.issuedRefreshTokens]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/encrypted_password|key_hash|sealed/);
    await page.getByRole('status').filter({ hasText: /^Downloaded/ }).waitFor();
    await checkPage('account-export');
    // The whole account is for the signed-in user, not for an API key.
    const byKey = await fetch(`${t.url}/v1/me/export`, { headers: bearer(apiKey) });
    expect(byKey.status).toBe(403);
    const audit = await t.platform.database.db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'user.data_exported').execute();
    expect(audit).toHaveLength(1);
  });

  it('shows Connected apps, then disconnects the OAuth service', async () => {
    await nav('Connected apps').click();
    await heading('Connected apps').waitFor();
    await checkPage('connected-apps');

    await nav('Services').click();
    await heading('Services').waitFor();
    await card('ghlike').getByRole('button', { name: 'Disconnect GitHub-like' }).click();
    await page.getByRole('dialog', { name: 'Disconnect GitHub-like?' }).getByRole('button', { name: 'Disconnect' }).click();
    await card('ghlike').getByTestId('oauth-status').filter({ hasText: 'Not connected' }).waitFor();
    expect(await t.platform.database.db.selectFrom('upstream_oauth_tokens').select('user_id').execute()).toHaveLength(0);
  });

  it('answers an address that is no page with "Page not found" and a way back', async () => {
    await page.goto(`${t.url}/no-such-page`);
    await heading('Page not found').waitFor();
    await page.getByRole('heading', { name: 'There is no page at this address' }).waitFor();
    await checkPage('not-found');
    await page.getByRole('link', { name: 'Go to your services' }).click();
    await heading('Services').waitFor();
  });

  it('lays the new pages out at 375 px without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      for (const [route, title] of [['/playground?service=forecast&tool=forecast', 'Playground'], ['/activity', 'Activity'], ['/account', 'Account'], ['/services', 'Services']] as const) {
        await page.goto(`${t.url}${route}`);
        await heading(title).waitFor();
        await settled();
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        expect(width, title).toBeLessThanOrEqual(375);
        if (title === 'Playground') {
          await page.getByRole('form', { name: 'Tool arguments' }).waitFor();
          await checkPage('playground-375');
        }
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('lays every portal page out at 1440 px: the navigation beside the page, no sideways scrolling', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      for (const [route, title] of [
        ['/services', 'Services'],
        ['/api-keys', 'API keys'],
        ['/connect', 'Connect a client'],
        ['/connected-apps', 'Connected apps'],
        ['/playground?service=forecast&tool=forecast', 'Playground'],
        ['/activity', 'Activity'],
        ['/account', 'Account'],
        ['/services/oauth-refused?reason=expired', 'Connection not made'],
      ] as const) {
        await page.goto(`${t.url}${route}`);
        await heading(title).waitFor();
        await settled();
        expect(await page.getByRole('navigation', { name: 'Portal' }).isVisible(), title).toBe(true);
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        expect(width, title).toBeLessThanOrEqual(1440);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('met no serious or critical axe violation, CSP violation or console error, and no secret reached the browser', async () => {
    expect(Object.keys(app.a11y).length).toBeGreaterThanOrEqual(12);
    expect(Object.fromEntries(Object.entries(app.a11y).filter(([, v]) => v.length))).toEqual({});
    expect(await app.cspViolations()).toEqual([]);
    expect(app.problems).toEqual([]);
    for (const body of bodies) expect(body).not.toContain(upstreamKey);
  });
});
