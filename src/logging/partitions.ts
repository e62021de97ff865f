import { sql } from 'kysely';
import type { PlatformDatabase } from '../db/index.js';

/**
 * Daily range partitions of request_log: `request_log_pYYYYMMDD` covers [day 00:00Z, next day 00:00Z).
 * Created ahead by the maintenance job (and on demand by the writer); retention drops whole days.
 */
const DAY_MS = 86_400_000;
/** Advisory lock serialising partition DDL across replicas ("mcp-logp"). */
const PARTITION_LOCK_KEY = 0x6d63702d6c6f6770n;

export function dayStart(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
}

export function partitionName(day: Date): string {
  return `request_log_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function parsePartitionDay(name: string): Date | undefined {
  const m = /^request_log_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`) : undefined;
}

export async function listPartitions(database: PlatformDatabase): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = ${database.schema} and p.relname = 'request_log'
    order by c.relname`.execute(database.db.withoutPlugins());
  return rows.map((r) => r.name);
}

/** Creates the daily partitions covering every day in [from, to] that does not exist yet. */
export async function ensurePartitions(database: PlatformDatabase, from: Date, to: Date): Promise<string[]> {
  const days: Date[] = [];
  for (let d = dayStart(from).getTime(); d <= dayStart(to).getTime(); d += DAY_MS) days.push(new Date(d));
  const existing = new Set(await listPartitions(database));
  const missing = days.filter((d) => !existing.has(partitionName(d)));
  if (!missing.length) return [];
  const raw = database.db.withoutPlugins();
  await raw.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(PARTITION_LOCK_KEY)})`.execute(trx);
    for (const day of missing) {
      const end = new Date(day.getTime() + DAY_MS);
      await sql`
        create table if not exists ${sql.table(`${database.schema}.${partitionName(day)}`)}
        partition of ${sql.table(`${database.schema}.request_log`)}
        for values from (${sql.lit(day.toISOString())}) to (${sql.lit(end.toISOString())})`.execute(trx);
    }
  });
  return missing.map(partitionName);
}

/** Drops partitions whose whole day is older than `retentionDays`. Returns the dropped names. */
export async function dropExpiredPartitions(database: PlatformDatabase, retentionDays: number, now = new Date()): Promise<string[]> {
  const cutoff = dayStart(now).getTime() - retentionDays * DAY_MS;
  const expired = (await listPartitions(database)).filter((name) => {
    const day = parsePartitionDay(name);
    return day !== undefined && day.getTime() + DAY_MS <= cutoff;
  });
  if (!expired.length) return [];
  const raw = database.db.withoutPlugins();
  await raw.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(PARTITION_LOCK_KEY)})`.execute(trx);
    for (const name of expired) await sql`drop table if exists ${sql.table(`${database.schema}.${name}`)}`.execute(trx);
  });
  return expired;
}

export interface MaintenanceOptions {
  retentionDays: number;
  daysAhead: number;
}

/** One maintenance pass: partitions for yesterday..today+daysAhead, then retention. */
export async function maintainPartitions(database: PlatformDatabase, opts: MaintenanceOptions, now = new Date()) {
  const created = await ensurePartitions(database, new Date(now.getTime() - DAY_MS), new Date(now.getTime() + opts.daysAhead * DAY_MS));
  const dropped = await dropExpiredPartitions(database, opts.retentionDays, now);
  return { created, dropped };
}
