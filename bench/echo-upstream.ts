/**
 * The echo upstream of the MCP benchmarks: a real SDK server (one `echo` tool) over Streamable
 * HTTP at `/mcp`, serving 2026-07-28 requests and stateless 2025-era ones. Run as its own process:
 * `node --import tsx bench/echo-upstream.ts` (PORT, default 0); prints `listening <port>` on stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

function echoServer(): McpServer {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo a message', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
    content: [{ type: 'text', text: message }],
  }));
  return server;
}

const handler = createMcpHandler(() => echoServer(), { legacy: 'stateless' });
const node = toNodeHandler(handler);
const server = http.createServer((req, res) => {
  if (!req.url?.startsWith('/mcp')) {
    res.writeHead(404).end();
    return;
  }
  node(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  void handler.close().catch(() => undefined);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
