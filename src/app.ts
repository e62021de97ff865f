import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import { connectRedis, migrate, openDatabase, waitForRedis, type PlatformDatabase, type Redis } from './db/index.js';
import { edgeMiddleware, errorHandler, notFound } from './gateway/index.js';
import { createLogger } from './logging/index.js';
import { createMcpRouter, type McpRouterDeps } from './router/index.js';
import { loadVault, type Vault } from './vault/index.js';

/**
 * Composition root: builds every component from config and wires them together. Nothing else
 * constructs components, and no component imports this file.
 */
export interface Platform {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: PlatformDatabase;
  readonly vault: Vault;
  readonly redis: Redis | undefined;
  readonly app: express.Express;
  readonly server: http.Server;
  /** Starts listening on HOST:PORT (or the given port, 0 for any). */
  listen(port?: number): Promise<AddressInfo>;
  /** Graceful: stop accepting, let in-flight requests finish within the bound, close pools. */
  close(): Promise<void>;
}

export interface PlatformOptions {
  logger?: Logger;
  /** Run migrations before serving (the default; `serve` always does). */
  migrate?: boolean;
  /**
   * MCP router parts (catalog, upstream connector, authentication). Until the real catalog,
   * connectors and gateway authentication are wired below, tests inject their own here.
   */
  mcp?: Pick<McpRouterDeps, 'catalog' | 'connector' | 'authenticate' | 'rateLimit'>;
}

export async function createPlatform(config: Config, opts: PlatformOptions = {}): Promise<Platform> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const { vault, generatedKeyPath, createdKey } = await loadVault({
    encryptionKey: config.PLATFORM_ENCRYPTION_KEY,
    previousKeys: config.PLATFORM_ENCRYPTION_KEYS_PREVIOUS,
    dataDir: config.DATA_DIR,
    embedded: config.embedded,
  });
  if (generatedKeyPath) {
    logger.warn(
      { file: generatedKeyPath, created: createdKey },
      'PLATFORM_ENCRYPTION_KEY is not set: using a master key stored in DATA_DIR. Back this file up, or set PLATFORM_ENCRYPTION_KEY for production',
    );
  }

  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    schema: config.DATABASE_SCHEMA,
    poolMax: config.DATABASE_POOL_MAX,
    logger,
  });
  const cleanups: Array<() => Promise<unknown>> = [() => database.close()];
  try {
    if (opts.migrate !== false) {
      const { applied } = await migrate(database);
      if (applied.length) logger.info({ applied }, 'database migrated');
    }

    let redis: Redis | undefined;
    if (config.REDIS_URL) {
      redis = connectRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
      cleanups.unshift(async () => redis?.quit().catch(() => redis?.disconnect()));
      await waitForRedis(redis).catch((err: Error) => logger.warn({ err: { message: err.message } }, 'starting without Redis'));
    }

    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', config.TRUST_PROXY);
    app.set('query parser', 'simple');

    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/readyz', async (_req, res) => {
      const checks: Record<string, 'ok' | 'fail'> = {};
      checks.database = await database.ping().then(() => 'ok' as const, () => 'fail' as const);
      if (redis) checks.redis = await redis.ping().then(() => 'ok' as const, () => 'fail' as const);
      const ready = Object.values(checks).every((c) => c === 'ok');
      res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
    });

    app.use(edgeMiddleware({ logger, bodyLimitBytes: config.BODY_LIMIT_BYTES, corsOrigins: config.CORS_ORIGINS }));

    // --- MCP endpoints: /mcp, /mcp/{service}, /.well-known/oauth-protected-resource[/mcp...] ---
    // TODO(merge): default catalog/connector/authenticate to the real components once they land.
    if (opts.mcp) {
      const mcp = createMcpRouter({ config, logger, vault, redis, ...opts.mcp });
      cleanups.unshift(() => mcp.close());
      app.use(mcp.router);
      app.use(mcp.errorHandler);
    }
    // --- end MCP endpoints ---

    app.use(notFound);
    app.use(errorHandler(logger, config.BODY_LIMIT_BYTES));

    const server = http.createServer(
      {
        requestTimeout: config.REQUEST_TIMEOUT_MS,
        headersTimeout: config.HEADERS_TIMEOUT_MS,
        keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
      },
      app,
    );

    let closing: Promise<void> | undefined;
    const platform: Platform = {
      config,
      logger,
      database,
      vault,
      redis,
      app,
      server,
      listen(port = config.PORT) {
        return new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, config.HOST, () => {
            server.off('error', reject);
            resolve(server.address() as AddressInfo);
          });
        });
      },
      close() {
        closing ??= (async () => {
          await new Promise<void>((resolve) => {
            if (!server.listening) return resolve();
            const force = setTimeout(() => {
              logger.warn('shutdown bound reached: closing remaining connections');
              server.closeAllConnections();
            }, config.SHUTDOWN_TIMEOUT_MS);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              resolve();
            });
            server.closeIdleConnections();
          });
          for (const cleanup of cleanups) await cleanup().catch(() => undefined);
        })();
        return closing;
      },
    };
    return platform;
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}
