import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceServer, serveConformanceFixture } from './fixtures/conformance-server.js';
import { runConformanceSuite } from './support/conformance.js';
import { fixtureCatalog, fixtureConnector, service, startAuthProxy, startMcpPlatform, tokenAuth, user, type McpTestPlatform } from './support/mcp.js';

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server mode, active suite,
 * spec 2025-11-25; this version of the suite has no 2026-07-28 scenarios) against our fixture
 * server (test/fixtures/conformance-server.ts): once directly, once as the builtin service
 * `conformance` reached through the platform's /mcp/conformance. The suite sends no auth, so a
 * TEST-ONLY proxy in front of the platform adds the user's bearer token. Every scenario that
 * passes directly must pass through the gateway.
 */

const alice = user('alice');
let platform: McpTestPlatform;
let direct: { url: string; close(): Promise<void> };
let proxy: { url: string; close(): Promise<void> };
const outDirs: string[] = [];
const runSuite = (url: string) => runConformanceSuite(url, outDirs);

beforeAll(async () => {
  direct = await serveConformanceFixture();
  platform = await startMcpPlatform({
    catalog: fixtureCatalog([service('conformance')]),
    connector: fixtureConnector({ conformance: () => conformanceServer() }),
    authenticate: tokenAuth([alice]),
  });
  proxy = await startAuthProxy(platform.url, alice.token, '/mcp/conformance');
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await direct?.close();
  await platform?.close();
  for (const d of outDirs) await rm(d, { recursive: true, force: true });
}, 300_000);

describe('MCP conformance suite (2025-11-25, active)', () => {
  it('passes through the gateway every scenario that passes against the fixture directly', async () => {
    const directResults = await runSuite(direct.url);
    const passedDirect = [...directResults].filter(([, ok]) => ok).map(([name]) => name).sort();
    // The suite really ran: the fixture implements every scenario of the active 2025-11-25 suite.
    expect(passedDirect.length).toBeGreaterThanOrEqual(25);
    expect(passedDirect).toEqual(expect.arrayContaining(['tools-call-simple-text', 'tools-call-with-progress', 'tools-call-sampling', 'tools-call-elicitation', 'resources-read-text']));

    const gatewayResults = await runSuite(proxy.url);
    const failedThroughGateway = passedDirect.filter((name) => gatewayResults.get(name) !== true);
    expect(failedThroughGateway).toEqual([]);
  }, 300_000);
});
