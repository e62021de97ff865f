import {
  Server,
  type Implementation,
  type JSONRPCRequest,
  type RequestId,
  type Result,
  type ServerContext,
  type ServerOptions,
} from '@modelcontextprotocol/server';
import type { McpCallFacts } from '../../gateway/index.js';
import type { PayloadCapture, ResolvedService } from '../contracts.js';

/**
 * What the relay tells the request log about each JSON-RPC request of one HTTP exchange. The
 * endpoint puts an `McpCallLog` on `res.locals.mcpCalls`; the logging middleware (a sink that never
 * imports the router) reads it through `McpCallFactsSource` (src/gateway) when the response has finished and writes ONE row per
 * JSON-RPC request, merging these router facts with what the edge saw (status, bytes, latency).
 */
export type RelayEvent =
  /** One request sent to an upstream (a downstream request may cause several: aggregate lists, name lookups). */
  | { type: 'forward'; requestId: RequestId; service: ResolvedService; instance: string; method: string; params: unknown; upstreamMs: number }
  /** The downstream request finished: its final result or the error its JSON-RPC response carries. */
  | { type: 'done'; requestId: RequestId; method: string; params: unknown; result?: unknown; error?: unknown };

interface Forward {
  service: ResolvedService;
  instance: string;
  method: string;
  params: unknown;
  upstreamMs: number;
}

interface Pending {
  forwards: Forward[];
  done?: Extract<RelayEvent, { type: 'done' }>;
}

/** Bound on requests tracked per HTTP exchange (a body holds one message, a 2025 batch a few). */
const MAX_TRACKED = 256;

const keyOf = (id: unknown): string => `${typeof id}:${String(id)}`;

/** Per HTTP exchange collector of relay events, keyed by JSON-RPC request id. */
export class McpCallLog {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly services: ResolvedService[],
    private readonly aggregate: boolean,
  ) {}

  readonly observe = (event: RelayEvent): void => {
    const key = keyOf(event.requestId);
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= MAX_TRACKED) return;
      p = { forwards: [] };
      this.pending.set(key, p);
    }
    if (event.type === 'forward') {
      const { service, instance, method, params, upstreamMs } = event;
      if (p.forwards.length < 128) p.forwards.push({ service, instance, method, params, upstreamMs });
    } else {
      p.done = event;
    }
  };

  get(id: unknown): McpCallFacts | undefined {
    const p = this.pending.get(keyOf(id));
    const single = this.aggregate ? undefined : this.services[0];
    if (!p) return single ? { ...EMPTY, service: single.definition.slug, version: single.definition.version ?? null, capture: captureOf(single) } : undefined;
    const service = single ?? oneService(p.forwards);
    const method = p.done?.method;
    const primary = lastOf(p.forwards, method) ?? p.forwards.at(-1);
    const target = nameOf(primary && primary.method === method ? primary.params : p.done?.params);
    const error = p.done?.error as { code?: unknown; message?: unknown; data?: { reason?: unknown } } | undefined;
    const errorCode = !p.done || error === undefined ? null : Number.isSafeInteger(error?.code) ? (error!.code as number) : -32603;
    const capture = service ? captureOf(service) : 'metadata';
    const allow = service?.definition.toolPolicy.allow;
    const facts: McpCallFacts = {
      service: service?.definition.slug ?? null,
      instance: primary?.instance ?? null,
      version: (primary?.service ?? service)?.definition.version ?? null,
      target,
      upstreamMs: p.forwards.length ? p.forwards.reduce((sum, f) => sum + f.upstreamMs, 0) : null,
      errorCode,
      toolError: method === 'tools/call' && error === undefined && isToolError(p.done?.result),
      rateLimited: error?.data?.reason === 'rate_limited',
      capture,
      tool: method === 'tools/call' && target !== null && allow?.includes(target) ? target : null,
    };
    if (capture === 'full' && service && p.done) {
      facts.payload = {
        request: p.done.params,
        response: error === undefined ? p.done.result : { error: { code: errorCode, message: typeof error?.message === 'string' ? error.message : null } },
      };
      facts.secrets = Object.values(service.credentials);
      facts.secretKeys = service.definition.credentialSchema.map((f) => f.name);
    }
    return facts;
  }
}

/** Whether a `tools/call` result reports the tool's failure (`isError: true`, MCP's CallToolResult). */
export function isToolError(result: unknown): boolean {
  return typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true;
}

/** The one service all forwards went to, or undefined (none, or several). */
function oneService(forwards: Forward[]): ResolvedService | undefined {
  const first = forwards[0]?.service;
  if (!first) return undefined;
  const slug = first.definition.slug;
  for (const f of forwards) if (f.service.definition.slug !== slug) return undefined;
  return first;
}

/** The last forward of `method`. */
function lastOf(forwards: Forward[], method: string | undefined): Forward | undefined {
  for (let i = forwards.length - 1; i >= 0; i--) if (forwards[i]!.method === method) return forwards[i];
  return undefined;
}

const EMPTY: McpCallFacts = {
  service: null,
  instance: null,
  version: null,
  target: null,
  upstreamMs: null,
  errorCode: null,
  toolError: false,
  rateLimited: false,
  capture: 'metadata',
  tool: null,
};

function captureOf(service: ResolvedService): PayloadCapture {
  return service.definition.payloadCapture ?? 'metadata';
}

function nameOf(params: unknown): string | null {
  if (!params || typeof params !== 'object') return null;
  const p = params as { name?: unknown; uri?: unknown; ref?: { name?: unknown; uri?: unknown } };
  if (typeof p.name === 'string') return p.name.slice(0, 256);
  if (typeof p.uri === 'string') return p.uri.split('?')[0]!.slice(0, 512);
  return null;
}

/**
 * The relay's SDK server, reporting each request's outcome through the SDK's documented subclass
 * hook `_wrapHandler` (it sees every registered handler, the built-in initialize/ping included).
 */
export class ObservedServer extends Server {
  private readonly observer: ((event: RelayEvent) => void | Promise<void>) | undefined;

  /** `observe` may return a promise for a `done` event: the answer is sent after it settles (metering's write-before-answer). */
  constructor(info: Implementation, options: ServerOptions, observe?: (event: RelayEvent) => void | Promise<void>) {
    super(info, options);
    this.observer = observe;
  }

  protected override _wrapHandler(
    method: string,
    handler: (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>,
  ): (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result> {
    const inner = super._wrapHandler(method, handler);
    return async (request, ctx) => {
      // Read at call time: the SDK registers its own handlers inside super(), before the field is set.
      const observe = this.observer;
      if (!observe) return inner(request, ctx);
      const base = { type: 'done' as const, requestId: request.id, method, params: request.params };
      let result: Result;
      try {
        result = await inner(request, ctx);
      } catch (error) {
        await safely(observe, { ...base, error });
        throw error;
      }
      await safely(observe, { ...base, result });
      return result;
    };
  }
}

async function safely(observe: (event: RelayEvent) => void | Promise<void>, event: RelayEvent): Promise<void> {
  try {
    await observe(event);
  } catch {
    // Observation must never change the answer.
  }
}
