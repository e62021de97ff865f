import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createPlatform, type Platform, type PlatformOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { dumpRows, recordSecret, scanLogger } from './secret-scan.js';

/**
 * Starts the real platform (app.ts) on a random port. Storage follows the environment, as the
 * README's test command runs it: embedded PGlite in a temp dir by default, or — when
 * DATABASE_URL is set — the real PostgreSQL in a schema of its own. REDIS_URL is honoured
 * with a key prefix of its own, so test files never share state by accident.
 */
export interface TestPlatform {
  platform: Platform;
  url: string;
  dataDir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export const TEST_MASTER_KEY = `test:${Buffer.alloc(32, 7).toString('base64')}`;

export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const unique = randomBytes(4).toString('hex');
  const base: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PLATFORM_ENCRYPTION_KEY: TEST_MASTER_KEY,
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_SCHEMA: process.env.DATABASE_URL ? `t_${unique}` : undefined,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: `test:${unique}:`,
    ADMIN_EMAIL: 'admin@example.test',
    ADMIN_PASSWORD: 'admin-password-123',
    // Tests sign many users up from 127.0.0.1; test/auth.lockout.test.ts checks the real limit.
    AUTH_SIGNUPS_PER_IP_PER_HOUR: '1000000',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface StartOptions {
  /** A logger of the test's own (e.g. writing to a capture stream). */
  logger?: Logger;
  /** Builtin MCP servers by name (router tests bring their own). */
  builtins?: PlatformOptions['builtins'];
  /** The web app build to serve (test/support/web.ts builds one). */
  web?: PlatformOptions['web'];
  /** Where OAuth client IDs and secrets named by the catalog are read (default process.env). */
  providerEnv?: PlatformOptions['providerEnv'];
  /** The clock quotas count months by (test/billing.quota.test.ts crosses a month's end). */
  clock?: PlatformOptions['clock'];
}

export async function startPlatform(
  overrides: Record<string, string | undefined> = {},
  opts: StartOptions = {},
): Promise<TestPlatform> {
  const dataDir = overrides.DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), 'mcp-platform-test-')));
  const template = process.env.MCP_TEST_PGLITE_TEMPLATE;
  if (!overrides.DATA_DIR && !overrides.DATABASE_SCHEMA && !process.env.DATABASE_URL && template) {
    // A copy of the migrated template (test/support/global-setup.ts) instead of a fresh initdb.
    await cp(template, path.join(dataDir, 'pglite'), { recursive: true });
  }
  const env = testEnv({ DATA_DIR: dataDir, ...overrides });
  const config = loadConfig(env);
  // CI's secret scan (secret-scan.ts): the platform's own logger to a file, the env's secrets noted.
  const scan = opts.logger ? undefined : scanLogger();
  recordSecret('master_key', env.PLATFORM_ENCRYPTION_KEY?.split(':').pop());
  recordSecret('admin_password', env.ADMIN_PASSWORD);
  const platform = await createPlatform(config, {
    ...(opts.logger ? { logger: opts.logger } : scan ? { logger: scan.logger } : {}),
    ...(opts.builtins ? { builtins: opts.builtins } : {}),
    ...(opts.web ? { web: opts.web } : {}),
    ...(opts.providerEnv ? { providerEnv: opts.providerEnv } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const address = await platform.listen(config.PORT);
  const url = `http://127.0.0.1:${address.port}`;
  return {
    platform,
    url,
    dataDir,
    env,
    async close() {
      if (scan) await dumpRows(platform, scan.name);
      await platform.close();
      await scan?.end();
      if (!overrides.DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
