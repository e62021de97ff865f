import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { migrate, openDatabase } from '../src/db/index.js';
import { migrationProvider } from '../src/db/migrations/index.js';
import { startServe, type ServeProcess } from './support/cli.js';
import { TEST_MASTER_KEY } from './support/platform.js';

/**
 * Two `serve` PROCESSES on one fresh PostgreSQL schema, started at the same time. Needs a real
 * PostgreSQL: embedded PGlite is one process's database by design.
 */
const DATABASE_URL = process.env.DATABASE_URL;

describe.skipIf(!DATABASE_URL)('replicas (server mode only: needs DATABASE_URL)', { timeout: 240_000 }, () => {
  const schema = `t_rep_${randomBytes(4).toString('hex')}`;
  const replicas: ServeProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('start together on a fresh schema, migrate once, and both serve', async () => {
    const prefix = `test:rep:${randomBytes(4).toString('hex')}:`;
    const env = async (): Promise<Record<string, string>> => {
      const dir = await mkdtemp(path.join(tmpdir(), 'mcp-replica-'));
      dirs.push(dir);
      return {
        NODE_ENV: 'test',
        DATA_DIR: dir,
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: schema,
        PLATFORM_ENCRYPTION_KEY: TEST_MASTER_KEY,
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}),
      };
    };
    const [envA, envB] = [await env(), await env()];
    const started = await Promise.all([startServe(envA), startServe(envB)]);
    replicas.push(...started);

    // Each migration is recorded exactly once.
    const expected = Object.keys(await migrationProvider({ schema }).getMigrations()).sort();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: string }>(
        `SELECT name, count(*) AS n FROM ${schema}.kysely_migration GROUP BY name ORDER BY name`,
      );
      expect(rows.map((r) => r.name)).toEqual(expected);
      for (const r of rows) expect(Number(r.n)).toBe(1);
    } finally {
      await client.end();
    }

    // Both logged that they listen; together they applied every migration once.
    const applied = started.flatMap((r) => r.logs.filter((l) => l.message === 'database migrated').flatMap((l) => l.applied as string[]));
    expect(applied.sort()).toEqual(expected);
    for (const r of started) {
      expect(r.logs.some((l) => l.message === 'platform listening')).toBe(true);
      const ready = await fetch(`${r.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: { database: string } }).checks.database).toBe('ok');
    }

    for (const r of started) expect((await r.stop('SIGTERM')).code).toBe(0);
  });

  it('introspects only its own schema, so schemas dropped meanwhile by others cannot fail a migration', async () => {
    // Kysely's stock introspector reads every schema and calls pg_get_serial_sequence on each
    // table: a schema dropped between its catalog scan and that call fails the migration with
    // "schema … does not exist" (seen as a CI flake on a shared database). Churn other schemas
    // while this one introspects and migrates.
    const mine = `t_mine_${randomBytes(4).toString('hex')}`;
    const churner = new pg.Client({ connectionString: DATABASE_URL });
    await churner.connect();
    const database = await openDatabase({ url: DATABASE_URL, dataDir: tmpdir(), schema: mine, poolMax: 2, logger: pino({ level: 'silent' }) });
    let churning = true;
    const churned: string[] = [];
    const churn = (async () => {
      while (churning) {
        const other = `t_churn_${randomBytes(4).toString('hex')}`;
        churned.push(other);
        await churner.query(`CREATE SCHEMA ${other}; ${Array.from({ length: 20 }, (_, i) => `CREATE TABLE ${other}.t${i} (id serial primary key);`).join(' ')}`);
        await churner.query(`DROP SCHEMA ${other} CASCADE`);
      }
    })();
    try {
      expect((await migrate(database)).applied.length).toBeGreaterThan(0);
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline) {
        const tables = await database.db.introspection.getTables();
        expect(tables.map((t) => t.schema).filter((s) => s !== mine)).toEqual([]);
        expect(tables.some((t) => t.name === 'kysely_migration')).toBe(true);
      }
      expect(churned.length).toBeGreaterThan(1);
    } finally {
      churning = false;
      await churn.catch(() => undefined);
      await churner.query(`DROP SCHEMA IF EXISTS ${mine} CASCADE`);
      await churner.end();
      await database.close();
    }
  });
});
