import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The HTTP server's side of a graceful shutdown (docs/operations.md, "Rolling restart").
 *
 * `server.close()` stops accepting connections and closes the idle ones once, but a kept-alive
 * connection that is busy at that moment stays open: its answer still says `keep-alive`, the peer
 * (the load balancer, or another replica's forwarder) sends its next request on it, and the server
 * serves that one too, so a replica under steady traffic keeps receiving requests on old
 * connections and then waits out `KEEP_ALIVE_TIMEOUT_MS` on each. Once `begin()` is called, every
 * answer not yet started says `Connection: close`, and each connection is closed as soon as its
 * answer in flight is finished, so the drain lasts as long as the slowest request in flight. A
 * connection that never sent a request is not idle to Node (`closeIdleConnections` keeps it) and,
 * the server closed, no headers timeout applies to it any more: `begin()` closes it.
 *
 * `holding()` says what a drain still waits for (the requests in flight, by method, path and age),
 * for the `draining` log line.
 */
export interface ConnectionDrain {
  /** From now on: `Connection: close` on every answer, and close each connection once its answer is done. */
  begin(): void;
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

export function trackConnections(server: Server): ConnectionDrain {
  const sockets = new Set<Socket>();
  // The latest request of each connection (one at a time: HTTP/1.1 answers in order).
  const latest = new WeakMap<Socket, InFlight>();
  let draining = false;

  const closeWhenIdle = () => setImmediate(() => server.closeIdleConnections());
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
    // Answered with keep-alive before the drain began: the connection is idle once this answer is done.
    if (!res.writableFinished) res.once('finish', closeWhenIdle);
  };

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // First: an answer the app sends synchronously during a drain must already carry `Connection: close`.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    latest.set(req.socket, { req, res, started: Date.now() });
    if (draining) closeAfter(res);
  });

  return {
    begin() {
      if (draining) return;
      draining = true;
      for (const socket of sockets) {
        const current = latest.get(socket);
        if (current && !current.res.writableFinished) closeAfter(current.res);
        // A connection that has not sent a (whole) request yet: Node's closeIdleConnections()
        // leaves it open, and once the server is closed no headers timeout ends it either, so it
        // held the drain until SHUTDOWN_TIMEOUT_MS. Nothing of it is being served: closed.
        else if (!current) socket.destroy();
      }
      server.closeIdleConnections();
    },
    holding(limit = 10) {
      const now = Date.now();
      const inFlight: InFlight[] = [];
      for (const socket of sockets) {
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
