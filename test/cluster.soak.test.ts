import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterTestsRun } from './support/cluster.js';

/**
 * `npm run soak` itself, for one minute (issue 14 §4), so the script cannot rot: the real CLI starts
 * its cluster (2 replicas behind HAProxy), drives mixed traffic through it and reports errors,
 * RSS, heap, fds and stdio processes at the start and end, and p50/p99 per minute. The 30-minute run
 * is recorded in docs/operations.md. Server mode only (PostgreSQL and Redis), needs haproxy.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

interface Figures {
  rssMb: number;
  heapMb: number;
  fds: number;
  stdioProcesses: number;
  perReplica: unknown[];
}

describe.skipIf(!clusterTestsRun)('soak script (server mode, needs haproxy)', { timeout: 420_000 }, () => {
  const schema = `t_soak_${randomBytes(4).toString('hex')}`;
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('runs a one-minute soak and reports errors, resources at start and end, and latency per minute', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcp-soak-test-'));
    const report = path.join(dir, 'report.json');
    const database = new URL(process.env.DATABASE_URL!).pathname.slice(1);
    const child = spawn(
      process.execPath,
      [
        '--import',
        path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs'),
        path.join(ROOT, 'src', 'main.ts'),
        'soak',
        '--minutes', '1',
        '--rate', '10',
        '--replicas', '2',
        '--users', '2',
        '--database', database,
        '--schema', schema,
        '--state-dir', path.join(dir, 'state'),
        '--no-prometheus',
        '--json', report,
      ],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code, stderr.slice(-3000)).toBe(0);

    const r = JSON.parse(await readFile(report, 'utf8')) as {
      ok: boolean;
      minutes: number;
      rate: number;
      totals: { sent: number; failed: number; answered: number; errorSamples: string[] };
      perMinute: Array<{ minute: number; requests: number; p50Ms: number; p99Ms: number }>;
      figures: { launch: Figures; start: Figures; end: Figures; change: { rss: number; fds: number } };
    };
    expect(r.ok).toBe(true);
    expect(r.minutes).toBe(1);
    expect(r.rate).toBe(10);
    expect(r.totals.errorSamples).toEqual([]);
    expect(r.totals.failed).toBe(0);
    // About 10/s for a minute (the pacer sends what is due; nothing is answered twice).
    expect(r.totals.sent).toBeGreaterThan(400);
    expect(r.totals.answered).toBe(r.totals.sent);
    expect(r.perMinute.length).toBeGreaterThanOrEqual(1);
    for (const m of r.perMinute) expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms);
    for (const f of [r.figures.launch, r.figures.start, r.figures.end]) {
      expect(f.perReplica).toHaveLength(2);
      expect(f.rssMb).toBeGreaterThan(50);
      expect(f.heapMb).toBeGreaterThan(5);
      expect(f.fds).toBeGreaterThan(10);
    }
    // Two users, one stdio service: at most one child per user lives on its owner replica (no leak);
    // a child idle for STDIO_IDLE_TIMEOUT_MS between the pacer's stdio calls may be stopped meanwhile.
    expect(r.figures.end.stdioProcesses).toBeGreaterThanOrEqual(1);
    expect(r.figures.end.stdioProcesses).toBeLessThanOrEqual(2);
    // The script printed its per-minute line and the start/end comparison.
    expect(stderr).toMatch(/minute 1: RSS \d+ MB, heap \d+ MB, fds \d+, stdio processes [12]/);
    expect(stderr).toMatch(/RSS [+-]\d+\.\d%, heap [+-]\d+\.\d%, fds [+-]\d+\.\d%/);
  });
});
