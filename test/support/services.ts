import { randomBytes } from 'node:crypto';
import { apiCall } from './users.js';

/** What `registerHttpService` registers: an http service on the given instances, through the admin API as an operator would. */
export interface HttpServiceSpec {
  /** Default: `prefix` and 6 random hex digits. */
  slug?: string;
  prefix?: string;
  instances: string[];
  transport?: 'streamable-http' | 'sse';
  /** The service's credential fields (`credentials` of the admin API), when it has any. */
  credentials?: Array<Record<string, unknown>>;
}

/**
 * Registers an http service with `POST /v1/admin/services` and returns its slug; throws with the
 * answer when the platform does not create it (201).
 */
export async function registerHttpService(base: string, adminToken: string, spec: HttpServiceSpec): Promise<string> {
  const slug = spec.slug ?? `${spec.prefix ?? 'svc'}-${randomBytes(3).toString('hex')}`;
  const created = await apiCall(base, adminToken, 'POST', '/v1/admin/services', {
    slug,
    title: slug,
    kind: 'http',
    http: { transport: spec.transport ?? 'streamable-http', instances: spec.instances },
    ...(spec.credentials ? { credentials: spec.credentials } : {}),
  });
  if (created.status !== 201) throw new Error(`registering http service ${slug}: HTTP ${created.status} ${JSON.stringify(created.json)}`);
  return slug;
}

/** The credential field most tests use: `api_key`, sent to the upstream as `X-Api-Key`. */
export const API_KEY_HEADER_CREDENTIAL = { name: 'api_key', title: 'API key', secret: true, required: true, inject: { header: 'X-Api-Key' } };
