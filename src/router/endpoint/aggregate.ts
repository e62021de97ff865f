import type { ResolvedService } from '../contracts.js';
import { encodeName, encodeUri, isShortened, splitName } from './names.js';

/** Reverses an aggregate name to (service, upstream name); shortened names are matched against a fresh listing. */
export async function decodeUpstreamName(
  encoded: string,
  bySlug: (slug: string) => ResolvedService | undefined,
  listUpstream: (service: ResolvedService) => Promise<unknown[]>,
): Promise<{ service: ResolvedService; upstreamName: string } | undefined> {
  const parts = splitName(encoded);
  if (!parts) return undefined;
  const service = bySlug(parts.slug);
  if (!service) return undefined;
  if (!isShortened(parts.slug, encoded)) return { service, upstreamName: parts.name };
  for (const item of await listUpstream(service)) {
    const name = (item as { name?: unknown }).name;
    if (typeof name === 'string' && encodeName(parts.slug, name) === encoded) return { service, upstreamName: name };
  }
  return undefined;
}

/**
 * Rewrites resource URIs inside a result (read contents, embedded resources, resource links) into
 * the aggregate's namespace, so that a client can read them back through `/mcp`.
 */
export function rewriteUris(value: unknown, slug: string, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => rewriteUris(v, slug, depth + 1));
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'uri' && typeof v === 'string' && isResourceShaped(obj)) out[k] = encodeUri(slug, v);
    else if (k === '_meta' || k === 'structuredContent' || k === 'inputRequests' || k === 'requestState') out[k] = v;
    else out[k] = rewriteUris(v, slug, depth + 1);
  }
  return out;
}

function isResourceShaped(obj: Record<string, unknown>): boolean {
  return 'text' in obj || 'blob' in obj || obj.type === 'resource_link' || 'mimeType' in obj || 'name' in obj;
}
