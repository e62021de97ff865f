import { cp, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, maskedConfig } from '../src/config/index.js';
import { createLogger, createTracing } from '../src/logging/index.js';
import { startServe, type ServeProcess } from './support/cli.js';
import { startPlatform, testEnv, type TestPlatform } from './support/platform.js';
import { textOf } from './support/upstream.js';
import { adminSession, bearer, signUp, type TestSession } from './support/users.js';
import { readJsonBody } from './support/http-body.js';

/**
 * OpenTelemetry tracing end to end (issue 4 §6), through the real platform with
 * OTEL_TRACES_EXPORTER=otlp.
 *
 * The collector is a stand-in: a local HTTP server that accepts the real OTLP/HTTP JSON wire
 * format (POST /v1/traces, ExportTraceServiceRequest) and keeps what it receives. A real
 * OpenTelemetry Collector cannot run on this machine (no binary to be had offline).
 *
 * The upstream is a real SDK MCP server over Streamable HTTP that records the `traceparent`
 * (and the injected credential header) of every request it receives.
 */

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  status?: { code?: number };
}
interface ExportRequest {
  resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const UPSTREAM_CREDENTIAL = 'upstream-credential-secret-4567';
const COLLECTOR_SECRET = 'collector-secret-9876';
const TOOL_PAYLOAD = 'payload-text-that-must-not-be-traced';

function attr(span: OtlpSpan, key: string): string | number | boolean | undefined {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue;
}

/** Stands in for an OpenTelemetry Collector's OTLP/HTTP receiver (JSON encoding). */
async function startCollector() {
  const requests: Array<{ path: string; contentType: string | undefined; headers: http.IncomingHttpHeaders; body: ExportRequest }> = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      requests.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":3,"message":"bad request"}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans: () => requests.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A real SDK MCP server over Streamable HTTP that records what arrives with each JSON-RPC request. */
async function startUpstream() {
  const seen: Array<{ method: string | undefined; traceparent: string | undefined; credential: string | undefined }> = [];
  const build = () => {
    const server = new McpServer({ name: 'traced-upstream', version: '1.0.0' });
    server.registerTool('echo', { description: 'Echo', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
      content: [{ type: 'text', text: `echo:${message}` }],
    }));
    return server;
  };
  const handler = toNodeHandler(createMcpHandler(build));
  const server = http.createServer(async (req, res) => {
    const body = await readJsonBody(req);
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const method = body && typeof body === 'object' && 'method' in body ? String((body as { method: unknown }).method) : undefined;
    seen.push({ method, traceparent: header('traceparent'), credential: header('x-upstream-token') });
    await handler(req, res, body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('logging: OpenTelemetry tracing (OTEL_TRACES_EXPORTER=otlp)', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let t: TestPlatform | undefined;
  let user: TestSession;
  const logLines: Array<Record<string, unknown>> = [];
  const incomingTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const incomingSpanId = '00f067aa0ba902b7';
  let mcpRow: { trace_id: string | null; request_id: string } | undefined;
  let restRow: { trace_id: string | null; request_id: string } | undefined;
  let restTraceresponse: string | null = null;
  let echoed = '';

  beforeAll(async () => {
    collector = await startCollector();
    upstream = await startUpstream();
    const logger = createLogger('debug', { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
    t = await startPlatform(
      {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_HEADERS: `x-collector-key=${COLLECTOR_SECRET}`,
        OTEL_SERVICE_NAME: 'mcp-platform-test',
        LOG_FLUSH_INTERVAL_MS: '50',
        // Every MCP request reads the caller's credentials from the database, so the traced request
        // has DB spans of its own (a shared registry load may belong to a concurrent request's trace).
        CREDENTIAL_CACHE_TTL_MS: '0',
      },
      { logger },
    );
    const admin = await adminSession(t);
    const created = await fetch(`${t.url}/v1/admin/services`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
      body: JSON.stringify({
        slug: 'traced',
        title: 'Traced',
        kind: 'http',
        http: { transport: 'streamable-http', instances: [upstream.url] },
        credentials: [{ name: 'token', title: 'Token', inject: { header: 'x-upstream-token' } }],
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    user = await signUp(t.url);
    const put = await fetch(`${t.url}/v1/services/traced/credentials`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bearer(user.accessToken) },
      body: JSON.stringify({ token: UPSTREAM_CREDENTIAL }),
    });
    expect(put.status, await put.clone().text()).toBeLessThan(300);

    // A real MCP tools/call through /mcp/{service} to the http upstream.
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/traced`), {
      requestInit: { headers: bearer(user.accessToken) },
    });
    const client = new Client({ name: 'tracing-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      echoed = textOf(await client.callTool({ name: 'echo', arguments: { message: TOOL_PAYLOAD } }));
    } finally {
      await client.close();
    }

    // A REST request continuing the caller's trace.
    const rest = await fetch(`${t.url}/v1/services`, {
      headers: { ...bearer(user.accessToken), traceparent: `00-${incomingTraceId}-${incomingSpanId}-01` },
    });
    expect(rest.status).toBe(200);
    restTraceresponse = rest.headers.get('traceresponse');

    await t.platform.logging.requestLog.flush();
    const rows = await t.platform.database.db.selectFrom('request_log').selectAll().where('user_id', '=', user.userId).execute();
    mcpRow = rows.find((r) => r.kind === 'mcp' && r.method === 'tools/call');
    restRow = rows.find((r) => r.kind === 'rest' && r.route === '/v1/services');
    // Graceful shutdown flushes the batched spans to the collector.
    await t.close();
    t = undefined;
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await upstream?.close();
    await collector?.close();
  });

  it('exports one trace per request: server span with auth, rate-limit, upstream and db children', () => {
    expect(echoed).toBe(`echo:${TOOL_PAYLOAD}`);
    expect(collector.requests.length).toBeGreaterThan(0);
    expect(collector.requests.every((r) => r.path === '/v1/traces' && r.contentType?.startsWith('application/json'))).toBe(true);
    // The configured collector headers are sent.
    expect(collector.requests[0]!.headers['x-collector-key']).toBe(COLLECTOR_SECRET);
    const resource = collector.requests[0]!.body.resourceSpans[0]!.resource.attributes;
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('mcp-platform-test');

    expect(mcpRow?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const traceId = mcpRow!.trace_id!;
    const spans = collector.spans().filter((s) => s.traceId === traceId);
    const roots = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
    expect(roots.map((s) => s.name)).toEqual(['POST /mcp/{service}']);
    const root = roots[0]!;
    expect(attr(root, 'http.response.status_code')).toBe(200);
    expect(attr(root, 'mcp_platform.request_id')).toBe(mcpRow!.request_id);
    expect(attr(root, 'user.id')).toBe(user.userId);

    // Every other span of the trace descends from the request span.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const descends = (s: OtlpSpan): boolean => {
      for (let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) {
        if (p === root) return true;
      }
      return false;
    };
    const children = spans.filter((s) => s !== root);
    expect(children.filter((s) => !descends(s)).map((s) => s.name)).toEqual([]);

    const names = new Set(children.map((s) => s.name));
    expect(names).toContain('auth');
    expect(names).toContain('rate-limit');
    expect(children.filter((s) => s.name === 'rate-limit').map((s) => attr(s, 'rate_limit.scope')).sort()).toEqual(['ip', 'user', 'user-service']);
    const db = children.filter((s) => attr(s, 'db.system.name') === 'postgresql');
    expect(db.length).toBeGreaterThan(0);
    expect(db.every((s) => typeof attr(s, 'db.operation.name') === 'string')).toBe(true);
    expect(db.map((s) => attr(s, 'db.collection.name'))).toContain('user_credentials');
    expect(db.every((s) => s.kind === SPAN_KIND_CLIENT)).toBe(true);

    const upstreamSpans = children.filter((s) => s.name === 'upstream tools/call');
    expect(upstreamSpans).toHaveLength(1);
    const up = upstreamSpans[0]!;
    expect(up.kind).toBe(SPAN_KIND_CLIENT);
    expect(attr(up, 'mcp.method.name')).toBe('tools/call');
    expect(attr(up, 'gen_ai.tool.name')).toBe('echo');
    expect(attr(up, 'mcp_platform.service')).toBe('traced');
    expect(attr(up, 'mcp_platform.upstream.instance')).toBe(upstream.url);

    // The upstream's parent is our upstream-call span, in the same trace.
    const call = upstream.seen.find((r) => r.method === 'tools/call');
    expect(call?.credential).toBe(UPSTREAM_CREDENTIAL);
    expect(call?.traceparent).toBe(`00-${traceId}-${up.spanId}-01`);
  });

  it('puts the OTel trace id in the request log row and in the log lines of the request', () => {
    const traceId = mcpRow!.trace_id!;
    const lines = logLines.filter((l) => l['http.request.id'] === mcpRow!.request_id);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l['trace.id'] === traceId)).toBe(true);
  });

  it('continues an incoming traceparent (REST request: server span with auth and rate-limit children)', () => {
    expect(restRow?.trace_id).toBe(incomingTraceId);
    expect(restTraceresponse).toMatch(new RegExp(`^00-${incomingTraceId}-[0-9a-f]{16}-01$`));
    const spans = collector.spans().filter((s) => s.traceId === incomingTraceId);
    const root = spans.find((s) => s.kind === SPAN_KIND_SERVER);
    expect(root?.name).toBe('GET /v1/services');
    expect(root?.parentSpanId).toBe(incomingSpanId);
    expect(restTraceresponse).toBe(`00-${incomingTraceId}-${root!.spanId}-01`);
    const children = spans.filter((s) => s.parentSpanId === root!.spanId).map((s) => s.name);
    expect(children).toEqual(expect.arrayContaining(['auth', 'rate-limit']));
    const logged = logLines.filter((l) => l['http.request.id'] === restRow!.request_id);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((l) => l['trace.id'] === incomingTraceId)).toBe(true);
  });

  it('exports no credential, token or payload', () => {
    const exported = JSON.stringify(collector.requests.map((r) => r.body));
    for (const secret of [user.accessToken, UPSTREAM_CREDENTIAL, COLLECTOR_SECRET, TOOL_PAYLOAD, 'admin-password-123']) {
      expect(exported).not.toContain(secret);
    }
    expect(exported).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no JWT of any kind
  });
});

describe('logging: tracing across a graceful shutdown', () => {
  let serve: ServeProcess | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>> | undefined;
  let dataDir = '';
  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    await collector?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM flushes every queued span to the collector', async () => {
    const N = 40;
    collector = await startCollector();
    dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-tracing-shutdown-'));
    const template = process.env.MCP_TEST_PGLITE_TEMPLATE;
    if (!process.env.DATABASE_URL && template) await cp(template, path.join(dataDir, 'pglite'), { recursive: true });
    serve = await startServe(
      testEnv({
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: '3600000', // no scheduled export: only shutdown can deliver them
      }),
    );
    const statuses = await Promise.all(
      Array.from({ length: N }, (_, i) => fetch(`${serve!.url}/burst/${i}`, { headers: { 'x-request-id': `burst-${i}` } }).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 404)).toBe(true);
    expect(collector.requests).toHaveLength(0);
    expect(await serve.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const ids = collector
      .spans()
      .filter((s) => s.kind === SPAN_KIND_SERVER)
      .map((s) => attr(s, 'mcp_platform.request_id'))
      .filter((id) => typeof id === 'string' && id.startsWith('burst-'));
    expect(new Set(ids).size).toBe(N);
    expect(ids).toHaveLength(N);
  }, 240_000);
});

describe('logging: tracing off (default)', () => {
  it('hands back the very handlers and functions it is given: the hot path pays nothing', async () => {
    const config = loadConfig(testEnv());
    expect(config.OTEL_TRACES_EXPORTER).toBe('none');
    const tracing = await createTracing({ config, logger: pino({ level: 'silent' }), serviceVersion: '0.0.0' });
    expect(tracing.enabled).toBe(false);
    expect(tracing.serverSpans).toBeUndefined();
    const handler = () => undefined;
    const fn = async (x: number) => x + 1;
    expect(tracing.middleware('auth', handler)).toBe(handler);
    expect(tracing.traced('auth', fn)).toBe(fn);
  });

  it('refuses malformed OTEL_* settings by name, without echoing the value', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(testEnv(env));
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
      }
      throw new Error('accepted');
    };
    const headers = bad({ OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign-secret-value' });
    expect(headers).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    expect(headers).not.toContain('no-equals-sign-secret-value');
    expect(bad({ OTEL_TRACES_EXPORTER: 'jaeger' })).toContain('OTEL_TRACES_EXPORTER');
    expect(bad({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' })).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(bad({ OTEL_TRACES_SAMPLER_ARG: '1.5' })).toContain('OTEL_TRACES_SAMPLER_ARG');
    // Collector headers usually hold an API key: check-config masks them.
    const masked = maskedConfig(loadConfig(testEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=collector%20key' })));
    expect(masked.OTEL_EXPORTER_OTLP_HEADERS).toBe('***** (set)');
    expect(loadConfig(testEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=collector%20key' })).OTEL_EXPORTER_OTLP_HEADERS).toEqual({ 'x-api-key': 'collector key' });
  });
});
