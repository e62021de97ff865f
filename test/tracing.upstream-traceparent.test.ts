import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport, SUPPORTED_PROTOCOL_VERSIONS, type FetchLike } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonBody } from './support/http-body.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { registerHttpService } from './support/services.js';
import { textOf } from './support/upstream.js';
import { adminSession, bearer, signUp, type TestSession } from './support/users.js';

/**
 * W3C trace context reaches http upstreams with OpenTelemetry OFF (the default): every request an
 * upstream gets for a client's call carries `traceparent` with the call's trace ID and the
 * platform's span of that call as its parent: exactly what the platform answered the client in
 * `traceresponse`. A real SDK server over Streamable HTTP records the header of every request; the
 * calls go the SDK relay way (a 2025-11-25 session) and the fast path's bytes way (2026-07-28, once the
 * instance is known to speak it).
 */

const MODERN = '2026-07-28';
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

interface Seen {
  method: string;
  traceparent: string | undefined;
}

async function startUpstream() {
  const seen: Seen[] = [];
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'traceparent-upstream', version: '1.0.0' });
      server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
        content: [{ type: 'text', text: `echo:${text}` }],
      }));
      return server;
    },
    { legacy: 'stateless' },
  );
  const node = toNodeHandler(handler);
  const server = http.createServer((req, res) => {
    const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
    if (req.method !== 'POST') {
      seen.push({ method: req.method ?? '', traceparent });
      return void node(req, res).catch(() => res.end());
    }
    void readJsonBody(req).then((body) => {
      seen.push({ method: String((body as { method?: unknown } | undefined)?.method), traceparent });
      node(req, res, body).catch(() => res.end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    seen,
    async close() {
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A client whose fetch keeps the `traceresponse` the platform answered each `tools/call` with. */
async function clientOf(base: string, slug: string, token: string, opts: { modern: boolean; traceparent?: string }) {
  const traceresponses: string[] = [];
  const fetchKeepingTrace: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    if (typeof init?.body === 'string' && init.body.includes('"tools/call"')) traceresponses.push(response.headers.get('traceresponse') ?? '');
    return response;
  };
  const client = opts.modern
    ? new Client({ name: 'traceparent-test', version: '1.0.0' }, { supportedProtocolVersions: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS], versionNegotiation: { mode: { pin: MODERN } } })
    : new Client({ name: 'traceparent-test-2025', version: '1.0.0' });
  const headers = { ...bearer(token), ...(opts.traceparent ? { traceparent: opts.traceparent } : {}) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/${slug}`), { requestInit: { headers }, fetch: fetchKeepingTrace }));
  return { client, traceresponses };
}

describe('traceparent to http upstreams with OpenTelemetry off', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let t: TestPlatform;
  let user: TestSession;
  let slug: string;

  beforeAll(async () => {
    upstream = await startUpstream();
    t = await startPlatform({ OTEL_TRACES_EXPORTER: 'none', CATALOG_FILE: 'none' });
    const admin = await adminSession(t);
    slug = `tp-${randomBytes(3).toString('hex')}`;
    await registerHttpService(t.url, admin.accessToken, { slug, instances: [upstream.url] });
    user = await signUp(t.url);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  /** The traceparent of each tools/call the upstream received since `from`. */
  const upstreamCalls = (from: number) => upstream.seen.slice(from).filter((s) => s.method === 'tools/call').map((s) => s.traceparent);

  it('a 2025-11-25 session (SDK relay): the call carries the caller\'s trace, its sampled flag, and the platform\'s span as parent', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const { client, traceresponses } = await clientOf(t.url, slug, user.accessToken, { modern: false, traceparent: `00-${traceId}-${callerSpan}-00` });
    try {
      const from = upstream.seen.length;
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'a' } }))).toBe('echo:a');
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'b' } }))).toBe('echo:b');
      const sent = upstreamCalls(from);
      expect(sent).toHaveLength(2);
      // Each call is its own platform span in the caller's trace; the upstream's parent is that span.
      expect(sent).toEqual(traceresponses);
      for (const header of sent) {
        expect(header).toMatch(TRACEPARENT);
        expect(header!.split('-')[1]).toBe(traceId);
        expect(header!.split('-')[2]).not.toBe(callerSpan);
        expect(header!.split('-')[3]).toBe('00');
      }
      expect(new Set(sent).size).toBe(2);
      // The session's other upstream requests (initialize, its notification) carry a trace too.
      expect(upstream.seen.slice(from).every((s) => s.traceparent !== undefined && TRACEPARENT.test(s.traceparent))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a 2026-07-28 client: the first call (SDK relay) and the next (the fast path, as bytes) carry the trace alike', async () => {
    const traceId = randomBytes(16).toString('hex');
    const { client, traceresponses } = await clientOf(t.url, slug, user.accessToken, { modern: true, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    try {
      const from = upstream.seen.length;
      for (const text of ['c', 'd', 'e']) expect(textOf(await client.callTool({ name: 'echo', arguments: { text } }))).toBe(`echo:${text}`);
      const sent = upstreamCalls(from);
      expect(sent).toHaveLength(3);
      expect(sent).toEqual(traceresponses);
      for (const header of sent) expect(header!.split('-')[1]).toBe(traceId);
    } finally {
      await client.close();
    }
  });

  it('without a caller\'s traceparent: a new trace per request, the one the platform answered with', async () => {
    const { client, traceresponses } = await clientOf(t.url, slug, user.accessToken, { modern: true });
    try {
      const from = upstream.seen.length;
      await client.callTool({ name: 'echo', arguments: { text: 'f' } });
      await client.callTool({ name: 'echo', arguments: { text: 'g' } });
      const sent = upstreamCalls(from);
      expect(sent).toEqual(traceresponses);
      expect(sent.every((h) => h !== undefined && TRACEPARENT.test(h) && h.endsWith('-01'))).toBe(true);
      expect(new Set(sent.map((h) => h!.split('-')[1])).size).toBe(2);
    } finally {
      await client.close();
    }
  });
});
