import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILE, schemaSource } from '../web/scripts/api-schema.js';
import { startPlatform, type TestPlatform } from './support/platform.js';

/**
 * The web app's typed API client (web/src/api/schema.d.ts, openapi-fetch) is generated from the
 * OpenAPI document the code serves. When a route's fragment changes and the file is not
 * regenerated, the UI and the API have drifted: this test fails and says what to run.
 */
describe('web: the typed API client matches the code', () => {
  let t: TestPlatform;
  let document: Record<string, unknown>;
  beforeAll(async () => {
    t = await startPlatform({ PUBLIC_URL: 'https://portal.example.com' });
    document = (await (await fetch(`${t.url}/v1/openapi.json`)).json()) as Record<string, unknown>;
  }, 180_000);
  afterAll(async () => t?.close());

  it('web/src/api/schema.d.ts is what `npm run web:api` generates from GET /v1/openapi.json', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const generated = await schemaSource(document);
    expect(committed === generated, 'web/src/api/schema.d.ts is stale: run `npm run web:api` and commit the result').toBe(true);
  });

  it('would notice a drift: a route the document loses, or a field it gains, changes the generated types', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const paths = document.paths as Record<string, unknown>;
    const { ['/v1/api-keys/{id}']: _dropped, ...fewer } = paths;
    expect(await schemaSource({ ...document, paths: fewer })).not.toBe(committed);

    const error = structuredClone(document.components) as { schemas: { Error: { properties: { error: { properties: Record<string, unknown> } } } } };
    error.schemas.Error.properties.error.properties.hint = { type: 'string' };
    expect(await schemaSource({ ...document, components: error })).not.toBe(committed);
    // The deployment's URL is not part of the types.
    expect(await schemaSource({ ...document, servers: [{ url: 'http://elsewhere.test' }] })).toBe(committed);
  });
});
