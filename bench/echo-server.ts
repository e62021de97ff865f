/**
 * The benchmark's upstream: an MCP server written with the SDK with one tool, `echo`, which
 * returns its `text` argument as a text block. One factory, two ways to serve it:
 *
 *   node bench/echo-server.ts http [port]   Streamable HTTP on 127.0.0.1 (endpoint /mcp; any path
 *                                           works). 2026-07-28 requests per request, 2025-era
 *                                           requests through the SDK's stateless fallback (no
 *                                           session: the cheapest a server can be, i.e. the limit).
 *                                           Prints `listening <port>` on stdout.
 *   node bench/echo-server.ts sessionful [port]  Streamable HTTP as most deployed servers run today:
 *                                           the SDK v1 `StreamableHTTPServerTransport` with
 *                                           `sessionIdGenerator`, a transport (and server) per
 *                                           2025-11-25 session, DELETE ends one, an unknown ID is 404.
 *                                           `GET /stats` answers the sessions it opened and closed.
 *   node bench/echo-server.ts stdio         stdio (both eras, via serveStdio).
 *
 * Plain Node runs it (Node ≥ 22.18 strips the types), so the stdio child costs what a real
 * server costs: no TypeScript loader in memory.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer as V1Server } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

export const ECHO_TOOL = 'echo';

function echoServer(): McpServer {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    ECHO_TOOL,
    { description: 'Returns its text argument', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

function v1EchoServer(): V1Server {
  const server = new V1Server({ name: 'bench-echo-sessionful', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(ECHO_TOOL, { description: 'Returns its text argument', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

/** What the sessionful server counts, answered at GET /stats. */
interface SessionStats {
  opened: number;
  closed: number;
  live: number;
  initializes: number;
}

function sessionfulHandler(): http.RequestListener {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const stats: SessionStats = { opened: 0, closed: 0, live: 0, initializes: 0 };
  const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = transports.get(sessionId);
      if (!transport) return void json(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
      return transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || (body as { method?: unknown } | undefined)?.method !== 'initialize') {
      return void json(res, 400, { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: no session' }, id: null });
    }
    stats.initializes += 1;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        stats.opened += 1;
        transports.set(id, transport);
      },
      onsessionclosed: (id) => {
        stats.closed += 1;
        transports.delete(id);
      },
    });
    await v1EchoServer().connect(transport);
    return transport.handleRequest(req, res, body);
  };
  return (req, res) => {
    if (req.method === 'GET' && req.url === '/stats') return void json(res, 200, { ...stats, live: transports.size });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        return void json(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
      }
      handle(req, res, body).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  };
}

function statelessHandler(): http.RequestListener {
  const node = toNodeHandler(createMcpHandler(() => echoServer(), { legacy: 'stateless' }));
  return (req, res) => {
    node(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'stdio') {
    serveStdio(() => echoServer());
    return;
  }
  if (mode !== 'http' && mode !== 'sessionful') throw new Error(`usage: echo-server.ts http [port] | sessionful [port] | stdio (got ${mode ?? 'nothing'})`);
  const server = http.createServer(mode === 'http' ? statelessHandler() : sessionfulHandler());
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', resolve));
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
