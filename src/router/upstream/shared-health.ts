import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { PlatformDatabase } from '../../db/index.js';
import type { HttpBalancer, InstanceHealth } from './http-balancer.js';

/**
 * Shared health of http instances, in `service_instances` (the catalog's table).
 *
 * - Write: every ejection and restore of this replica's balancer (`onHealthChange`) sets the rows
 *   of that URL: `status` (`unhealthy` / `healthy`), `consecutive_failures`, `last_checked_at`,
 *   `status_changed_at` and `status_reported_by` (this replica's id). So the admin API and every
 *   replica see it.
 * - Read (every `intervalMs`): an `unhealthy` report of ANOTHER replica that is newer than this
 *   replica's own last verdict on that URL ejects the instance here too (base backoff,
 *   `HttpBalancer.adoptEjection`): one replica's evidence spares the others the failed requests.
 *   A `healthy` report is never adopted: each replica restores an instance only on its own evidence
 *   (its half-open probe or a successful request), since "reachable from there" need not mean
 *   "reachable from here". The restore it then observes is written back, and the status converges.
 */
export interface SharedInstanceHealthOptions {
  database: PlatformDatabase;
  balancer: HttpBalancer;
  replicaId: () => string;
  intervalMs: number;
  logger?: Logger;
}

export class SharedInstanceHealth {
  /** URL → when this replica last decided about it (own evidence or adopted report). */
  private readonly verdictAt = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: SharedInstanceHealthOptions) {
    this.unsubscribe = options.balancer.onHealthChange((health) => {
      this.verdictAt.set(health.url, Date.now());
      // Serialized, so an eject and the restore right after it land in order.
      this.writes = this.writes.then(() => this.persist(health)).catch(() => undefined);
    });
    this.timer = setInterval(() => void this.sync(), options.intervalMs);
    this.timer.unref();
  }

  /** Resolves once every health change seen so far is written. */
  async flush(): Promise<void> {
    await this.writes;
  }

  private async persist(health: InstanceHealth): Promise<void> {
    if (this.closed) return;
    const db = this.options.database.db;
    try {
      const rows = await db.selectFrom('service_instances').select(['id', 'url']).execute();
      const ids = rows.filter((r) => sameUrl(r.url, health.url)).map((r) => r.id);
      if (!ids.length) return; // an instance from config only (e.g. a remote builtin): nothing to share
      await db
        .updateTable('service_instances')
        .set({
          status: health.status === 'healthy' ? 'healthy' : 'unhealthy',
          consecutive_failures: health.consecutiveFailures,
          last_checked_at: sql<Date>`now()`,
          status_changed_at: sql<Date>`now()`,
          status_reported_by: this.options.replicaId(),
        })
        .where('id', 'in', ids)
        .execute();
    } catch (err) {
      this.options.logger?.warn({ err: { message: (err as Error).message }, instance: health.url }, 'instance health not persisted');
    }
  }

  /** Adopts other replicas' newer `unhealthy` reports. Returns the URLs ejected here because of them. */
  async sync(): Promise<string[]> {
    if (this.closed) return [];
    const adopted: string[] = [];
    try {
      const self = this.options.replicaId();
      const rows = await this.options.database.db
        .selectFrom('service_instances')
        .select(['url', 'status_changed_at', 'status_reported_by'])
        .where('status', '=', 'unhealthy')
        .execute();
      for (const row of rows) {
        if (!row.status_changed_at || row.status_reported_by === self) continue;
        const url = normalized(row.url);
        if (!url) continue;
        const changedAt = new Date(row.status_changed_at).getTime();
        if (changedAt <= (this.verdictAt.get(url) ?? 0)) continue;
        // Not known here yet, or already ejected here: look again at the next sync.
        if (!this.options.balancer.adoptEjection(url, `reported unhealthy by replica ${row.status_reported_by ?? 'unknown'}`)) continue;
        adopted.push(url);
        this.verdictAt.set(url, changedAt);
      }
    } catch (err) {
      this.options.logger?.warn({ err: { message: (err as Error).message } }, 'shared instance health not read');
    }
    return adopted;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe();
    await this.writes;
    this.closed = true;
  }
}

function normalized(url: string): string | undefined {
  try {
    return new URL(url).toString();
  } catch {
    return undefined;
  }
}

function sameUrl(stored: string, balancerUrl: string): boolean {
  return normalized(stored) === balancerUrl;
}
