import express, { Router, type ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { ApiError, EgressFailed, EgressRefused, errors, parse, type EgressGuard } from '../gateway/index.js';
import { canBuild, principalOf } from './access.js';
import { DocumentUnreadable, parseText } from './import/document.js';
import { importApiDocument, type ImportResult } from './import/importer.js';
import { builderServicesRouter, type BuilderServicesOptions } from './services-routes.js';

export interface BuilderRoutesOptions extends BuilderServicesOptions {
  egress: EgressGuard;
  /**
   * Largest document imported, uploaded or fetched from a URL, and the body limit of every
   * /v1/builder route (the edge leaves these bodies to the builder, which reads them after
   * authentication: an API document is often larger than BODY_LIMIT_BYTES).
   */
  importMaxBytes: number;
  importTimeoutMs: number;
}

/** Where the builder reads its own bodies (app.ts tells the edge to leave them alone). */
export const BUILDER_BODY_PREFIX = '/v1/builder/';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const byUrl = z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2000) });

/**
 * `POST /v1/builder/imports`: an API description in, proposed tools out; nothing is saved.
 * Admin-only (mounted behind requireRole('admin') by app.ts, and checked here too).
 */
export function builderRouter(opts: BuilderRoutesOptions): Router {
  const router = Router();
  const yamlBody = express.text({ type: YAML_TYPES, limit: opts.importMaxBytes });
  const jsonBody = express.json({ limit: opts.importMaxBytes, strict: false, type: ['application/json', 'application/*+json'] });
  // Whether the caller may build: any signed-in caller asks, so the web app offers the builder
  // only to those the API would serve (and no refused request is made to find out).
  router.get('/v1/builder/access', (req, res) => {
    const allowed = canBuild(principalOf(req), opts.builderUsers);
    res.json(allowed ? { allowed } : { allowed, reason: 'Building services needs the admin role (or BUILDER_USERS=true)' });
  });
  // Authenticated (the /v1 mount) and allowed to build, before a byte of a large body is read.
  router.use('/v1/builder', (req, _res, next) => {
    if (!canBuild(principalOf(req), opts.builderUsers)) throw errors.forbidden('Building services needs the admin role (or BUILDER_USERS=true)');
    next();
  }, jsonBody);
  const tooLarge: ErrorRequestHandler = (err: { type?: string }, _req, _res, next) => {
    if (err?.type === 'entity.too.large') {
      next(new ApiError(413, 'payload_too_large', `Request body exceeds the builder's limit of ${opts.importMaxBytes} bytes (BUILDER_IMPORT_MAX_BYTES)`));
    } else next(err);
  };

  const fetchDocument = async (url: string): Promise<string> => {
    try {
      // 'public': a user-supplied URL reaches only public addresses (or the operator's EGRESS_ALLOW).
      const response = await opts.egress.fetch(url, {
        policy: 'public',
        maxBytes: opts.importMaxBytes,
        timeoutMs: opts.importTimeoutMs,
        maxRedirects: 3,
        headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.1' },
      });
      if (response.status !== 200) throw new ApiError(502, 'import_fetch_failed', `The document URL answered HTTP ${response.status}`);
      return response.body.toString('utf8');
    } catch (err) {
      if (err instanceof EgressRefused) {
        throw new ApiError(400, 'import_url_refused', `Import URL refused: ${err.reason}`, [{ path: 'url', message: err.reason }]);
      }
      if (err instanceof EgressFailed) throw new ApiError(502, 'import_fetch_failed', `The document could not be fetched: ${err.message}`);
      throw err;
    }
  };

  router.post('/v1/builder/imports', yamlBody, async (req, res) => {
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
    let input: unknown;
    let sourceUrl: string | undefined;
    try {
      if (YAML_TYPES.includes(type)) {
        if (typeof req.body !== 'string' || !req.body.trim()) throw errors.validation([{ path: '(body)', message: 'the document is empty' }]);
        input = parseText(req.body);
      } else if (type === 'application/json' || type.endsWith('+json')) {
        const body: unknown = req.body;
        if (body && typeof body === 'object' && !Array.isArray(body) && 'url' in body && Object.keys(body).length === 1) {
          sourceUrl = parse(byUrl, body).url;
          input = parseText(await fetchDocument(sourceUrl));
        } else {
          input = body;
        }
      } else {
        throw errors.unsupportedMediaType('Send the document as application/json or application/yaml, or {"url": "…"} as application/json');
      }
      const result: ImportResult = await importApiDocument(input, { sourceUrl });
      res.json(result);
    } catch (err) {
      if (err instanceof DocumentUnreadable) {
        throw new ApiError(422, 'document_unreadable', err.message, [{ path: err.location, message: err.message }]);
      }
      throw err;
    }
  });
  router.use(builderServicesRouter(opts));
  router.use('/v1/builder', tooLarge);
  return router;
}
