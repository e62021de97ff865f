import type { AdminService, NewService } from './queries';

/**
 * The "Register a service" form as typed, its checks (the API's own rules, src/catalog/definition.ts,
 * so most mistakes are named before anything is sent), the request body it becomes, and which
 * field an API error's `details[].path` belongs to (the server has the last word).
 */

export type Role = 'user' | 'admin';
export type PayloadCapture = 'off' | 'metadata' | 'full';

export interface CredentialDraft {
  name: string;
  title: string;
  secret: boolean;
  required: boolean;
  /** stdio: the environment variable; http: the header. */
  target: string;
  /** http only: how the value is written into the header, e.g. `Bearer {value}`; empty = the value as is. */
  template: string;
  /** Kept as they were when an existing field is edited (the form does not show them). */
  description?: string | undefined;
  maxLength?: number | undefined;
}

export interface ServiceDraft {
  kind: 'http' | 'stdio';
  slug: string;
  title: string;
  description: string;
  enabled: boolean;
  roles: Role[];
  payloadCapture: PayloadCapture;
  /** http: one instance URL per line. */
  instances: string;
  transport: 'streamable-http' | 'sse';
  timeoutMs: string;
  /** stdio */
  command: string;
  /** stdio: one argument per line. */
  args: string;
  /** stdio: `NAME=value`, one per line. */
  env: string;
  credentials: CredentialDraft[];
}

export const emptyDraft = (): ServiceDraft => ({
  kind: 'http',
  slug: '',
  title: '',
  description: '',
  enabled: true,
  roles: ['user', 'admin'],
  payloadCapture: 'metadata',
  instances: '',
  transport: 'streamable-http',
  timeoutMs: '',
  command: '',
  args: '',
  env: '',
  credentials: [],
});

export const emptyCredential = (): CredentialDraft => ({ name: '', title: '', secret: true, required: true, target: '', template: '' });

/** Field key → message. Keys: the draft's fields, `credentials.<i>.<name|title|target|template>`. */
export type DraftErrors = Record<string, string>;

const SLUG = /^[a-z][a-z0-9-]{0,62}$/;
const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** What the API's `z.url({ protocol: /^https?$/ })` accepts (instance URLs). */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `NAME=value` lines, or the first bad line (1-based) and why. */
function parseEnv(text: string): { env: Record<string, string> } | { line: number; message: string } {
  const env: Record<string, string> = {};
  const raw = text.split('\n');
  for (const [i, line] of raw.entries()) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    const name = (at < 0 ? line : line.slice(0, at)).trim();
    if (at < 0) return { line: i + 1, message: 'write it as NAME=value' };
    if (!ENV_NAME.test(name)) return { line: i + 1, message: `${name || '(empty)'} must be an upper-case environment variable name` };
    const value = line.slice(at + 1);
    if (value.length > 4000) return { line: i + 1, message: 'the value is longer than 4000 characters' };
    env[name] = value;
  }
  return { env };
}

export function validateDraft(d: ServiceDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!SLUG.test(d.slug)) errors.slug = 'Must be lower-case letters, digits and dashes, starting with a letter (at most 63)';
  if (d.title.trim() === '') errors.title = 'Give the service a title';
  else if (d.title.length > 200) errors.title = 'At most 200 characters';
  if (d.description.length > 4000) errors.description = 'At most 4000 characters';
  if (d.roles.length === 0) errors.roles = 'Choose at least one role';
  if (d.kind === 'http') {
    const urls = lines(d.instances);
    const bad = urls.findIndex((u) => u.length > 2000 || !isHttpUrl(u));
    if (bad >= 0) errors.instances = `Line ${bad + 1}: must be an http:// or https:// URL`;
    else if (urls.length > 100) errors.instances = 'At most 100 instances';
    if (d.timeoutMs.trim() !== '') {
      const ms = Number(d.timeoutMs);
      if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) errors.timeoutMs = 'A whole number of milliseconds from 100 to 600000';
    }
  } else {
    if (d.command.trim() === '') errors.command = 'Give the command to run (e.g. npx)';
    else if (d.command.length > 500) errors.command = 'At most 500 characters';
    const args = lines(d.args);
    if (args.length > 100) errors.args = 'At most 100 arguments';
    else if (args.some((a) => a.length > 2000)) errors.args = 'An argument is longer than 2000 characters';
    const env = parseEnv(d.env);
    if ('line' in env) errors.env = `Line ${env.line}: ${env.message}`;
  }
  Object.assign(errors, validateCredentials(d.kind, d.credentials));
  return errors;
}

/** The credential fields' checks (the API's rules), keyed `credentials.<i>.<name|title|target|template>`. */
export function validateCredentials(kind: ServiceDraft['kind'], credentials: CredentialDraft[]): DraftErrors {
  const errors: DraftErrors = {};
  const names = new Set<string>();
  credentials.forEach((c, i) => {
    const at = `credentials.${i}`;
    if (!FIELD_NAME.test(c.name)) errors[`${at}.name`] = 'Lower-case letters, digits and _ (a-z first)';
    else if (names.has(c.name)) errors[`${at}.name`] = `Another field is already named ${c.name}`;
    names.add(c.name);
    if (c.title.trim() === '') errors[`${at}.title`] = 'Give the field a title users will read';
    if (kind === 'stdio' && !ENV_NAME.test(c.target)) errors[`${at}.target`] = 'An upper-case environment variable name';
    if (kind === 'http' && !HEADER_NAME.test(c.target)) errors[`${at}.target`] = 'An HTTP header name';
    if (kind === 'http' && c.template !== '' && !c.template.includes('{value}')) errors[`${at}.template`] = 'Must contain {value}';
  });
  return errors;
}

export function draftToService(d: ServiceDraft): NewService {
  const common = {
    slug: d.slug,
    title: d.title.trim(),
    description: d.description,
    enabled: d.enabled,
    roles: d.roles,
    payload_capture: d.payloadCapture,
    tool_policy: {},
    credentials: credentialsToApi(d.kind, d.credentials),
  };
  if (d.kind === 'http') {
    return {
      ...common,
      kind: 'http',
      http: { transport: d.transport, instances: lines(d.instances), ...(d.timeoutMs.trim() ? { timeout_ms: Number(d.timeoutMs) } : {}) },
    };
  }
  const env = parseEnv(d.env);
  return {
    ...common,
    kind: 'stdio',
    stdio: { command: d.command.trim(), args: lines(d.args), ...('env' in env && Object.keys(env.env).length ? { env: env.env } : {}) },
  };
}

type ApiCredentialField = NewService['credentials'] extends Array<infer F> | undefined ? F : never;

/** The credential fields as the API takes them (`credentials` of POST and PATCH /v1/admin/services). */
export function credentialsToApi(kind: ServiceDraft['kind'], credentials: CredentialDraft[]): ApiCredentialField[] {
  return credentials.map((c) => ({
    name: c.name,
    title: c.title.trim(),
    ...(c.description ? { description: c.description } : {}),
    secret: c.secret,
    required: c.required,
    ...(c.maxLength !== undefined ? { max_length: c.maxLength } : {}),
    inject: kind === 'stdio' ? { env: c.target } : { header: c.target, ...(c.template ? { template: c.template } : {}) },
  }));
}

/** A registered service's credential fields as the form edits them. */
export function credentialsFromApi(fields: AdminService['credential_schema']): CredentialDraft[] {
  return fields.map((f) => {
    const inject = f.inject as { env?: string; header?: string; template?: string; context?: string };
    return {
      name: f.name,
      title: f.title,
      secret: f.secret ?? true,
      required: f.required ?? true,
      target: inject.env ?? inject.header ?? inject.context ?? '',
      template: inject.template ?? '',
      description: f.description,
      maxLength: f.max_length,
    };
  });
}

const TOP_LEVEL: Record<string, string> = {
  slug: 'slug',
  title: 'title',
  description: 'description',
  roles: 'roles',
  payload_capture: 'payloadCapture',
  'http.instances': 'instances',
  'http.transport': 'transport',
  'http.timeout_ms': 'timeoutMs',
  stdio: 'command',
  'stdio.command': 'command',
  'stdio.args': 'args',
  'stdio.env': 'env',
};

/**
 * The form field an API error detail belongs to, with its message as the field shows it (a list
 * entry says which line); undefined when no field of this form matches.
 */
export function fieldOfApiError(path: string, message: string): { field: string; message: string } | undefined {
  const parts = path.split('.');
  const credential = /^credentials\.(\d+)(?:\.(\w+))?/.exec(path);
  if (credential) {
    const [, index, key] = credential;
    const field = key === 'name' || key === 'title' ? key : key === 'inject' && parts[3] === 'template' ? 'template' : 'target';
    return { field: `credentials.${index}.${field}`, message };
  }
  for (let n = Math.min(parts.length, 2); n > 0; n--) {
    const field = TOP_LEVEL[parts.slice(0, n).join('.')];
    if (!field) continue;
    const rest = parts.slice(n);
    const first = rest[0];
    const index = first !== undefined && /^\d+$/.test(first) ? `Line ${Number(first) + 1}: ` : rest.length ? `${rest.join('.')}: ` : '';
    return { field, message: `${index}${message}` };
  }
  return undefined;
}
