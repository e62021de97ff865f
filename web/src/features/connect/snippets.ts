/**
 * Ready-to-paste client configurations for the platform's MCP endpoint (Streamable HTTP with a
 * bearer key). Pure functions: the page renders them, tests parse them.
 */
export interface SnippetInput {
  /** The endpoint: `<origin>/mcp` (every connected service) or `<origin>/mcp/<slug>`. */
  url: string;
  /** The name the client shows for this server. */
  name: string;
  /** The API key, or a placeholder when none is at hand. */
  apiKey: string;
}

export interface Snippet {
  id: 'claude-desktop' | 'claude-code' | 'cursor' | 'vscode' | 'windsurf' | 'typescript';
  label: string;
  /** Where it goes. */
  where: string;
  language: 'json' | 'shell' | 'typescript';
  code: string;
}

export const KEY_PLACEHOLDER = '<your API key>';

const json = (v: unknown) => JSON.stringify(v, null, 2);
const shellQuote = (s: string) => (/^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function snippets({ url, name, apiKey }: SnippetInput): Snippet[] {
  const authorization = `Bearer ${apiKey}`;
  return [
    {
      id: 'claude-desktop',
      label: 'Claude Desktop',
      where: 'claude_desktop_config.json (Settings → Developer → Edit Config); restart Claude Desktop. It reaches remote servers through the mcp-remote bridge (needs Node.js).',
      language: 'json',
      code: json({
        mcpServers: {
          [name]: {
            command: 'npx',
            args: ['-y', 'mcp-remote', url, '--header', 'Authorization:${AUTH_HEADER}'],
            env: { AUTH_HEADER: authorization },
          },
        },
      }),
    },
    {
      id: 'claude-code',
      label: 'Claude Code',
      where: 'Run in a terminal (add --scope user to make it available in every project).',
      language: 'shell',
      code: `claude mcp add --transport http ${shellQuote(name)} ${shellQuote(url)} --header "Authorization: ${authorization}"`,
    },
    {
      id: 'cursor',
      label: 'Cursor',
      where: '~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project)',
      language: 'json',
      code: json({ mcpServers: { [name]: { url, headers: { Authorization: authorization } } } }),
    },
    {
      id: 'vscode',
      label: 'VS Code',
      where: '.vscode/mcp.json in your workspace (or “MCP: Open User Configuration”)',
      language: 'json',
      code: json({ servers: { [name]: { type: 'http', url, headers: { Authorization: authorization } } } }),
    },
    {
      id: 'windsurf',
      label: 'Windsurf',
      where: '~/.codeium/windsurf/mcp_config.json',
      language: 'json',
      code: json({ mcpServers: { [name]: { serverUrl: url, headers: { Authorization: authorization } } } }),
    },
    {
      id: 'typescript',
      label: 'TypeScript (SDK)',
      where: 'npm install @modelcontextprotocol/client — for VernisAI and your own apps. Keep the key in an environment variable, not in code.',
      language: 'typescript',
      code: [
        "import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';",
        '',
        `const transport = new StreamableHTTPClientTransport(new URL(${JSON.stringify(url)}), {`,
        "  requestInit: { headers: { Authorization: `Bearer ${process.env.MCP_PLATFORM_API_KEY}` } },",
        '});',
        `const client = new Client({ name: ${JSON.stringify(name)}, version: '1.0.0' });`,
        'await client.connect(transport);',
        'const { tools } = await client.listTools();',
        "console.log(tools.map((t) => t.name));",
        'await client.close();',
        '',
        `// MCP_PLATFORM_API_KEY=${apiKey}`,
      ].join('\n'),
    },
  ];
}
