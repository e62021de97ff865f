import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/**
 * Embedded PGlite is single-process: a second process opening the same data directory corrupts it.
 * A lock file in DATA_DIR makes the second `serve` (or a CLI command run beside it) fail with a
 * clear message instead. A lock left by a process that no longer runs on this host is taken over.
 */
export class DataDirInUseError extends Error {
  constructor(lockFile: string, holder: LockHolder) {
    const who = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on host ${holder.host}`;
    super(
      `DATA_DIR is in use by ${who} since ${holder.since} (${lockFile}). Embedded PGlite allows one process at a time: ` +
        'stop the other process, or set DATABASE_URL to run several processes on PostgreSQL. ' +
        'If no such process exists, delete the lock file.',
    );
    this.name = 'DataDirInUseError';
  }
}

interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

const heldHere = new Set<string>();

export async function lockDataDir(lockFile: string): Promise<() => Promise<void>> {
  if (heldHere.has(lockFile)) throw new DataDirInUseError(lockFile, self());
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, JSON.stringify(self()), { flag: 'wx', mode: 0o600 });
      heldHere.add(lockFile);
      return async () => {
        heldHere.delete(lockFile);
        await unlink(lockFile).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(lockFile);
    if (holder && isAlive(holder)) throw new DataDirInUseError(lockFile, holder);
    await unlink(lockFile).catch(() => undefined);
  }
  throw new Error(`could not take the DATA_DIR lock ${lockFile}: another process keeps creating it`);
}

function self(): LockHolder {
  return { pid: process.pid, host: hostname(), since: new Date().toISOString() };
}

async function readHolder(lockFile: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lockFile, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? 'unknown') };
    }
  } catch {
    // unreadable or half-written: treated as stale
  }
  return undefined;
}

/** Alive unless it is provably gone: another host's process (shared volume) cannot be checked. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return false; // ours from an earlier, unreleased open in a crashed run with a reused pid
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
