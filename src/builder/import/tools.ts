import { createHash } from 'node:crypto';
import type { OpenApiParameter, OpenApiTool } from '../../catalog/index.js';
import { toJsonSchema, type JsonSchema } from './schema.js';

/**
 * One tool per operation of an (upgraded, dereferenced) OpenAPI 3.1 document, or the reason it
 * cannot be one. Names come from the operationId, else from method and path; they are stable (the
 * same document gives the same names) and match the MCP tool-name rule.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Per the OpenAPI spec these header parameters are ignored; the others are owned by the transport. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
const TRANSPORT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'cookie', 'proxy-authorization', 'expect', 'keep-alive', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'last-event-id']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const MAX_DESCRIPTION = 16_000;

export interface ImportedTool extends OpenApiTool {
  description: string;
}

export interface OperationOutcome {
  tools: ImportedTool[];
  skipped: Array<{ operation: string; reason: string }>;
  notes: Array<{ operation: string; note: string }>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

class Unmappable extends Error {}

export function sanitizeToolName(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '') || 'operation';
  if (cleaned.length <= 64) return cleaned;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, 55)}_${hash}`;
}

function nameFor(method: string, path: string, op: Obj): string {
  if (typeof op.operationId === 'string' && op.operationId.trim()) return sanitizeToolName(op.operationId.trim());
  return sanitizeToolName(`${method}_${path.replace(/[{}]/g, '')}`);
}

function describeOperation(op: Obj): { title?: string; description: string } {
  const summary = typeof op.summary === 'string' ? op.summary.trim() : '';
  const description = typeof op.description === 'string' ? op.description.trim() : '';
  const text = [summary, description].filter(Boolean).join('\n\n').slice(0, MAX_DESCRIPTION);
  return { ...(summary ? { title: summary.slice(0, 200) } : {}), description: text };
}

/** The schema of a parameter: its `schema`, or that of its one `content` entry. */
function parameterSchema(p: Obj): unknown {
  if (p.schema !== undefined) return p.schema;
  if (isObj(p.content)) return (Object.values(p.content).find((m) => isObj(m) && m.schema !== undefined) as Obj | undefined)?.schema ?? {};
  return { type: 'string' };
}

type BodyKind = NonNullable<OpenApiTool['operation']['body']>['content_type'];
function bodyKind(mediaType: string): BodyKind | undefined {
  const m = mediaType.toLowerCase().split(';')[0]!.trim();
  if (m === 'application/json' || /^application\/[\w.-]+\+json$/.test(m) || m === '*/*') return 'application/json';
  if (m === 'application/x-www-form-urlencoded') return 'application/x-www-form-urlencoded';
  if (m === 'text/plain') return 'text/plain';
  return undefined;
}

function outputSchemaOf(op: Obj): JsonSchema | undefined {
  const responses = isObj(op.responses) ? op.responses : {};
  const code = Object.keys(responses).find((c) => /^2(\d\d|XX)$/i.test(c));
  const response = code ? responses[code] : undefined;
  if (!isObj(response) || !isObj(response.content)) return undefined;
  const entry = Object.entries(response.content).find(([type]) => /^application\/([\w.-]+\+)?json/i.test(type));
  const schema = entry && isObj(entry[1]) ? entry[1].schema : undefined;
  if (!isObj(schema) || schema.type !== 'object') return undefined;
  const converted = toJsonSchema(schema, { direction: 'output' });
  return typeof converted === 'object' ? converted : undefined;
}

function toolFor(method: string, path: string, pathItem: Obj, op: Obj, notes: OperationOutcome['notes'], label: string): Omit<ImportedTool, 'name'> {
  const merged = new Map<string, Obj>();
  for (const p of [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    if (isObj(p) && typeof p.name === 'string' && typeof p.in === 'string') merged.set(`${p.in}:${p.name}`, p);
  }
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const parameters: OpenApiParameter[] = [];
  const argFor = (name: string, where: string) => {
    let arg = name;
    if (arg in properties) arg = `${where}_${name}`;
    for (let i = 2; arg in properties; i++) arg = `${where}_${name}_${i}`;
    return arg;
  };
  for (const p of merged.values()) {
    const name = p.name as string;
    const where = p.in as string;
    if (!['path', 'query', 'header', 'cookie'].includes(where)) throw new Unmappable(`parameter "${name}" is in "${where}"`);
    if (where === 'header') {
      const lower = name.toLowerCase();
      if (IGNORED_HEADERS.has(lower)) {
        notes.push({ operation: label, note: `header parameter "${name}" is ignored (the platform sets it)` });
        continue;
      }
      if (TRANSPORT_HEADERS.has(lower) || !HEADER_NAME.test(name)) {
        if (p.required === true) throw new Unmappable(`required header "${name}" cannot be set by an argument`);
        notes.push({ operation: label, note: `optional header "${name}" cannot be set by an argument and is left out` });
        continue;
      }
    }
    const arg = argFor(name, where);
    const schema = toJsonSchema(parameterSchema(p), { direction: 'input' });
    const described = typeof schema === 'object' && typeof p.description === 'string' && !schema.description ? { ...schema, description: p.description } : schema;
    properties[arg] = described;
    if (p.required === true || where === 'path') required.push(arg);
    parameters.push({ arg, in: where as OpenApiParameter['in'], name, ...(where === 'query' && p.style === 'deepObject' ? { style: 'deepObject' as const } : {}) });
  }
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    if (!parameters.some((x) => x.in === 'path' && x.name === name)) throw new Unmappable(`path parameter {${name}} is not declared`);
  }
  let body: OpenApiTool['operation']['body'];
  const requestBody = op.requestBody;
  if (isObj(requestBody) && isObj(requestBody.content)) {
    const entries = Object.entries(requestBody.content);
    const chosen = entries.map(([type, media]) => ({ kind: bodyKind(type), media })).find((e) => e.kind);
    if (!chosen?.kind) {
      const types = entries.map(([t]) => t).join(', ');
      if (requestBody.required === true) throw new Unmappable(`request body type ${types} is not supported (JSON, form-urlencoded and text/plain are)`);
      notes.push({ operation: label, note: `optional request body (${types}) is left out: not a supported type` });
    } else {
      const arg = argFor('body', 'request');
      const schema = isObj(chosen.media) && chosen.media.schema !== undefined ? chosen.media.schema : chosen.kind === 'text/plain' ? { type: 'string' } : {};
      const converted = toJsonSchema(schema, { direction: 'input' });
      properties[arg] = typeof converted === 'object' && typeof requestBody.description === 'string' && !converted.description ? { ...converted, description: requestBody.description } : converted;
      if (requestBody.required === true) required.push(arg);
      body = { arg, content_type: chosen.kind };
    }
  }
  const inputSchema: JsonSchema = { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
  const outputSchema = outputSchemaOf(op);
  return {
    ...describeOperation(op),
    inputSchema,
    ...(outputSchema ? { outputSchema } : {}),
    operation: { method: method.toUpperCase() as OpenApiTool['operation']['method'], path, parameters, ...(body ? { body } : {}) },
  };
}

export function mapOperations(document: Record<string, unknown>): OperationOutcome {
  const outcome: OperationOutcome = { tools: [], skipped: [], notes: [] };
  const used = new Set<string>();
  const paths = isObj(document.paths) ? document.paths : {};
  for (const [path, pathItem] of Object.entries(paths)) {
    if (!isObj(pathItem)) continue;
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!isObj(op)) continue;
      const label = `${method.toUpperCase()} ${path}`;
      if (method === 'trace') {
        outcome.skipped.push({ operation: label, reason: 'TRACE operations are not offered as tools' });
        continue;
      }
      if (!path.startsWith('/') || /[?#]/.test(path)) {
        outcome.skipped.push({ operation: label, reason: 'the path must start with / and hold no query or fragment' });
        continue;
      }
      try {
        const draft = toolFor(method, path, pathItem, op, outcome.notes, label);
        const base = nameFor(method, path, op);
        let name = base;
        for (let i = 2; used.has(name); i++) name = `${base.slice(0, 60)}_${i}`;
        used.add(name);
        outcome.tools.push({ name, ...draft });
      } catch (err) {
        if (!(err instanceof Unmappable)) throw err;
        outcome.skipped.push({ operation: label, reason: err.message });
      }
    }
  }
  return outcome;
}
