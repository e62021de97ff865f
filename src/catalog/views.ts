import { z } from 'zod';
import type { CredentialField } from './service-definition.js';
import { maskSecret } from './credentials.js';
import { DEFAULT_CREDENTIAL_MAX_LENGTH, type ServiceRecord } from './registry.js';

/** JSON representations served by the REST routes (and their zod shapes for the OpenAPI fragment). */

/** C0 controls and DEL: a value must not break an env var or an HTTP header. */
function hasControlChars(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export const credentialFieldView = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string().optional(),
  secret: z.boolean(),
  required: z.boolean(),
  max_length: z.number().int(),
});

export const serviceView = z.object({
  id: z.uuid(),
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.enum(['builtin', 'stdio', 'http', 'openapi']),
  connected: z.boolean().describe('The caller has stored every required credential (always true when none are needed) and, for an OAuth service, has connected it'),
  credentials_stored: z.boolean(),
  oauth: z
    .object({ connected: z.boolean() })
    .optional()
    .describe('Present when the service connects by OAuth (GET /v1/services/{id}/oauth/start): whether the caller has connected it'),
  credential_schema: z.array(credentialFieldView),
});

export const credentialsView = z.object({
  service: z.string(),
  updated_at: z.string(),
  fields: z.record(
    z.string(),
    z.object({
      set: z.boolean(),
      masked: z.string().optional().describe('Secret fields: •••• plus at most the last 4 characters of long values'),
      value: z.string().optional().describe('Non-secret fields only'),
    }),
  ),
});

export function fieldView(record: ServiceRecord, f: CredentialField): z.infer<typeof credentialFieldView> {
  return {
    name: f.name,
    title: f.title,
    ...(f.description ? { description: f.description } : {}),
    secret: f.secret,
    required: f.required,
    max_length: credentialLimit(record, f.name),
  };
}

export function toServiceView(record: ServiceRecord, creds: Record<string, string> | undefined, connected: boolean, oauthConnected?: boolean) {
  const d = record.definition;
  return {
    id: d.id,
    slug: d.slug,
    title: d.title,
    description: d.description,
    kind: d.kind,
    connected,
    credentials_stored: creds !== undefined,
    ...(oauthConnected !== undefined ? { oauth: { connected: oauthConnected } } : {}),
    credential_schema: d.credentialSchema.map((f) => fieldView(record, f)),
  };
}

const credentialLimit = (record: ServiceRecord, field: string) =>
  record.credentialLimits[field] ?? DEFAULT_CREDENTIAL_MAX_LENGTH;

/** Never the plaintext of a secret field. */
export function toCredentialsView(record: ServiceRecord, creds: Record<string, string>, updatedAt: Date | undefined) {
  const fields: z.infer<typeof credentialsView>['fields'] = {};
  for (const f of record.definition.credentialSchema) {
    const v = creds[f.name];
    if (v === undefined || v === '') fields[f.name] = { set: false };
    else fields[f.name] = f.secret ? { set: true, masked: maskSecret(v) } : { set: true, value: v };
  }
  return { service: record.definition.slug, updated_at: (updatedAt ?? new Date()).toISOString(), fields };
}

/** The body schema of `PUT /v1/services/{id}/credentials` for one service. */
export function credentialBodySchema(record: ServiceRecord) {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const f of record.definition.credentialSchema) {
    const limit = credentialLimit(record, f.name);
    const s = z
      .string({ message: 'must be a string' })
      .min(1, 'must not be empty')
      .max(limit, `must be at most ${limit} characters`)
      .refine((v) => !hasControlChars(v), { message: 'must not contain control characters (newlines, NUL, ...)' });
    shape[f.name] = f.required ? s : s.optional();
  }
  return z.strictObject(shape);
}

export function toAdminView(record: ServiceRecord) {
  const d = record.definition;
  return {
    id: d.id,
    slug: d.slug,
    title: d.title,
    description: d.description,
    kind: d.kind,
    enabled: d.enabled,
    roles: d.roles,
    tool_policy: d.toolPolicy,
    payload_capture: record.payloadCapture,
    source: record.source,
    config: d.config,
    credential_schema: d.credentialSchema.map((f) => ({ ...fieldView(record, f), inject: f.inject })),
    instances: record.instances.map((i) => ({
      id: i.id,
      url: i.url,
      source: i.source,
      status: i.status,
      last_checked_at: i.lastCheckedAt ? new Date(i.lastCheckedAt).toISOString() : null,
      consecutive_failures: i.consecutiveFailures,
      status_changed_at: i.statusChangedAt ? new Date(i.statusChangedAt).toISOString() : null,
      status_reported_by: i.statusReportedBy,
    })),
    ...(record.problem ? { problem: record.problem } : {}),
    created_at: new Date(record.createdAt).toISOString(),
    updated_at: new Date(record.updatedAt).toISOString(),
  };
}
