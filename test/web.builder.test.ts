import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestFixture, type RestFixture } from './fixtures/rest-api.js';
import type { TestPlatform } from './support/platform.js';
import { adminSession, apiCall, type TestSession } from './support/users.js';
import { openAppPage, skipBrowserTests, startWebPlatform, type AppPage, type WebPlatform } from './support/web.js';

/**
 * The builder's pages in a real Chromium against the real platform: import a local OpenAPI
 * document (121 operations in two tags, uploaded as a file), pick operations with the search and
 * the tag filter, edit a tool's name and argument description, try it against the real API (the
 * local REST fixture, test/fixtures/rest-api.ts, on an EGRESS_ALLOW-listed loopback) with one's
 * own credential, save, publish, and roll back. axe-core checks every page; with
 * WEB_SCREENSHOTS=<dir> each page is saved as a screenshot (docs/screenshots, docs/builder.md).
 */
let served: WebPlatform;
let fixture: RestFixture;
let t: TestPlatform;
let docDir: string;
let documentPath: string;

function manyOperations(serverUrl: string): string {
  const paths: Record<string, unknown> = {
    '/echo/{name}': {
      get: {
        operationId: 'echoPath',
        summary: 'Echo the raw request target',
        tags: ['echo'],
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'What the server received', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };
  for (let i = 1; i <= 120; i++) {
    paths[`/things/t${i}`] = {
      get: { operationId: `getThing${i}`, summary: `Thing number ${i}`, tags: [i % 2 ? 'widgets' : 'gadgets'], responses: { '200': { description: 'ok' } } },
    };
  }
  return JSON.stringify({
    openapi: '3.1.0',
    info: { title: 'Things API', version: '1.0.0', description: 'A document with many operations, for the builder pages.' },
    servers: [{ url: serverUrl }],
    security: [{ BearerAuth: [] }],
    components: { securitySchemes: { BearerAuth: { type: 'http', scheme: 'bearer' } } },
    paths,
  });
}

beforeAll(async () => {
  [served, fixture] = await Promise.all([startWebPlatform({ EGRESS_ALLOW: '127.0.0.1', CATALOG_FILE: 'none' }), startRestFixture()]);
  t = served.t;
  docDir = await mkdtemp(path.join(tmpdir(), 'builder-doc-'));
  documentPath = path.join(docDir, 'things.json');
  await writeFile(documentPath, manyOperations(fixture.url));
}, 240_000);
afterAll(async () => {
  await served?.close();
  await fixture?.close();
  if (docDir) await rm(docDir, { recursive: true, force: true });
});

describe.skipIf(skipBrowserTests)('web: the builder in Chromium', () => {
  let app: AppPage;
  let page: Page;
  let admin: TestSession;

  beforeAll(async () => {
    admin = await adminSession(t);
    app = await openAppPage(t.url, {
      // The shared notification toasts (app/provider.tsx) are checked where they live, not here: wait until they close.
      beforeCheck: (p) => p.locator('.mantine-Notification-root').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined),
    });
    page = app.page;
  }, 120_000);
  afterAll(async () => app?.close());

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const checkA11y = (name: string) => app.checkPage(name);

  it('imports a document, picks operations by search and tag, edits, tries with own credentials, saves, publishes, rolls back', async () => {
    await page.goto(`${t.url}/sign-in`);
    await heading('Sign in').waitFor();
    await page.getByLabel('Email').fill('admin@example.test');
    await page.getByLabel(/^Password/).fill('admin-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Services').waitFor();

    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: /Builder/ }).click();
    await heading('Builder').waitFor();
    await page.getByText('No services built yet').waitFor();
    await checkA11y('builder-empty');

    await page.getByRole('link', { name: 'New service from an API' }).first().click();
    await heading('New service from an API').waitFor();
    await page.locator('input[type=file]').setInputFiles(documentPath);
    await page.getByRole('button', { name: 'Import the file' }).click();
    await page.getByRole('heading', { name: '2. Pick operations (0 of 121 chosen)' }).waitFor();
    // Paginated: 25 rows of 121.
    expect(await page.locator('tr[data-tool]').count()).toBe(25);
    await checkA11y('builder-import');

    await page.getByLabel('Search').fill('echo');
    await page.locator('tr[data-tool="echoPath"]').waitFor();
    expect(await page.locator('tr[data-tool]').count()).toBe(1);
    await page.getByLabel('Choose echoPath').check();
    await page.getByLabel('Search').fill('');
    await page.getByRole('combobox', { name: 'Tag' }).click();
    await page.getByRole('option', { name: 'gadgets', exact: true }).click();
    await page.getByRole('button', { name: 'Choose all 60 matching' }).click();
    await page.getByRole('heading', { name: '2. Pick operations (61 of 121 chosen)' }).waitFor();
    await checkA11y('builder-pick');

    await page.getByLabel('Search').fill('echo');
    await page.getByRole('combobox', { name: 'Tag' }).click();
    await page.getByRole('option', { name: 'echo', exact: true }).click();
    await page.getByRole('button', { name: 'Edit echoPath' }).click();
    await page.getByRole('heading', { name: 'Edit echoPath' }).waitFor();
    await page.getByLabel('Tool name').fill('echo_back');
    await page.getByLabel('Description').fill('Echoes the path it was called with.');
    await page.getByLabel('Argument name (string)').fill('The word to echo');
    await checkA11y('builder-edit');
    await page.getByRole('button', { name: 'Keep these changes' }).click();
    await page.locator('tr[data-tool="echoPath"]').getByText('echo_back').waitFor();

    await page.getByRole('combobox', { name: 'Tool to try' }).click();
    await page.getByRole('option', { name: 'echo_back', exact: true }).click();
    await page.getByLabel('Arguments (JSON)').fill('{"name": "hello"}');
    await page.getByLabel(/^Your /).first().fill('my-own-token');
    const before = fixture.requests.length;
    await page.getByRole('button', { name: 'Try it' }).click();
    await page.getByTestId('try-result').getByText('/echo/hello').waitFor();
    expect(fixture.requests.slice(before).map((r) => [r.url, r.headers.authorization])).toEqual([['/echo/hello', 'Bearer my-own-token']]);
    await checkA11y('builder-try');

    await page.getByLabel('Slug').fill('things');
    await page.getByRole('button', { name: 'Save as version 1' }).click();
    await heading('Things API').waitFor();
    await page.getByText('Nothing is served until you publish a version.').waitFor();
    await page.getByRole('button', { name: 'Publish version 1' }).click();
    await page.locator('tr[data-version="1"]').getByText('Live').waitFor();
    const saved = await apiCall(t.url, admin.accessToken, 'GET', '/v1/builder/services/things/versions/1');
    const tools = (saved.json.definition as { openapi: { tools: Array<{ name: string; description: string; inputSchema: { properties: Record<string, { description?: string }> } }> } }).openapi.tools;
    expect(tools.length).toBe(61);
    const echo = tools.find((x) => x.name === 'echo_back')!;
    expect(echo.description).toBe('Echoes the path it was called with.');
    expect(echo.inputSchema.properties.name!.description).toBe('The word to echo');

    // A second version (saved through the API), published; then one click rolls back to v1.
    const v2 = await apiCall(t.url, admin.accessToken, 'POST', '/v1/builder/services/things/versions', { ...(saved.json.definition as object), publish: true });
    expect(v2.json).toMatchObject({ version: 2, live: true });
    await page.reload();
    await page.locator('tr[data-version="2"]').getByText('Live').waitFor();
    await checkA11y('builder-versions');
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('tr[data-version="1"]').getByText('Live').waitFor();
    expect((await apiCall(t.url, admin.accessToken, 'GET', '/v1/builder/services/things/versions')).json.live_version).toBe(1);

    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: /Builder/ }).click();
    await page.locator('[data-built-service="things"]').getByText('Live: v1').waitFor();
    await checkA11y('builder-list');

    expect(app.a11y).toEqual(Object.fromEntries(Object.keys(app.a11y).map((k) => [k, []])));
    expect(await app.cspViolations()).toEqual([]);
    expect(app.problems).toEqual([]);
  }, 480_000);
});
