/**
 * The one 2026-07-28 `tools/call` that the per-call profiles send over and over, byte for byte the
 * same each time (bench/profile-mcp.ts, bench/instructions-mcp.ts): the echo tool with `hello`, a
 * fixed id, the `_meta` envelope, and the MCP-Protocol-Version / Mcp-Method / Mcp-Name headers.
 * (bench/wire.ts builds the load generator's messages, with an id replaced per call.)
 */
import { MODERN } from './wire.js';

export const ECHO_CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: {
    name: 'echo',
    arguments: { text: 'hello' },
    _meta: {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
});

/** The headers of ECHO_CALL, with the caller's bearer token when given. */
export function echoCallHeaders(bearer?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MODERN,
    'mcp-method': 'tools/call',
    'mcp-name': 'echo',
    ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
  };
}
