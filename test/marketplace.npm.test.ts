import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRegistry, type LocalRegistry } from './support/npm-registry.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, signUp, type TestSession } from './support/users.js';

/**
 * An npm stdio listing (docs/marketplace.md, "npm listings and isolation"). The package is
 * test/fixtures/npm-listing (a small MCP server over stdio, no dependencies), packed with the real
 * `npm pack` and served by a local registry stand-in (test/support/npm-registry.ts) in npm's wire
 * format; the platform installs it with the real `npm install --ignore-scripts` from that registry,
 * checks the pinned sha512 integrity, inspects it with the SDK client over stdio, and, once approved,
 * the router runs it per user with only that user's credential in its environment, under the CPU-time
 * and memory limits. PGlite by default, PostgreSQL with DATABASE_URL.
 */

type Json = Record<string, unknown>;
const PACKAGE = 'mcp-weather-stdio-fixture';
const CANARY = 'PLATFORM_MARKETPLACE_TEST_CANARY';

async function mcpClient(t: TestPlatform, token: string, p: string): Promise<Client> {
  const client = new Client({ name: 'marketplace-npm-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}${p}`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}
/** Ends the MCP session (DELETE), then closes the client. */
async function endSession(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport | undefined)?.terminateSession().catch(() => undefined);
  await client.close();
}
const text = (r: unknown) => (r as { content: Array<{ text?: string }> }).content.map((c) => c.text ?? '').join('');

describe('marketplace: an npm package pinned by version and integrity, run over stdio in isolation', { timeout: 180_000 }, () => {
  let t: TestPlatform;
  let registry: LocalRegistry;
  let admin: TestSession;
  let provider: TestSession;
  let alice: TestSession;
  let integrity = '';
  let listingId = '';
  let packagesDir = '';
  /** The listing's installed version directories. */
  const installed = async () => (await readdir(path.join(packagesDir, listingId)).catch(() => [] as string[])).sort();

  const body = (overrides: Json = {}) => ({
    slug: 'weather-stdio',
    title: 'Weather over stdio',
    description: 'An npm package run by the platform',
    categories: ['weather'],
    source: { type: 'npm', package: PACKAGE, version: '1.0.0', integrity },
    credentials: [{ name: 'token', title: 'Weather token', inject: { env: 'WEATHER_TOKEN' } }],
    changelog: 'First release',
    ...overrides,
  });

  beforeAll(async () => {
    registry = await startLocalRegistry([path.resolve(import.meta.dirname, 'fixtures/npm-listing')]);
    integrity = registry.integrity[`${PACKAGE}@1.0.0`]!;
    // A secret in the platform process's own environment: the child must not see it.
    process.env[CANARY] = 'canary-value';
    packagesDir = await mkdtemp(path.join(os.tmpdir(), 'marketplace-packages-'));
    t = await startPlatform({
      MARKETPLACE_PACKAGES_DIR: packagesDir,
      CATALOG_FILE: 'none',
      MARKETPLACE_NPM: 'true',
      MARKETPLACE_NPM_REGISTRY: registry.url,
      MARKETPLACE_STDIO_CPU_SECONDS: '42',
      MARKETPLACE_STDIO_MEMORY_MB: '96',
    });
    admin = await adminSession(t);
    [provider, alice] = await Promise.all([signUp(t.url), signUp(t.url)]);
    expect((await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/marketplace/providers', { user_id: provider.userId, display_name: 'Weather Co' })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    delete process.env[CANARY];
    await t?.close();
    await registry?.close();
    if (packagesDir) await rm(packagesDir, { recursive: true, force: true });
  });

  it('refuses a version that is a range or a tag, and an integrity that is not sha512', async () => {
    for (const source of [
      { type: 'npm', package: PACKAGE, version: '^1.0.0', integrity },
      { type: 'npm', package: PACKAGE, version: 'latest', integrity },
      { type: 'npm', package: PACKAGE, version: '1.0.0', integrity: 'sha1-abc' },
      { type: 'npm', package: '../evil', version: '1.0.0', integrity },
    ]) {
      expect((await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', body({ source }))).status, JSON.stringify(source)).toBe(400);
    }
    // An npm listing injects credentials as environment variables, never a platform one.
    const header = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', body({ credentials: [{ name: 'k', title: 'K', inject: { header: 'x-k' } }] }));
    expect(header.status).toBe(400);
    const platformEnv = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', body({ credentials: [{ name: 'k', title: 'K', inject: { env: 'NODE_OPTIONS' } }] }));
    expect(platformEnv.status).toBe(400);
  });

  it('a pinned integrity that is not the registry package\'s fails the inspection, and cannot be approved', async () => {
    const wrong = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
    const submitted = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', body({ slug: 'weather-wrong', source: { type: 'npm', package: PACKAGE, version: '1.0.0', integrity: wrong } }));
    expect(submitted.status).toBe(201);
    const id = submitted.json.id as string;
    const review = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/marketplace/reviews/${id}/1`);
    const inspection = review.json.inspection as Json;
    expect(inspection.ok).toBe(false);
    expect(String(inspection.error)).toContain(`the listing pins ${wrong}`);
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${id}/1/decision`, { decision: 'approve' })).status).toBe(409);
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${id}/1/decision`, { decision: 'reject', reason: 'integrity does not match' })).status).toBe(200);
  });

  it('installs from the registry with npm, inspects over stdio with the SDK client, and an admin approves', async () => {
    const submitted = await apiCall(t.url, provider.accessToken, 'POST', '/v1/marketplace/provider/listings', body());
    expect(submitted.status).toBe(201);
    listingId = submitted.json.id as string;
    const review = await apiCall(t.url, admin.accessToken, 'GET', `/v1/admin/marketplace/reviews/${listingId}/1`);
    const inspection = review.json.inspection as { ok: boolean; error?: string; server: Json; tools: Json[] };
    expect(inspection.error).toBeUndefined();
    expect(inspection.ok).toBe(true);
    expect(inspection.server).toEqual({ name: 'weather-stdio', version: '1.0.0' });
    expect(inspection.tools.map((x) => x.name).sort()).toEqual(['echo', 'env_names', 'limits']);
    const downloads = registry.downloads;
    const approved = await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/1/decision`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ state: 'approved', live_version: 1 });
    // Approval reuses the verified install of the inspection.
    expect(registry.downloads).toBe(downloads);
  });

  it('a user installs it and calls it: the child has their credential, none of the platform\'s secrets, and the limits', async () => {
    expect((await apiCall(t.url, alice.accessToken, 'POST', '/v1/marketplace/listings/weather-stdio/install')).status).toBe(201);
    expect((await apiCall(t.url, alice.accessToken, 'PUT', '/v1/services/weather-stdio/credentials', { token: 'alice-weather-token' })).status).toBe(201);
    const client = await mcpClient(t, alice.accessToken, '/mcp/weather-stdio');
    try {
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('stdio:hi');
      const env = JSON.parse(text(await client.callTool({ name: 'env_names', arguments: {} }))) as { names: string[]; weather_token: string | null };
      expect(env.weather_token).toBe('alice-weather-token');
      expect(env.names).not.toContain(CANARY);
      for (const name of env.names) expect(name, name).toMatch(/^(PATH|HOME|USER|SHELL|TERM|LOGNAME|NODE_ENV|WEATHER_TOKEN|PWD|SHLVL|_)$/);
      const limits = JSON.parse(text(await client.callTool({ name: 'limits', arguments: {} }))) as { cpu_seconds: string; address_space: string; heap_size_limit: number };
      expect(limits.cpu_seconds).toBe('42');
      expect(Number(limits.address_space)).toBe((96 + 3584) * 1024 * 1024);
      expect(limits.heap_size_limit).toBeGreaterThanOrEqual(96 * 1024 * 1024);
      expect(limits.heap_size_limit).toBeLessThan(160 * 1024 * 1024);
    } finally {
      // Ending the session gives back its lease on the child (the next test replaces an idle child).
      await endSession(client);
    }
  });

  it("a new version replaces the user's child; the old version's directory is removed once no child runs from it, a rejected one at once", async () => {
    const call = async () => {
      const client = await mcpClient(t, alice.accessToken, '/mcp/weather-stdio');
      try {
        return text(await client.callTool({ name: 'echo', arguments: { text: 'again' } }));
      } finally {
        await endSession(client);
      }
    };
    expect(await installed()).toEqual(['1']);
    const v2 = { ...body({ changelog: 'Second release', source: { type: 'npm', package: PACKAGE, version: '1.0.0', integrity, args: ['--v2'] } }) } as Json;
    delete v2.slug;
    expect((await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, v2)).status).toBe(201);
    expect(await installed()).toEqual(['1', '2']);
    // alice's child of version 1 is still running (idle in the pool): approving v2 leaves its directory.
    const oldChildren = t.platform.upstream.stdio.pids();
    expect(oldChildren.length).toBe(1);
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/2/decision`, { decision: 'approve' })).json).toMatchObject({ live_version: 2 });
    expect(await installed()).toEqual(['1', '2']);
    // Her next call stops that child and starts version 2's.
    expect(await call()).toBe('stdio:again');
    const newChildren = t.platform.upstream.stdio.pids();
    expect(newChildren.length).toBe(1);
    expect(newChildren).not.toEqual(oldChildren);
    // The next decision on the listing tidies: version 1 (no child runs from it now) and the rejected version 3 go, the live version 2 stays.
    const v3 = { ...v2, changelog: 'Third' };
    expect((await apiCall(t.url, provider.accessToken, 'POST', `/v1/marketplace/provider/listings/${listingId}/versions`, v3)).status).toBe(201);
    expect(await installed()).toEqual(['1', '2', '3']);
    expect((await apiCall(t.url, admin.accessToken, 'POST', `/v1/admin/marketplace/reviews/${listingId}/3/decision`, { decision: 'reject', reason: 'no change' })).status).toBe(200);
    expect(await installed()).toEqual(['2']);
    expect(await call()).toBe('stdio:again');
  });
});
