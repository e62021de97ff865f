import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { servedRoutes } from './support/routes.js';

interface Doc {
  openapi: string;
  info: { version: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);
const inScope = (path: string) => path.startsWith('/v1/') || path.startsWith('/auth/v1/') || path === '/v1' || path === '/auth/v1';

describe('GET /v1/openapi.json', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let doc: Doc;
  beforeAll(async () => {
    t = await startPlatform({ PUBLIC_URL: 'https://mcp.example.com' });
    const res = await fetch(`${t.url}/v1/openapi.json`); // public: no Authorization header
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    doc = (await res.json()) as Doc;
  }, 180_000);
  afterAll(async () => t?.close());

  it('is an OpenAPI 3.1 document with the shared error schema, bearer auth and the public URL', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.servers).toEqual([{ url: 'https://mcp.example.com' }]);
    expect(doc.components.schemas.Error).toBeTruthy();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/openapi.json']?.get?.security).toEqual([]);
    expect(doc.paths['/healthz']?.get).toBeTruthy();
    expect(doc.paths['/readyz']?.get).toBeTruthy();
  });

  it('describes exactly the /v1 and /auth/v1 routes Express serves, method for method', () => {
    const served = servedRoutes(t.platform.app)
      .filter((r) => inScope(r.path) && METHODS.has(r.method))
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    const documented = Object.entries(doc.paths)
      .filter(([path]) => inScope(path))
      .flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.has(m)).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.length).toBeGreaterThan(0);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('gives every operation a summary and at least one response', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.responses, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        expect((op as { summary?: string }).summary, `${method} ${path}`).toBeTruthy();
      }
    }
  });
});
