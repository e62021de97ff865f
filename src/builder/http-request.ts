import type { OpenApiAuth, OpenApiTool } from '../catalog/index.js';

/**
 * Turns validated tool arguments into one HTTP request. Arguments reach the request only through
 * the tool's parameter mapping: a path segment (percent-escaped, so `../` or `?` cannot leave its
 * segment), a query value, a declared header or cookie (values with CR/LF refused), or the body.
 * The origin is always the service's base URL: nothing an argument holds can change it.
 */
export interface BuiltRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export class ArgumentRefused extends Error {
  override name = 'ArgumentRefused';
}

/** C0 controls and DEL: they could split a header. */
function hasControlChars(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function scalar(value: unknown, arg: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ArgumentRefused(`argument "${arg}" must be a string, number or boolean here`);
}

function headerValue(value: unknown, arg: string): string {
  const text = Array.isArray(value) ? value.map((v) => scalar(v, arg)).join(',') : scalar(value, arg);
  if (hasControlChars(text)) throw new ArgumentRefused(`argument "${arg}" may not contain control characters`);
  return text;
}

function appendQuery(query: URLSearchParams, name: string, value: unknown, style: 'form' | 'deepObject' | undefined, arg: string): void {
  if (Array.isArray(value)) {
    for (const v of value) query.append(name, scalar(v, arg));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      query.append(style === 'deepObject' ? `${name}[${key}]` : key, typeof v === 'object' && v !== null ? JSON.stringify(v) : scalar(v, arg));
    }
  } else {
    query.append(name, scalar(value, arg));
  }
}

/** The base URL's path joined with the template (whose `{name}`s are filled with escaped values). */
export function buildRequest(baseUrl: string, tool: OpenApiTool, args: Record<string, unknown>): BuiltRequest {
  const base = new URL(baseUrl);
  const op = tool.operation;
  const pathValues = new Map<string, string>();
  const query = new URLSearchParams(base.search);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const p of op.parameters) {
    const value = args[p.arg];
    if (value === undefined || value === null) continue;
    switch (p.in) {
      case 'path': {
        const text = Array.isArray(value) ? value.map((v) => scalar(v, p.arg)).join(',') : scalar(value, p.arg);
        pathValues.set(p.name, encodeURIComponent(text));
        break;
      }
      case 'query':
        appendQuery(query, p.name, value, p.style, p.arg);
        break;
      case 'header':
        headers[p.name.toLowerCase()] = headerValue(value, p.arg);
        break;
      case 'cookie':
        cookies.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(headerValue(value, p.arg))}`);
        break;
    }
  }
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = pathValues.get(name);
    if (v === undefined) throw new ArgumentRefused(`path parameter "${name}" has no value`);
    return v;
  });
  const url = new URL(base.origin);
  url.pathname = base.pathname.replace(/\/$/, '') + path;
  url.search = query.toString();
  let body: string | undefined;
  if (op.body && args[op.body.arg] !== undefined) {
    const value = args[op.body.arg];
    headers['content-type'] = op.body.content_type;
    if (op.body.content_type === 'application/json') body = JSON.stringify(value);
    else if (op.body.content_type === 'text/plain') body = scalar(value, op.body.arg);
    else {
      const form = new URLSearchParams();
      if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) appendQuery(form, k, v, 'form', op.body.arg);
      body = form.toString();
    }
  }
  if (cookies.length) headers.cookie = cookies.join('; ');
  return { url, method: op.method, headers, body };
}

/** Adds the caller's credentials per the service's auth schemes (those whose fields the caller has set). */
export function injectCredentials(request: BuiltRequest, auth: readonly OpenApiAuth[], credentials: Record<string, string>): void {
  const cookies: string[] = [];
  for (const scheme of auth) {
    switch (scheme.type) {
      case 'bearer': {
        const token = credentials[scheme.credential];
        if (token) request.headers.authorization = `Bearer ${token}`;
        break;
      }
      case 'basic': {
        const user = credentials[scheme.username];
        const password = credentials[scheme.password];
        if (user !== undefined && password !== undefined) request.headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        break;
      }
      case 'api_key': {
        const key = credentials[scheme.credential];
        if (!key) break;
        if (scheme.in === 'header') request.headers[scheme.name.toLowerCase()] = key;
        else if (scheme.in === 'query') request.url.searchParams.set(scheme.name, key);
        else cookies.push(`${encodeURIComponent(scheme.name)}=${encodeURIComponent(key)}`);
        break;
      }
    }
  }
  if (cookies.length) request.headers.cookie = [request.headers.cookie, ...cookies].filter(Boolean).join('; ');
}
