import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logging/index.js';
import { testEnv } from './support/platform.js';
import { signIn } from './support/users.js';

const run = promisify(execFile);

/**
 * First start without ADMIN_EMAIL: a one-time admin credential goes to the operator (stderr),
 * never into the JSON log stream, and is never printed again. Two starts share one data dir
 * (embedded) or one schema (PostgreSQL).
 */
describe('auth: bootstrap admin and create-admin CLI', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function sharedEnv() {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-auth-boot-'));
    dirs.push(dataDir);
    return testEnv({
      DATA_DIR: dataDir,
      ADMIN_EMAIL: undefined,
      ADMIN_PASSWORD: undefined,
      ...(process.env.DATABASE_URL ? { DATABASE_SCHEMA: `t_boot_${randomBytes(4).toString('hex')}` } : {}),
    });
  }

  async function start(env: Record<string, string>) {
    const announced: string[] = [];
    const logLines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) }));
    const platform = await createPlatform(loadConfig(env), { logger, announce: (text) => announced.push(text) });
    const address = await platform.listen(0);
    return { platform, url: `http://127.0.0.1:${address.port}`, announced, logLines };
  }

  it('prints a generated admin credential once, outside the JSON log, and never again', async () => {
    const env = await sharedEnv();
    const first = await start(env);
    let password: string;
    try {
      expect(first.announced).toHaveLength(1);
      const text = first.announced[0] ?? '';
      expect(text).toContain('admin@localhost');
      password = /password:\s+(\S+)/.exec(text)?.[1] ?? '';
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(first.logLines.join('')).not.toContain(password);
      expect(first.logLines.join('')).toContain('one-time password');
      const admin = await signIn(first.url, 'admin@localhost', password);
      expect((decodeJwt(admin.accessToken) as { app_metadata: { role: string } }).app_metadata.role).toBe('admin');
    } finally {
      await first.platform.close();
    }
    const second = await start(env);
    try {
      expect(second.announced).toEqual([]);
      expect((await signIn(second.url, 'admin@localhost', password)).userId).toBeTruthy();
    } finally {
      await second.platform.close();
    }
  }, 180_000); // two platform starts

  it('creates the ADMIN_EMAIL admin instead when it is configured, and prints nothing', async () => {
    const env = { ...(await sharedEnv()), ADMIN_EMAIL: 'ops@example.test', ADMIN_PASSWORD: 'ops-password-123' };
    const p = await start(env);
    try {
      expect(p.announced).toEqual([]);
      const s = await signIn(p.url, 'ops@example.test', 'ops-password-123');
      expect((decodeJwt(s.accessToken) as { app_metadata: { role: string } }).app_metadata.role).toBe('admin');
      const gen = await fetch(`${p.url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@localhost', password: 'whatever-123456' }),
      });
      expect(gen.status).toBe(400); // no generated admin exists
    } finally {
      await p.platform.close();
    }
  }, 120_000);

  it('create-admin CLI: generates and prints a password, or reads one from stdin', async () => {
    const env = await sharedEnv();
    const cli = (args: string[], input?: string) => {
      const child = run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'create-admin', ...args], {
        env: { ...process.env, ...env },
        cwd: path.resolve(import.meta.dirname, '..'),
      });
      if (input !== undefined) {
        child.child.stdin?.end(input);
      } else child.child.stdin?.end();
      return child;
    };
    const generated = await cli(['--email', 'cli-admin@example.test']);
    const password = /password \(shown once\): (\S+)/.exec(generated.stdout)?.[1];
    expect(password).toBeTruthy();
    const fromStdin = await cli(['--email', 'cli-admin2@example.test', '--password-stdin'], 'stdin-password-123\n');
    expect(fromStdin.stdout).toContain('created admin cli-admin2@example.test');
    const weak = await cli(['--email', 'cli-admin3@example.test', '--password-stdin'], 'short\n').catch((e: { code: number; stderr: string }) => e);
    expect((weak as { code: number }).code).toBe(1);
    expect((weak as { stderr: string }).stderr).toMatch(/at least/);

    const p = await start(env);
    try {
      expect(p.announced).toEqual([]); // an admin exists, so nothing is generated
      for (const [email, pw] of [
        ['cli-admin@example.test', password ?? ''],
        ['cli-admin2@example.test', 'stdin-password-123'],
      ] as const) {
        const s = await signIn(p.url, email, pw);
        expect((decodeJwt(s.accessToken) as { app_metadata: { role: string } }).app_metadata.role).toBe('admin');
      }
    } finally {
      await p.platform.close();
    }
  }, 300_000); // three CLI processes, each starting the platform
});
