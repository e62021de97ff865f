import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/cli.js';
import { startPlatform, testEnv } from './support/platform.js';

/**
 * Graceful shutdown loses nothing: a real `mcp-platform serve` child process takes a burst of N
 * requests with a flush interval far longer than the test, gets SIGTERM, and exactly N request-log
 * rows are in the database afterwards.
 */
describe('logging: graceful shutdown', () => {
  const dirs: string[] = [];
  let serve: ServeProcess | undefined;
  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
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
    serve = await startServe(env);
    const statuses = await Promise.all(
      Array.from({ length: N }, (_, i) => fetch(`${serve!.url}/burst/${i}`, { headers: { 'x-request-id': `burst-${i}` } }).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 404)).toBe(true);
    expect(await serve.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(serve.logs.some((l) => /records lost|could not be written/.test(String(l.message)))).toBe(false);

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
