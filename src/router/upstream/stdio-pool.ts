import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import type { Logger } from 'pino';
import type { ResolvedService, StdioServiceConfig, UpstreamConnectOptions, UpstreamLease, UpstreamObserver } from '../contracts.js';
import { configure, raceAbort, UpstreamClient } from './client.js';
import { UpstreamError } from './errors.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';

/**
 * One child process per (user, service), started on first use with only that user's credentials.
 *
 * - Environment: the SDK's safe default (PATH, HOME, USER, SHELL, TERM, LOGNAME) + the service's fixed
 *   `env` + the user's credentials mapped through `credentialSchema[].inject.env`. Nothing else of the
 *   platform's environment reaches the child.
 * - Caps: `maxProcesses` over the whole pool and `maxPerUser` per user. When a cap is reached the least
 *   recently used child without leases is stopped to make room; if every child is in use the
 *   acquire fails with `stdio_pool_full` / `stdio_user_limit` (an `UpstreamError` naming the cap).
 * - Idle: a child with no lease for `idleTimeoutMs` is stopped.
 * - Crash: the SDK fails the child's in-flight requests ("Connection closed"); the entry is dropped
 *   and the next `acquire` starts a fresh child.
 * - Stop: SIGTERM to the child's process group, wait for exit, SIGKILL after `killGraceMs`.
 */
export interface StdioPoolOptions {
  maxProcesses: number;
  maxPerUser: number;
  idleTimeoutMs: number;
  startTimeoutMs: number;
  killGraceMs: number;
  /** `MCP_MAX_RESPONSE_BYTES`: a child's message above it is dropped as it arrives (stdio-transport.ts). */
  maxMessageBytes?: number;
  logger?: Logger;
  /** Pool size and crash hooks (metrics). */
  observer?: UpstreamObserver;
}

export interface StdioPoolEntryStats {
  userId: string;
  serviceId: string;
  serviceSlug: string;
  pid: number | null;
  state: 'starting' | 'ready';
  leases: number;
  startedAt: string;
  lastUsedAt: string;
}

export interface StdioPoolStats {
  processes: number;
  maxProcesses: number;
  maxPerUser: number;
  idleTimeoutMs: number;
  started: number;
  stopped: number;
  crashed: number;
  rejectedFull: number;
  entries: StdioPoolEntryStats[];
}

interface Entry {
  key: string;
  /** The command line it runs (definitionOf): a replaced definition (a listing's new version) needs a new child. */
  definition: string;
  /** Replaced while leased: stopped when its last lease is given back. */
  retiring?: boolean;
  userId: string;
  serviceId: string;
  serviceSlug: string;
  client: UpstreamClient;
  transport: ProcessGroupStdioTransport;
  state: 'starting' | 'ready' | 'stopping';
  ready: Promise<void>;
  leases: number;
  startedAt: number;
  lastUsedAt: number;
  idleTimer?: NodeJS.Timeout;
  stopping?: Promise<void>;
}

export class StdioPool {
  private readonly entries = new Map<string, Entry>();
  private readonly stopping = new Set<Promise<void>>();
  private closed = false;
  private counters = { started: 0, stopped: 0, crashed: 0, rejectedFull: 0 };

  constructor(private readonly options: StdioPoolOptions) {}

  async acquire(userId: string, service: ResolvedService, options?: UpstreamConnectOptions): Promise<UpstreamLease> {
    if (this.closed) throw new UpstreamError('upstream_shutting_down', 'The platform is shutting down');
    const config = service.definition.config;
    if (config.kind !== 'stdio') throw new Error(`StdioPool got a ${config.kind} service`);
    const key = `${userId}\u0000${service.definition.id}`;
    // Check-and-start runs without an await in between, so concurrent acquires of one key share
    // one child and the caps hold; only stopping a victim yields, and then everything is re-checked.
    let entry: Entry;
    for (;;) {
      const existing = this.entries.get(key);
      if (existing && existing.state !== 'stopping' && existing.definition !== definitionOf(config)) {
        // The service's definition changed (e.g. a marketplace listing's new version was approved):
        // the old child finishes what it serves and stops; this acquire starts the new definition.
        this.forget(existing);
        if (existing.leases === 0) await this.stop(existing, 'its service definition was replaced');
        else existing.retiring = true;
        continue;
      }
      if (existing && existing.state !== 'stopping') {
        configure(existing.client, options);
        entry = existing;
        break;
      }
      const victim = this.victimFor(userId);
      if (!victim) {
        entry = this.start(key, userId, service, config, options);
        break;
      }
      if (victim === 'wait') await Promise.race(this.stopping);
      else await this.stop(victim, 'evicted to make room for a new child');
      if (this.closed) throw new UpstreamError('upstream_shutting_down', 'The platform is shutting down');
    }
    const current = entry;
    current.leases += 1;
    this.touch(current);
    try {
      await raceAbort(current.ready, options?.signal, () => new UpstreamError('upstream_cancelled', 'The request was cancelled'));
    } catch (err) {
      current.leases -= 1;
      this.touch(current);
      throw err;
    }
    let released = false;
    return {
      client: current.client,
      instance: `stdio:${current.transport.pid ?? 'unknown'}`,
      release: async () => {
        if (released) return;
        released = true;
        current.leases -= 1;
        if (current.retiring && current.leases === 0) void this.stop(current, 'its service definition was replaced');
        else this.touch(current);
      },
    };
  }

  /**
   * The idle child to stop before `userId` may start one more, `'wait'` while exiting children still
   * hold the slots, or undefined when no cap is reached (exiting children count until they are gone).
   * Throws the cap error when a cap is reached and every child in its scope is in use.
   */
  private victimFor(userId: string): Entry | 'wait' | undefined {
    const live = [...this.entries.values()].filter((e) => e.state !== 'stopping');
    const mine = live.filter((e) => e.userId === userId);
    if (mine.length >= this.options.maxPerUser) {
      const victim = lruIdle(mine);
      if (!victim) {
        this.counters.rejectedFull += 1;
        throw new UpstreamError(
          'stdio_user_limit',
          `You have reached the limit of ${this.options.maxPerUser} running stdio services (STDIO_MAX_PER_USER); all are busy, try again shortly`,
          { name: 'STDIO_MAX_PER_USER', limit: this.options.maxPerUser },
        );
      }
      return victim;
    }
    if (live.length + this.stopping.size >= this.options.maxProcesses) {
      const victim = lruIdle(live);
      if (!victim) {
        if (live.length < this.options.maxProcesses) return 'wait'; // a child is still exiting: wait for it
        this.counters.rejectedFull += 1;
        throw new UpstreamError(
          'stdio_pool_full',
          `The stdio process pool is full (${this.options.maxProcesses} processes, STDIO_MAX_PROCESSES) and every process is busy; try again shortly`,
          { name: 'STDIO_MAX_PROCESSES', limit: this.options.maxProcesses },
        );
      }
      return victim;
    }
    return undefined;
  }

  private start(
    key: string,
    userId: string,
    service: ResolvedService,
    config: StdioServiceConfig,
    options: UpstreamConnectOptions | undefined,
  ): Entry {
    const env = childEnvironment(service, config);
    const command = config.command === 'node' ? process.execPath : config.command;
    const log = this.options.logger?.child({ service: service.definition.slug });
    const transport = new ProcessGroupStdioTransport({
      command,
      args: config.args,
      env,
      killGraceMs: this.options.killGraceMs,
      maxMessageBytes: this.options.maxMessageBytes,
      onStderr: log ? (line) => log.debug({ stderr: line }, 'stdio child stderr') : undefined,
    });
    const client = new UpstreamClient(Math.min(this.options.startTimeoutMs, 10_000));
    configure(client, options);
    const now = Date.now();
    const entry: Entry = {
      key,
      definition: definitionOf(config),
      userId,
      serviceId: service.definition.id,
      serviceSlug: service.definition.slug,
      client,
      transport,
      state: 'starting',
      ready: Promise.resolve(),
      leases: 0,
      startedAt: now,
      lastUsedAt: now,
    };
    // A line that is not JSON-RPC, or an oversized message with no answer to fail: the child goes on.
    client.onerror = (err) => log?.warn({ pid: transport.pid, err: { message: err.message.slice(0, 300) } }, 'stdio child sent an unreadable message');
    client.onclose = () => {
      if (entry.state === 'stopping') return;
      // Unexpected exit: the SDK has failed the in-flight calls; the next acquire starts afresh.
      this.counters.crashed += 1;
      this.options.observer?.stdioChildCrashed?.(entry.serviceSlug);
      log?.warn({ pid: transport.pid }, 'stdio child exited');
      entry.state = 'stopping';
      this.forget(entry);
      void transport.close();
    };
    entry.ready = (async () => {
      try {
        await client.connect(transport, { timeout: this.options.startTimeoutMs });
        this.counters.started += 1;
        if (entry.state === 'starting') entry.state = 'ready';
      } catch (err) {
        log?.warn({ err: { message: (err as Error).message } }, 'stdio child failed to start');
        entry.state = 'stopping';
        this.forget(entry);
        await transport.close().catch(() => undefined);
        throw new UpstreamError('upstream_start_failed', `The service "${service.definition.slug}" could not be started`);
      }
    })();
    entry.ready.catch(() => undefined);
    this.entries.set(key, entry);
    this.reportSize(entry.serviceSlug);
    return entry;
  }

  /** Live (not stopping) children of one service, to the observer. */
  private reportSize(slug: string): void {
    const report = this.options.observer?.stdioPoolSize;
    if (!report) return;
    let n = 0;
    for (const e of this.entries.values()) if (e.serviceSlug === slug && e.state !== 'stopping') n += 1;
    report(slug, n);
  }

  private touch(entry: Entry): void {
    entry.lastUsedAt = Date.now();
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    if (entry.leases === 0 && entry.state !== 'stopping') {
      entry.idleTimer = setTimeout(() => {
        if (entry.leases === 0) void this.stop(entry, 'idle');
      }, this.options.idleTimeoutMs);
      entry.idleTimer.unref();
    }
  }

  private forget(entry: Entry): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.reportSize(entry.serviceSlug);
  }

  private stop(entry: Entry, reason: string): Promise<void> {
    if (entry.stopping) return entry.stopping;
    entry.state = 'stopping';
    this.forget(entry);
    this.options.logger?.debug({ service: entry.serviceSlug, pid: entry.transport.pid, reason }, 'stopping stdio child');
    const done = (async () => {
      await entry.ready.catch(() => undefined);
      await entry.client.close().catch(() => undefined);
      await entry.transport.close().catch(() => undefined);
      this.counters.stopped += 1;
    })();
    entry.stopping = done;
    this.stopping.add(done);
    void done.finally(() => this.stopping.delete(done));
    return done;
  }

  /** PIDs of the running children (for tests and the admin view). */
  pids(): number[] {
    return [...this.entries.values()].map((e) => e.transport.pid).filter((p): p is number => typeof p === 'number');
  }

  stats(): StdioPoolStats {
    const entries = [...this.entries.values()].filter((e) => e.state !== 'stopping');
    return {
      processes: entries.length,
      maxProcesses: this.options.maxProcesses,
      maxPerUser: this.options.maxPerUser,
      idleTimeoutMs: this.options.idleTimeoutMs,
      ...this.counters,
      entries: entries.map((e) => ({
        userId: e.userId,
        serviceId: e.serviceId,
        serviceSlug: e.serviceSlug,
        pid: e.transport.pid ?? null,
        state: e.state === 'ready' ? 'ready' : 'starting',
        leases: e.leases,
        startedAt: new Date(e.startedAt).toISOString(),
        lastUsedAt: new Date(e.lastUsedAt).toISOString(),
      })),
    };
  }

  /** Stops every child and waits for their exit. Further acquires fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.values()].map((e) => this.stop(e, 'shutdown')));
    await Promise.all([...this.stopping]);
  }
}

function lruIdle(entries: Entry[]): Entry | undefined {
  return entries
    .filter((e) => e.leases === 0 && e.state === 'ready')
    .sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
}

/** The child's whole environment: safe base + the service's fixed env + this user's credentials. */
export function childEnvironment(service: ResolvedService, config: StdioServiceConfig): Record<string, string> {
  const env: Record<string, string> = { ...getDefaultEnvironment(), ...(config.env ?? {}) };
  for (const field of service.definition.credentialSchema) {
    const value = service.credentials[field.name];
    if (value === undefined || !('env' in field.inject)) continue;
    env[field.inject.env] = value;
  }
  return env;
}

/** What a child runs: command, arguments and the definition's environment (not the user's credentials). */
function definitionOf(config: StdioServiceConfig): string {
  return JSON.stringify([config.command, config.args, config.env ?? {}]);
}
