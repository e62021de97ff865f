import { parseDocument } from 'yaml';

/**
 * Reading an API description: JSON or YAML text (or an already parsed object) → an OpenAPI 3.1
 * document with its `$ref`s resolved. Swagger 2.0 and OpenAPI 3.0 are upgraded by
 * @scalar/openapi-parser first, so the mapping to tools reads one version. Only references inside
 * the document are resolved: the parser is given no file system and no fetcher, so a `$ref` can
 * never make the platform read a file or call a URL. The parser is loaded by the first import, not
 * at start (an idle platform does not carry it; docs/benchmarks.md, "Memory").
 */
export type ApiDocument = Record<string, unknown> & { paths?: Record<string, Record<string, unknown>> };

export class DocumentUnreadable extends Error {
  override name = 'DocumentUnreadable';
  constructor(
    message: string,
    /** Where it failed: `line 3, column 7`, or a JSON pointer into the document. */
    readonly location: string,
  ) {
    super(message);
  }
}

/** Parses JSON or YAML text (JSON is YAML), naming line and column of the first error. */
export function parseText(text: string): unknown {
  if (/^\s*[{[]/.test(text)) {
    // JSON first: much faster than the YAML parser on large documents (GitHub's is 13 MB).
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // fall through: the YAML parser names the line and column
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    throw new DocumentUnreadable(`The document is not valid JSON or YAML: ${first.message.split('\n')[0]}`, pos ? `line ${pos.line}, column ${pos.col}` : 'document');
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

export async function readDocument(input: unknown): Promise<{ document: ApiDocument; sourceVersion: string }> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new DocumentUnreadable('The document must be an object (an OpenAPI or Swagger document)', '/');
  }
  const raw = input as Record<string, unknown>;
  const sourceVersion = typeof raw.openapi === 'string' ? raw.openapi : typeof raw.swagger === 'string' ? raw.swagger : '';
  if (!/^(3\.0|3\.1)\.\d+$/.test(sourceVersion) && sourceVersion !== '2.0') {
    throw new DocumentUnreadable('Not an OpenAPI 3.0/3.1 or Swagger 2.0 document (no "openapi": "3.x.y" or "swagger": "2.0")', raw.openapi !== undefined ? '/openapi' : '/swagger');
  }
  if (raw.paths !== undefined && (raw.paths === null || typeof raw.paths !== 'object' || Array.isArray(raw.paths))) {
    throw new DocumentUnreadable('"paths" must be an object', '/paths');
  }
  const { dereference, upgrade } = await import('@scalar/openapi-parser');
  let upgraded: unknown;
  try {
    // The upgrader works on its input in place: give it a copy.
    upgraded = upgrade(structuredClone(raw)).specification;
  } catch (err) {
    throw new DocumentUnreadable(`The document could not be upgraded to OpenAPI 3.1: ${(err as Error).message}`, '/');
  }
  const result = await dereference(upgraded as Record<string, unknown>);
  const unresolved = result.errors?.[0];
  if (unresolved) {
    const where = (unresolved as { path?: string[] }).path;
    throw new DocumentUnreadable(`A reference could not be resolved: ${unresolved.message}`, where?.length ? `/${where.join('/')}` : 'document');
  }
  return { document: (result.schema ?? upgraded) as ApiDocument, sourceVersion };
}
