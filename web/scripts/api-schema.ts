/**
 * `npm run web:api`: regenerates web/src/api/schema.d.ts (the typed client's types) from the
 * OpenAPI document the code serves at GET /v1/openapi.json. No server has to run: the platform is
 * built in-process as `npm start` builds it (app.ts), on an embedded database in a temp dir and
 * port 0, asked for its document, and closed. test/web.api-client.test.ts fails when the committed
 * file differs from what this produces (the UI and the API drifted): run this script and commit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { createPlatform } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url));

const HEADER = `/**
 * Generated from the platform's OpenAPI document (GET /v1/openapi.json) by \`npm run web:api\`.
 * Do not edit: change the routes' OpenAPI fragments in src/, then regenerate.
 * test/web.api-client.test.ts fails when this file and the code's document differ.
 */

`;

/** TypeScript types of a document; `servers` (the deployment's PUBLIC_URL) does not enter them. */
export async function schemaSource(document: Record<string, unknown>): Promise<string> {
  const { servers: _servers, ...portable } = document;
  const ast = await openapiTS(portable as unknown as OpenAPI3, { alphabetize: true, silent: true });
  return HEADER + astToString(ast);
}

/** The document the code serves, from a platform built in-process (embedded storage, port 0). */
export async function platformDocument(): Promise<Record<string, unknown>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-platform-web-api-'));
  try {
    const config = loadConfig({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      CATALOG_FILE: 'none',
      PLATFORM_ENCRYPTION_KEY: `schema:${Buffer.alloc(32, 1).toString('base64')}`,
    });
    const platform = await createPlatform(config, { bootstrapAdmin: false });
    try {
      const { port } = await platform.listen(0);
      const res = await fetch(`http://127.0.0.1:${port}/v1/openapi.json`);
      if (!res.ok) throw new Error(`GET /v1/openapi.json answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    } finally {
      await platform.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const source = await schemaSource(await platformDocument());
  await writeFile(SCHEMA_FILE, source);
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)} (${source.length} characters)`);
}
