import { Client, SSEClientTransport, StreamableHTTPClientTransport, type FetchLike, type Transport } from '@modelcontextprotocol/client';
import { InMemoryTransport, type McpServer } from '@modelcontextprotocol/server';
import { fetch as undiciFetch } from 'undici';
import type { EgressGuard } from '../gateway/index.js';
import type { Inspection } from './tables.js';

/**
 * What a listing version really exposes: the platform connects to it with the real SDK client and
 * lists its tools, prompts, resources and resource templates, for the reviewer (and, once approved,
 * for users browsing it). An http endpoint is reached only through the egress guard's 'public'
 * policy (the address pinned per connection), with the credentials the provider gave for this
 * inspection (used once, never stored).
 */
export interface InspectOptions {
  timeoutMs: number;
  /** Most items listed per kind (pages followed until then). */
  maxItems?: number;
}

const CLIENT_INFO = { name: 'mcp-platform-marketplace-review', version: '1.0.0' };

export function emptyInspection(error: string): Inspection {
  return { ok: false, error, tools: [], prompts: [], resources: [], resourceTemplates: [] };
}

/** The fetch the SDK transport uses: only through the egress guard, never with the platform's own headers. */
function guardedFetch(egress: Pick<EgressGuard, 'check' | 'dispatcher'>, headers: Record<string, string>): FetchLike {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : (input as { url: string }).url;
    await egress.check(url, 'public');
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    const response = await undiciFetch(url, {
      ...(init as Record<string, unknown>),
      headers: Object.fromEntries(merged.entries()),
      redirect: 'manual', // a redirect elsewhere would skip the check above
      dispatcher: egress.dispatcher('public'),
    });
    return response as unknown as Response;
  };
}

export async function inspectHttp(
  egress: Pick<EgressGuard, 'check' | 'dispatcher'>,
  target: { url: string; transport: 'streamable-http' | 'sse' },
  headers: Record<string, string>,
  options: InspectOptions,
): Promise<Inspection> {
  const fetch = guardedFetch(egress, headers);
  const url = new URL(target.url);
  const transport: Transport = target.transport === 'sse' ? new SSEClientTransport(url, { fetch }) : new StreamableHTTPClientTransport(url, { fetch });
  return inspectOver(transport, options);
}

/** A server the platform runs itself (a builder-made listing's): the SDK client over an in-memory pair, as the router connects to it. */
export async function inspectServer(server: McpServer, options: InspectOptions): Promise<Inspection> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  try {
    await server.connect(serverSide);
    return await inspectOver(clientSide, options);
  } finally {
    await server.close().catch(() => undefined);
  }
}

/** Connects over `transport`, lists everything, closes. Never throws: a failure is an inspection with `ok: false` and the reason. */
export async function inspectOver(transport: Transport, options: InspectOptions): Promise<Inspection> {
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  const max = options.maxItems ?? 500;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const request = { signal, timeout: options.timeoutMs };
  try {
    await Promise.race([
      client.connect(transport, request),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no answer within ${options.timeoutMs} ms`)), { once: true })),
    ]);
    const caps = client.getServerCapabilities() ?? {};
    const info = client.getServerVersion();
    const out: Inspection = {
      ok: true,
      ...(info ? { server: { name: String(info.name), version: String(info.version) } } : {}),
      tools: [],
      prompts: [],
      resources: [],
      resourceTemplates: [],
    };
    if (caps.tools) {
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : undefined, request);
        for (const t of page.tools) {
          out.tools.push({ name: t.name, ...(t.title ? { title: t.title } : {}), ...(t.description ? { description: t.description } : {}), inputSchema: t.inputSchema });
        }
        cursor = page.nextCursor;
      } while (cursor && out.tools.length < max);
    }
    if (caps.prompts) {
      let cursor: string | undefined;
      do {
        const page = await client.listPrompts(cursor ? { cursor } : undefined, request);
        for (const p of page.prompts) out.prompts.push({ name: p.name, ...(p.description ? { description: p.description } : {}) });
        cursor = page.nextCursor;
      } while (cursor && out.prompts.length < max);
    }
    if (caps.resources) {
      let cursor: string | undefined;
      do {
        const page = await client.listResources(cursor ? { cursor } : undefined, request);
        for (const r of page.resources) {
          out.resources.push({ uri: r.uri, name: r.name, ...(r.description ? { description: r.description } : {}), ...(r.mimeType ? { mimeType: r.mimeType } : {}) });
        }
        cursor = page.nextCursor;
      } while (cursor && out.resources.length < max);
      cursor = undefined;
      do {
        const page = await client.listResourceTemplates(cursor ? { cursor } : undefined, request);
        for (const r of page.resourceTemplates) {
          out.resourceTemplates.push({ uriTemplate: r.uriTemplate, name: r.name, ...(r.description ? { description: r.description } : {}) });
        }
        cursor = page.nextCursor;
      } while (cursor && out.resourceTemplates.length < max);
    }
    out.tools = out.tools.slice(0, max);
    return out;
  } catch (err) {
    return emptyInspection(describe(err));
  } finally {
    await client.close().catch(() => undefined);
  }
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: Error };
  const cause = e?.cause?.message;
  const message = `${e?.message ?? String(err)}${cause && !e.message?.includes(cause) ? ` (${cause})` : ''}`;
  return message.slice(0, 1000);
}
