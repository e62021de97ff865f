import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { migrate, openDatabase } from '../../src/db/index.js';

/**
 * Embedded mode only: PGlite's initdb is the slowest part of starting a platform (several
 * seconds, far more on a loaded machine). Build one migrated data directory per run; each
 * test platform starts from a copy of it (see startPlatform). Server mode needs nothing.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => {};
  const root = await mkdtemp(path.join(tmpdir(), 'mcp-pglite-template-'));
  const database = await openDatabase({
    dataDir: root,
    schema: 'mcp_platform',
    poolMax: 1,
    logger: pino({ level: 'silent' }),
  });
  await migrate(database);
  await database.close();
  process.env.MCP_TEST_PGLITE_TEMPLATE = path.join(root, 'pglite');
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
