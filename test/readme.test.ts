import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';

const run = promisify(execFile);
const readme = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

/** Every ```sh block with the marker comment in the line before it (`readme-test` or `readme-test: skip — reason`). */
function shellBlocks(): Array<{ line: number; marker: string | undefined; code: string }> {
  const out: Array<{ line: number; marker: string | undefined; code: string }> = [];
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    const end = lines.indexOf('```', i + 1);
    const marker = /^<!-- (readme-test.*?) -->$/.exec(lines[i - 1] ?? '')?.[1];
    out.push({ line: i + 1, marker, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

/** The README is the operator's reference: every setting the code reads must be in its table. */
describe('README', () => {
  it('documents every environment variable in the configuration table', () => {
    const rows = new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    const missing = CONFIG_VARIABLES.filter((name) => !rows.has(name));
    expect(missing, 'variables missing from the README table').toEqual([]);
    const unknown = [...rows].filter((name) => !CONFIG_VARIABLES.includes(name!));
    expect(unknown, 'README rows for variables the code does not read').toEqual([]);
  });

  it('names the two setup commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('marks every shell example as run by this test, or says why it cannot run here', () => {
    const unmarked = shellBlocks().filter((b) => !b.marker || (b.marker !== 'readme-test' && !/^readme-test: skip — \S/.test(b.marker)));
    expect(unmarked.map((b) => `README.md:${b.line}`), 'sh blocks without <!-- readme-test --> or <!-- readme-test: skip — reason -->').toEqual([]);
  });
});

/**
 * The README's runnable examples, in order, as one bash script against a live platform started
 * from the shipped catalog. `curl` fails on any HTTP error (--fail-with-body), so an example that
 * names a wrong field, a disabled service or an undefined variable fails the test.
 */
describe('README examples against a live server', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: undefined });
  });
  afterAll(async () => t?.close());

  it('run as written, and each answer is what the README says', async () => {
    const blocks = shellBlocks().filter((b) => b.marker === 'readme-test');
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const script = [
      'set -eu',
      'curl() { command curl --silent --show-error --fail-with-body "$@"; }',
      ...blocks.map((b) => `echo "--- README.md:${b.line}"\n${b.code.replaceAll('http://127.0.0.1:8080', t.url)}`),
    ].join('\n');
    let stdout = '';
    try {
      ({ stdout } = await run('bash', ['-c', script], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ADMIN_EMAIL: t.env.ADMIN_EMAIL!, ADMIN_PASSWORD: t.env.ADMIN_PASSWORD! },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      }));
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      // The last block header and the output after it say which example failed.
      expect.fail(`README examples failed (exit ${e.code}):\n${(e.stdout ?? '').slice(-3000)}\n${e.stderr ?? ''}`);
    }
    expect(stdout).toContain('{"status":"ok"}');
    // The one-minute quickstart's tools/call answered with the created note.
    expect(stdout).toMatch(/"structuredContent":\{"note":\{[^}]*"title":"Hello from curl"/);
    // The stored credential comes back masked, never as sent.
    expect(stdout).not.toContain('ghp_your_token_here');
    expect(stdout).toMatch(/mcp-session-id: v1\./i);
  });
});
