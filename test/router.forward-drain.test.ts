import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { Client, SdkHttpError } from '@modelcontextprotocol/client';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Principal } from '../src/gateway/index.js';
import { trackConnections } from '../src/gateway/index.js';
import { createInternalStdioEndpoint } from '../src/router/index.js';
import type { ResolvedService, UpstreamConnector, UpstreamLease } from '../src/router/contracts.js';
import { upstreamError } from '../src/router/endpoint/upstream-errors.js';
import { ReplicaRing, rendezvousOwner, StdioForwarder, stdioOwnershipKey, type Replica, type ReplicaDirectory } from '../src/router/upstream/index.js';
import { parseMasterKey, Vault } from '../src/vault/index.js';
import { TEST_MASTER_KEY } from './support/platform.js';

/**
 * The forwarded stdio handshake while the owner replica drains and a successor takes its port
 * (docs/operations.md, "Rolling restart"): the real forwarder (upstream/stdio-forwarder.ts), the
 * real owner endpoint (endpoint/stdio-owner.ts) on a real HTTP server with the real connection
 * drain (gateway/connection-drain.ts), in one process. The owner's stdio child is an in-memory
 * SDK server with an `echo` tool (what is tested is the hop between the replicas, not the child).
 */
const vault = new Vault(parseMasterKey(TEST_MASTER_KEY, 'PLATFORM_ENCRYPTION_KEY'));
const logger = pino({ level: process.env.FORWARD_DRAIN_LOG ?? 'silent' });
const service: ResolvedService = {
  definition: {
    id: 'svc-echo',
    slug: 'echo',
    title: 'echo',
    description: '',
    kind: 'stdio',
    enabled: true,
    roles: ['user', 'admin'],
    toolPolicy: {},
    credentialSchema: [],
    config: { kind: 'stdio', command: 'node', args: [] },
  },
  credentials: {},
};

/** How many times each `echo` text ran, on any replica. */
const executed = new Map<string, number>();

/** The owner's local connector: an in-memory SDK server with `echo`, one per lease. */
const local: UpstreamConnector = {
  async connect(_p, _s, options): Promise<UpstreamLease> {
    const server = new McpServer({ name: 'echo', version: '1.0.0' });
    server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => {
      executed.set(text, (executed.get(text) ?? 0) + 1);
      return { content: [{ type: 'text', text }] };
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'owner-local', version: '1.0.0' });
    options?.configureClient?.(client);
    await client.connect(clientSide);
    return { client, instance: 'stdio:test', release: async () => { await client.close(); await server.close(); } };
  },
};

interface Owner {
  replica: Replica;
  server: http.Server;
  /** platform.close()'s drain: forwarded sessions end, the listener closes, connections drain. */
  drain(): Promise<void>;
}

async function startOwner(
  id: string,
  port = 0,
  options: { before?: express.RequestHandler; server?: http.ServerOptions } = {},
): Promise<Owner> {
  const endpoint = createInternalStdioEndpoint({
    vault,
    replicaId: () => id,
    catalog: { listUsable: async () => [service], resolve: async (_p, slug) => (slug === service.definition.slug ? service : undefined) },
    local,
    logger,
    requestTimeoutMs: 30_000,
    maxRequestBodySize: 1_048_576,
  });
  const app = express();
  app.use(express.json());
  if (options.before) app.use(options.before);
  app.use(endpoint.router);
  const server = http.createServer({ keepAliveTimeout: 5_000, ...options.server }, app);
  const connections = trackConnections(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    replica: { id, address },
    server,
    drain: () =>
      new Promise<void>((resolve) => {
        endpoint.drain();
        void connections.drain().then(() => resolve());
        void endpoint.close();
      }),
  };
}

/** A directory whose live set the test sets: what the forwarding replica last saw. */
class StaticDirectory implements ReplicaDirectory {
  readonly kind = 'redis';
  constructor(public live_: Replica[]) {}
  async beat(): Promise<void> {}
  async live(): Promise<Replica[]> {
    return this.live_;
  }
  async leave(): Promise<void> {}
}

const self: Replica = { id: 'forwarder', address: 'http://127.0.0.1:1' };

/** A user whose stdio key the owner wins over the forwarder and `also` (so the call is forwarded there). */
function userOwnedBy(ownerId: string, also: string[] = []): Principal {
  for (let i = 0; ; i++) {
    const userId = `user-${i}`;
    const key = stdioOwnershipKey(userId, service.definition.id);
    if (rendezvousOwner(key, [self, { id: ownerId, address: '' }, ...also.map((id) => ({ id, address: '' }))])?.id === ownerId) {
      return { userId, role: 'user', email: `${userId}@example.test`, via: 'jwt' };
    }
  }
}

/** What Node's HTTP server writes on a connection whose headers timeout expired, before closing it. */
const NODE_408 = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

describe('stdio forwarding while the owner drains', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('serves forwarded calls through an owner (baseline)', async () => {
    const owner = await startOwner('owner-a');
    cleanup.push(() => owner.drain());
    const ring = new ReplicaRing(new StaticDirectory([self, owner.replica]), { id: self.id, address: self.address, heartbeatMs: 600_000, ttlMs: 600_000 });
    await ring.refresh();
    cleanup.push(() => ring.close());
    const forwarder = new StdioForwarder({ vault, replicas: ring, connectTimeoutMs: 5_000, startTimeoutMs: 10_000, logger });
    cleanup.push(() => forwarder.close());
    const principal = userOwnedBy('owner-a');
    for (let i = 0; i < 5; i++) {
      const lease = await forwarder.connect(principal, service, undefined, () => Promise.reject(new Error('not the owner')));
      expect(lease.instance).toBe('replica:owner-a');
      const result = (await lease.client.callTool({ name: 'echo', arguments: { text: `hi ${i}` } })) as { content: Array<{ text: string }> };
      expect(result.content[0]?.text).toBe(`hi ${i}`);
      await lease.release();
    }
  });

  // The drain closes no pooled connection under a call being written on it (the forwarder could
  // not tell such a call from one a replica killed after reading it, and would fail it rather than
  // send it twice): each ends after an answer saying `Connection: close`, or is dropped by the
  // forwarder before the owner's keep-alive timeout. So no call fails, none runs twice.
  it('runs no forwarded call twice and fails none while the owner drains under concurrent calls', { timeout: 60_000 }, async () => {
    executed.clear();
    const owner = await startOwner('owner-d');
    const ring = new ReplicaRing(new StaticDirectory([self, owner.replica]), { id: self.id, address: self.address, heartbeatMs: 600_000, ttlMs: 600_000 });
    await ring.refresh();
    cleanup.push(() => ring.close());
    const forwarder = new StdioForwarder({ vault, replicas: ring, connectTimeoutMs: 5_000, startTimeoutMs: 10_000, logger });
    cleanup.push(() => forwarder.close());
    const principal = userOwnedBy('owner-d');
    const errors: string[] = [];
    const instances = new Map<string, number>();
    let stop = false;
    const loop = async (n: number) => {
      for (let i = 0; !stop; i++) {
        // A local lease is in memory (microtasks only): let timers run between calls.
        await new Promise((r) => setImmediate(r));
        try {
          // As the relay does: a 404 for the forwarded session (the owner drained it; nothing was
          // processed) leases again and makes the call there, twice at most.
          for (let renewal = 0; ; renewal++) {
            // After the owner is gone this replica is the next owner: its local lease.
            const lease = await forwarder.connect(principal, service, undefined, () => local.connect(principal, service));
            try {
              const result = (await lease.client.callTool({ name: 'echo', arguments: { text: `${n}-${i}` } }, { timeout: 5_000 })) as { content: Array<{ text: string }> };
              if (result.content[0]?.text !== `${n}-${i}`) errors.push(`wrong answer ${JSON.stringify(result)}`);
              instances.set(lease.instance, (instances.get(lease.instance) ?? 0) + 1);
              break;
            } catch (err) {
              if (renewal >= 2 || !(err instanceof SdkHttpError) || err.status !== 404) throw err;
            } finally {
              await lease.release();
            }
          }
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    };
    const loops = Array.from({ length: 8 }, (_, n) => loop(n));
    // Forwarded calls under way (counted, not timed: on a loaded host the first handshakes take a while).
    await until(() => (instances.get('replica:owner-d') ?? 0) >= 8 || errors.length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 100));
    const drainStart = Date.now();
    const drained = owner.drain().then(() => `drained in ${Date.now() - drainStart} ms`);
    console.log('drain:', await Promise.race([drained, new Promise((r) => setTimeout(() => r('not drained after 10 s'), 10_000))]));
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    console.log('errors so far', errors.length, [...instances]);
    await Promise.all(loops);
    expect(errors).toEqual([]);
    expect([...executed].filter(([, n]) => n > 1)).toEqual([]);
    expect(instances.get('replica:owner-d')).toBeGreaterThan(0);
  });

  it('Node cuts a connection that sent no request for HEADERS_TIMEOUT_MS with a bare 408, even when a request arrived as its check ran', async () => {
    // The owner's side of the rolling restart's failures ('POST initialize: 408'): a connection the
    // forwarder's pool opened and never used is "active since connect" to Node's connection
    // checker; when the forwarder writes a request on it just as the owner's loop (busy: a loaded
    // host) comes round to the check, the check runs first (timers before I/O) and answers 408.
    let served = 0;
    const server = http.createServer({ headersTimeout: 1_000, requestTimeout: 2_000, connectionsCheckingInterval: 100 }, (_req, res) => {
      served += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as AddressInfo).port;
    // The client in a thread of its own, so that it writes while this loop is busy.
    const client = new Worker(
      `const net = require('node:net');
       const { parentPort, workerData } = require('node:worker_threads');
       const socket = net.connect(workerData.port, '127.0.0.1', () => parentPort.postMessage('connected'));
       let answer = '';
       socket.on('data', (d) => { answer += d; });
       let error = '';
       socket.on('error', (e) => { error = e.code; });
       socket.on('close', () => parentPort.postMessage({ answer, error }));
       parentPort.on('message', () => socket.write('POST /internal/router/stdio/echo HTTP/1.1\\r\\nHost: owner\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}'));`,
      { eval: true, workerData: { port } },
    );
    cleanup.push(() => client.terminate());
    const messages: unknown[] = [];
    const answered = new Promise<{ answer: string; error: string }>((resolve) =>
      client.on('message', (m: unknown) => {
        messages.push(m);
        if (typeof m === 'object' && m && 'answer' in m) resolve(m as { answer: string; error: string });
      }),
    );
    await until(() => messages.includes('connected'));
    // No request for almost the headers timeout (a pooled connection nobody used), then the owner
    // is busy across the deadline while the request comes in.
    await new Promise((r) => setTimeout(r, 900));
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        client.postMessage('write');
        const busyUntil = Date.now() + 400;
        while (Date.now() < busyUntil);
        resolve();
      }),
    );
    // The request was never read: the client gets Node's 408 (what undici handed the forwarder
    // in the rolling restart), or a reset when the unread request makes the close a reset first.
    const { answer, error } = await answered;
    expect(answer === NODE_408 || (answer === '' && error === 'ECONNRESET')).toBe(true);
    expect(served).toBe(0);
  });

  it("sends a request again on a new connection after the owner's 408 (the owner's application never saw it)", async () => {
    let cut = 0;
    let initializes = 0;
    const owner = await startOwner('owner-408', 0, {
      before: (req, _res, next) => {
        const method = (req.body as { method?: string } | undefined)?.method;
        if (method === 'initialize' && cut === 0) {
          // Exactly what Node's connection checker does (the test above).
          cut += 1;
          req.socket.end(NODE_408);
          return;
        }
        if (method === 'initialize') initializes += 1;
        next();
      },
    });
    cleanup.push(() => owner.drain());
    const ring = new ReplicaRing(new StaticDirectory([self, owner.replica]), { id: self.id, address: self.address, heartbeatMs: 600_000, ttlMs: 600_000 });
    await ring.refresh();
    cleanup.push(() => ring.close());
    // The forwarder's log: a failed handshake says so ('forwarded stdio connect failed').
    const lines: string[] = [];
    const captured = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const forwarder = new StdioForwarder({ vault, replicas: ring, connectTimeoutMs: 5_000, startTimeoutMs: 10_000, logger: captured });
    cleanup.push(() => forwarder.close());
    const principal = userOwnedBy('owner-408');
    const lease = await forwarder.connect(principal, service, undefined, () => Promise.reject(new Error('not the owner')));
    const result = (await lease.client.callTool({ name: 'echo', arguments: { text: 'after a 408' } })) as { content: Array<{ text: string }> };
    await lease.release();
    expect(result.content[0]?.text).toBe('after a 408');
    expect(lease.instance).toBe('replica:owner-408');
    // The same request went again (not a second handshake after a failed one).
    expect({ cut, initializes }).toEqual({ cut: 1, initializes: 1 });
    expect(lines.filter((l) => l.includes('forwarded stdio connect failed'))).toEqual([]);
  });

  it('never sends a tools/call twice: the owner read it and the connection was lost, so the caller gets a clear error (issue 11)', async () => {
    let toolCalls = 0;
    let cut = false;
    const owner = await startOwner('owner-reset', 0, {
      before: (req, _res, next) => {
        const method = (req.body as { method?: string } | undefined)?.method;
        if (method === 'tools/call') {
          toolCalls += 1;
          if (!cut) {
            // Read and taken in (as a replica killed while running it), then the connection is lost.
            cut = true;
            req.socket.destroy();
            return;
          }
        }
        next();
      },
    });
    cleanup.push(() => owner.drain());
    const ring = new ReplicaRing(new StaticDirectory([self, owner.replica]), { id: self.id, address: self.address, heartbeatMs: 600_000, ttlMs: 600_000 });
    await ring.refresh();
    cleanup.push(() => ring.close());
    const lines: string[] = [];
    const captured = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const forwarder = new StdioForwarder({ vault, replicas: ring, connectTimeoutMs: 5_000, startTimeoutMs: 10_000, logger: captured });
    cleanup.push(() => forwarder.close());
    const principal = userOwnedBy('owner-reset');
    const lease = await forwarder.connect(principal, service, undefined, () => Promise.reject(new Error('not the owner')));
    cleanup.push(() => lease.release());
    const failed = await lease.client.callTool({ name: 'echo', arguments: { text: 'once' } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    // What the client of the platform gets for it (the relay's and the fast path's mapping).
    const answer = upstreamError(failed, service);
    expect({ code: answer.code, message: answer.message, data: answer.data }).toEqual({
      code: -32000,
      message: 'The connection to the replica that runs echo for you was lost after the request was sent; it was not sent again, as it may have been carried out',
      data: { reason: 'upstream_unavailable' },
    });
    expect(toolCalls).toBe(1);
    expect(lines.filter((l) => l.includes('not sent again'))).toHaveLength(1);
    // The lease still works: the next call goes on a new connection, once.
    const result = (await lease.client.callTool({ name: 'echo', arguments: { text: 'next' } })) as { content: Array<{ text: string }> };
    expect(result.content[0]?.text).toBe('next');
    expect(toolCalls).toBe(2);
  });

  it('sends the handshake again when its connection is lost after it was written (a second initialize runs nothing of the caller\'s)', async () => {
    let initializes = 0;
    const owner = await startOwner('owner-reset-init', 0, {
      before: (req, _res, next) => {
        if ((req.body as { method?: string } | undefined)?.method === 'initialize' && ++initializes === 1) {
          req.socket.destroy();
          return;
        }
        next();
      },
    });
    cleanup.push(() => owner.drain());
    const ring = new ReplicaRing(new StaticDirectory([self, owner.replica]), { id: self.id, address: self.address, heartbeatMs: 600_000, ttlMs: 600_000 });
    await ring.refresh();
    cleanup.push(() => ring.close());
    const forwarder = new StdioForwarder({ vault, replicas: ring, connectTimeoutMs: 5_000, startTimeoutMs: 10_000, logger });
    cleanup.push(() => forwarder.close());
    const lease = await forwarder.connect(userOwnedBy('owner-reset-init'), service, undefined, () => Promise.reject(new Error('not the owner')));
    cleanup.push(() => lease.release());
    const result = (await lease.client.callTool({ name: 'echo', arguments: { text: 'after a reset' } })) as { content: Array<{ text: string }> };
    expect(result.content[0]?.text).toBe('after a reset');
    expect(initializes).toBe(2);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
