import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Redis } from '../../db/index.js';

/**
 * Keeps a 2025-era session's GET stream recording after its client went away, so that what the
 * upstream sends meanwhile is in the session's event log when the client comes back with
 * `Last-Event-ID` (on any replica).
 *
 * When the client drops a GET stream, its relay (and its upstream connections) stays up for the
 * resume window, writing out-of-request events into the event log. It stops when the window ends,
 * or as soon as a GET stream of that session is opened again anywhere, or the session is ended:
 * that is announced on Redis (channel `<prefix>mcp-session-streams`, SHA-256 of the session ID)
 * so that the replica holding the lingering stream stops it.
 */
export class StreamResumption {
  private readonly lingering = new Map<string, Set<() => void>>();
  private subscriber: Redis | undefined;
  private readonly channel: string;
  private closed = false;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly windowMs: number,
    logger: Logger,
  ) {
    this.channel = `${String(redis?.options.keyPrefix ?? '')}mcp-session-streams`;
    if (redis && windowMs > 0) {
      const sub = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      sub.on('error', () => undefined);
      sub.subscribe(this.channel).catch((err: Error) => logger.warn({ err: { message: err.message } }, 'mcp: stream resumption subscribe failed'));
      sub.on('message', (_channel: string, key: string) => this.stopLocal(key));
      this.subscriber = sub;
    }
  }

  get enabled(): boolean {
    return this.windowMs > 0;
  }

  /** The client left the session's GET stream: `close` it after the window, or when the session comes back. */
  linger(sessionId: string, close: () => void): () => void {
    if (!this.enabled || this.closed) {
      close();
      return () => undefined;
    }
    const key = keyOf(sessionId);
    let set = this.lingering.get(key);
    if (!set) this.lingering.set(key, (set = new Set()));
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      set.delete(stop);
      if (set.size === 0 && this.lingering.get(key) === set) this.lingering.delete(key);
      close();
    };
    const timer = setTimeout(stop, this.windowMs);
    timer.unref();
    set.add(stop);
    return stop;
  }

  /** A GET stream of the session was opened again, or the session ended: stop its lingering streams everywhere. */
  resumed(sessionId: string): void {
    if (!this.enabled) return;
    const key = keyOf(sessionId);
    this.stopLocal(key);
    void this.redis?.publish(this.channel, key).catch(() => undefined);
  }

  private stopLocal(key: string): void {
    for (const stop of [...(this.lingering.get(key) ?? [])]) stop();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of [...this.lingering.values()]) for (const stop of [...set]) stop();
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}

function keyOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}
