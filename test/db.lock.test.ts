import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform, testEnv } from './support/platform.js';

const run = promisify(execFile);
const embedded = !process.env.DATABASE_URL;

// Embedded PGlite is single-process; the DATA_DIR lock turns a second opener into a clear error.
describe.skipIf(!embedded)('DATA_DIR lock (embedded PGlite)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('refuses a second platform on the same DATA_DIR, in-process and from the CLI, and frees it on close', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-lock-'));
    dirs.push(dataDir);
    const first = await startPlatform({ DATA_DIR: dataDir });
    try {
      const lock = JSON.parse(await readFile(path.join(dataDir, 'pglite.lock'), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(process.pid);
      await expect(startPlatform({ DATA_DIR: dataDir })).rejects.toThrow(/DATA_DIR is in use by process \d+/);

      const cli = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'migrate'], {
        env: { PATH: process.env.PATH ?? '', ...testEnv({ DATA_DIR: dataDir, DATABASE_URL: undefined }) },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(`DATA_DIR is in use by process ${process.pid}`);
      expect(cli.stderr).toContain('set DATABASE_URL');
      // The first platform still serves.
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    } finally {
      await first.close();
    }
    await expect(readFile(path.join(dataDir, 'pglite.lock'))).rejects.toThrow(/ENOENT/);
    const again = await startPlatform({ DATA_DIR: dataDir });
    await again.close();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-lock-stale-'));
    dirs.push(dataDir);
    const { hostname } = await import('node:os');
    // PIDs above the kernel's pid_max cannot exist.
    await writeFile(path.join(dataDir, 'pglite.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), since: 'earlier' }));
    const t = await startPlatform({ DATA_DIR: dataDir });
    const lock = JSON.parse(await readFile(path.join(dataDir, 'pglite.lock'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
    await t.close();
  });
});
