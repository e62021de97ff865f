import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, WithSchemaPlugin, sql, type Dialect } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import { lockDataDir } from './data-dir-lock.js';
import { PGliteDialect, PGliteLock } from './pglite-dialect.js';
import { PGliteThread } from './pglite-thread.js';
import { scopeIntrospection } from './schema-introspector.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export type * from './schema.js';

export interface DatabaseOptions {
  /** PostgreSQL URL; without it the embedded PGlite in `dataDir` is used. */
  url?: string | undefined;
  dataDir: string;
  schema: string;
  poolMax: number;
  logger: Logger;
  /** Wraps the dialect, e.g. to trace each statement (the composition root passes the tracing one). */
  wrapDialect?: ((dialect: Dialect) => Dialect) | undefined;
}

export interface PlatformDatabase {
  /** Query builder whose table references are qualified with the platform schema. */
  readonly db: Kysely<Database>;
  /**
   * The same, for writes no request waits for (the request log's batches). On embedded PGlite (one
   * connection) its statements wait behind every query of `db` that is waiting too, so a write a
   * call's answer waits for is not queued behind them; on PostgreSQL (a pool) it is `db`.
   */
  readonly background: Kysely<Database>;
  readonly kind: 'pglite' | 'postgres';
  readonly schema: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Connection pool figures (PostgreSQL); undefined for PGlite. For the db_pool_* metrics. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
}

/** Advisory-lock key shared by every replica; arbitrary but fixed ("mcp-plat"). */
const MIGRATION_LOCK_KEY = 0x6d63702d706c6174n;

export async function openDatabase(opts: DatabaseOptions): Promise<PlatformDatabase> {
  let raw: Kysely<Database>;
  let rawBackground: Kysely<Database> | undefined;
  let kind: PlatformDatabase['kind'];
  let pgPool: pg.Pool | undefined;
  let unlock: (() => Promise<void>) | undefined;
  const wrap = (d: Dialect): Dialect => scopeIntrospection(opts.wrapDialect ? opts.wrapDialect(d) : d, opts.schema);
  if (opts.url) {
    kind = 'postgres';
    // Loaded only on this path, as PGlite (in its worker) only on the other.
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolMax,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server must not crash the process; the next checkout reconnects.
    pgPool = pool;
    pool.on('error', (err) => opts.logger.warn({ err: { message: err.message } }, 'postgres idle client error'));
    raw = new Kysely<Database>({ dialect: wrap(new PostgresDialect({ pool })) });
  } else {
    kind = 'pglite';
    const dir = path.resolve(opts.dataDir, 'pglite');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    unlock = await lockDataDir(path.resolve(opts.dataDir, 'pglite.lock'));
    // PGlite runs in a worker thread: its WebAssembly stays off the event loop (pglite-thread.ts).
    const client = await PGliteThread.open({
      dataDir: dir,
      onUnexpectedExit: (err) => opts.logger.error({ err: { message: err.message } }, 'embedded database worker stopped; every query now fails'),
    }).catch(async (err: unknown) => {
      await unlock?.();
      throw err;
    });
    const lock = new PGliteLock();
    raw = new Kysely<Database>({ dialect: wrap(new PGliteDialect(client, lock)) });
    rawBackground = new Kysely<Database>({ dialect: wrap(new PGliteDialect(client, lock, 'background')) });
  }
  const db = raw.withPlugin(new WithSchemaPlugin(opts.schema));
  return {
    db,
    background: rawBackground ? rawBackground.withPlugin(new WithSchemaPlugin(opts.schema)) : db,
    kind,
    schema: opts.schema,
    async ping() {
      await sql`select 1`.execute(raw);
    },
    async close() {
      try {
        await rawBackground?.destroy();
        await raw.destroy();
      } finally {
        await unlock?.();
      }
    },
    poolStats() {
      return pgPool ? { total: pgPool.totalCount, idle: pgPool.idleCount, waiting: pgPool.waitingCount } : undefined;
    },
  };
}

export interface MigrationOutcome {
  applied: string[];
}

/**
 * Brings the schema up to date. Safe when several replicas start together: the schema is
 * created under an advisory lock, and Kysely's migrator serialises on its own advisory lock.
 */
export async function migrate(database: PlatformDatabase): Promise<MigrationOutcome> {
  const { schema } = database;
  const raw = database.db.withoutPlugins();
  await raw.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
    await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
  });
  const migrator = new Migrator({
    db: raw,
    provider: migrationProvider({ schema }),
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

export { DataDirInUseError, lockDataDir } from './data-dir-lock.js';
export { connectRedis, waitForRedis, type Redis } from './redis.js';
