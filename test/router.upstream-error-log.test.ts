import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamError } from '../src/router/endpoint/upstream-errors.js';
import { service } from './support/upstream.js';

/**
 * The one error mapper (router/endpoint/upstream-errors.ts) on an upstream that fails with a 500
 * whose body echoes the request, credentials included (an error page that dumps the headers): the
 * client's answer names the service only, and the log line keeps the status, never the body. A
 * real HTTP server and the real SDK client and transport (which put the body in their error).
 */
describe('an upstream 5xx that echoes the credentials', () => {
  const SECRET = 'sk-live-upstream-credential-6f2b';
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`Internal error while serving ${req.method} ${req.url}\nheaders: ${JSON.stringify(req.headers)}\nstack: at Handler.run (/srv/app/internal/handler.js:42)`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('answers the client without the body and logs the status without it (the SDK\'s HTTP error)', async () => {
    const client = new Client({ name: 'platform', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${SECRET}` } } });
    const failed = await client.connect(transport).then(
      () => undefined,
      (err: unknown) => err,
    );
    await client.close().catch(() => undefined);
    // What the SDK hands the platform carries the body (so the mapper must not pass it on).
    expect(String((failed as Error).message)).toContain(SECRET);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const answer = upstreamError(failed, service({ id: 'echo-http', config: { kind: 'http', url } as never }), logger);
    expect(JSON.stringify({ code: answer.code, message: answer.message, data: answer.data })).not.toMatch(/sk-live|internal\/handler|headers:/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain('/srv/app/internal');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'upstream request failed', err: { name: 'SdkHttpError', status: 500, message: 'CLIENT_HTTP_NOT_IMPLEMENTED (answer body not logged)' } });
  });

  it("keeps only the status of the SDK's plain 'Error POSTing to endpoint (HTTP n): <body>'", () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    upstreamError(new Error(`Error POSTing to endpoint (HTTP 502): upstream said Bearer ${SECRET}`), service({ id: 'echo-http', config: { kind: 'http', url } as never }), logger);
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0]!)).toMatchObject({ err: { status: 502, message: 'Error POSTing to endpoint (HTTP 502) (answer body not logged)' } });
  });
});
