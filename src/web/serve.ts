import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';

/**
 * Serves the built web app (web/dist, made by `npm run build`) at `/`:
 * - hashed files under /assets/ with a year of immutable caching;
 * - other files of the build (favicon, ...) revalidated on every use;
 * - index.html for `/`, and for every other GET/HEAD path without a file extension that a browser
 *   navigates to (Accept names text/html, as history-API fallbacks decide): the SPA fallback.
 *   Never under the API, auth, MCP and operations prefixes, and never for API clients (curl,
 *   fetch, accepting any type), which keep the JSON 404 of an unknown route;
 * - index.html is `no-cache` and carries a per-response nonce: the Content-Security-Policy allows
 *   scripts from this origin only, styles from this origin plus the `<style>` elements the UI
 *   library writes with that nonce, and no framing.
 * A missing build is not a crash: app routes answer 503 with how to build it.
 */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Path prefixes that belong to the server; the SPA fallback never answers under them. */
export const RESERVED_PREFIXES = ['/v1', '/auth', '/mcp', '/.well-known', '/metrics', '/healthz', '/readyz', '/internal'] as const;

export interface WebAppOptions {
  /** The Vite build output (default: web/dist next to src/ or dist/). */
  distDir?: string;
  /** AUTH_PUBLISHABLE_KEY, handed to the browser's supabase-js as its `apikey` (public by design). */
  publishableKey?: string | undefined;
}

const NONCE_PLACEHOLDER = '__PLATFORM_CSP_NONCE__';
const KEY_PLACEHOLDER = '__PLATFORM_PUBLISHABLE_KEY__';
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function isReserved(urlPath: string): boolean {
  return RESERVED_PREFIXES.some((p) => urlPath === p || urlPath.startsWith(`${p}/`));
}

const escapeAttribute = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A browser navigation: its Accept header names an HTML type (a bare wildcard does not count). */
function acceptsHtml(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  return /(^|[\s,])(text\/html|application\/xhtml\+xml)([\s;,]|$)/i.test(accept);
}

export function notBuiltMessage(distDir: string): string {
  return [
    'The web app is not built.',
    '',
    `Expected ${path.join(distDir, 'index.html')}.`,
    'Build it with `npm run build` (server and web app) or `npm run build:web` (web app only), then reload this page;',
    '`npm start` builds both before serving. The API (/v1, /auth/v1, /mcp) works without it.',
    '',
  ].join('\n');
}

export function webAppRouter(opts: WebAppOptions = {}): Router {
  const distDir = opts.distDir ?? DEFAULT_WEB_DIST;
  const indexFile = path.join(distDir, 'index.html');
  const publishableKey = escapeAttribute(opts.publishableKey ?? '');
  let template: string | undefined;
  /** index.html as built; read once it exists (a build made while serving is picked up). */
  const loadTemplate = (): string | undefined => {
    if (template === undefined && existsSync(indexFile)) template = readFileSync(indexFile, 'utf8');
    return template;
  };

  const router = Router();
  // Marks what the web app answers, for the logging middleware: metrics route `web`, no request-log row.
  const mark = (res: Response) => void (res.locals.webApp = true);
  const secure = (res: Response, nonce: string) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce));
    res.setHeader('X-Frame-Options', 'DENY');
  };

  router.use(
    '/assets',
    express.static(path.join(distDir, 'assets'), {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res) => {
        mark(res as Response);
        res.setHeader('Cache-Control', IMMUTABLE);
      },
    }),
  );
  const serveIndex = (req: Request, res: Response, next: () => void) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const isPage = req.path === '/' || req.path === '/index.html';
    const isAppRoute = isPage || (path.posix.extname(req.path) === '' && acceptsHtml(req));
    if (!isAppRoute || isReserved(req.path) || req.path.startsWith('/assets/')) return next();
    mark(res);
    const html = loadTemplate();
    if (html === undefined) {
      res.status(503).setHeader('Cache-Control', 'no-store');
      res.type('text/plain; charset=utf-8').send(notBuiltMessage(distDir));
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    secure(res, nonce);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html.replaceAll(NONCE_PLACEHOLDER, nonce).replaceAll(KEY_PLACEHOLDER, publishableKey));
  };
  router.use(serveIndex);
  // Unhashed files Vite copies from web/public (favicon, ...): always revalidated.
  router.use(
    express.static(distDir, {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res) => {
        mark(res as Response);
        res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  return router;
}
