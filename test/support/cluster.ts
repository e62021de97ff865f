import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { adminToken, ensureHttpService, HTTP_SLUG, LOAD_ENV, MixedTraffic, startCluster, startDemoUpstream, STDIO_SLUG, type Cluster, type ClusterOptions, type DemoUpstream } from '../../src/ops/index.js';
import { TEST_MASTER_KEY } from './platform.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

/** `serve` from source, as test/support/cli.ts runs it. */
export const SERVE_FROM_SOURCE = { command: process.execPath, args: ['--import', TSX, path.join(ROOT, 'src', 'main.ts'), 'serve'] };

export const CLUSTER_ADMIN = { email: 'admin@cluster.test', password: 'cluster-admin-password-1' };

/**
 * Whether the cluster tests run here: server mode only (DATABASE_URL and REDIS_URL; PGlite is one
 * process's database) and HAProxy. Under CI a missing haproxy fails them (.ci/run installs it)
 * instead of skipping them.
 */
export const clusterTestsRun =
  !!process.env.DATABASE_URL && !!process.env.REDIS_URL && (spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0 || !!process.env.CI);

/** Mixed traffic (src/ops/traffic.ts) through the cluster's HAProxy: `users` new users, each with a session to the stdio and the http demo service. */
export function clusterTraffic(cluster: Cluster, users: number): Promise<MixedTraffic> {
  return MixedTraffic.setup({
    url: cluster.url,
    adminEmail: CLUSTER_ADMIN.email,
    adminPassword: CLUSTER_ADMIN.password,
    stdioSlug: STDIO_SLUG,
    httpSlug: HTTP_SLUG,
    users,
  });
}

export interface TestCluster {
  cluster: Cluster;
  upstream: DemoUpstream;
  databaseUrl: string;
  schema: string;
  close(): Promise<void>;
}

/**
 * The cluster of src/ops/cluster.ts (N `serve` processes behind HAProxy) for a test: server mode
 * only (DATABASE_URL and REDIS_URL), in a schema and Redis prefix of its own, with the demo http
 * upstream (server-everything over Streamable HTTP) registered as `everything-http` and the catalog's
 * `everything` (stdio). Rate limits are raised far above the test's load. `close()` stops every
 * process and drops the schema.
 */
export async function startTestCluster(options: Partial<ClusterOptions> = {}): Promise<TestCluster> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('startTestCluster needs DATABASE_URL and REDIS_URL (server mode)');
  const tag = randomBytes(4).toString('hex');
  const schema = `t_cluster_${tag}`;
  const upstream = await startDemoUpstream();
  let cluster: Cluster | undefined;
  const close = async () => {
    await cluster?.stop();
    await upstream.stop();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  };
  try {
    cluster = await startCluster({
      replicas: 3,
      serve: SERVE_FROM_SOURCE,
      databaseUrl,
      redisUrl,
      schema,
      redisKeyPrefix: `test:cluster:${tag}:`,
      masterKey: TEST_MASTER_KEY,
      prometheus: false,
      // A bound, not a target: from source on a loaded shared machine a replica can take minutes to start.
      readyTimeoutMs: 300_000,
      ...options,
      env: { ADMIN_EMAIL: CLUSTER_ADMIN.email, ADMIN_PASSWORD: CLUSTER_ADMIN.password, ...LOAD_ENV, ...options.env },
    });
    const admin = await adminToken(cluster.url, CLUSTER_ADMIN.email, CLUSTER_ADMIN.password);
    await ensureHttpService(cluster.url, admin, HTTP_SLUG, upstream.url);
  } catch (err) {
    await close();
    throw err;
  }
  return { cluster, upstream, databaseUrl, schema, close };
}
