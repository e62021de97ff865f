import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBalancer } from '../src/router/upstream/index.js';
import { textOf } from './support/upstream.js';

/**
 * The http balancer's idle clients, against a real SDK server over Streamable HTTP (2026-07-28, no
 * upstream session): reuse for the same instance and credentials, never across credentials, never
 * after a failed request, never for per-lease headers, and bounded in all.
 */

let server: http.Server;
let url: string;
const methods: string[] = [];
let failNextPost = false;
/** The next POST that arrives on a socket that already carried one has its socket destroyed unanswered (once). */
let dropReusedOnce = false;
const usedSockets = new WeakSet<object>();
let dropped = 0;

beforeAll(async () => {
  const handler = createMcpHandler(
    () => {
      const s = new McpServer({ name: 'pool-echo', version: '1.0.0' });
      s.registerTool('ping', { description: 'pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
      return s;
    },
    { legacy: 'stateless' },
  );
  const node = toNodeHandler(handler);
  server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      // A server closing an idle kept-alive socket just as the client reuses it: the request is never read.
      if (dropReusedOnce && usedSockets.has(req.socket)) {
        dropReusedOnce = false;
        dropped++;
        req.socket.destroy();
        return;
      }
      usedSockets.add(req.socket);
      methods.push(String(req.headers['mcp-method'] ?? ''));
      if (failNextPost) {
        failNextPost = false;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
        return;
      }
    }
    node(req, res).catch(() => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function balancer(extra: { idleClientsTotal?: number } = {}): HttpBalancer {
  return new HttpBalancer({
    strategy: 'round-robin',
    timeoutMs: 10_000,
    healthIntervalMs: 60_000,
    healthTimeoutMs: 1_000,
    ejectAfterFailures: 100,
    ejectBaseMs: 1_000,
    ejectMaxMs: 10_000,
    ...extra,
  });
}

const target = () => ({ instances: [url], transport: 'streamable-http' as const });
const connects = () => methods.filter((m) => m === 'server/discover' || m === 'initialize').length;

describe('http balancer: idle upstream clients', () => {
  it('reuses a connected client for the same user and credentials, not for other credentials or users', async () => {
    const b = balancer();
    try {
      const before = connects();
      for (let i = 0; i < 3; i++) {
        const lease = await b.acquire('svc', target(), { 'x-api-key': 'a' });
        expect(textOf(await lease.client.callTool({ name: 'ping', arguments: {} }))).toBe('pong');
        await lease.release();
      }
      expect(connects() - before).toBe(1);
      expect(b.idleClientCount).toBe(1);
      const other = await b.acquire('svc', target(), { 'x-api-key': 'b' });
      await other.client.callTool({ name: 'ping', arguments: {} });
      await other.release();
      expect(connects() - before).toBe(2);
      expect(b.idleClientCount).toBe(2);
      // Same credentials, another user: not the first user's client.
      const bob = await b.acquire('svc', target(), { 'x-api-key': 'a' }, undefined, { owner: 'bob' });
      await bob.client.callTool({ name: 'ping', arguments: {} });
      await bob.release();
      expect(connects() - before).toBe(3);
    } finally {
      await b.close();
    }
    expect(b.idleClientCount).toBe(0);
  });

  it('makes the handshake once more when it met a kept-alive socket the instance had closed', async () => {
    const b = balancer();
    try {
      const first = await b.acquire('svc', target(), { 'x-api-key': 's1' });
      expect(textOf(await first.client.callTool({ name: 'ping', arguments: {} }))).toBe('pong');
      await first.release();
      // The next connect (other credentials: a new client) goes out on the kept-alive socket, which the instance drops.
      dropReusedOnce = true;
      const before = dropped;
      const second = await b.acquire('svc', target(), { 'x-api-key': 's2' });
      expect(dropped - before).toBe(1);
      expect(textOf(await second.client.callTool({ name: 'ping', arguments: {} }))).toBe('pong');
      await second.release();
    } finally {
      dropReusedOnce = false;
      await b.close();
    }
  });

  it('drops a client whose request failed, and connects a new one next time', async () => {
    const b = balancer();
    try {
      const first = await b.acquire('svc', target(), { 'x-api-key': 'f' });
      failNextPost = true;
      await expect(first.client.callTool({ name: 'ping', arguments: {} })).rejects.toThrow();
      await first.release();
      expect(b.idleClientCount).toBe(0);
      const before = connects();
      const second = await b.acquire('svc', target(), { 'x-api-key': 'f' });
      expect(textOf(await second.client.callTool({ name: 'ping', arguments: {} }))).toBe('pong');
      await second.release();
      expect(connects() - before).toBe(1);
    } finally {
      await b.close();
    }
  });

  it('keeps nothing for per-lease headers, and at most the total bound otherwise', async () => {
    const b = balancer({ idleClientsTotal: 2 });
    try {
      const once = await b.acquire('svc', target(), { 'x-context': 'unique' }, undefined, { reuse: false });
      await once.client.callTool({ name: 'ping', arguments: {} });
      await once.release();
      expect(b.idleClientCount).toBe(0);
      for (const key of ['k1', 'k2', 'k3', 'k4']) {
        const lease = await b.acquire('svc', target(), { 'x-api-key': key });
        await lease.release();
      }
      expect(b.idleClientCount).toBe(2);
    } finally {
      await b.close();
    }
  });
});
