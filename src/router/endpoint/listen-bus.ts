import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import type { Notification, ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { Redis } from '../../db/index.js';
import { encodeUri } from './names.js';

/**
 * The per-user change-event bus behind 2026-07-28 `subscriptions/listen`.
 *
 * The SDK's listen router subscribes one listener per open listen stream to the bus it was given,
 * and filters by the client's requested notifications. The SDK bus knows no users, so this bus
 * learns whose stream subscribes from the request being served (an AsyncLocalStorage scope set
 * around the SDK handler) and keeps listeners per (user, endpoint). Change events are published
 * for one user and one service, from the upstream connections a listen watcher holds, and reach
 * only that user's listeners: on `/mcp/{slug}` those of that service, on `/mcp` all, with resource
 * URIs rewritten into the aggregate's namespace. With Redis, events also cross replicas (channel
 * `<prefix>mcp-user-events`, the user named by a SHA-256), so a listener on any replica gets them.
 *
 * A subscription outside any scope (not ours) gets nothing; `publish()` of the SDK's own notifier
 * is not used (it would reach every user) and is ignored.
 */

export interface ListenScope {
  userId: string;
  /** A service slug, or '*' for the aggregate. */
  endpointKey: string;
  /** Starts holding the upstream connections of the endpoint; returns the stop function. */
  watch: () => () => void;
}

type Listener = (event: ServerEvent) => void;

interface Registration {
  endpointKey: string;
  listener: Listener;
}

interface Wire {
  o: string;
  u: string;
  s: string;
  n: Notification;
}

export class UserEventBus implements ServerEventBus {
  private readonly scope = new AsyncLocalStorage<ListenScope>();
  private readonly byUser = new Map<string, Set<Registration>>();
  private readonly origin = randomUUID();
  private readonly channel: string;
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
  ) {
    this.channel = `${String(redis?.options.keyPrefix ?? '')}mcp-user-events`;
    if (redis) {
      const sub = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      sub.on('error', () => undefined);
      sub.subscribe(this.channel).catch((err: Error) => logger.warn({ err: { message: err.message } }, 'mcp: listen bus subscribe failed'));
      sub.on('message', (_channel: string, raw: string) => this.onWire(raw));
      this.subscriber = sub;
    }
  }

  /** Runs `fn` (the SDK handler) with the caller known to subscriptions it opens. */
  run<T>(scope: ListenScope, fn: () => T): T {
    return this.scope.run(scope, fn);
  }

  subscribe(listener: Listener): () => void {
    const scope = this.scope.getStore();
    if (!scope) return () => undefined;
    const user = userKey(scope.userId);
    let set = this.byUser.get(user);
    if (!set) this.byUser.set(user, (set = new Set()));
    const registration: Registration = { endpointKey: scope.endpointKey, listener };
    set.add(registration);
    let stopWatch: (() => void) | undefined;
    try {
      stopWatch = scope.watch();
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'mcp: listen watcher failed to start');
    }
    let live = true;
    return () => {
      if (!live) return;
      live = false;
      set.delete(registration);
      if (set.size === 0 && this.byUser.get(user) === set) this.byUser.delete(user);
      stopWatch?.();
    };
  }

  publish(): void {
    // Unscoped events would reach every user's streams; the platform publishes per user (publishFor).
  }

  /** An upstream change event of `slug` for `userId`: to that user's listeners here and on other replicas. */
  publishFor(userId: string, slug: string, notification: Notification): void {
    const user = userKey(userId);
    this.deliver(user, slug, notification);
    if (this.redis) {
      const wire: Wire = { o: this.origin, u: user, s: slug, n: notification };
      void this.redis.publish(this.channel, JSON.stringify(wire)).catch(() => undefined);
    }
  }

  private onWire(raw: string): void {
    try {
      const wire = JSON.parse(raw) as Wire;
      if (wire.o === this.origin) return;
      this.deliver(wire.u, wire.s, wire.n);
    } catch {
      // not ours
    }
  }

  private deliver(user: string, slug: string, n: Notification): void {
    for (const r of [...(this.byUser.get(user) ?? [])]) {
      if (r.endpointKey !== '*' && r.endpointKey !== slug) continue;
      const event = toEvent(n, r.endpointKey === '*' ? slug : undefined);
      if (!event) continue;
      try {
        r.listener(event);
      } catch {
        // A listener's stream may be gone.
      }
    }
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}

/** The SDK event for an upstream notification; `aggregateSlug` rewrites the URI into the aggregate's namespace. */
function toEvent(n: Notification, aggregateSlug: string | undefined): ServerEvent | undefined {
  switch (n.method) {
    case 'notifications/tools/list_changed':
      return { kind: 'tools_list_changed' };
    case 'notifications/prompts/list_changed':
      return { kind: 'prompts_list_changed' };
    case 'notifications/resources/list_changed':
      return { kind: 'resources_list_changed' };
    case 'notifications/resources/updated': {
      const uri = typeof n.params?.uri === 'string' ? n.params.uri : undefined;
      if (!uri) return undefined;
      return { kind: 'resource_updated', uri: aggregateSlug ? encodeUri(aggregateSlug, uri) : uri };
    }
    default:
      return undefined;
  }
}

function userKey(userId: string): string {
  return createHash('sha256').update(userId).digest('base64url');
}
