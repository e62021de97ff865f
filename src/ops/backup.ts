import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lockDataDir } from '../db/index.js';

/**
 * `backup` and `restore` (docs/operations.md).
 *
 * - Embedded (PGlite): PGlite's own `dumpDataDir` (a gzipped tar of the data directory), taken
 *   while this command holds the DATA_DIR lock, so no `serve` writes meanwhile and the copy is
 *   consistent. Restore loads it into a fresh directory beside the live one, checks it opens and
 *   holds the platform schema, then swaps directories (the old one is kept, renamed).
 * - PostgreSQL: `pg_dump --format=custom` of DATABASE_SCHEMA (one consistent snapshot, while the
 *   replicas keep serving). Restore drops the schema and replays the dump in ONE transaction
 *   (`pg_restore -f -` piped into `psql --single-transaction`): it fails whole or succeeds whole.
 *
 * Sealed values (credentials, signing keys) stay sealed: a backup is useless without the master
 * key, which it never contains. Keep PLATFORM_ENCRYPTION_KEY (or DATA_DIR/master.key) separately.
 */

export interface BackupTarget {
  /** PostgreSQL URL; undefined for the embedded store in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  schema: string;
}

export type BackupKind = 'pglite' | 'postgres';

export class BackupError extends Error {
  override name = 'BackupError';
}

const GZIP = Buffer.from([0x1f, 0x8b]);
const PGDMP = Buffer.from('PGDMP');

export async function backup(target: BackupTarget, file: string): Promise<{ kind: BackupKind; bytes: number }> {
  if (target.databaseUrl) {
    await run('pg_dump', ['--format=custom', `--schema=${target.schema}`, '--no-owner', '--no-privileges', `--file=${file}`, '--dbname', withoutPassword(target.databaseUrl)], target.databaseUrl);
    return { kind: 'postgres', bytes: (await stat(file)).size };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const unlock = await lockDataDir(path.resolve(target.dataDir, 'pglite.lock'));
  try {
    const dir = path.resolve(target.dataDir, 'pglite');
    await stat(path.join(dir, 'PG_VERSION')).catch(() => {
      throw new BackupError(`no embedded database in ${dir}`);
    });
    const db = await PGlite.create({ dataDir: dir });
    try {
      await requireSchema(db, target.schema);
      const dump = await db.dumpDataDir('gzip');
      const bytes = Buffer.from(await dump.arrayBuffer());
      await writeFile(file, bytes, { mode: 0o600 });
      return { kind: 'pglite', bytes: bytes.length };
    } finally {
      await db.close();
    }
  } finally {
    await unlock();
  }
}

export async function restore(target: BackupTarget, file: string): Promise<{ kind: BackupKind; previous?: string }> {
  const kind = await backupKindOf(file);
  if (kind === 'postgres' && !target.databaseUrl) throw new BackupError('this is a PostgreSQL backup (pg_dump); set DATABASE_URL to restore it');
  if (kind === 'pglite' && target.databaseUrl) throw new BackupError('this is an embedded (PGlite) backup; unset DATABASE_URL to restore it into DATA_DIR');
  if (kind === 'postgres') {
    await restorePostgres(target.databaseUrl!, target.schema, file);
    return { kind };
  }
  return { kind, previous: await restorePglite(target, file) };
}

async function restorePglite(target: BackupTarget, file: string): Promise<string | undefined> {
  const { PGlite } = await import('@electric-sql/pglite');
  const unlock = await lockDataDir(path.resolve(target.dataDir, 'pglite.lock'));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const live = path.resolve(target.dataDir, 'pglite');
  const incoming = path.resolve(target.dataDir, `pglite.restoring-${stamp}`);
  try {
    const archive = new Blob([await readFile(file)]);
    const db = await PGlite.create({ dataDir: incoming, loadDataDir: archive });
    try {
      await requireSchema(db, target.schema);
    } finally {
      await db.close();
    }
    let previous: string | undefined = path.resolve(target.dataDir, `pglite.before-restore-${stamp}`);
    try {
      await rename(live, previous);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      previous = undefined;
    }
    await rename(incoming, live);
    return previous;
  } catch (err) {
    await rm(incoming, { recursive: true, force: true });
    throw err;
  } finally {
    await unlock();
  }
}

async function restorePostgres(url: string, schema: string, file: string): Promise<void> {
  const listing = await run('pg_restore', ['--list', file], url);
  const schemas = [...listing.matchAll(/^\d+;\s+\d+\s+\d+\s+SCHEMA\s+-\s+(\S+)/gm)].map((m) => m[1]);
  if (!schemas.includes(schema)) {
    throw new BackupError(`the backup holds schema ${schemas.join(', ') || '(none)'}, not DATABASE_SCHEMA=${schema}; set DATABASE_SCHEMA to the backed-up schema`);
  }
  // pg_restore writes the SQL, psql runs it after the DROP in one transaction; streamed, never held in memory.
  const quoted = `"${schema.replaceAll('"', '""')}"`;
  const producer = spawnTool('pg_restore', ['--no-owner', '--no-privileges', '--file=-', file], url, false);
  const consumer = spawnTool('psql', ['--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1', '--dbname', withoutPassword(url)], url, true);
  consumer.child.stdin!.write(`DROP SCHEMA IF EXISTS ${quoted} CASCADE;\n`);
  producer.child.stdout!.pipe(consumer.child.stdin!);
  producer.child.stdout!.on('end', () => consumer.child.stdin!.end());
  await Promise.all([producer.done, consumer.done]);
}

/** What a backup file holds, by its first bytes. */
export async function backupKindOf(file: string): Promise<BackupKind> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new BackupError(`cannot read ${file}: ${err.code ?? err.message}`);
  });
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    if (bytesRead >= 5 && head.equals(PGDMP)) return 'postgres';
    if (bytesRead >= 2 && head.subarray(0, 2).equals(GZIP)) return 'pglite';
    throw new BackupError(`${file} is not a platform backup (neither a pg_dump archive nor a PGlite data dump)`);
  } finally {
    await handle.close();
  }
}

async function requireSchema(db: { query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> }, schema: string): Promise<void> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from information_schema.tables where table_schema = $1', [schema]);
  if (!rows[0]?.n) throw new BackupError(`the database has no tables in schema ${schema} (DATABASE_SCHEMA)`);
}

/** The URL without its password (which goes in PGPASSWORD, never on a command line others can list). */
function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** A PostgreSQL client tool; `done` resolves when it exits 0, rejects with the end of its stderr otherwise. */
function spawnTool(command: string, args: string[], url: string, withStdin: boolean): { child: ChildProcess; done: Promise<void> } {
  const password = decodeURIComponent(new URL(url).password);
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(password ? { PGPASSWORD: password } : {}), PGCONNECT_TIMEOUT: '10' },
    stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
  child.stdin?.on('error', () => undefined); // the tool's exit status tells what went wrong
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(new BackupError(e.code === 'ENOENT' ? `${command} not found: install the PostgreSQL client tools (Debian: postgresql-client) matching the server's major version` : e.message)),
    );
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new BackupError(`${command} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
  return { child, done };
}

/** Runs a tool to its end; resolves with its stdout. */
async function run(command: string, args: string[], url: string): Promise<string> {
  const { child, done } = spawnTool(command, args, url, false);
  const out: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  await done;
  return Buffer.concat(out).toString('utf8');
}
