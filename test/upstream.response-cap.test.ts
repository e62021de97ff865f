import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { capResponseBody } from '../src/router/upstream/response-cap.js';
import { oversizedMessageId } from '../src/router/upstream/stdio-transport.js';
import { readJsonBody } from './support/http-body.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, signUp, type TestSession } from './support/users.js';

/**
 * MCP_MAX_RESPONSE_BYTES (issue 14 §3): an upstream that answers tools/call with 50 MB gets cut off
 * at the cap, and the caller gets a JSON-RPC error naming it. The upstream is the real SDK server
 * over Streamable HTTP; for the tools `huge-json` and `huge-sse` the test's HTTP layer answers
 * instead, streaming the 50 MB with backpressure and counting what it could write: if the platform
 * stops reading at the cap, the count stays near the cap (plus socket buffers), not 50 MB.
 * Two platforms: the passthrough (default) and the SDK relay (MCP_PASSTHROUGH=false).
 */

const CAP = 1024 * 1024;
const HUGE = 50 * 1024 * 1024;
const MODERN = '2026-07-28';

interface Upstream {
  url: string;
  /** Bytes each huge answer managed to write before the platform hung up. */
  written: number[];
  close(): Promise<void>;
}

/** Streams `head`, HUGE bytes of 'x', then `tail`, honouring backpressure; resolves with the bytes written. */
function streamHuge(res: http.ServerResponse, head: string, tail: string): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let left = HUGE;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let done = false;
    const finish = () => {
      if (!done) resolve(written);
      done = true;
    };
    res.on('close', () => {
      left = 0;
      finish();
    });
    const write = (b: Buffer | string) => {
      written += Buffer.byteLength(b);
      return res.write(b);
    };
    write(head);
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!write(piece)) return void res.once('drain', pump);
      }
      if (!done) {
        write(tail);
        res.end();
      }
    };
    pump();
  });
}

async function startUpstream(): Promise<Upstream> {
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'huge-upstream', version: '1.0.0' });
      server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({ content: [{ type: 'text', text: `echo:${text}` }] }));
      server.registerTool('huge-json', { description: '50 MB as one JSON body' }, async () => ({ content: [] }));
      server.registerTool('huge-sse', { description: '50 MB as one SSE event' }, async () => ({ content: [] }));
      server.registerTool('chatty', { description: 'Many events, each under the cap, more than the cap in all' }, async () => ({ content: [] }));
      return server;
    },
    { legacy: 'stateless' },
  );
  const node = toNodeHandler(handler);
  const written: number[] = [];
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return void node(req, res).catch(() => res.end());
    void readJsonBody(req).then(async (parsed) => {
      const body = parsed as { method?: string; id?: number | string; params?: { name?: string } } | undefined;
      const tool = body?.method === 'tools/call' ? body.params?.name : undefined;
      const id = JSON.stringify(body?.id ?? null);
      const head = `{"jsonrpc":"2.0","id":${id},"result":{"resultType":"complete","content":[{"type":"text","text":"`;
      const tail = '"}]}}';
      if (tool === 'huge-json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        written.push(await streamHuge(res, head, tail));
      } else if (tool === 'huge-sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        written.push(await streamHuge(res, `event: message\ndata: ${head}`, `${tail}\n\n`));
      } else if (tool === 'chatty') {
        // 40 log notifications of 100 KB (4 MB in all, four times the cap), then the result.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const note = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'n'.repeat(100 * 1024) } });
        for (let i = 0; i < 40; i++) res.write(`event: message\r\ndata: ${note}\r\n\r\n`);
        res.end(`event: message\ndata: ${head}chatty done${tail}\n\n`);
      } else {
        node(req, res, parsed).catch(() => res.end());
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    written,
    async close() {
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function platformWith(upstream: Upstream, env: Record<string, string>): Promise<{ t: TestPlatform; user: TestSession; slug: string }> {
  const t = await startPlatform({ MCP_MAX_RESPONSE_BYTES: String(CAP), CATALOG_FILE: 'none', HTTP_UPSTREAM_TIMEOUT_MS: '5000', MCP_UPSTREAM_TIMEOUT_MS: '20000', ...env });
  const admin = await adminSession(t);
  const slug = `cap-${randomBytes(3).toString('hex')}`;
  const created = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', { slug, title: slug, kind: 'http', http: { transport: 'streamable-http', instances: [upstream.url] } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return { t, user: await signUp(t.url), slug };
}

async function client(base: string, slug: string, token: string, modern: boolean): Promise<Client> {
  const c = modern
    ? new Client({ name: 'cap-test', version: '1.0.0' }, { supportedProtocolVersions: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS], versionNegotiation: { mode: { pin: MODERN } } })
    : new Client({ name: 'cap-test', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/${slug}`), { requestInit: { headers: bearer(token) } }));
  return c;
}

async function outcome(c: Client, name: string): Promise<{ result?: unknown; error?: { code: unknown; message: unknown; data: unknown } }> {
  try {
    return { result: await c.callTool({ name, arguments: name === 'echo' ? { text: 'after' } : {} }) };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; data?: unknown };
    return { error: { code: e.code, message: e.message, data: e.data } };
  }
}

describe('MCP_MAX_RESPONSE_BYTES: upstream answers above the cap', () => {
  let upstream: Upstream;
  const platforms: Array<{ t: TestPlatform; user: TestSession; slug: string }> = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    platforms.push(await platformWith(upstream, {}), await platformWith(upstream, { MCP_PASSTHROUGH: 'false' }));
  }, 180_000);
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const p of platforms) await p.t.close();
    await upstream?.close();
  });

  it.each([
    ['passthrough, 2026-07-28 client', 0, true],
    ['passthrough, 2025 client', 0, false],
    ['SDK relay, 2026-07-28 client', 1, true],
    ['SDK relay, 2025 client', 1, false],
  ] as const)('%s: a 50 MB answer (JSON and SSE) is cut at the cap with an error naming it; memory stays bounded', async (_label, index, modern) => {
    const p = platforms[index]!;
    const c = await client(p.t.url, p.slug, p.user.accessToken, modern);
    clients.push(c);
    expect((await outcome(c, 'echo')).result).toMatchObject({ content: [{ type: 'text', text: 'echo:after' }] });
    const rssBefore = process.memoryUsage().rss;
    for (const tool of ['huge-json', 'huge-sse']) {
      upstream.written.length = 0;
      const answer = await outcome(c, tool);
      expect(answer.error, `${tool}: ${JSON.stringify(answer).slice(0, 300)}`).toMatchObject({
        code: -32000,
        message: expect.stringContaining(`MCP_MAX_RESPONSE_BYTES (${CAP} bytes)`),
        data: { reason: 'upstream_response_too_large' },
      });
      await until(() => upstream.written.length === 1);
      // Read up to the cap, plus what socket buffers held: far from the 50 MB offered.
      expect(upstream.written[0], tool).toBeLessThan(16 * 1024 * 1024);
    }
    // Two 50 MB answers never entered this process (the platform runs in it): RSS grows by less than one of them.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(HUGE);
    // The session and the instance still work.
    expect((await outcome(c, 'echo')).result).toMatchObject({ content: [{ type: 'text', text: 'echo:after' }] });
    // An SSE stream is capped per event: 4 MB in forty events under the cap passes whole.
    const chatty = await outcome(c, 'chatty');
    expect(chatty.result, JSON.stringify(chatty).slice(0, 400)).toMatchObject({ content: [{ type: 'text', text: 'chatty done' }] });
  }, 120_000);
});

describe('MCP_MAX_RESPONSE_BYTES: a stdio child that answers above the cap', () => {
  let t: TestPlatform;
  let user: TestSession;
  const pidFile = join(tmpdir(), `huge-stdio-${randomBytes(4).toString('hex')}.pid`);

  beforeAll(async () => {
    t = await startPlatform({ MCP_MAX_RESPONSE_BYTES: String(CAP), CATALOG_FILE: 'none', MCP_UPSTREAM_TIMEOUT_MS: '20000' });
    const admin = await adminSession(t);
    const created = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug: 'huge-stdio',
      title: 'Huge stdio',
      kind: 'stdio',
      stdio: { command: process.execPath, args: [fileURLToPath(new URL('./fixtures/huge-stdio.mjs', import.meta.url))], env: { PID_FILE: pidFile } },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    user = await signUp(t.url);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(pidFile, { force: true });
  });

  it.each([
    ['2026-07-28 client', true],
    ['2025 client', false],
  ] as const)('%s: a 50 MB line is dropped as it arrives; the call gets an error naming the cap; the same child serves the next call', async (_label, modern) => {
    const c = await client(t.url, 'huge-stdio', user.accessToken, modern);
    try {
      const echo = async () => c.callTool({ name: 'echo', arguments: { text: 'after' } });
      expect(await echo()).toMatchObject({ content: [{ type: 'text', text: 'echo:after' }] });
      const pid = await readFile(pidFile, 'utf8');
      const rssBefore = process.memoryUsage().rss;
      const error = await c.callTool({ name: 'huge', arguments: { mb: 50 } }).then(
        (result) => ({ result }),
        (err: { code?: unknown; message?: unknown; data?: unknown }) => ({ code: err.code, message: err.message, data: err.data }),
      );
      expect(error, JSON.stringify(error).slice(0, 300)).toMatchObject({
        code: -32000,
        message: expect.stringContaining(`MCP_MAX_RESPONSE_BYTES (${CAP} bytes)`),
        data: { reason: 'upstream_response_too_large' },
      });
      // Buffered whole, 50 MB of JSON text costs this process (the platform runs in it) several times that.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(HUGE);
      // The child was not restarted: the oversized line was skipped, the next line read.
      expect(await echo()).toMatchObject({ content: [{ type: 'text', text: 'echo:after' }] });
      expect(await readFile(pidFile, 'utf8')).toBe(pid);
      // Just under the cap passes whole.
      const under = await c.callTool({ name: 'huge', arguments: { mb: 0.9 } });
      expect((under.content as Array<{ text: string }>)[0]!.text.length).toBe(Math.round(0.9 * 1024 * 1024));
    } finally {
      await c.close().catch(() => undefined);
    }
  }, 120_000);
});

describe('oversizedMessageId (unit): the id of a dropped line, from its first and last bytes', () => {
  it.each([
    ['{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"xxxx', 'xxxx"}]}}\n', 7],
    ['{"result":{"content":[{"type":"text","text":"xxxx', 'xxxx"}]},"jsonrpc":"2.0","id":"a\\"b"}\r\n', 'a"b'],
    ['{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"xxx', 'xxx"}}\n', 3],
    // A nested id is not the message's: it is followed by a `}` that is not the last.
    ['{"result":{"content":[{"type":"text","text":"xxxx', 'xxx","meta":{"id":5}}}\n', undefined],
    // A request or notification from the server has no answer to fail.
    ['{"method":"notifications/message","params":{"data":"xxx', 'xxx"},"jsonrpc":"2.0","id":9}\n', undefined],
    ['garbage', 'garbage', undefined],
  ] as const)('%s … %s → %s', (head, tail, id) => {
    expect(oversizedMessageId(head, tail)).toBe(id);
  });
});

describe('capResponseBody (unit)', () => {
  const collect = async (chunks: string[], type: string, limit: number) => {
    async function* source() {
      for (const c of chunks) yield Buffer.from(c);
    }
    const out: string[] = [];
    try {
      for await (const piece of capResponseBody(source(), type, limit)) out.push(Buffer.from(piece).toString());
      return { out };
    } catch (err) {
      return { out, error: (err as Error).message };
    }
  };

  it('passes whole SSE events only, even when boundaries straddle chunks, and cuts one event above the cap', async () => {
    const ok = await collect(['data: a\n', '\ndata: b\r', '\n\r', '\ndata: c', '\n\n'], 'text/event-stream', 12);
    expect(ok.error).toBeUndefined();
    expect(ok.out.join('')).toBe('data: a\n\ndata: b\r\n\r\ndata: c\n\n');
    // Nothing of an event is passed before its end: the half event is held back, then refused.
    const cut = await collect(['data: short\n\n', 'data: 0123456789', '0123456789'], 'text/event-stream', 16);
    expect(cut).toEqual({ out: ['data: short\n\n'], error: expect.stringContaining('MCP_MAX_RESPONSE_BYTES (16 bytes)') });
  });

  it('counts a JSON body as a whole', async () => {
    expect(await collect(['{"a":', '1}'], 'application/json', 7)).toEqual({ out: ['{"a":', '1}'] });
    expect((await collect(['{"a":', '12}'], 'application/json', 7)).error).toContain('MCP_MAX_RESPONSE_BYTES (7 bytes)');
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
