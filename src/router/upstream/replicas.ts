import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { PlatformDatabase, Redis } from '../../db/index.js';

/**
 * Which platform replica owns a (user, service) stdio child. Rendezvous (highest random weight)
 * hashing over the live replicas: every replica computes the same owner from the same live set, and
 * when a replica joins or leaves only the keys it wins or held move. Live replicas come from
 * heartbeats — in Redis when configured (sorted set scored by last beat), else in the database
 * (`router_replicas`), else this process is the only replica.
 */
export interface Replica {
  id: string;
  /** Base URL other replicas use to forward a request to this one (e.g. http://10.0.3.7:8080). */
  address: string;
}

export interface ReplicaDirectory {
  readonly kind: 'redis' | 'database' | 'single';
  beat(self: Replica): Promise<void>;
  live(ttlMs: number): Promise<Replica[]>;
  leave(self: Replica): Promise<void>;
}

export class RedisReplicaDirectory implements ReplicaDirectory {
  readonly kind = 'redis';
  private readonly beats = 'router:replicas';
  private readonly addresses = 'router:replica-addresses';
  constructor(private readonly redis: Redis) {}
  async beat(self: Replica): Promise<void> {
    await this.redis.multi().zadd(this.beats, Date.now(), self.id).hset(this.addresses, self.id, self.address).exec();
  }
  async live(ttlMs: number): Promise<Replica[]> {
    const cutoff = Date.now() - ttlMs;
    const gone = await this.redis.zrangebyscore(this.beats, '-inf', `(${cutoff}`);
    if (gone.length) await this.redis.multi().zrem(this.beats, ...gone).hdel(this.addresses, ...gone).exec();
    const ids = await this.redis.zrangebyscore(this.beats, cutoff, '+inf');
    if (!ids.length) return [];
    const addresses = await this.redis.hmget(this.addresses, ...ids);
    return ids.flatMap((id, i) => (addresses[i] ? [{ id, address: addresses[i] }] : []));
  }
  async leave(self: Replica): Promise<void> {
    await this.redis.multi().zrem(this.beats, self.id).hdel(this.addresses, self.id).exec();
  }
}

export class DatabaseReplicaDirectory implements ReplicaDirectory {
  readonly kind = 'database';
  constructor(private readonly database: PlatformDatabase) {}
  async beat(self: Replica): Promise<void> {
    await this.database.db
      .insertInto('router_replicas')
      .values({ id: self.id, address: self.address, last_seen_at: sql<Date>`now()` })
      .onConflict((oc) => oc.column('id').doUpdateSet({ address: self.address, last_seen_at: sql<Date>`now()` }))
      .execute();
  }
  async live(ttlMs: number): Promise<Replica[]> {
    const cutoff = sql<Date>`now() - make_interval(secs => ${ttlMs / 1000})`;
    await this.database.db.deleteFrom('router_replicas').where('last_seen_at', '<', cutoff).execute();
    const rows = await this.database.db.selectFrom('router_replicas').select(['id', 'address']).where('last_seen_at', '>=', cutoff).execute();
    return rows;
  }
  async leave(self: Replica): Promise<void> {
    await this.database.db.deleteFrom('router_replicas').where('id', '=', self.id).execute();
  }
}

export class SingleReplicaDirectory implements ReplicaDirectory {
  readonly kind = 'single';
  async beat(): Promise<void> {}
  async live(): Promise<Replica[]> {
    return [];
  }
  async leave(): Promise<void> {}
}

/** HRW weight of `key` on `replicaId`: the first 64 bits of SHA-256(key NUL replicaId). */
export function rendezvousWeight(key: string, replicaId: string): bigint {
  return createHash('sha256').update(key).update('\u0000').update(replicaId).digest().readBigUInt64BE(0);
}

/** The replica with the highest weight for `key` (ties broken by id). */
export function rendezvousOwner<T extends { id: string }>(key: string, replicas: T[]): T | undefined {
  let best: T | undefined;
  let bestWeight = -1n;
  for (const r of replicas) {
    const w = rendezvousWeight(key, r.id);
    if (w > bestWeight || (w === bestWeight && best && r.id < best.id)) {
      best = r;
      bestWeight = w;
    }
  }
  return best;
}

/** The key of a stdio child: one per (user, service). */
export function stdioOwnershipKey(userId: string, serviceId: string): string {
  return `stdio:${userId}:${serviceId}`;
}

export interface ReplicaRingOptions {
  id?: string;
  address: string;
  heartbeatMs: number;
  ttlMs: number;
  logger?: Logger;
  /**
   * False: this replica reads the others but is not announced until `join()`. A process that does
   * not listen yet (a starting server: the others would forward to an address that refuses, mark
   * it unreachable and start the user's child themselves) or never will (a CLI command) must not
   * be in the ring. Default true.
   */
  announce?: boolean;
}

export class ReplicaRing {
  readonly self: Replica;
  private members: Replica[];
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private announced: boolean;

  constructor(
    private readonly directory: ReplicaDirectory,
    private readonly options: ReplicaRingOptions,
  ) {
    this.self = { id: options.id ?? `${hostname()}-${randomBytes(3).toString('hex')}`, address: options.address };
    this.members = [this.self];
    this.announced = options.announce ?? true;
    this.timer = setInterval(() => void this.refresh(), options.heartbeatMs);
    this.timer.unref();
  }

  get kind(): ReplicaDirectory['kind'] {
    return this.directory.kind;
  }

  /** Announces this replica, once it listens (at `address` when given: the real port of a listen on port 0). */
  async join(address?: string): Promise<void> {
    if (address !== undefined) this.self.address = address;
    this.announced = true;
    await this.refresh();
  }

  /** Beats (once announced) and reloads the live set. Keeps the last known set when the directory is unreachable. */
  async refresh(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.announced) await this.directory.beat(this.self);
      const live = await this.directory.live(this.options.ttlMs);
      this.members = dedupe([this.self, ...live.filter((r) => r.id !== this.self.id)]);
    } catch (err) {
      this.options.logger?.warn({ err: { message: (err as Error).message }, directory: this.directory.kind }, 'replica heartbeat failed; keeping the last known replicas');
    }
  }

  /** Live replicas as last seen (always includes this one). */
  replicas(): Replica[] {
    return [...this.members];
  }

  ownerOf(key: string): Replica {
    return rendezvousOwner(key, this.members) ?? this.self;
  }

  isLocal(key: string): boolean {
    return this.ownerOf(key).id === this.self.id;
  }

  /** Drops a replica the caller found unreachable until its next heartbeat shows it alive. */
  markUnreachable(id: string): void {
    if (id !== this.self.id) this.members = this.members.filter((r) => r.id !== id);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.directory.leave(this.self).catch(() => undefined);
  }
}

function dedupe(replicas: Replica[]): Replica[] {
  const seen = new Map<string, Replica>();
  for (const r of replicas) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
}
