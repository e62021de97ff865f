import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { Database, PlatformRole } from '../db/index.js';

/**
 * What a builtin server receives per caller: identity and credentials, nothing else.
 * Structurally the router's `BuiltinContext` (src/router/contracts.ts); services know nothing of
 * the router, so the shape is spelled here.
 */
export interface BuiltinCaller {
  user: { id: string; email: string | null; role: PlatformRole };
  credentials: Record<string, string>;
}

/** What the platform hands a builtin service once, at start-up. */
export interface BuiltinDeps {
  db: Kysely<Database>;
}

/** Builds an SDK server bound to one caller (structurally the router's `BuiltinServerFactory`). */
export type BuiltinServer = (caller: BuiltinCaller) => McpServer;
