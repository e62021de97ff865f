import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The CI secret scan (test/support/scan-secrets.ts) fails on a leaked secret and passes a clean run. */
const ROOT = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function scan(files: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'secret-scan-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const run = spawnSync(process.execPath, ['--import', path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs'), path.join(ROOT, 'test', 'support', 'scan-secrets.ts'), dir], { encoding: 'utf8' });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('secret scan of the test run', () => {
  const secrets = [
    { kind: 'access_token', value: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' },
    { kind: 'credential', value: 'ghp_supersecretvalue' },
  ].map((s) => JSON.stringify(s)).join('\n');

  it('fails, naming the file, line and kind (masked), when a token or credential is in a log line or row', () => {
    const leaked = scan({
      'secrets.jsonl': secrets,
      'platform-1.log': '{"message":"ok"}\n{"message":"auth","authorization":"Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}\n',
      'platform-1.rows.jsonl': '{"table":"request_log","row":{"payload":{"k":"xghp_supersecretvaluex"}}}\n',
    });
    expect(leaked.status).toBe(1);
    expect(leaked.out).toContain('platform-1.log:2: access_token eyJh…');
    expect(leaked.out).toContain('platform-1.rows.jsonl:1: credential ghp_…');
    expect(leaked.out).not.toContain('supersecretvalue');
  });

  it('passes when the secrets appear nowhere', () => {
    const clean = scan({ 'secrets.jsonl': secrets, 'platform-1.log': '{"message":"auth","authorization":"[REDACTED]"}\n' });
    expect(clean.status, clean.out).toBe(0);
    expect(clean.out).toContain('secret scan: 2 secrets against 1 log lines');
  });
});
