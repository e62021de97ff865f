import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkResponse } from '../src/router/upstream/sdk-response.js';

/**
 * The SDK client transport's view of an upstream answer (src/router/upstream/sdk-response.ts),
 * against a real HTTP server over a real undici connection: an SSE answer holding only the response
 * is handed over as JSON, anything else streams as it came, the cap applies, the connection is kept.
 */

const CALL = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
const RESPONSE = JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [] } });
const PROGRESS = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } });
const sse = (...data: string[]) => data.map((d) => `event: message\ndata: ${d}\n\n`).join('');

type Handler = (res: http.ServerResponse) => void;

describe('router: the SDK transport reads upstream answers through sdkResponse', () => {
  let server: http.Server;
  let url: string;
  let next: Handler = () => undefined;
  let connections = 0;
  const agent = new Agent({ keepAliveTimeout: 10_000 });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => next(res));
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const answer = async (handler: Handler, limit?: number, method = 'POST', body: string | undefined = CALL) => {
    next = handler;
    const raw = await request(url, { method: method as 'POST', body, dispatcher: agent });
    return sdkResponse(raw, method, body, limit);
  };

  it('hands over an SSE answer that holds only the response as JSON, and keeps the connection', async () => {
    const plain = async () => {
      next = (r) => r.end('{}');
      await (await request(url, { method: 'POST', body: CALL, dispatcher: agent })).body.text();
    };
    // undici opens a second connection for the second request (whatever the first one's body); warm both.
    await plain();
    await plain();
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const res = await answer((r) => {
        r.writeHead(200, { 'content-type': 'text/event-stream' });
        r.end(sse(RESPONSE));
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual(JSON.parse(RESPONSE));
    }
    await plain();
    expect(connections - before).toBe(0);
  });

  it('streams an SSE answer whose first event is not the response, from its first byte, events in order', async () => {
    const res = await answer((r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.write(sse(PROGRESS));
      setTimeout(() => r.end(sse(RESPONSE)), 30);
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(await res.text()).toBe(sse(PROGRESS, RESPONSE));
  });

  it('streams an answer with more after the response in the same read, a response to another id, and a request without an id', async () => {
    const both = await answer((r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.end(sse(RESPONSE, PROGRESS));
    });
    expect(await both.text()).toBe(sse(RESPONSE, PROGRESS));
    const other = await answer((r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.end(sse(RESPONSE.replace('"id":7', '"id":8')));
    });
    expect(other.headers.get('content-type')).toBe('text/event-stream');
    const note = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const notification = await answer((r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.end(sse(RESPONSE));
    }, undefined, 'POST', note);
    expect(notification.headers.get('content-type')).toBe('text/event-stream');
    expect(await notification.text()).toBe(sse(RESPONSE));
  });

  it('reads a JSON answer whole, passes a 202 and a GET stream as they are', async () => {
    const json = await answer((r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' });
      r.end(RESPONSE);
    });
    expect(json.headers.get('mcp-session-id')).toBe('s1');
    expect(await json.text()).toBe(RESPONSE);
    const accepted = await answer((r) => r.writeHead(202).end());
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe('');
    const get = await answer((r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.write(sse(PROGRESS));
      setTimeout(() => r.end(), 20);
    }, undefined, 'GET', undefined);
    expect(await get.text()).toBe(sse(PROGRESS));
  });

  it('applies the response cap: an SSE answer ends with an error response for the request, a JSON one breaks', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'x'.repeat(5_000) }] } });
    const capped = await answer((r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.end(sse(big));
    }, 1_000);
    expect(capped.headers.get('content-type')).toBe('application/json');
    const message = (await capped.json()) as { id: number; error: { data: { reason: string } } };
    expect(message.id).toBe(7);
    expect(message.error.data.reason).toBe('upstream_response_too_large');
    const json = await answer((r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.end(big);
    }, 1_000);
    await expect(json.text()).rejects.toThrow(/larger than MCP_MAX_RESPONSE_BYTES/);
  });

  it('hands over a body that breaks while read ahead as a body that breaks', async () => {
    const res = await answer((r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.write('{"jsonrpc":"2.0",');
      setTimeout(() => r.destroy(), 20);
    });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});
