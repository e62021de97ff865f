import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform, testEnv } from './support/platform.js';

/**
 * Graceful shutdown loses nothing: a real `mcp-platform serve` child process takes a burst of N
 * requests with a flush interval far longer than the test, gets SIGTERM, and exactly N request-log
 * rows are in the database afterwards.
 */
describe('logging: graceful shutdown', () => {
  const dirs: string[] = [];
  const children: Array<ReturnType<typeof spawn>> = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('flushes every queued record on SIGTERM', async () => {
    const N = 150;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-logging-shutdown-'));
    dirs.push(dataDir);
    const env = testEnv({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      LOG_FLUSH_INTERVAL_MS: '60000', // nothing is written before the signal
      LOG_BATCH_SIZE: '1000',
    });
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['src/main.ts', 'serve'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /"address":"[^"]*:(\d+)"/.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(Number(m[1]));
          }
        }, 100);
        void exited.then(() => {
          clearInterval(timer);
          reject(new Error(`serve exited early:\n${out}`));
        });
      });
      const statuses = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          fetch(`http://127.0.0.1:${port}/burst/${i}`, { headers: { 'x-request-id': `burst-${i}` } }).then((r) => r.status),
        ),
      );
      expect(statuses.every((s) => s === 404)).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(out).not.toMatch(/records lost|could not be written/);

    const t = await startPlatform({ DATA_DIR: dataDir, DATABASE_SCHEMA: env.DATABASE_SCHEMA });
    try {
      const rows = await t.platform.database.db
        .selectFrom('request_log')
        .select(['request_id'])
        .where('request_id', 'like', 'burst-%')
        .execute();
      expect(rows).toHaveLength(N);
      expect(new Set(rows.map((r) => r.request_id)).size).toBe(N);
    } finally {
      await t.close();
    }
  }, 240_000);
});
