import type { PayloadCapture } from '../db/index.js';

/**
 * What the MCP endpoint tells the request log about each JSON-RPC request of one HTTP exchange: it
 * leaves an `McpCallFactsSource` on `res.locals.mcpCalls` (the router's `McpCallLog`), and the
 * logging middleware reads it when the response has finished and writes one row per JSON-RPC
 * request, merging these facts with what the edge saw (status, bytes, latency). The type lives in
 * the kit both use, so neither imports the other.
 */
export interface McpCallFacts {
  /** The real upstream service (slug), also for the aggregate /mcp when one service served it. */
  service: string | null;
  instance: string | null;
  /** The version of the service's definition that served it (`openapi` services); null otherwise. */
  version: number | null;
  /** Upstream tool/prompt name or resource URI. */
  target: string | null;
  upstreamMs: number | null;
  /** JSON-RPC error code of the response, null when it succeeded (or had not finished). */
  errorCode: number | null;
  /**
   * A `tools/call` answered with a result whose `isError` is true: the upstream ran the tool and
   * reported its failure inside the result (no JSON-RPC error). The request log counts it as an error.
   */
  toolError: boolean;
  rateLimited: boolean;
  capture: PayloadCapture;
  /** The tool name when the catalog bounds it (named in the service's allow list): safe as a metric label. */
  tool: string | null;
  /** Only with `full` capture; the logging service redacts and caps it. */
  payload?: { request: unknown; response: unknown };
  /** With `full` capture: the caller's credential values and field names for this service, to mask. */
  secrets?: string[];
  secretKeys?: string[];
}

/** The per-exchange collector on `res.locals.mcpCalls`: the facts of a JSON-RPC request by its id. */
export interface McpCallFactsSource {
  get(id: unknown): McpCallFacts | undefined;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** Set by the MCP endpoint on the exchanges it serves; read by the logging middleware. */
      mcpCalls?: McpCallFactsSource;
    }
  }
}
