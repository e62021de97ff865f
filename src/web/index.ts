/** The web app's server side: serves the built portal (web/dist) at `/`. See docs/web.md. */
export { contentSecurityPolicy, DEFAULT_WEB_DIST, isReserved, notBuiltMessage, RESERVED_PREFIXES, webAppRouter, type WebAppOptions } from './serve.js';
export { webOpenApi } from './openapi.js';
