import express, { type Router } from 'express';
import { z } from 'zod';
import type { PlatformDatabase } from '../db/index.js';
import { errorResponse, errors, jsonResponse, parseQuery, type OpenApiPaths } from '../gateway/index.js';
import type { AuditSink } from '../logging/index.js';
import { exportUser } from './user-data.js';

/**
 * `GET /v1/me/export`: the signed-in user's own rows as JSON, by the same code as the operator's
 * `export-user` CLI (user-data.ts), so the two cannot disagree about what is exported or withheld.
 */
export interface AccountExportOptions {
  database: PlatformDatabase;
  audit: AuditSink;
}

export function accountExportRouter({ database, audit }: AccountExportOptions): Router {
  const router = express.Router();
  router.get('/v1/me/export', async (req, res) => {
    const p = req.principal;
    if (!p) throw errors.unauthorized();
    // The whole account is more than a service-scoped key or a client's OAuth token was given for.
    if (p.via === 'api_key' || p.via === 'oauth') throw errors.forbidden('Export your data while signed in to the portal, not with an API key or OAuth token');
    parseQuery(z.strictObject({}), req);
    const data = await exportUser(database.db, audit, p.userId, { via: 'api', actorId: p.userId });
    const day = new Date().toISOString().slice(0, 10);
    res.set('Cache-Control', 'no-store');
    res.set('Content-Disposition', `attachment; filename="mcp-platform-export-${day}.json"`);
    res.json(data);
  });
  return router;
}

const dated = { type: 'array', items: { type: 'object', additionalProperties: true } };

export const accountExportOpenApi: OpenApiPaths = {
  '/v1/me/export': {
    get: {
      summary: 'Download everything the platform holds about you, as JSON',
      description:
        'The same export as the operator\'s `export-user` command (docs/operations.md): profile, sessions, API keys, which services hold your credentials or OAuth connection (by service and date; the values stay sealed and are never included), the MCP clients you authorized, the services you built with their versions, the marketplace listings you installed and rated, your provider record with your listings and their versions (not who decided), your billing (plan, metered calls, daily totals, monthly statements with their lines), notes, your request log and the audit events about you. No password hash, key hash or token. Recorded in the audit trail. Signed-in sessions only (403 for API keys and OAuth tokens).',
      tags: ['account'],
      responses: {
        '200': jsonResponse('The export (sent as an attachment)', {
          type: 'object',
          properties: {
            exported_at: { type: 'string', format: 'date-time' },
            user: { type: 'object', additionalProperties: true },
            sessions: dated,
            api_keys: dated,
            service_credentials: dated,
            service_oauth_connections: dated,
            authorized_clients: dated,
            built_services: dated,
            marketplace_installs: dated,
            marketplace_ratings: dated,
            marketplace_provider: { type: ['object', 'null'], additionalProperties: true, description: 'Your provider application and listings; null if you never applied' },
            billing: {
              type: 'object',
              description: 'Your plan (null: none assigned), each metered call, the daily totals and the monthly statements with their lines',
              properties: {
                plan: { type: ['object', 'null'], additionalProperties: true },
                usage_events: { type: 'array', items: { type: 'object', additionalProperties: true } },
                usage_daily: { type: 'array', items: { type: 'object', additionalProperties: true } },
                statements: { type: 'array', items: { type: 'object', additionalProperties: true } },
              },
              required: ['plan', 'usage_events', 'usage_daily', 'statements'],
            },
            notes: dated,
            request_log: dated,
            audit_events: dated,
          },
          required: ['exported_at', 'user', 'sessions', 'api_keys', 'service_credentials', 'service_oauth_connections', 'authorized_clients', 'built_services', 'marketplace_installs', 'marketplace_ratings', 'marketplace_provider', 'billing', 'notes', 'request_log', 'audit_events'],
        }),
        '400': errorResponse('Unexpected query parameter'),
        '401': errorResponse('Not signed in'),
        '403': errorResponse('Called with an API key or OAuth token'),
      },
    },
  },
};
