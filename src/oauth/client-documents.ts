import type { EgressGuard } from '../gateway/index.js';

/**
 * Client ID Metadata Documents (an https URL as `client_id`): oidc-provider's experimental feature
 * does the protocol part (the document's `client_id` must equal its URL, no shared secrets, caching
 * by Cache-Control/Expires within bounds). The fetch itself goes through the platform's egress guard
 * (src/gateway egress) with the `public` policy: private, loopback, link-local and metadata
 * addresses refused in every form, resolution pinned to the checked addresses, size and time bounds.
 * Redirects are not followed at all: a document that redirects is refused.
 */

/** The slice of the gateway's egress guard this component uses. */
export type EgressFetcher = Pick<EgressGuard, 'fetch'>;

/** oidc-provider's `fetch` hook: a WHATWG Response, as it expects. */
export type ClientMetadataFetch = (url: string, init: RequestInit) => Promise<Response>;

/** The largest metadata document read (the CIMD draft suggests 5 KB; a little headroom). */
export const CLIENT_DOCUMENT_MAX_BYTES = 8 * 1024;
export const CLIENT_DOCUMENT_TIMEOUT_MS = 5_000;

export function clientDocumentFetch(egress: EgressFetcher): ClientMetadataFetch {
  return async (url) => {
    const res = await egress.fetch(url, {
      policy: 'public',
      maxBytes: CLIENT_DOCUMENT_MAX_BYTES,
      timeoutMs: CLIENT_DOCUMENT_TIMEOUT_MS,
      maxRedirects: 0,
      headers: { accept: 'application/json' },
    });
    const nullBody = res.status === 204 || res.status === 304 || res.status < 200;
    return new Response(nullBody ? null : new Uint8Array(res.body), { status: res.status, headers: res.headers });
  };
}
