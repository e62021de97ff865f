import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConformanceFixture } from './fixtures/conformance-server.js';
import { runConformanceSuite } from './support/conformance.js';
import { startAuthProxy } from './support/mcp.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, bearer, signUp } from './support/users.js';

/**
 * Era parity through a real http upstream (issue 11 §2). The conformance fixture is served as an
 * upstream that speaks both 2025-11-25 (sessions) and 2026-07-28 on one URL, registered as an
 * http service of the real platform. The official conformance suite (its newest version, once per
 * `--spec-version`: 2025-11-25 and 2026-07-28) runs against it directly and through /mcp/{service}
 * (a TEST-ONLY proxy adds the user's bearer token): every scenario that passes directly must pass
 * through the gateway. Before the platform spoke the
 * client's era upstream, this upstream was spoken to in 2026-07-28 for a 2025 client, and
 * subscriptions, sampling, elicitation and every tools/call failed through the gateway.
 */

let direct: { url: string; close(): Promise<void> };
let t: TestPlatform;
let proxy: { url: string; close(): Promise<void> };
const outDirs: string[] = [];

beforeAll(async () => {
  direct = await serveConformanceFixture({ dualEra: true });
  t = await startPlatform({
    CATALOG_FILE: 'none',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000',
  });
  const admin = await adminSession(t);
  const slug = `dual-${randomBytes(3).toString('hex')}`;
  const res = await fetch(`${t.url}/v1/admin/services`, {
    method: 'POST',
    headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
    body: JSON.stringify({ slug, title: slug, kind: 'http', http: { transport: 'streamable-http', instances: [direct.url] } }),
  });
  expect(res.status, await res.text()).toBe(201);
  const user = await signUp(t.url);
  proxy = await startAuthProxy(t.url, user.accessToken, `/mcp/${slug}`);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await t?.close();
  await direct?.close();
  for (const d of outDirs) await rm(d, { recursive: true, force: true });
}, 300_000);

describe('era parity through an http upstream that speaks 2025-11-25 and 2026-07-28', () => {
  // The scenarios each era's client must see behave the same through the gateway (server-initiated
  // requests and subscriptions exist in 2025-11-25; 2026-07-28 has its own set).
  const mustPass: Record<string, string[]> = {
    '2025-11-25': ['tools-call-simple-text', 'tools-call-sampling', 'tools-call-elicitation', 'resources-subscribe', 'resources-unsubscribe', 'tools-call-with-logging'],
    '2026-07-28': ['tools-call-simple-text', 'tools-call-with-progress', 'tools-call-mixed-content', 'server-sse-multiple-streams'],
  };
  it.each(['2025-11-25', '2026-07-28'])('a %s client: the conformance suite passes through the gateway every scenario it passes directly', async (specVersion) => {
    const directResults = await runConformanceSuite(direct.url, outDirs, specVersion);
    const passedDirect = [...directResults].filter(([, ok]) => ok).map(([name]) => name).sort();
    expect(passedDirect.length).toBeGreaterThanOrEqual(specVersion === '2025-11-25' ? 25 : 15);
    expect(passedDirect).toEqual(expect.arrayContaining(mustPass[specVersion]!));
    const gatewayResults = await runConformanceSuite(proxy.url, outDirs, specVersion);
    const failedThroughGateway = passedDirect.filter((name) => gatewayResults.get(name) !== true);
    expect(failedThroughGateway).toEqual([]);
  }, 300_000);
});
