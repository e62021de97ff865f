import { createHash } from 'node:crypto';
import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import type { Redis } from '../../db/index.js';

/**
 * The shared event log behind resumability (`Last-Event-ID`) of 2025-era sessions.
 *
 * A session is served by short-lived transports on any replica, so its SSE events are kept per
 * session, outside the transport: in a Redis stream when Redis is configured (key
 * `mcp-session-events:<sha256(session id)>`, capped at `maxEventsPerSession`, expiring with the
 * session), else in this process (bounded: `maxEventsPerSession` per session, `maxSessions`
 * sessions, least recently written dropped first). An event ID is only looked up in the log of the
 * session presenting it, so another session's ID replays nothing (the SDK answers 400).
 */

export interface SessionEventLogOptions {
  redis?: Redis;
  ttlSeconds: number;
  maxEventsPerSession?: number;
  maxSessions?: number;
}

interface StoredEvent {
  id: string;
  stream: string;
  message: JSONRPCMessage;
}

export class SessionEventLog {
  private readonly local = new Map<string, StoredEvent[]>();
  private seq = 0;
  private readonly maxEvents: number;
  private readonly maxSessions: number;

  constructor(private readonly opts: SessionEventLogOptions) {
    this.maxEvents = opts.maxEventsPerSession ?? 1000;
    this.maxSessions = opts.maxSessions ?? 10_000;
  }

  /** The SDK `EventStore` of one session. */
  forSession(sessionId: string): EventStore {
    const key = `mcp-session-events:${createHash('sha256').update(sessionId).digest('base64url')}`;
    return {
      storeEvent: (streamId, message) => this.store(key, streamId, message),
      getStreamIdForEventId: async (eventId) => (await this.find(key, eventId))?.stream,
      replayEventsAfter: (lastEventId, { send }) => this.replay(key, lastEventId, send),
    };
  }

  private async store(key: string, stream: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const redis = this.opts.redis;
    if (redis) {
      try {
        // One round trip: append (capped) and refresh the expiry.
        const results = await redis
          .multi()
          .xadd(key, 'MAXLEN', '~', String(this.maxEvents), '*', 's', stream, 'm', JSON.stringify(message))
          .expire(key, this.opts.ttlSeconds)
          .exec();
        const id = results?.[0]?.[1];
        if (typeof id === 'string') return id;
      } catch {
        // Redis unreachable: keep the event here (resumable on this replica only).
      }
    }
    return this.storeLocally(key, stream, message);
  }

  private storeLocally(key: string, stream: string, message: JSONRPCMessage): EventId {
    let events = this.local.get(key);
    if (events) this.local.delete(key); // re-insert: the map's order is least recently written first
    else events = [];
    this.local.set(key, events);
    const id = `l${Date.now().toString(36)}-${(++this.seq).toString(36)}`;
    events.push({ id, stream, message });
    if (events.length > this.maxEvents) events.splice(0, events.length - this.maxEvents);
    while (this.local.size > this.maxSessions) this.local.delete(this.local.keys().next().value!);
    return id;
  }

  private async find(key: string, eventId: string): Promise<StoredEvent | undefined> {
    if (eventId.length > 64) return undefined;
    if (eventId.startsWith('l')) return this.local.get(key)?.find((e) => e.id === eventId);
    if (!this.opts.redis || !/^\d+-\d+$/.test(eventId)) return undefined;
    const hit = await this.opts.redis.xrange(key, eventId, eventId).catch(() => []);
    const entry = hit[0];
    return entry ? toEvent(entry) : undefined;
  }

  private async replay(key: string, lastEventId: string, send: (id: EventId, message: JSONRPCMessage) => Promise<void>): Promise<StreamId> {
    const last = await this.find(key, lastEventId);
    if (!last) throw new Error('Unknown event ID');
    let events: StoredEvent[];
    if (lastEventId.startsWith('l')) {
      const all = this.local.get(key) ?? [];
      events = all.slice(all.findIndex((e) => e.id === lastEventId) + 1);
    } else {
      const entries = await this.opts.redis!.xrange(key, `(${lastEventId}`, '+');
      events = entries.map(toEvent).filter((e): e is StoredEvent => e !== undefined);
    }
    for (const e of events) {
      // Priming events (empty data) only mark a position; they are not messages.
      if (e.stream !== last.stream || !('jsonrpc' in e.message)) continue;
      await send(e.id, e.message);
    }
    return last.stream;
  }
}

function toEvent([id, fields]: [string, string[]]): StoredEvent | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  if (f.s === undefined || f.m === undefined) return undefined;
  try {
    return { id, stream: f.s, message: JSON.parse(f.m) as JSONRPCMessage };
  } catch {
    return undefined;
  }
}
