/**
 * Correctness, not timing: the real SDK client lists and calls the echo tool through a scenario's
 * URL once, in the era asked for, and we check the answer and the era actually spoken on the wire.
 */
import { Client, StreamableHTTPClientTransport, SUPPORTED_PROTOCOL_VERSIONS, type FetchLike } from '@modelcontextprotocol/client';
import { MODERN, PAYLOAD, type Style } from './wire.js';

export async function sdkCheck(url: string, tool: string, style: Style, auth: Record<string, string> = {}): Promise<string> {
  const versionsSeen = new Set<string>();
  const recording: FetchLike = async (input, init) => {
    const h = new Headers(init?.headers);
    if (typeof init?.body === 'string' && init.body.includes('"tools/call"')) versionsSeen.add(h.get('mcp-protocol-version') ?? 'none');
    return fetch(input, init);
  };
  const client =
    style === '2026'
      ? new Client(
          { name: 'mcp-bench-check', version: '1.0.0' },
          { supportedProtocolVersions: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v !== MODERN)], versionNegotiation: { mode: 'auto' } },
        )
      : new Client({ name: 'mcp-bench-check', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: recording, requestInit: { headers: auth } });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    if (!tools.tools.some((t) => t.name === tool)) throw new Error(`tools/list at ${url} lacks ${tool}: ${tools.tools.map((t) => t.name).join(', ')}`);
    const result = await client.callTool({ name: tool, arguments: { text: PAYLOAD } });
    const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
    const text = content.map((c) => c.text ?? '').join('');
    if (text !== PAYLOAD || result.isError) throw new Error(`tools/call ${tool} at ${url} answered ${JSON.stringify(result).slice(0, 300)}`);
    const versions = [...versionsSeen];
    const wantModern = style === '2026';
    if (versions.length !== 1 || (versions[0] === MODERN) !== wantModern) {
      throw new Error(`${url}: expected a ${style}-era call, the SDK client sent MCP-Protocol-Version ${versions.join(', ')}`);
    }
    return `ok (${versions[0]}, ${tools.tools.length} tools)`;
  } finally {
    await client.close().catch(() => undefined);
  }
}
