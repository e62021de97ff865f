import { McpServer, type CallToolResult } from '@modelcontextprotocol/server';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OpenApiServiceConfig, OpenApiTool, ResolvedService } from '../catalog/index.js';
import { EgressFailed, EgressRefused, type EgressGuard, type EgressResponse } from '../gateway/index.js';
import { ArgumentRefused, buildRequest, injectCredentials, type BuiltRequest } from './http-request.js';
import { compileSchema } from './json-schema.js';

export interface OpenApiRuntimeOptions {
  egress: EgressGuard;
  /** Per call, unless the service sets `timeout_ms`. */
  timeoutMs: number;
  /** Largest answer read, unless the service sets `max_response_bytes`. */
  maxResponseBytes: number;
}

/** What a caller is: the router's BuiltinContext, spelled here (the builder does not import the router). */
export interface CallerContext {
  user: { id: string };
  credentials: Record<string, string>;
}

/** Same-origin redirects followed; one to another origin is answered as it is (never followed with credentials). */
const MAX_SAME_ORIGIN_REDIRECTS = 3;
const ERROR_BODY_CHARS = 2_000;

/** The runtime of `openapi` services (an SDK server per caller) and one call of one tool. */
export interface OpenApiRuntime {
  server(service: ResolvedService, caller: CallerContext): McpServer;
  /** One tools/call of `name` against the definition, with `credentials` keyed by the names `auth` uses. */
  call(config: Omit<OpenApiServiceConfig, 'kind'>, name: string, args: Record<string, unknown>, credentials: Record<string, string>): Promise<CallToolResult>;
}

/** The SDK server factory the router's connector is handed (app.ts). */
export function createOpenApiServers(options: OpenApiRuntimeOptions): (service: ResolvedService, caller: CallerContext) => McpServer {
  const runtime = createOpenApiRuntime(options);
  return (service, caller) => runtime.server(service, caller);
}

/**
 * Input validators are compiled once per tool definition (the registry snapshot keeps the objects).
 */
export function createOpenApiRuntime(options: OpenApiRuntimeOptions): OpenApiRuntime {
  const validators = new WeakMap<Record<string, unknown>, ValidateFunction | Error>();
  const validatorOf = (tool: OpenApiTool, schema: Record<string, unknown>, which: string): ValidateFunction | Error => {
    let v = validators.get(schema);
    if (!v) {
      try {
        v = compileSchema(schema);
      } catch (err) {
        v = new Error(`the ${which} schema of ${tool.name} does not compile: ${(err as Error).message}`);
      }
      validators.set(schema, v);
    }
    return v;
  };
  const checkOutput = (tool: OpenApiTool, value: Record<string, unknown>): string | undefined => {
    if (!tool.outputSchema) return undefined;
    const validate = validatorOf(tool, tool.outputSchema, 'output');
    if (validate instanceof Error) return validate.message;
    return validate(value) ? undefined : describe(validate.errors);
  };

  const call = async (config: Omit<OpenApiServiceConfig, 'kind'>, tool: OpenApiTool | undefined, name: string, args: Record<string, unknown>, credentials: Record<string, string>): Promise<CallToolResult> => {
    if (!tool) return failure(`Unknown tool: ${name}`);
    const validate = validatorOf(tool, tool.inputSchema, 'input');
    if (validate instanceof Error) return failure(validate.message);
    if (!validate(args)) return failure(`Invalid arguments for ${tool.name}: ${describe(validate.errors)}`);
    let built: BuiltRequest;
    try {
      built = buildRequest(config.base_url, tool, args);
    } catch (err) {
      if (err instanceof ArgumentRefused) return failure(err.message);
      throw err;
    }
    injectCredentials(built, config.auth, credentials);
    let response: EgressResponse;
    try {
      response = await send(options, config, built);
    } catch (err) {
      if (err instanceof EgressRefused) return failure(`The API address is refused: ${err.reason}`);
      if (err instanceof EgressFailed) return failure(`The API call failed (${err.code}): ${err.message}`);
      throw err;
    }
    return toResult(tool, response, checkOutput);
  };

  const server = (service: ResolvedService, caller: CallerContext): McpServer => {
    const config = service.definition.config as OpenApiServiceConfig;
    const server = new McpServer({ name: service.definition.slug, version: '1.0.0' }, { capabilities: { tools: {} } });
    const tools = new Map(config.tools.map((t) => [t.name, t]));
    server.server.setRequestHandler('tools/list', () => ({
      tools: config.tools.map((t) => ({
        name: t.name,
        ...(t.title ? { title: t.title } : {}),
        description: t.description,
        inputSchema: t.inputSchema as { type: 'object' },
        ...(t.outputSchema ? { outputSchema: t.outputSchema as { type: 'object' } } : {}),
      })),
    }));
    server.server.setRequestHandler('tools/call', (request) =>
      call(config, tools.get(request.params.name), request.params.name, (request.params.arguments ?? {}) as Record<string, unknown>, caller.credentials),
    );
    return server;
  };

  return {
    server,
    call: (config, name, args, credentials) => call(config, config.tools.find((t) => t.name === name), name, args, credentials),
  };
}

async function send(options: OpenApiRuntimeOptions, config: Omit<OpenApiServiceConfig, 'kind'>, request: BuiltRequest): Promise<EgressResponse> {
  let url = request.url;
  for (let hop = 0; ; hop++) {
    const response = await options.egress.fetch(url, {
      policy: 'public',
      method: request.method,
      headers: request.headers,
      body: request.body,
      maxBytes: config.max_response_bytes ?? options.maxResponseBytes,
      timeoutMs: config.timeout_ms ?? options.timeoutMs,
      maxRedirects: 0,
    });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location || hop >= MAX_SAME_ORIGIN_REDIRECTS) return response;
    const next = new URL(location, url);
    if (next.origin !== url.origin) return response;
    url = next;
  }
}

function failure(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(arguments)'} ${e.message ?? 'is invalid'}`).join('; ');
}

function isJson(contentType: string): boolean {
  return /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
}

function toResult(tool: OpenApiTool, response: EgressResponse, checkOutput: (tool: OpenApiTool, value: Record<string, unknown>) => string | undefined): CallToolResult {
  const contentType = response.headers.get('content-type') ?? '';
  const textual = isJson(contentType) || /^text\/|xml|yaml|x-www-form-urlencoded/i.test(contentType) || contentType === '';
  const text = textual ? response.body.toString('utf8') : '';
  if (response.status >= 400) {
    const detail = text ? `: ${text.slice(0, ERROR_BODY_CHARS)}` : '';
    return failure(`HTTP ${response.status} from ${tool.operation.method} ${tool.operation.path}${detail}`);
  }
  if (response.status >= 300) {
    return failure(`HTTP ${response.status}: the API redirects to ${response.headers.get('location') ?? '(nowhere)'}, which is not followed`);
  }
  if (isJson(contentType) && text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { content: [{ type: 'text', text }] };
    }
    if (tool.outputSchema) {
      // A tool with an output schema must answer with matching structured content (clients check it).
      const object = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      const mismatch = object ? checkOutput(tool, object) : 'not a JSON object';
      if (mismatch || !object) return failure(`The answer does not match the tool's output schema (${mismatch}): ${text.slice(0, ERROR_BODY_CHARS)}`);
      return { content: [{ type: 'text', text }], structuredContent: object };
    }
    return { content: [{ type: 'text', text }] };
  }
  if (tool.outputSchema) return failure(`The answer is not JSON (${contentType || 'no content type'}), but the tool declares an output schema: ${text.slice(0, ERROR_BODY_CHARS)}`);
  if (/^image\//i.test(contentType)) {
    return { content: [{ type: 'image', data: response.body.toString('base64'), mimeType: contentType.split(';')[0]!.trim() }] };
  }
  if (textual) return { content: [{ type: 'text', text: text || `HTTP ${response.status} (no content)` }] };
  return { content: [{ type: 'text', text: `HTTP ${response.status}: ${response.body.length} bytes of ${contentType}` }] };
}
