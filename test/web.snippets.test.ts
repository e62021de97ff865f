import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PLACEHOLDER, snippets, type Snippet } from '../web/src/features/connect/snippets.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { createApiKey, signUp } from './support/users.js';

/**
 * The "Connect a client" snippets (web/src/features/connect/snippets.ts), checked against each
 * client's documented configuration shape, and the TypeScript one run for real against the
 * platform with a fresh API key.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

const byId = (list: Snippet[], id: Snippet['id']) => {
  const s = list.find((x) => x.id === id);
  if (!s) throw new Error(`no ${id} snippet`);
  return s;
};

describe('web: client configuration snippets', () => {
  const url = 'https://mcp.example.com/mcp/notes';
  const apiKey = 'mcp_sk_test_1234567890';
  const list = snippets({ url, name: 'my platform', apiKey });
  const bearer = `Bearer ${apiKey}`;

  it('has one snippet per client, each naming where it goes', () => {
    expect(list.map((s) => s.id)).toEqual(['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf', 'typescript']);
    for (const s of list) expect(s.where.length, s.id).toBeGreaterThan(10);
  });

  it('Claude Desktop: mcpServers.<name> runs mcp-remote with the URL and the header from env', () => {
    const config = JSON.parse(byId(list, 'claude-desktop').code) as { mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }> };
    expect(Object.keys(config)).toEqual(['mcpServers']);
    const server = config.mcpServers['my platform']!;
    expect(server.command).toBe('npx');
    expect(server.args).toEqual(['-y', 'mcp-remote', url, '--header', 'Authorization:${AUTH_HEADER}']);
    expect(server.env).toEqual({ AUTH_HEADER: bearer });
  });

  it('Claude Code: claude mcp add --transport http <name> <url> --header "Authorization: Bearer <key>", quoted for a shell', () => {
    const code = byId(list, 'claude-code').code;
    expect(code).toBe(`claude mcp add --transport http 'my platform' ${url} --header "Authorization: ${bearer}"`);
  });

  it('Cursor, VS Code and Windsurf: their JSON shapes with url (serverUrl for Windsurf) and headers', () => {
    expect(JSON.parse(byId(list, 'cursor').code)).toEqual({ mcpServers: { 'my platform': { url, headers: { Authorization: bearer } } } });
    expect(JSON.parse(byId(list, 'vscode').code)).toEqual({ servers: { 'my platform': { type: 'http', url, headers: { Authorization: bearer } } } });
    expect(JSON.parse(byId(list, 'windsurf').code)).toEqual({ mcpServers: { 'my platform': { serverUrl: url, headers: { Authorization: bearer } } } });
  });

  it('without a key, a placeholder is filled in, never an empty bearer', () => {
    const placeholder = snippets({ url, name: 'x', apiKey: KEY_PLACEHOLDER });
    expect(byId(placeholder, 'claude-code').code).toContain(`Bearer ${KEY_PLACEHOLDER}`);
  });

  describe('the TypeScript snippet, run against the platform', () => {
    let t: TestPlatform;
    const dir = path.join(ROOT, 'node_modules', '.cache', `web-snippet-${process.pid}`);
    beforeAll(async () => {
      t = await startPlatform();
      await mkdir(dir, { recursive: true });
    }, 180_000);
    afterAll(async () => {
      await t?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('lists the tools of a service with a fresh API key', async () => {
      const session = await signUp(t.url);
      const { key } = await createApiKey(t.url, session.accessToken, { name: 'snippet', services: ['notes'] });
      const code = byId(snippets({ url: `${t.url}/mcp/notes`, name: 'snippet-test', apiKey: key }), 'typescript').code;
      const file = path.join(dir, 'snippet.mts'); // under node_modules/.cache: the SDK resolves from the repo
      await writeFile(file, code);
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
        cwd: ROOT,
        env: { ...process.env, MCP_PLATFORM_API_KEY: key },
        timeout: 60_000,
      });
      expect(stdout).toContain('create_note');
    });
  });
});
