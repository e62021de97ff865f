import { createHash } from 'node:crypto';
import type { Transport } from '@modelcontextprotocol/client';
import type { UpstreamClient } from './client.js';

/**
 * Connected upstream clients of http services kept between leases, so a call does not pay a new
 * SDK `Client`, a `server/discover` probe or an `initialize` round trip each time.
 *
 * Only clients that hold no upstream state are kept: the upstream gave them no session
 * (2026-07-28, or a stateless 2025-era server: no `Mcp-Session-Id`), no lease declared
 * server→client capabilities, and none of their requests failed. A client is keyed by user,
 * instance URL, transport and the exact credential headers, so it is only ever reused for the same
 * user with the same credentials towards the same instance (anything late on it — a notification
 * of an abandoned request — can only reach that user); a replaced credential yields another key,
 * and the old key's clients age out. A lease is exclusive (one in-flight user at a time), as before. Idle
 * clients are dropped after `idleMs` (the upstream may have been redeployed with other
 * capabilities), beyond `maxPerKey` per key or `maxTotal` in all, and when the balancer closes.
 */
export interface PooledClient {
  client: UpstreamClient;
  transport: Transport;
  /** The AbortSignal of the lease currently using the client (the fetch wrapper reads it). */
  holder: { signal: AbortSignal | undefined; broken: boolean };
  idleSince: number;
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

  static key(owner: string, instanceUrl: string, transport: string, headers: Record<string, string>): string {
    const h = createHash('sha256');
    h.update(owner).update('\0').update(instanceUrl).update('\0').update(transport);
    for (const name of Object.keys(headers).sort()) h.update('\0').update(name).update('\0').update(headers[name]!);
    return h.digest('base64url');
  }

  get size(): number {
    return this.count;
  }

  /** The most recently used idle client of `key` that is still fresh, if any. */
  take(key: string, now = Date.now()): PooledClient | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const entry = list.pop()!;
      this.count -= 1;
      if (now - entry.idleSince <= this.options.idleMs && entry.client.transport) {
        if (!list.length) this.idle.delete(key);
        return entry;
      }
      void discard(entry);
    }
    this.idle.delete(key);
    return undefined;
  }

  /** Whether a client may be kept after its lease (see the class comment). */
  static reusable(entry: PooledClient): boolean {
    const transport = entry.transport as Transport & { sessionId?: string };
    return !entry.holder.broken && !entry.client.wantsCapabilities && transport.sessionId === undefined && entry.client.transport !== undefined;
  }

  /** Keeps the client for the next lease of `key`; false when the caller must close it. */
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

  /** Drops idle clients older than `idleMs`. */
  sweep(now = Date.now()): void {
    for (const [key, list] of this.idle) {
      const keep = list.filter((e) => now - e.idleSince <= this.options.idleMs);
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

async function discard(entry: PooledClient): Promise<void> {
  await entry.client.close().catch(() => undefined);
}
