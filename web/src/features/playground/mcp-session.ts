import { Client, ProtocolError, StreamableHTTPClientTransport, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { accessToken } from '../../auth/supabase';

/**
 * The playground's MCP connection: the SDK client in the browser against the platform's own
 * `/mcp/{service}` (or the aggregate `/mcp`), authenticated with the session's access token, the
 * same path every MCP client takes (routing, credentials, policy, request log).
 */
export const mcpPath = (service: string | null) => (service ? `/mcp/${encodeURIComponent(service)}` : '/mcp');

export interface McpConnection {
  client: Client;
  tools: Tool[];
}

async function connect(service: string | null): Promise<McpConnection> {
  const client = new Client({ name: 'mcp-platform-playground', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpPath(service), window.location.origin), {
    // Asked before every request, so a refreshed session token is used.
    authProvider: { token: () => accessToken() },
  });
  try {
    await client.connect(transport);
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && tools.length < 2000);
    return { client, tools };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

/** Connects when a target is chosen; the client is closed when the target changes or the page goes. */
export function useMcpConnection(target: string | null | undefined) {
  const query = useQuery({
    queryKey: ['playground', 'connection', target ?? null],
    enabled: target !== undefined,
    queryFn: () => connect(target ?? null),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    structuralSharing: false,
  });
  const client = query.data?.client;
  useEffect(() => () => void client?.close().catch(() => undefined), [client]);
  return query;
}

export interface ProgressEvent {
  progress: number;
  total?: number;
  message?: string;
  /** Milliseconds since the call started. */
  at: number;
}

export type CallOutcome =
  | { kind: 'result'; result: CallToolResult; latencyMs: number }
  | { kind: 'rpc_error'; code: number; message: string; data?: unknown; latencyMs: number };

/** Calls a tool and keeps the progress notifications that arrive meanwhile. */
export function useToolCall(client: Client | undefined) {
  const [progress, setProgress] = useState<ProgressEvent[]>([]);
  const mutation = useMutation({
    mutationFn: async ({ name, args }: { name: string; args: Record<string, unknown> }): Promise<CallOutcome> => {
      if (!client) throw new Error('Not connected to the service yet.');
      setProgress([]);
      const started = performance.now();
      try {
        const result = (await client.callTool(
          { name, arguments: args },
          {
            timeout: 120_000,
            resetTimeoutOnProgress: true,
            onprogress: (p) => setProgress((list) => [...list, { progress: p.progress, total: p.total, message: p.message, at: performance.now() - started }]),
          },
        )) as CallToolResult;
        return { kind: 'result', result, latencyMs: performance.now() - started };
      } catch (error) {
        // A JSON-RPC error answer (unknown tool, invalid params, refused by policy) is a result to show, not a failure of the page.
        if (error instanceof ProtocolError) return { kind: 'rpc_error', code: error.code, message: error.message, data: error.data, latencyMs: performance.now() - started };
        throw error;
      }
    },
  });
  return { ...mutation, progress };
}
