import type { OpenApiAuth } from '../../catalog/index.js';
import { readDocument } from './document.js';
import { mapSecurity, type CredentialFieldDraft } from './security.js';
import { mapOperations, type ImportedTool } from './tools.js';

/**
 * What an import proposes. Nothing is saved: an admin picks tools and posts them as an `openapi`
 * service (`POST /v1/admin/services`, `openapi: { base_url, auth, tools }`, `credentials`).
 * Every operation of the document is in `tools` or in `skipped`, exactly once.
 */
export interface ImportResult {
  title: string;
  description: string;
  /** OpenAPI version of the document as given (`2.0`, `3.0.3`, `3.1.0`, …). */
  source_version: string;
  /** From the first server (variables at their defaults); null when the document names none usable. */
  base_url: string | null;
  tools: ImportedTool[];
  credentials: CredentialFieldDraft[];
  auth: OpenApiAuth[];
  skipped: Array<{ operation: string; reason: string }>;
  /** What was mapped with a loss (an ignored header, an optional body of an unsupported type, …). */
  notes: Array<{ operation: string; note: string }>;
  security_skipped: Array<{ scheme: string; reason: string }>;
  /** The document's tags of each tool's operation, by tool name (for picking among hundreds). */
  tags: Record<string, string[]>;
}

function tagsOf(document: Record<string, unknown>, tools: ImportedTool[]): Record<string, string[]> {
  const paths = (document.paths ?? {}) as Record<string, Record<string, { tags?: unknown } | undefined> | undefined>;
  return Object.fromEntries(
    tools.map((t) => {
      const tags = paths[t.operation.path]?.[t.operation.method.toLowerCase()]?.tags;
      return [t.name, Array.isArray(tags) ? tags.filter((x): x is string => typeof x === 'string').slice(0, 20) : []];
    }),
  );
}

function baseUrlOf(document: Record<string, unknown>, sourceUrl: string | undefined): string | null {
  const servers = Array.isArray(document.servers) ? (document.servers as Array<Record<string, unknown>>) : [];
  const server = servers.find((s) => s && typeof s.url === 'string');
  if (!server) return sourceUrl ? new URL('/', sourceUrl).href.replace(/\/$/, '') : null;
  const variables = (server.variables ?? {}) as Record<string, { default?: unknown }>;
  const url = (server.url as string).replace(/\{([^}]+)\}/g, (_m, name: string) => String(variables[name]?.default ?? ''));
  try {
    const absolute = new URL(url, sourceUrl);
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') return null;
    return absolute.href.replace(/\/$/, '');
  } catch {
    return null;
  }
}

export async function importApiDocument(input: unknown, options: { sourceUrl?: string } = {}): Promise<ImportResult> {
  const { document, sourceVersion } = await readDocument(input);
  const info = (document.info ?? {}) as Record<string, unknown>;
  const operations = mapOperations(document);
  const security = mapSecurity(document);
  return {
    title: typeof info.title === 'string' ? info.title.slice(0, 200) : '',
    description: typeof info.description === 'string' ? info.description.slice(0, 4000) : '',
    source_version: sourceVersion,
    base_url: baseUrlOf(document, options.sourceUrl),
    tools: operations.tools,
    credentials: security.credentials,
    auth: security.auth,
    skipped: operations.skipped,
    notes: operations.notes,
    security_skipped: security.unsupported,
    tags: tagsOf(document, operations.tools),
  };
}
