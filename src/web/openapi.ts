import type { OpenApiPaths } from '../gateway/index.js';

/** The web app's one document route (its assets and app routes are described in docs/web.md). */
export const webOpenApi: OpenApiPaths = {
  '/': {
    get: {
      summary: 'The web app (user portal)',
      description:
        'The built single-page app (web/dist). A browser navigation (Accept: text/html) to any other path without a file extension outside /v1, /auth, /mcp, /.well-known, /metrics, /healthz, /readyz and /internal answers the same page (SPA fallback); other clients get the JSON 404 there. The page is `Cache-Control: no-cache`, with a strict Content-Security-Policy. Hashed files under /assets/ are `immutable`. See docs/web.md.',
      tags: ['web'],
      operationId: 'webApp',
      security: [],
      responses: {
        '200': { description: 'The app page', content: { 'text/html': { schema: { type: 'string' } } } },
        '503': { description: 'The web app is not built; the body says how to build it', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  },
};
