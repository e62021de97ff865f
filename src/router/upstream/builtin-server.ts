import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { BuiltinContext, BuiltinServerFactory } from '../contracts.js';
import { BUILTIN_CONTEXT_HEADER, openBuiltinContext } from './builtin-context.js';

/**
 * Serves one builtin over Streamable HTTP (both protocol eras; stateless), for running it as its own
 * process or pod (`mcp-platform serve-builtin <name> --port N`) and registering it as an instance
 * (BUILTIN_REMOTE_INSTANCES). Every request must carry the platform's sealed context header
 * (see builtin-context.ts); without a genuine, fresh one for this builtin the answer is 401 and the
 * factory is never called. `GET /healthz` answers 200 for probes.
 */
export interface BuiltinHttpServerOptions {
  name: string;
  factory: BuiltinServerFactory;
  sharedSecret: string;
  host: string;
  port: number;
  /** The MCP endpoint path; default `/mcp`. */
  path?: string;
  maxRequestBodySize?: number;
  logger?: Logger;
}

export interface BuiltinHttpServer {
  readonly server: http.Server;
  /** The MCP endpoint URL. */
  readonly url: string;
  close(): Promise<void>;
}

const contexts = new WeakMap<object, BuiltinContext>();

export async function serveBuiltin(options: BuiltinHttpServerOptions): Promise<BuiltinHttpServer> {
  const path = options.path ?? '/mcp';
  const handler = createMcpHandler(
    (ctx) => {
      const context = ctx.authInfo ? contexts.get(ctx.authInfo) : undefined;
      if (!context) throw new Error('missing builtin context');
      return options.factory(context);
    },
    {
      legacy: 'stateless',
      maxRequestBodySize: options.maxRequestBodySize,
      onerror: (err) => options.logger?.warn({ err: { message: err.message } }, 'builtin handler error'),
    },
  );
  const node = toNodeHandler(handler, { maxRequestBodySize: options.maxRequestBodySize });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url.pathname !== path) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const header = req.headers[BUILTIN_CONTEXT_HEADER];
    const context = openBuiltinContext(options.sharedSecret, options.name, Array.isArray(header) ? header[0] : header);
    if (!context) {
      // The active health probe of the platform carries no context: a GET without one is answered
      // 401 too, which the balancer counts as alive (below 500).
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Missing or invalid platform context' } }));
      return;
    }
    const authInfo = { token: '', clientId: 'mcp-online-platform', scopes: [] as string[] };
    contexts.set(authInfo, context);
    Object.assign(req, { auth: authInfo });
    node(req as Parameters<typeof node>[0], res).catch((err: unknown) => {
      options.logger?.warn({ err: { message: (err as Error).message } }, 'builtin request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}${path}`,
    async close() {
      await handler.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
