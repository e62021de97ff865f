import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConformanceFixture } from './fixtures/conformance-server.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { registerHttpService } from './support/services.js';
import { adminSession, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Era parity (issue 11 §2, acceptance 2) through both client-facing endpoints: a real SDK client of
 * each era calls the dual-era conformance fixture directly, through /mcp/{service} and through the
 * aggregate /mcp (names prefixed `<slug>__`, resource URIs `<slug>+`), and every exchange must come
 * back the same: each content type, an error result, logging, progress, sampling and elicitation
 * requested by the server during a call, and (2025-11-25) resource subscriptions. The conformance
 * suite cannot run against the aggregate (it expects unprefixed names); this test is that check.
 */

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
type Era = 'legacy' | 'modern';

let fixture: { url: string; close(): Promise<void> };
let t: TestPlatform;
let user: TestSession;
const slug = `dual-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  fixture = await serveConformanceFixture({ dualEra: true });
  t = await startPlatform({ CATALOG_FILE: 'none' });
  const admin = await adminSession(t);
  await registerHttpService(t.url, admin.accessToken, { slug, instances: [fixture.url] });
  user = await signUp(t.url);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await fixture?.close();
});

interface Observed {
  results: Record<string, unknown>;
  logs: unknown[];
  progress: number[];
  sampled: string[];
  elicited: string[];
  subscribed?: unknown;
}

/** Undoes the aggregate's naming, so the three ways can be compared. */
function unprefix(value: unknown, prefix: string): unknown {
  if (!prefix) return value;
  return JSON.parse(JSON.stringify(value).replaceAll(`"${slug}+`, '"').replaceAll(`"${slug}__`, '"')) as unknown;
}

async function observe(url: string, era: Era, headers: Record<string, string>, prefix: string): Promise<Observed> {
  const capabilities = { sampling: {}, elicitation: { form: {} } };
  const client =
    era === 'modern'
      ? new Client({ name: 'parity', version: '1.0.0' }, { capabilities, supportedProtocolVersions: [MODERN, LEGACY], versionNegotiation: { mode: { pin: MODERN } } })
      : new Client({ name: 'parity', version: '1.0.0' }, { capabilities, supportedProtocolVersions: [LEGACY] });
  const seen: Observed = { results: {}, logs: [], progress: [], sampled: [], elicited: [] };
  client.setNotificationHandler('notifications/message', (n) => void seen.logs.push(n.params.data));
  client.setRequestHandler('sampling/createMessage', async (req) => {
    const first = req.params.messages[0]?.content;
    seen.sampled.push(first && !Array.isArray(first) && first.type === 'text' ? first.text : 'non-text');
    return { model: 'parity-model', role: 'assistant', content: { type: 'text', text: 'pong' } };
  });
  client.setRequestHandler('elicitation/create', async (req) => {
    seen.elicited.push(req.params.message);
    return { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } };
  });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  try {
    const call = async (tool: string, args: Record<string, unknown> = {}) => {
      seen.results[tool] = unprefix(await client.callTool({ name: `${prefix}${tool}`, arguments: args }, { onprogress: (p) => void seen.progress.push(p.progress) }), prefix);
    };
    for (const tool of ['test_simple_text', 'test_image_content', 'test_audio_content', 'test_embedded_resource', 'test_multiple_content_types', 'test_error_handling']) await call(tool);
    if (era === 'legacy') await client.setLoggingLevel('debug');
    await call('test_tool_with_logging');
    await call('test_tool_with_progress');
    await call('test_sampling', { prompt: 'ping' });
    await call('test_elicitation', { message: 'Who are you?' });
    if (era === 'legacy') {
      const uri = `${prefix ? `${slug}+` : ''}test://watched-resource`;
      seen.subscribed = [await client.subscribeResource({ uri }), await client.unsubscribeResource({ uri })];
    }
    seen.results.read = unprefix(await client.readResource({ uri: `${prefix ? `${slug}+` : ''}test://static-binary` }), prefix);
    return seen;
  } finally {
    await transport.terminateSession().catch(() => undefined);
    await client.close();
  }
}

describe.each(['legacy', 'modern'] as const)('a %s client gets the same answers directly, through /mcp/{service} and through /mcp', (era) => {
  it('content types, errors, logging, progress, sampling, elicitation and subscriptions', async () => {
    const direct = await observe(fixture.url, era, {}, '');
    // The baseline itself exercised what is compared (a parity of nothing proves nothing).
    expect(Object.keys(direct.results)).toHaveLength(11);
    expect(direct.results.test_error_handling).toMatchObject({ isError: true });
    expect(direct.sampled).toEqual(['ping']);
    expect(direct.elicited).toEqual(['Who are you?']);
    expect(direct.results.test_sampling).toMatchObject({ content: [{ type: 'text', text: 'LLM response: pong' }] });
    expect(direct.progress.length).toBeGreaterThanOrEqual(1);
    if (era === 'legacy') expect(direct.logs.length).toBe(3);

    const auth = bearer(user.accessToken);
    const service = await observe(`${t.url}/mcp/${slug}`, era, auth, '');
    const aggregate = await observe(`${t.url}/mcp`, era, auth, `${slug}__`);
    for (const [name, got] of [['/mcp/{service}', service], ['/mcp', aggregate]] as const) {
      expect(got.results, name).toEqual(direct.results);
      expect(got.logs, name).toEqual(direct.logs);
      expect(got.progress, name).toEqual(direct.progress);
      expect(got.sampled, name).toEqual(direct.sampled);
      expect(got.elicited, name).toEqual(direct.elicited);
      expect(got.subscribed, name).toEqual(direct.subscribed);
    }
  }, 120_000);
});
