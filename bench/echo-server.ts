/**
 * The benchmark's upstream: an MCP server written with the SDK with one tool, `echo`, which
 * returns its `text` argument as a text block. One factory, two ways to serve it:
 *
 *   node bench/echo-server.ts http [port]   Streamable HTTP on 127.0.0.1 (endpoint /mcp; any path
 *                                           works). 2026-07-28 requests per request, 2025-era
 *                                           requests through the SDK's stateless fallback (no
 *                                           session: the cheapest a server can be, i.e. the limit).
 *                                           Prints `listening <port>` on stdout.
 *   node bench/echo-server.ts stdio         stdio (both eras, via serveStdio).
 *
 * Plain Node runs it (Node ≥ 22.18 strips the types), so the stdio child costs what a real
 * server costs: no TypeScript loader in memory.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
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

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'stdio') {
    serveStdio(() => echoServer());
    return;
  }
  if (mode !== 'http') throw new Error(`usage: echo-server.ts http [port] | stdio (got ${mode ?? 'nothing'})`);
  const handler = createMcpHandler(() => echoServer(), { legacy: 'stateless' });
  const node = toNodeHandler(handler);
  const server = http.createServer((req, res) => {
    node(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
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
