/** The only scope of an MCP resource: the right to use it as the user. */
export const MCP_SCOPE = 'mcp';
const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The MCP resource a `resource` parameter names, or undefined when it is not one of ours (RFC 8707). */
export function mcpResource(issuer: string, resource: string): string | undefined {
  const base = `${issuer}/mcp`;
  if (resource === base) return resource;
  if (!resource.startsWith(`${base}/`)) return undefined;
  return SLUG.test(resource.slice(base.length + 1)) ? resource : undefined;
}

/** RFC 8252 and OAuth 2.1: https, or http on a loopback host (any port); never a fragment. */
export function redirectUriProblem(uri: string): string | undefined {
  const url = URL.parse(uri);
  if (!url) return 'is not an absolute URL';
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must use https, or http on a loopback address (127.0.0.1, [::1], localhost)';
}
