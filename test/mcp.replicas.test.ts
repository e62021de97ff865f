import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from './support/platform.js';
import { user } from './support/mcp.js';
import { openSse, rawInitialize, rawPost } from './support/sse.js';

/**
 * Two platform replicas as two OS processes (test/fixtures/mcp-replica.ts), sharing the master key
 * (and PostgreSQL/Redis in server mode). One 2025-era session alternates its requests between them.
 */

interface Replica {
  child: ChildProcess;
  url: string;
  pid: number;
  dataDir: string;
}

const alice = user('alice');
const replicas: Replica[] = [];

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-replica-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/mcp-replica.ts'], {
    env: { ...process.env, ...env, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
  const { url, pid } = JSON.parse(line) as { url: string; pid: number };
  return { child, url, pid, dataDir };
}

beforeAll(async () => {
  const env = testEnv(); // one schema + key prefix for both replicas in server mode
  replicas.push(await startReplica(env), await startReplica(env));
}, 300_000);

afterAll(async () => {
  for (const r of replicas) {
    const exited = new Promise((resolve) => r.child.once('exit', resolve));
    r.child.kill('SIGTERM');
    await exited;
    await rm(r.dataDir, { recursive: true, force: true });
  }
}, 300_000);

describe('two replicas', () => {
  it('serve one 2025-era session with requests alternating between them', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const hits: string[] = [];
    let n = 0;
    // Every HTTP request of the session goes to the other replica than the one before.
    const alternate: typeof fetch = async (input, init) => {
      const target = n++ % 2 === 0 ? a : b;
      const u = new URL(input instanceof Request ? input.url : String(input));
      const rewritten = `${target.url}${u.pathname}${u.search}`;
      hits.push(target.url);
      return fetch(rewritten, init);
    };
    const transport = new StreamableHTTPClientTransport(new URL(`${a.url}/mcp/alpha`), {
      fetch: alternate,
      requestInit: { headers: { Authorization: `Bearer ${alice.token}` } },
    });
    const client = new Client({ name: 'replica-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler('sampling/createMessage', async (req) => {
      const first = req.params.messages[0]?.content;
      const question = first && !Array.isArray(first) && first.type === 'text' ? first.text : '';
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: `answer to ${question}` } };
    });
    await client.connect(transport);
    expect(transport.sessionId).toBeTruthy();
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');

    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      const text = (result.content as Array<{ text: string }>)[0]!.text;
      seen.add(text);
      expect(text).toMatch(/^alpha@\d+$/);
    }
    // Both replicas served calls of this one session.
    expect(seen).toEqual(new Set([`alpha@${a.pid}`, `alpha@${b.pid}`]));
    expect(new Set(hits)).toEqual(new Set([a.url, b.url]));
    expect((await client.listTools()).tools.map((x) => x.name)).toContain('echo');

    // Another user presenting this session ID is refused on either replica.
    for (const r of [a, b]) {
      const res = await fetch(`${r.url}/mcp/alpha`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${user('bob').token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': transport.sessionId!,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      expect(res.status).toBe(404);
    }

    if (process.env.REDIS_URL) {
      // A server→client request (sampling) whose answer the client POSTs to the other replica:
      // the answer crosses over Redis to the replica holding the waiting call.
      for (let i = 0; i < 4; i++) {
        const result = await client.callTool({ name: 'ask', arguments: { question: `q${i}` } });
        expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(new RegExp(`^alpha@\\d+ heard: answer to q${i}$`));
      }
    }

    if (process.env.REDIS_URL) {
      // With Redis, ending the session on one replica ends it on every replica.
      const sid = transport.sessionId!;
      await transport.terminateSession();
      const res = await fetch(`${b.url}/mcp/alpha`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sid,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'tools/list' }),
      });
      expect(res.status).toBe(404);
    }
    await client.close();
  });

  it.skipIf(!process.env.REDIS_URL)('resume a dropped GET stream on the other replica with Last-Event-ID (shared event log)', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const sid = await rawInitialize(`${a.url}/mcp/signal`, alice.token);
    const announce = (r: Replica, id: number) =>
      rawPost(`${r.url}/mcp/signal`, alice.token, sid, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'announce', arguments: {} } });
    const isChange = (e: { data?: { method?: string } }) => e.data?.method === 'notifications/tools/list_changed';

    let stream = await openSse(`${a.url}/mcp/signal`, alice.token, sid);
    await announce(a, 1);
    const first = await stream.next(isChange);
    stream.close();
    // While the client is away, replica A's lingering stream records the upstream's change.
    await announce(a, 2);
    stream = await openSse(`${b.url}/mcp/signal`, alice.token, sid, first.id);
    const missed = await stream.next(isChange);
    expect(missed.id).not.toBe(first.id);
    await announce(b, 3);
    const live = await stream.next(isChange);
    const seen = stream.events.filter(isChange).map((e) => e.id);
    expect(seen).toEqual([missed.id, live.id]);
    stream.close();
  });

  it.skipIf(!process.env.REDIS_URL)("carry a user's listen events to that user's listeners on every replica, and to no one else", async () => {
    const [a, b] = replicas as [Replica, Replica];
    const open = async (r: Replica, token: string) => {
      const transport = new StreamableHTTPClientTransport(new URL(`${r.url}/mcp/signal`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
      const client = new Client({ name: 'listen-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
      await client.connect(transport);
      const got: string[] = [];
      client.setNotificationHandler('notifications/tools/list_changed', () => void got.push('tools'));
      const sub = await client.listen({ toolsListChanged: true });
      return { client, got, sub };
    };
    const onA = await open(a, alice.token);
    const onB = await open(b, alice.token);
    const bobOnB = await open(b, user('bob').token);
    try {
      // The watcher of the listener on A holds an upstream instance on A; announce there.
      for (let i = 0; i < 100 && onB.got.length === 0; i++) {
        await onA.client.callTool({ name: 'announce', arguments: {} });
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(onB.got.length).toBeGreaterThan(0);
      expect(onA.got.length).toBeGreaterThan(0);
      expect(bobOnB.got).toEqual([]);
    } finally {
      for (const l of [onA, onB, bobOnB]) {
        await l.sub.close();
        await l.client.close();
      }
    }
  });
});
