import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, maskedConfig } from '../src/config/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

/** Runs the real CLI from source with exactly `env` (plus PATH). */
function cli(args: string[], env: Record<string, string>) {
  const res = spawnSync(process.execPath, ['--import', TSX, path.join(ROOT, 'src', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', { timeout: 120_000 }, () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.HOST).toBe('127.0.0.1');
    expect(c.PUBLIC_URL).toBe('http://127.0.0.1:8080');
    expect(c.DATA_DIR).toBe('./data');
    expect(c.embedded).toBe(true);
    expect(c.RATE_LIMIT_REDIS_DOWN).toBe('memory');
  });

  it('names the variable in every error', () => {
    expect(configError({ PORT: 'eighty' })).toContain('PORT');
    expect(configError({ PORT: '70000' })).toContain('PORT');
    expect(configError({ DATABASE_URL: 'mysql://db/x' })).toContain('DATABASE_URL');
    expect(configError({ REDIS_URL: 'http://r' })).toContain('REDIS_URL');
    expect(configError({ RATE_LIMIT_REDIS_DOWN: 'maybe' })).toContain('RATE_LIMIT_REDIS_DOWN');
    expect(configError({ DATABASE_SCHEMA: 'Robert"); DROP' })).toContain('DATABASE_SCHEMA');
    // The scheduler closes only the previous month: a grace past the shortest month would skip months.
    expect(configError({ BILLING_FINALISE_GRACE_MS: String(31 * 86_400_000) })).toContain('BILLING_FINALISE_GRACE_MS');
    expect(loadConfig({ BILLING_FINALISE_GRACE_MS: String(14 * 86_400_000) }).BILLING_FINALISE_GRACE_MS).toBe(14 * 86_400_000);
    const both = configError({ PORT: '-1', LOG_LEVEL: 'loud' });
    expect(both).toContain('PORT');
    expect(both).toContain('LOG_LEVEL');
  });

  it('masks secrets in the effective configuration', () => {
    const masked = maskedConfig(
      loadConfig({
        DATABASE_URL: 'postgres://app:db-pass-123@db.example.com:5432/app',
        REDIS_URL: 'redis://:redis-pass-456@r.example.com:6379',
        PLATFORM_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
        ADMIN_EMAIL: 'a@example.com',
        ADMIN_PASSWORD: 'admin-pass-789xyz',
        SUPABASE_JWT_SECRET: 'jwt-secret-000',
      }),
    );
    const text = JSON.stringify(masked);
    for (const secret of ['db-pass-123', 'redis-pass-456', Buffer.alloc(32, 1).toString('base64'), 'admin-pass-789xyz', 'jwt-secret-000']) {
      expect(text).not.toContain(secret);
    }
    expect(masked.DATABASE_URL).toContain('db.example.com');
    expect(masked.ADMIN_EMAIL).toBe('a@example.com');
  });

  it('masks the builtin shared secret and the metrics token', () => {
    const builtinSecret = 'builtin-shared-secret-0123456789abcdef';
    const metricsToken = 'metrics-token-4567';
    const masked = maskedConfig(loadConfig({ BUILTIN_SHARED_SECRET: builtinSecret, METRICS_TOKEN: metricsToken }));
    const text = JSON.stringify(masked);
    expect(text).not.toContain(builtinSecret);
    expect(text).not.toContain(metricsToken);
    expect(masked.BUILTIN_SHARED_SECRET).toBe('***** (set)');
    expect(masked.METRICS_TOKEN).toBe('***** (set)');
  });

  it('masks every set setting whose name says it holds a secret', () => {
    const config = loadConfig({ BUILTIN_SHARED_SECRET: 'builtin-shared-secret-0123456789abcdef', METRICS_TOKEN: 'm', ADMIN_EMAIL: 'a@example.com', ADMIN_PASSWORD: 'admin-pass-789xyz' });
    const masked = maskedConfig(config);
    const secretNamed = Object.keys(config).filter((k) => /(SECRET|PASSWORD|TOKEN|KEYS?(_PREVIOUS)?|HEADERS)$/.test(k));
    expect(secretNamed).toEqual(expect.arrayContaining(['BUILTIN_SHARED_SECRET', 'METRICS_TOKEN', 'ADMIN_PASSWORD']));
    for (const k of secretNamed) {
      if ((config as unknown as Record<string, unknown>)[k] !== undefined) expect([k, masked[k]]).toEqual([k, '***** (set)']);
    }
  });
});

describe('CLI', { timeout: 180_000 }, () => {
  it('exits 78 with a message naming the bad variable', () => {
    const port = cli(['check-config'], { PORT: 'eighty' });
    expect(port.code).toBe(78);
    expect(port.stderr).toContain('PORT');

    const db = cli(['serve'], { DATABASE_URL: 'mysql://localhost/x' });
    expect(db.code).toBe(78);
    expect(db.stderr).toContain('DATABASE_URL');

    const key = cli(['check-config'], { PLATFORM_ENCRYPTION_KEY: 'k1:too-short' });
    expect(key.code).toBe(78);
    expect(key.stderr).toContain('PLATFORM_ENCRYPTION_KEY');
  });

  it('check-config prints the effective configuration with secrets masked', () => {
    const res = cli(['check-config'], {
      PORT: '9090',
      DATABASE_URL: 'postgres://app:db-pass-123@db.example.com:5432/app',
      PLATFORM_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 2).toString('base64')}`,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('"PORT": 9090');
    expect(res.stdout).toContain('configuration OK');
    expect(res.stdout).not.toContain('db-pass-123');
    expect(res.stdout).not.toContain(Buffer.alloc(32, 2).toString('base64'));
  });

  it('version prints the package version; unknown commands exit 2', () => {
    const v = cli(['version'], {});
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(cli(['frobnicate'], {}).code).toBe(2);
  });
});
