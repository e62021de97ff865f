import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from './support/axe.js';
import { authorizeUrl, freePort, mcpStatus, pkcePair, registerClient, tokenRequest } from './support/oauth.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { DEFAULT_TEST_PASSWORD, signUp, type TestSession } from './support/users.js';
import { buildWebApp, launchChromium, skipBrowserTests, type TestBrowser, type WebBuild } from './support/web.js';

/**
 * The login and consent pages of the web app in real Chromium: /oauth/authorize sends the browser
 * to the consent page, which asks the user to sign in first, names the client and where the answer
 * goes; Allow sends the browser to the client's redirect URI with a code. A second authorization
 * of the same client is remembered; "Connected apps" lists and disconnects it.
 */

let web: WebBuild;
let t: TestPlatform;
let browser: TestBrowser;
let user: TestSession;
let callbackServer: Server;
let callbackBase: string;
const callbacks: URL[] = [];

beforeAll(async () => {
  if (skipBrowserTests) return;
  web = await buildWebApp();
  const port = await freePort();
  t = await startPlatform({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }, { web: { distDir: web.distDir } });
  user = await signUp(t.url);
  callbackServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', callbackBase);
    if (url.pathname === '/cb') callbacks.push(url); // not the browser's /favicon.ico
    res.writeHead(200, { 'content-type': 'text/plain' }).end('back in the client');
  });
  const cbPort = await new Promise<number>((resolve) => callbackServer.listen(0, '127.0.0.1', () => resolve((callbackServer.address() as { port: number }).port)));
  callbackBase = `http://127.0.0.1:${cbPort}`;
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  callbackServer?.close();
  await t?.close();
  await web?.close();
}, 60_000);

describe.skipIf(skipBrowserTests)('consent in the web app', { timeout: 180_000 }, () => {
  it('signs in, shows the consent, returns the code; remembers it; Connected apps disconnects it', async () => {
    const redirect = `${callbackBase}/cb`;
    const reg = await registerClient(t.url, { client_name: 'Browser test app', redirect_uris: [redirect] });
    expect(reg.status).toBe(201);
    const clientId = String(reg.body.client_id);
    const resource = `${t.platform.config.PUBLIC_URL}/mcp/everything`;
    const pkce = pkcePair();
    const start = (state: string, challenge = pkce.challenge) =>
      authorizeUrl(t.url, { response_type: 'code', client_id: clientId, redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256', resource, scope: 'mcp offline_access', state });

    const page = await browser.context.newPage();
    const consentResponse = page.waitForResponse((r) => /\/oauth\/consent\/[^/]+$/.test(new URL(r.url()).pathname));
    await page.goto(start('web-1'));
    // The consent page is served with frame-ancestors 'none' (clickjacking).
    expect((await consentResponse).headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel(/^Password/).fill(DEFAULT_TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allow Browser test app to use the platform as you?' }).waitFor();
    await page.getByText(new URL(callbackBase).host).first().waitFor();
    // axe on the consent page; with WEB_SCREENSHOTS=<dir>, its screenshot for docs/web.md.
    expect(await seriousA11yViolations(page)).toEqual([]);
    if (process.env.WEB_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.WEB_SCREENSHOTS, 'oauth-consent.png'), fullPage: true });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${redirect}**`);
    const back = callbacks.at(-1)!;
    expect(back.searchParams.get('state')).toBe('web-1');
    expect(back.searchParams.get('iss')).toBe(t.platform.config.PUBLIC_URL);
    const tokens = await tokenRequest(t.url, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: pkce.verifier, redirect_uri: redirect, client_id: clientId, resource });
    expect(tokens.status).toBe(200);
    expect(await mcpStatus(resource, tokens.body.access_token!)).toBe(200);

    // Remembered: the same client asking again goes straight back, without an Allow click.
    const again = pkcePair();
    const before = callbacks.length;
    await page.goto(start('web-2', again.challenge));
    await page.waitForURL(`${redirect}**`);
    expect(callbacks.length).toBe(before + 1);
    expect(callbacks.at(-1)!.searchParams.get('state')).toBe('web-2');
    expect(callbacks.at(-1)!.searchParams.get('code')).toBeTruthy();

    // Connected apps: listed, then disconnected; its access token is refused from then on.
    await page.goto(`${t.url}/connected-apps`);
    await page.getByText('Browser test app').waitFor();
    await page.getByRole('button', { name: 'Disconnect Browser test app' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await page.getByText('No connected apps').waitFor();
    expect(await mcpStatus(resource, tokens.body.access_token!)).toBe(401);
    await page.close();
  });
});
