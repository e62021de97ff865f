import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';

/**
 * The HTTP server's side of a graceful shutdown (docs/operations.md, "Rolling restart").
 *
 * A kept-alive connection can only be closed safely by the server where no request can be on its
 * way: a peer (the load balancer, or another replica's forwarder) may write its next request on an
 * idle connection at the very moment the server closes it, and then cannot tell whether the server
 * read it (a `tools/call` is never sent twice, so the caller gets an error). `http.Server.close()`
 * closes every idle connection at once, so `drain()` stops listening without it, and then:
 * - every answer not yet started says `Connection: close`, and Node closes its connection once it
 *   is sent: the peer sends nothing more on it;
 * - an idle kept-alive connection is left to Node's keep-alive timeout (`KEEP_ALIVE_TIMEOUT_MS`),
 *   which the peers' pools expire ahead of (the `Keep-Alive: timeout` hint minus their margin), as
 *   every day outside a drain;
 * - a connection that never sent a request (a pool's spare: Node's headers timeout would cut it
 *   with a bare 408 only after `HEADERS_TIMEOUT_MS`) gets that same 408 once it is `UNUSED_GRACE_MS`
 *   old: a client writes its first request as soon as it connects, and a forwarder takes the 408
 *   as "not read" and sends again.
 * The drain thus lasts as long as the slowest request in flight, or the keep-alive timeout.
 *
 * `holding()` says what a drain still waits for (the requests in flight, by method, path and age),
 * for the `draining` log line.
 */
export interface ConnectionDrain {
  /** Stops accepting connections and closes each open one as above; resolves once none is left. */
  drain(): Promise<void>;
  /** What is still open: idle connections, and the requests in flight (the oldest first, at most `limit`). */
  holding(limit?: number): DrainHolders;
}

export interface DrainHolders {
  connections: number;
  idle: number;
  requests: Array<{ method: string; path: string; ageMs: number }>;
}

interface InFlight {
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
}

/** How long a connection may stay without a request during a drain. */
const UNUSED_GRACE_MS = 2_000;
/** What Node's HTTP server writes on a connection whose headers timeout expired, before closing it. */
const REQUEST_TIMEOUT_408 = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

export function trackConnections(server: Server): ConnectionDrain {
  const sockets = new Map<Socket, number>();
  // The latest request of each connection (one at a time: HTTP/1.1 answers in order).
  const latest = new WeakMap<Socket, InFlight>();
  let draining: Promise<void> | undefined;

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, Date.now());
    socket.once('close', () => sockets.delete(socket));
  });
  // First: an answer the app sends synchronously during a drain must already carry `Connection: close`.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    latest.set(req.socket, { req, res, started: Date.now() });
    if (draining) res.setHeader('connection', 'close');
  });

  const cutUnused = () => {
    const now = Date.now();
    for (const [socket, connected] of sockets) {
      if (latest.has(socket) || now - connected < UNUSED_GRACE_MS) continue;
      // As Node's headers timeout does (a 408 tells the peer the server read nothing).
      socket.write(REQUEST_TIMEOUT_408);
      socket.destroy();
    }
  };

  return {
    drain() {
      draining ??= new Promise<void>((resolve) => {
        for (const socket of sockets.keys()) {
          const current = latest.get(socket);
          if (current && !current.res.headersSent) current.res.setHeader('connection', 'close');
        }
        cutUnused();
        const unusedCheck = setInterval(cutUnused, 500);
        unusedCheck.unref();
        // net.Server's close: stop listening, call back once the last connection is gone, without
        // http.Server's closing of the idle connections (above). Node's timeout checks go on.
        net.Server.prototype.close.call(server, () => {
          clearInterval(unusedCheck);
          // Now http.Server's close has nothing left to close: it stops Node's timeout checks,
          // whose interval would keep the server (and all it references) alive.
          server.close(() => undefined);
          resolve();
        });
      });
      return draining;
    },
    holding(limit = 10) {
      const now = Date.now();
      const inFlight: InFlight[] = [];
      for (const socket of sockets.keys()) {
        const current = latest.get(socket);
        if (current && !current.res.writableFinished) inFlight.push(current);
      }
      inFlight.sort((a, b) => a.started - b.started);
      return {
        connections: sockets.size,
        idle: sockets.size - inFlight.length,
        // The path without its query (which may carry codes or tokens).
        requests: inFlight.slice(0, limit).map((f) => ({ method: f.req.method ?? '', path: (f.req.url ?? '').split('?')[0]!, ageMs: now - f.started })),
      };
    },
  };
}
