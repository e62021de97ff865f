import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonBody } from './support/http-body.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Fault matrix (issue 14 §3), upstreams that misbehave on tools/call. Already covered elsewhere and
 * not repeated here: a hung upstream and one that is down (test/mcp.failures.test.ts), a 50 MB
 * body cut at MCP_MAX_RESPONSE_BYTES without buffering (test/upstream.response-cap.test.ts), a
 * stdio child killed mid-call (mcp.failures). This file fills the gaps: an upstream that crashes
 * mid-stream, answers garbage JSON, answers non-JSON, streams forever, drips one byte a second.
 *
 * The upstream is a raw HTTP server speaking just enough Streamable HTTP (initialize, tools/list)
 * to be registered and connected; it misbehaves on tools/call by path. Invariant for each: the
 * caller gets a JSON-RPC error (not a hang, not a dropped connection) in bounded time, the platform
 * process stays up and its RSS bounded, and a normal call on the same service works afterwards.
 */
const TIMEOUT_MS = 2_000;
const MODES = ['crash-mid-stream', 'garbage-json', 'non-json', 'streams-forever', 'drips'] as const;
type Mode = (typeof MODES)[number];

interface Rpc {
  jsonrpc: '2.0';
  id?: number | string;
  method: string;
  params?: Record<string, unknown>;
}

function misbehave(mode: Mode, rpc: Rpc, res: http.ServerResponse, timers: Set<NodeJS.Timeout>): void {
  const every = (ms: number, fn: () => void) => {
    const timer = setInterval(fn, ms);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  };
  switch (mode) {
    case 'crash-mid-stream':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: message\ndata: {"jsonrpc":"2.0","id":${JSON.stringify(rpc.id)},"result":{"content":[{"type":"text","text":"half`);
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    case 'garbage-json':
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"jsonrpc":"2.0","id":${JSON.stringify(rpc.id)},"result":{{{{ not json`);
      return;
    case 'non-json':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway (nginx)</body></html>');
      return;
    case 'streams-forever':
      // An SSE stream that never carries the answer: a log notification every 20 ms, for ever.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      every(20, () => res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(1024) } })}\n\n`));
      return;
    case 'drips': {
      const body = JSON.stringify({ jsonrpc: '2.0', id: rpc.id, result: { content: [{ type: 'text', text: 'finally' }] } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      let at = 0;
      every(1_000, () => {
        if (at < body.length) res.write(body[at++]!);
      });
      return;
    }
  }
}

async function startMisbehavingUpstream(): Promise<{ url: (mode: Mode | 'ok') => string; calls: Map<string, number>; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') return void res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
      const rpc = (await readJsonBody(req)) as Rpc;
      const mode = (req.url ?? '/').slice(1) as Mode | 'ok';
      const answer = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (rpc.id === undefined) return void res.writeHead(202).end();
      if (rpc.method === 'initialize') {
        return answer({ jsonrpc: '2.0', id: rpc.id, result: { protocolVersion: rpc.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'misbehaving', version: '1' } } });
      }
      if (rpc.method === 'tools/list') return answer({ jsonrpc: '2.0', id: rpc.id, result: { tools: [{ name: 'boom', inputSchema: { type: 'object' } }] } });
      if (rpc.method !== 'tools/call') return answer({ jsonrpc: '2.0', id: rpc.id, error: { code: -32601, message: 'Method not found' } });
      calls.set(mode, (calls.get(mode) ?? 0) + 1);
      if (mode === 'ok') return answer({ jsonrpc: '2.0', id: rpc.id, result: { content: [{ type: 'text', text: 'fine' }] } });
      misbehave(mode, rpc, res, timers);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (mode) => `http://127.0.0.1:${port}/${mode}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('faults: upstreams that misbehave on tools/call', () => {
  let t: TestPlatform;
  let user: TestSession;
  let upstream: Awaited<ReturnType<typeof startMisbehavingUpstream>>;
  const figures: string[] = [];

  beforeAll(async () => {
    // MCP_UPSTREAM_MAX_CALL_MS bounds a call that progress keeps alive (default 600 s); shortened here as a backstop.
    t = await startPlatform({ MCP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), MCP_UPSTREAM_MAX_CALL_MS: '5000', HTTP_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), CATALOG_CACHE_TTL_MS: '0' });
    const admin = await adminSession(t);
    user = await signUp(t.url);
    upstream = await startMisbehavingUpstream();
    for (const mode of [...MODES, 'ok'] as const) {
      const res = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', { slug: `up-${mode}`, title: mode, kind: 'http', http: { transport: 'streamable-http', instances: [upstream.url(mode)] } });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
    }
  }, 180_000);
  afterAll(async () => {
    console.log(`[faults] upstream: ${figures.join('; ')}`);
    await t?.close();
    await upstream?.close();
  });

  const callBoom = async (slug: string) => {
    const client = new Client({ name: 'faults-upstream', version: '1.0.0' });
    const started = Date.now();
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/${slug}`), { requestInit: { headers: bearer(user.accessToken) } }));
      const result = await client.callTool({ name: 'boom', arguments: {} }, { timeout: 120_000 });
      return { result, ms: Date.now() - started };
    } catch (error) {
      return { error, ms: Date.now() - started };
    } finally {
      await client.close().catch(() => undefined);
    }
  };

  it.each(MODES)('%s: a JSON-RPC error in bounded time, the platform unharmed, the next call served', async (mode) => {
    const rssBefore = process.memoryUsage().rss;
    const { error, result, ms } = await callBoom(`up-${mode}`);
    expect(result, `expected an error, got ${JSON.stringify(result)}`).toBeUndefined();
    expect(error, String(error)).toBeInstanceOf(ProtocolError);
    const e = error as ProtocolError;
    expect(e.message).toMatch(/service|upstream|timed? ?out|answer/i);
    expect(upstream.calls.get(mode)).toBeGreaterThanOrEqual(1);
    // Bounded: a few times the configured timeout at most (a generous bound, not a timing claim).
    expect(ms).toBeLessThan(TIMEOUT_MS * 10);
    const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    expect(growthMb).toBeLessThan(200);
    figures.push(`${mode}: error after ${ms} ms (${JSON.stringify(e.message).slice(0, 120)}), RSS +${growthMb.toFixed(1)} MB`);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ok = await callBoom('up-ok');
    expect(ok.error, String(ok.error)).toBeUndefined();
    expect(ok.result?.content).toEqual([{ type: 'text', text: 'fine' }]);
  }, 60_000);
});
