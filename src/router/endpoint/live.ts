import { createHash } from 'node:crypto';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { Redis } from '../../db/index.js';

/**
 * Transports that are still serving a 2025-era session (a request in flight, or a GET stream).
 *
 * A client's answer to a server→client request (sampling, elicitation, roots) is a POST of a
 * JSON-RPC response, and it may reach any replica. It is handed to this process's live transports
 * of that session; when this process has none, it is published on Redis, and the replica whose
 * transport awaits it injects it there. Sessions are keyed by the SHA-256 of their ID, so no
 * session ID travels through Redis.
 */
export class LiveSessions {
  private readonly bySession = new Map<string, Set<WebStandardStreamableHTTPServerTransport>>();
  private subscriber: Redis | undefined;
  private readonly channel: string;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
  ) {
    this.channel = `${String(redis?.options.keyPrefix ?? '')}mcp-session-responses`;
    if (redis) {
      // Pub/sub needs a connection of its own; it reconnects and re-subscribes by itself.
      const sub = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      sub.on('error', () => undefined);
      sub.subscribe(this.channel).catch((err: Error) => logger.warn({ err: { message: err.message } }, 'mcp: response relay subscribe failed'));
      sub.on('message', (_channel: string, raw: string) => this.onRelayed(raw));
      this.subscriber = sub;
    }
  }

  add(sessionId: string, transport: WebStandardStreamableHTTPServerTransport): () => void {
    const key = keyOf(sessionId);
    let set = this.bySession.get(key);
    if (!set) this.bySession.set(key, (set = new Set()));
    set.add(transport);
    return () => {
      set.delete(transport);
      if (set.size === 0 && this.bySession.get(key) === set) this.bySession.delete(key);
    };
  }

  /** Delivers a client's JSON-RPC response(s) to the transport awaiting them, here or on another replica. */
  async deliver(sessionId: string, request: Request, parsedBody: unknown): Promise<Response> {
    const key = keyOf(sessionId);
    const local = [...(this.bySession.get(key) ?? [])];
    if (local.length) {
      this.inject(local, request.url, parsedBody);
      return new Response(null, { status: 202 });
    }
    if (this.redis) {
      await this.redis
        .publish(this.channel, JSON.stringify({ key, url: request.url, body: parsedBody }))
        .catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'mcp: response relay publish failed'));
    }
    return new Response(null, { status: 202 });
  }

  private onRelayed(raw: string): void {
    try {
      const msg = JSON.parse(raw) as { key: string; url: string; body: unknown };
      const local = [...(this.bySession.get(msg.key) ?? [])];
      if (local.length) this.inject(local, msg.url, msg.body);
    } catch {
      // not ours
    }
  }

  /** Each live transport of the session gets the response; only the one that sent the request knows its ID. */
  private inject(transports: WebStandardStreamableHTTPServerTransport[], url: string, body: unknown): void {
    for (const transport of transports) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId ?? '',
      };
      void transport
        .handleRequest(new Request(url, { method: 'POST', headers, body: '{}' }), { parsedBody: body })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}

function keyOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}
