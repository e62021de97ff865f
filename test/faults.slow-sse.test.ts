import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/index.js';
import { readJsonBody } from './support/http-body.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { rawInitialize } from './support/sse.js';
import { adminSession, apiCall, signUp, type TestSession } from './support/users.js';

/**
 * Fault matrix (issue 14 §3), a slow client: an SSE consumer that never reads. An http upstream
 * answers a request with an SSE stream of log notifications, as fast as it is read, up to
 * `OFFERED` bytes; the client sends its request on a raw socket and never reads a byte of the
 * answer. Two ways through the platform: `tools/call` (the fast path, which streams the upstream's
 * bytes and stops reading the upstream while the client's socket is full) and `prompts/get` (the
 * SDK relay, which holds at most `MCP_STREAM_MAX_BUFFERED_BYTES` for the client, then cuts it off and
 * cancels the upstream request: notifications/cancelled, which this upstream honours as a
 * well-behaved server does).
 *
 * Invariants, counted in bytes: what the platform pulled from the upstream stays bounded (far below
 * what the upstream offered); what it holds in the client's socket buffer stays bounded; the relay's
 * cut-off is logged with its figure and cancels the upstream request; /healthz answers 20/20
 * throughout; a reading client on the same service is served.
 */
const OFFERED = 256 * 2 ** 20;
const EVENT = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(16 * 1024) } })}\n\n`;
const STREAM_CAP = 1024 * 1024;
/** Kernel socket buffers (loopback, on both sides of two hops) plus the platform's own bound; far below OFFERED. */
const PULLED_BOUND = 48 * 2 ** 20;

interface Rpc {
  jsonrpc: '2.0';
  id?: number | string;
  method: string;
  params?: Record<string, unknown>;
}

interface Flood {
  /** The id of the upstream request (the platform's). */
  requestId: string | number;
  /** The platform sent notifications/cancelled for it (the flood then stops). */
  cancelled: boolean;
  /** Bytes of the flood the platform took off the upstream's socket (flushed to the kernel). */
  flushed: number;
  /** The flood's response closed before it was all sent (the platform cancelled it). */
  closedEarly: boolean;
  ended: boolean;
}

/** An http upstream (2025-era Streamable HTTP, just enough to be registered) whose `boom` tool and `flood` prompt stream forever-ish. */
async function startFloodingUpstream(): Promise<{ url: string; floods: Flood[]; close(): Promise<void> }> {
  const floods: Flood[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') return void res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
      const rpc = (await readJsonBody(req)) as Rpc;
      const answer = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (rpc.id === undefined) {
        // A well-behaved server stops the work of a cancelled request.
        if (rpc.method === 'notifications/cancelled') {
          const flood = floods.find((f) => f.requestId === rpc.params?.requestId);
          if (flood) flood.cancelled = true;
        }
        return void res.writeHead(202).end();
      }
      if (rpc.method === 'initialize') {
        return answer({ jsonrpc: '2.0', id: rpc.id, result: { protocolVersion: rpc.params?.protocolVersion, capabilities: { tools: {}, prompts: {} }, serverInfo: { name: 'flooding', version: '1' } } });
      }
      if (rpc.method === 'tools/list') return answer({ jsonrpc: '2.0', id: rpc.id, result: { tools: [{ name: 'boom', inputSchema: { type: 'object' } }] } });
      if (rpc.method === 'prompts/list') return answer({ jsonrpc: '2.0', id: rpc.id, result: { prompts: [{ name: 'flood' }] } });
      const small = (rpc.params?.arguments as { small?: boolean } | undefined)?.small === true;
      if ((rpc.method !== 'tools/call' && rpc.method !== 'prompts/get') || small) {
        const result = rpc.method === 'prompts/get' ? { messages: [] } : { content: [{ type: 'text', text: 'fine' }] };
        return answer({ jsonrpc: '2.0', id: rpc.id, result });
      }
      const flood: Flood = { requestId: rpc.id, flushed: 0, closedEarly: false, ended: false, cancelled: false };
      floods.push(flood);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.on('close', () => (flood.closedEarly = !flood.ended));
      let offered = 0;
      const pump = () => {
        while (offered < OFFERED && !res.destroyed && !flood.cancelled) {
          offered += EVENT.length;
          const more = res.write(EVENT, () => (flood.flushed += EVENT.length));
          if (!more) return void res.once('drain', pump);
        }
        if (res.destroyed) return;
        if (flood.cancelled) return void res.end();
        flood.ended = true;
        const result = rpc.method === 'prompts/get' ? { messages: [] } : { content: [{ type: 'text', text: 'done' }] };
        res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: rpc.id, result })}\n\n`);
      };
      pump();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    floods,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads `socket` until an SSE event carrying the JSON-RPC response to `id` arrives; returns that event's data. */
function finalEvent(socket: net.Socket, id: number, boundMs: number): Promise<string> {
  const marker = `"id":${id},`;
  return new Promise((resolve, reject) => {
    // Only the tail is kept: the notifications before the response run to megabytes.
    let tail = '';
    const timer = setTimeout(() => done(new Error(`no response to id ${id} within ${boundMs} ms`)), boundMs);
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString('latin1')).slice(-64 * 1024);
      const at = tail.indexOf(marker);
      const end = at < 0 ? -1 : tail.indexOf('\n\n', at);
      if (end >= 0) done(undefined, tail.slice(tail.lastIndexOf('data: ', at), end));
    };
    const done = (err?: Error, data?: string) => {
      clearTimeout(timer);
      socket.off('data', onData);
      if (err) reject(err);
      else resolve(data!);
    };
    socket.on('data', onData);
  });
}

describe('faults: an SSE consumer that never reads', () => {
  let t: TestPlatform;
  let user: TestSession;
  let upstream: Awaited<ReturnType<typeof startFloodingUpstream>>;
  const logLines: Array<Record<string, unknown>> = [];
  const figures: string[] = [];

  beforeAll(async () => {
    upstream = await startFloodingUpstream();
    // The platform's log lines (JSON), to find the cut-off's.
    const logger = createLogger('info', new Writable({ write: (chunk, _enc, cb) => (logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>), cb()) }));
    t = await startPlatform({ MCP_STREAM_MAX_BUFFERED_BYTES: String(STREAM_CAP), MCP_UPSTREAM_TIMEOUT_MS: '10000', CATALOG_CACHE_TTL_MS: '0' }, { logger });
    const admin = await adminSession(t);
    user = await signUp(t.url);
    const res = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', { slug: 'flood', title: 'flood', kind: 'http', http: { transport: 'streamable-http', instances: [upstream.url] } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  }, 180_000);
  afterAll(async () => {
    console.log(`[faults] never-reading SSE consumer: ${figures.join('; ')}`);
    await t?.close();
    await upstream?.close();
  });

  /** n fresh /healthz probes; how many answered 200 (each within a generous 5 s). */
  const probe = async (n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${t.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      if (res?.status === 200) ok++;
      await res?.body?.cancel();
    }
    return ok;
  };

  /** Sends `message` in the session on a raw socket that is never read; returns it and the server's end of it. */
  const stalledRequest = async (sessionId: string, message: Rpc) => {
    const port = Number(new URL(t.url).port);
    const server = t.platform.server;
    // The server's end of the connection: the one that arrives while this client connects.
    let serverSide: net.Socket | undefined;
    const onConnection = (s: net.Socket) => (serverSide ??= s);
    server.on('connection', onConnection);
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
    while (!serverSide) await sleep(5);
    server.off('connection', onConnection);
    // Never read: nothing is taken off the kernel's receive buffer.
    client.pause();
    client.on('error', () => undefined);
    const body = JSON.stringify(message);
    client.write(
      `POST /mcp/flood HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${user.accessToken}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nMcp-Session-Id: ${sessionId}\r\nMcp-Protocol-Version: 2025-11-25\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return { client, serverSide: () => serverSide };
  };

  /** Waits until the flood stops moving (no byte pulled for 2 s) or its response closed; samples the server's buffered bytes meanwhile. */
  const untilStill = async (flood: () => Flood | undefined, serverSide: () => net.Socket | undefined) => {
    let last = -1;
    let still = 0;
    let maxBuffered = 0;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      await sleep(250);
      const s = serverSide();
      if (s && !s.destroyed) maxBuffered = Math.max(maxBuffered, s.writableLength);
      const f = flood();
      if (!f) continue;
      if (f.closedEarly || f.ended || f.cancelled) break;
      if (f.flushed === last) {
        if (++still >= 8) break;
      } else {
        still = 0;
        last = f.flushed;
      }
    }
    return { maxBuffered };
  };

  it.each([
    ['tools/call', 'the fast path stops reading the upstream while the client does not read'],
    ['prompts/get', 'the SDK relay cuts the client off past MCP_STREAM_MAX_BUFFERED_BYTES and cancels the upstream request'],
  ] as const)('%s: %s; memory bounded, /healthz up', async (method, _what) => {
    const sessionId = await rawInitialize(`${t.url}/mcp/flood`, user.accessToken);
    const before = upstream.floods.length;
    const rssBefore = process.memoryUsage().rss;
    const params = method === 'tools/call' ? { name: 'boom', arguments: {} } : { name: 'flood', arguments: {} };
    const { client, serverSide } = await stalledRequest(sessionId, { jsonrpc: '2.0', id: 7, method, params });
    try {
      const flood = () => upstream.floods[before];
      const { maxBuffered } = await untilStill(flood, serverSide);
      const healthz = await probe(20);
      const f = flood();
      expect(f, 'the request reached the upstream').toBeDefined();
      const pulledMb = f!.flushed / 2 ** 20;
      const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      // Bounded: the upstream offered OFFERED bytes; the platform took a bounded part of them.
      expect(f!.ended, 'the whole flood was pulled through a client that reads nothing').toBe(false);
      expect(f!.flushed).toBeLessThan(PULLED_BOUND);
      // What Node holds for the client's socket (beyond the kernel's buffers): about one event over its high-water mark.
      expect(maxBuffered).toBeLessThanOrEqual(STREAM_CAP + EVENT.length);
      expect(healthz).toBe(20);
      const cut = logLines.find((l) => l.message === 'mcp: client not reading its stream: cut off');
      if (method === 'prompts/get') {
        // The relay cut the client off (logged, with the figure) and the upstream request was cancelled.
        expect(cut, JSON.stringify(logLines)).toBeDefined();
        expect(cut!.bufferedBytes as number).toBeGreaterThan(STREAM_CAP);
        expect(f!.cancelled || f!.closedEarly, 'the upstream request was cancelled').toBe(true);
      }
      if (method === 'tools/call') {
        // The fast path's call ends at MCP_UPSTREAM_TIMEOUT_MS without a chunk read (the upstream
        // request aborted); its error names the client that did not read, not the upstream (which
        // was answering, paused by TCP). Read only once the call has ended.
        const deadline = Date.now() + 60_000;
        while (!f!.closedEarly && Date.now() < deadline) await sleep(100);
        expect(f!.closedEarly, 'the upstream request was aborted at MCP_UPSTREAM_TIMEOUT_MS').toBe(true);
        client.resume();
        const answer = await finalEvent(client, 7, 60_000);
        expect(answer, answer).toContain('did not read its answer');
        expect(answer).toContain('client_not_reading');
        expect(answer).not.toContain('did not answer in time');
      }
      figures.push(
        `${method}: pulled ${pulledMb.toFixed(1)} MB of ${OFFERED / 2 ** 20} MB offered, server socket buffer max ${(maxBuffered / 1024).toFixed(0)} KB, ` +
          `upstream request ${f!.cancelled ? 'cancelled (notifications/cancelled)' : f!.closedEarly ? 'aborted' : 'paused'}${cut ? `, cut off at ${String(cut.bufferedBytes)} bytes buffered` : ''}, /healthz ${healthz}/20, RSS ${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(1)} MB`,
      );
    } finally {
      client.destroy();
    }
    // A reading client on the same service is served meanwhile and afterwards.
    const ok = await fetch(`${t.url}/mcp/flood`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'boom', arguments: { small: true } } }),
    });
    expect(await ok.text()).toContain('fine');
  }, 180_000);
});
