import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer, type McpHttpHandler } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureCatalog, service, startMcpPlatform, tokenAuth, user, type McpTestPlatform } from './support/mcp.js';
import { openSse, rawInitialize, rawPost, type SseStream } from './support/sse.js';

/**
 * Issue 3 §3 protocol features through the real platform and the real stdio pool (one child per
 * user and service, shared by that user's sessions), against a real SDK stdio server
 * (test/fixtures/signal-server.ts) that emits notifications and server→client requests on demand:
 * - resumability: a dropped GET stream is resumed with Last-Event-ID and gets the missed event once;
 * - 2026-07-28 subscriptions/listen: upstream change events reach the user's listeners only;
 * - two sessions of one user on one stdio child: sampling and logs reach the session whose call is in flight.
 * Catalog and authentication are the test-only stand-ins of test/support/mcp.ts.
 */

const alice = user('alice');
const bob = user('bob');
let gateDir: string;
let t: McpTestPlatform;
// A real 2026-07-28 upstream (the SDK's createMcpHandler over HTTP): it sends change events only on listen streams.
let modernUpstream: { handler: McpHttpHandler; server: http.Server; url: string };

beforeAll(async () => {
  gateDir = await mkdtemp(path.join(tmpdir(), 'signal-gates-'));
  const signal = service('signal', {
    kind: 'stdio',
    config: { kind: 'stdio', command: 'node', args: ['--import', 'tsx', path.resolve('test/fixtures/signal-server.ts')], env: { SIGNAL_GATE_DIR: gateDir } },
  });
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 'modern-upstream', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
    server.registerTool('hello', { description: 'Say hello' }, async () => ({ content: [{ type: 'text', text: 'hello' }] }));
    return server;
    // 2026-07-28 only: a 2025-era session is bridged to it (its GET stream gets the change events
    // through the platform's listen upstream); an upstream that speaks 2025 too gets the client's era.
  }, { legacy: 'reject' });
  const node = toNodeHandler(handler);
  const server = http.createServer((req, res) => void node(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  modernUpstream = { handler, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` };
  const modern = service('modern', { kind: 'http', config: { kind: 'http', instances: [modernUpstream.url], transport: 'streamable-http' } });
  t = await startMcpPlatform({ catalog: fixtureCatalog([signal, modern]), authenticate: tokenAuth([alice, bob]) });
}, 300_000);

afterAll(async () => {
  await t?.close();
  if (modernUpstream) {
    await modernUpstream.handler.close();
    modernUpstream.server.closeAllConnections();
    await new Promise((r) => modernUpstream.server.close(r));
  }
  if (gateDir) await rm(gateDir, { recursive: true, force: true });
}, 120_000);

async function connect(pathname: string, token: string, era: 'legacy' | 'modern', capabilities = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}${pathname}`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'protocol-test', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities } : { capabilities });
  await client.connect(transport);
  return { client, transport };
}

function text(result: unknown): string {
  return (result as { content: Array<{ text?: string }> }).content.map((c) => c.text ?? '').join('');
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('resumability (2025-era GET stream, Last-Event-ID)', () => {
  it('replays the event missed while the stream was down, exactly once, and nothing to another session', async () => {
    const url = `${t.url}/mcp/signal`;
    const sid = await rawInitialize(url, alice.token);
    const call = (id: number, kind: string) => rawPost(url, alice.token, sid, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'emit', arguments: { kind } } });

    // A change event reaches the GET stream, with an event ID.
    let stream: SseStream = await openSse(url, alice.token, sid);
    await call(1, 'tools');
    const first = await stream.next((e) => e.data?.method === 'notifications/tools/list_changed');
    expect(first.id).toBeTruthy();

    // The stream drops; the upstream changes meanwhile.
    stream.close();
    await call(2, 'tools');

    // Reconnect with Last-Event-ID: the missed event arrives once, then the stream goes on live.
    stream = await openSse(url, alice.token, sid, first.id);
    await call(3, 'tools');
    const missed = await stream.next((e) => e.data?.method === 'notifications/tools/list_changed');
    expect(missed.id).not.toBe(first.id);
    const live = await stream.next((e) => e.data?.method === 'notifications/tools/list_changed');
    expect(live.id).not.toBe(missed.id);
    const seen = stream.events.filter((e) => e.data?.method === 'notifications/tools/list_changed').map((e) => e.id);
    expect(new Set(seen).size).toBe(seen.length); // no event twice
    expect(seen).toEqual([missed.id, live.id]);
    stream.close();

    // Another session (of the same user) presenting this session's event ID gets nothing replayed.
    const other = await rawInitialize(url, alice.token);
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${alice.token}`, accept: 'text/event-stream', 'mcp-session-id': other, 'mcp-protocol-version': '2025-11-25', 'last-event-id': first.id! },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('list_changed');
  });
});

describe('subscriptions/listen (2026-07-28)', () => {
  it("delivers the user's upstream change events to that user's listeners only, names as the endpoint shows them", async () => {
    const single = await connect('/mcp/signal', alice.token, 'modern');
    const aggregate = await connect('/mcp', alice.token, 'modern');
    const other = await connect('/mcp/signal', bob.token, 'modern');
    const got = { single: [] as string[], aggregate: [] as string[], bob: [] as string[] };
    const record = (c: Client, into: string[]) => {
      c.setNotificationHandler('notifications/tools/list_changed', () => void into.push('tools'));
      c.setNotificationHandler('notifications/resources/updated', (n) => void into.push(`updated ${n.params.uri}`));
    };
    record(single.client, got.single);
    record(aggregate.client, got.aggregate);
    record(other.client, got.bob);
    try {
      const s1 = await single.client.listen({ toolsListChanged: true, resourceSubscriptions: ['signal://state'] });
      const s2 = await aggregate.client.listen({ toolsListChanged: true, resourceSubscriptions: ['signal+signal://state'] });
      const s3 = await other.client.listen({ toolsListChanged: true, resourceSubscriptions: ['signal://state'] });
      expect(s1.honoredFilter.toolsListChanged).toBe(true);
      expect(s2.honoredFilter.resourceSubscriptions).toEqual(['signal+signal://state']);

      // Alice's upstream changes (triggered from another of her clients).
      const actor = await connect('/mcp/signal', alice.token, 'modern');
      await actor.client.callTool({ name: 'emit', arguments: { kind: 'tools' } });
      await until(() => got.single.includes('tools') && got.aggregate.includes('tools'), "alice's list_changed");
      // The listen watcher subscribed the upstream to the resource; the update arrives in each endpoint's names.
      await until(() => got.single.length > 0, 'watcher');
      for (let i = 0; i < 50 && !got.single.some((g) => g.startsWith('updated')); i++) {
        await actor.client.callTool({ name: 'emit', arguments: { kind: 'resource' } });
        await new Promise((r) => setTimeout(r, 100));
      }
      await until(() => got.aggregate.some((g) => g.startsWith('updated')), 'aggregate resource update');
      expect(got.single).toContain('updated signal://state');
      expect(got.aggregate).toContain('updated signal+signal://state');
      await actor.client.close();

      // Bob's own change reaches Bob; none of Alice's did.
      const bobActor = await connect('/mcp/signal', bob.token, 'modern');
      await bobActor.client.callTool({ name: 'emit', arguments: { kind: 'tools' } });
      await until(() => got.bob.includes('tools'), "bob's list_changed");
      expect(got.bob).toEqual(['tools']);
      await bobActor.client.close();
      await Promise.all([s1.close(), s2.close(), s3.close()]);
    } finally {
      await Promise.all([single.client.close(), aggregate.client.close(), other.client.close()]);
    }
  });
});

describe('two sessions of one user on one stdio child', () => {
  it('sends sampling and logs of a call to the session whose call is in flight', async () => {
    const logs = { one: [] as string[], two: [] as string[] };
    const sessions = await Promise.all(
      (['one', 'two'] as const).map(async (name) => {
        const s = await connect('/mcp/signal', alice.token, 'legacy', { sampling: {} });
        s.client.setRequestHandler('sampling/createMessage', async (req) => {
          const c = req.params.messages[0]?.content;
          return { model: 'm', role: 'assistant', content: { type: 'text', text: `${name} answers ${c && !Array.isArray(c) && c.type === 'text' ? c.text : '?'}` } };
        });
        s.client.setNotificationHandler('notifications/message', (n) => void logs[name].push(String(n.params.data)));
        return s;
      }),
    );
    const [one, two] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    try {
      // Both sessions share the one child of (alice, signal).
      const pid = text(await one.client.callTool({ name: 'pid', arguments: {} }));
      expect(text(await two.client.callTool({ name: 'pid', arguments: {} }))).toBe(pid);

      // Session one's call waits upstream; session two uses the child meanwhile (and is done);
      // then the waiting call asks for sampling: it must reach session one.
      const pending = one.client.callTool({ name: 'ask', arguments: { question: 'q1', gate: 'g1' } });
      await until(() => logs.one.includes('waiting q1'), 'the call to be in flight');
      expect(text(await two.client.callTool({ name: 'ask', arguments: { question: 'q2' } }))).toBe('two answers q2');
      await writeFile(path.join(gateDir, 'g1'), '');
      expect(text(await pending)).toBe('one answers q1');
      await until(() => logs.one.includes('heard one answers q1'), "session one's log");
      expect(logs.two).not.toContain('waiting q1');
      expect(logs.two).not.toContain('heard one answers q1');
      expect(logs.one).not.toContain('heard two answers q2');
      expect(logs.two).toContain('heard two answers q2');
    } finally {
      for (const s of sessions) {
        await s.transport.terminateSession().catch(() => undefined);
        await s.client.close();
      }
    }
  });
});

describe('a 2026-07-28 upstream', () => {
  it("sends its change events on the platform's listen stream upstream, to listeners and to GET streams", async () => {
    const listener = await connect('/mcp/modern', alice.token, 'modern');
    const got: string[] = [];
    listener.client.setNotificationHandler('notifications/tools/list_changed', () => void got.push('tools'));
    const sub = await listener.client.listen({ toolsListChanged: true });
    const url = `${t.url}/mcp/modern`;
    const sid = await rawInitialize(url, alice.token);
    const stream = await openSse(url, alice.token, sid);
    const onStream = () => stream.events.some((e) => e.data?.method === 'notifications/tools/list_changed');
    try {
      // The platform opens its listen upstream once its connections are up; publish until both saw one.
      for (let i = 0; i < 100 && !(got.length > 0 && onStream()); i++) {
        modernUpstream.handler.notify.toolsChanged();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(got.length).toBeGreaterThan(0);
      expect(onStream()).toBe(true);
      const event = stream.events.find((e) => e.data?.method === 'notifications/tools/list_changed')!;
      expect(JSON.stringify(event.data)).not.toContain('subscriptionId'); // the upstream's own listen ID stays upstream
    } finally {
      stream.close();
      await sub.close();
      await listener.client.close();
    }
  });
});
