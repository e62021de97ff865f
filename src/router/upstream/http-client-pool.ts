import { createHash } from 'node:crypto';
import { StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import type { UpstreamClient } from './client.js';

/**
 * Connected upstream clients of http services kept between leases, so a call does not pay a new
 * SDK `Client`, a `server/discover` probe or an `initialize` round trip each time. Two kinds:
 *
 * - `IdleClients`: for requests outside a downstream session (2026-07-28, stateless 2025). A
 *   bounded pool per (user, instance, transport, revision, exact credential headers); a lease is
 *   exclusive. The upstream may hold a session for a client (a sessionful 2025 server): it is
 *   kept with the client and ended (DELETE) when the client is dropped — idle too long, beyond
 *   the bounds, its instance ejected, or the balancer closing. A client that declared
 *   server→client capabilities, failed a request or lost its upstream session is never kept.
 * - `SessionClients`: one client per (downstream 2025-era session, user, service, credentials),
 *   shared by that session's requests (the upstream session lives as long as the client's), ended
 *   with the downstream session, when idle too long, or when its instance is ejected.
 *
 * Keys are SHA-256 digests, so a client is only ever reused for the same user with the same
 * credential values (anything late on it can only reach that user); a replaced credential yields
 * another key, and the old key's clients age out.
 */
export interface PooledClient {
  client: UpstreamClient;
  transport: Transport;
  /** The instance URL it is connected to. */
  instance: string;
  /**
   * `signal`: the exclusive lease's AbortSignal (the fetch wrapper reads it); `broken`: a request
   * failed; `expired`: the upstream answered 404 to its session (the session is gone upstream).
   */
  holder: { signal: AbortSignal | undefined; broken: boolean; expired: boolean; streamAnswered?: () => void };
  idleSince: number;
}

export function clientKey(...parts: Array<string | Record<string, string>>): string {
  const h = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string') h.update(part).update('\0');
    else for (const name of Object.keys(part).sort()) h.update(name).update('\0').update(part[name]!).update('\0');
  }
  return h.digest('base64url');
}

/** Whether the client is still connected and its upstream session (if any) still exists. */
export function alive(entry: PooledClient): boolean {
  return !entry.holder.expired && entry.client.transport !== undefined;
}

/** Ends the client: DELETE of its upstream session unless the upstream already forgot it, then close. */
export async function discard(entry: PooledClient): Promise<void> {
  // Never under a lease's signal: a cancelled call must not cancel the DELETE that ends its session.
  entry.holder.signal = undefined;
  if (!entry.holder.expired && entry.transport instanceof StreamableHTTPClientTransport) {
    await entry.transport.terminateSession().catch(() => undefined);
  }
  await entry.client.close().catch(() => undefined);
}

export interface IdleClientsOptions {
  idleMs: number;
  maxPerKey: number;
  maxTotal: number;
}

export class IdleClients {
  private readonly idle = new Map<string, PooledClient[]>();
  private count = 0;

  constructor(private readonly options: IdleClientsOptions) {}

  get size(): number {
    return this.count;
  }

  /** The most recently used idle client of `key` that is still fresh, if any. */
  take(key: string, now = Date.now()): PooledClient | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const entry = list.pop()!;
      this.count -= 1;
      if (now - entry.idleSince <= this.options.idleMs && alive(entry)) {
        if (!list.length) this.idle.delete(key);
        return entry;
      }
      void discard(entry);
    }
    this.idle.delete(key);
    return undefined;
  }

  /** Whether a client may be kept after its exclusive lease (see the file comment). */
  static reusable(entry: PooledClient): boolean {
    return !entry.holder.broken && !entry.client.wantsCapabilities && alive(entry);
  }

  /** Keeps the client for the next lease of `key`; false when the caller must discard it. */
  put(key: string, entry: PooledClient): boolean {
    let list = this.idle.get(key);
    if (!list) {
      list = [];
      this.idle.set(key, list);
    }
    if (list.length >= this.options.maxPerKey || this.count >= this.options.maxTotal) {
      if (!list.length) this.idle.delete(key);
      return false;
    }
    this.count += 1;
    entry.idleSince = Date.now();
    entry.holder.signal = undefined;
    entry.client.fallbackNotificationHandler = undefined;
    list.push(entry);
    return true;
  }

  /** Idle clients per instance URL (the admin view; walks every entry). */
  countByInstance(): Map<string, number> {
    const out = new Map<string, number>();
    for (const list of this.idle.values()) for (const e of list) out.set(e.instance, (out.get(e.instance) ?? 0) + 1);
    return out;
  }

  /** Discards idle clients older than `idleMs`, or of `instance` (ejected) when given. */
  sweep(now = Date.now(), instance?: string): void {
    for (const [key, list] of this.idle) {
      const keep = list.filter((e) => (instance === undefined ? now - e.idleSince <= this.options.idleMs : e.instance !== instance));
      for (const e of list) if (!keep.includes(e)) void discard(e);
      this.count -= list.length - keep.length;
      if (keep.length) this.idle.set(key, keep);
      else this.idle.delete(key);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    this.count = 0;
    await Promise.all(all.map(discard));
  }
}

interface SessionEntry {
  downstream: string;
  pooled: PooledClient | undefined;
  opening: Promise<PooledClient> | undefined;
  refs: number;
  lastUsed: number;
}

export interface SessionClientsOptions {
  /** A client unused for this long is ended (its downstream session went quiet or away without DELETE). */
  idleMs: number;
  /** Most clients kept in all; beyond it the least recently used one without a request in flight is ended. */
  max: number;
}

export class SessionClients {
  private readonly entries = new Map<string, SessionEntry>();
  private readonly byDownstream = new Map<string, Set<string>>();

  constructor(private readonly options: SessionClientsOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Connected clients (upstream sessions) per instance URL (the admin view; walks every entry). */
  countByInstance(): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.entries.values()) if (e.pooled) out.set(e.pooled.instance, (out.get(e.pooled.instance) ?? 0) + 1);
    return out;
  }

  /**
   * The client of `key`, opened by `open` when there is none or the one there can no longer serve
   * (`usable` false: its upstream session expired, it closed, its instance was ejected). Concurrent
   * requests of one session wait for the same opening.
   */
  async acquire(key: string, downstream: string, usable: (entry: PooledClient) => boolean, open: () => Promise<PooledClient>): Promise<PooledClient> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { downstream, pooled: undefined, opening: undefined, refs: 0, lastUsed: Date.now() };
      this.entries.set(key, entry);
      let keys = this.byDownstream.get(downstream);
      if (!keys) this.byDownstream.set(downstream, (keys = new Set()));
      keys.add(key);
      this.evictBeyondMax();
    }
    entry.refs += 1;
    entry.lastUsed = Date.now();
    try {
      for (;;) {
        if (entry.pooled && usable(entry.pooled)) return entry.pooled;
        if (entry.opening) {
          // Another request of the session is opening it: its outcome is this request's too.
          const opened = await entry.opening;
          if (usable(opened)) return opened;
        }
        const stale = entry.pooled;
        entry.pooled = undefined;
        if (stale) void discard(stale);
        const opening = open();
        entry.opening = opening;
        try {
          entry.pooled = await opening;
        } finally {
          if (entry.opening === opening) entry.opening = undefined;
        }
        if (this.entries.get(key) !== entry) {
          // Ended (DELETE of the downstream session) while it was opening.
          void discard(entry.pooled);
          throw new Error('The session ended');
        }
        return entry.pooled;
      }
    } catch (err) {
      this.release(key);
      throw err;
    }
  }

  /** One request of the session is done with the client (it stays for the next). */
  release(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.refs = Math.max(0, entry.refs - 1);
    entry.lastUsed = Date.now();
    if (!entry.refs && !entry.pooled && !entry.opening) this.remove(key, entry);
  }

  /** Ends every client kept for the downstream session. */
  end(downstream: string): Promise<void> {
    const keys = [...(this.byDownstream.get(downstream) ?? [])];
    return this.drop(keys);
  }

  /** Ends clients idle longer than `idleMs`, and (when given) every client connected to `instance`. */
  sweep(now = Date.now(), instance?: string): Promise<void> {
    const keys: string[] = [];
    for (const [key, e] of this.entries) {
      if (instance !== undefined ? e.pooled?.instance === instance && !e.refs : !e.refs && now - e.lastUsed > this.options.idleMs) keys.push(key);
    }
    return this.drop(keys);
  }

  async closeAll(): Promise<void> {
    await this.drop([...this.entries.keys()]);
  }

  private async drop(keys: string[]): Promise<void> {
    const closing: Array<Promise<void>> = [];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.remove(key, entry);
      if (entry.pooled) closing.push(discard(entry.pooled));
    }
    await Promise.all(closing);
  }

  private remove(key: string, entry: SessionEntry): void {
    this.entries.delete(key);
    const keys = this.byDownstream.get(entry.downstream);
    keys?.delete(key);
    if (keys && !keys.size) this.byDownstream.delete(entry.downstream);
  }

  private evictBeyondMax(): void {
    if (this.entries.size <= this.options.max) return;
    let oldest: [string, SessionEntry] | undefined;
    for (const item of this.entries) if (!item[1].refs && (!oldest || item[1].lastUsed < oldest[1].lastUsed)) oldest = item;
    if (oldest) void this.drop([oldest[0]]);
  }
}
