/**
 * The MCP messages the load generator sends, built once, byte for byte what the SDK client sends
 * (captured from @modelcontextprotocol/client 2.x): a 2026-07-28 request carries the `_meta`
 * envelope in its params plus the MCP-Protocol-Version / Mcp-Method / Mcp-Name headers; a 2025-era
 * request carries MCP-Protocol-Version and, within a session, Mcp-Session-Id.
 */
import type { Call } from './jobs.js';

export const MODERN = '2026-07-28';
export const LEGACY = '2025-11-25';
export type Style = '2026' | '2025';

/** What the echo tool is asked to return; a correct answer contains EXPECT. */
export const PAYLOAD = 'bench-echo-payload-0123456789';
export const EXPECT = `"text":"${PAYLOAD}"`;

const CLIENT_INFO = { name: 'mcp-bench', version: '1.0.0' };
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** Replaced per call by the generator (see Call.body). */
const ID = '__ID__';

const BASE_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export function modernCall(url: string, tool: string, auth: Record<string, string> = {}): Call {
  return {
    url,
    headers: { ...BASE_HEADERS, ...auth, 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': tool },
    body: JSON.stringify({ jsonrpc: '2.0', id: ID, method: 'tools/call', params: { name: tool, arguments: { text: PAYLOAD }, _meta: ENVELOPE } }),
    expect: EXPECT,
  };
}

export function legacyCall(url: string, tool: string, auth: Record<string, string> = {}, sessionId?: string): Call {
  return {
    url,
    headers: { ...BASE_HEADERS, ...auth, 'mcp-protocol-version': LEGACY, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: ID, method: 'tools/call', params: { name: tool, arguments: { text: PAYLOAD } } }),
    expect: EXPECT,
  };
}

export const handshake = {
  initialize: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: CLIENT_INFO } }),
  initialized: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  list: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  call: (tool: string) => JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: tool, arguments: { text: PAYLOAD } } }),
};

export function baseHeaders(auth: Record<string, string> = {}): Record<string, string> {
  return { ...BASE_HEADERS, ...auth };
}

/** Opens one 2025-era session (initialize + notifications/initialized); undefined for a stateless server. */
export async function openSession(url: string, auth: Record<string, string> = {}): Promise<string | undefined> {
  const init = await fetch(url, { method: 'POST', headers: baseHeaders(auth), body: handshake.initialize });
  const text = await init.text();
  if (!init.ok || !text.includes('"protocolVersion"')) throw new Error(`initialize at ${url}: ${init.status} ${text.slice(0, 300)}`);
  const sid = init.headers.get('mcp-session-id') ?? undefined;
  const note = await fetch(url, {
    method: 'POST',
    headers: { ...baseHeaders(auth), 'mcp-protocol-version': LEGACY, ...(sid ? { 'mcp-session-id': sid } : {}) },
    body: handshake.initialized,
  });
  await note.arrayBuffer();
  if (note.status !== 202 && note.status !== 200) throw new Error(`notifications/initialized at ${url}: ${note.status}`);
  return sid;
}
