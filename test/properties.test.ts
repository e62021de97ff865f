import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeName, encodeUri, isShortened, isValidSlug, splitName, splitUri } from '../src/router/endpoint/names.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Property tests (issue 14 §5), with fast-check against the real platform (PGlite or PostgreSQL,
 * the builtin `notes` service in process): whatever arrives at the JSON-RPC endpoints or at a REST
 * validator is answered below 500 and the process keeps serving; aggregate names round-trip; a
 * sealed session ID changed anywhere is refused with a 4xx. Run counts are modest (CI budget); a
 * failure prints its seed and the shrunk counterexample.
 */

const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';

const slug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/).filter(isValidSlug);
/** Tool and prompt names as the spec allows them: 1–128 of A-Za-z0-9_.- */
const toolName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,160}$/);

describe('aggregate names (names.ts)', () => {
  it('a prefixed name splits back into its slug and name, unless it had to be shortened', () => {
    fc.assert(
      fc.property(slug, toolName, (s, name) => {
        const encoded = encodeName(s, name);
        expect(encoded.length).toBeLessThanOrEqual(128);
        if (encoded === `${s}__${name}`) {
          expect(splitName(encoded)).toEqual({ slug: s, name });
        } else {
          expect(isShortened(s, encoded)).toBe(true);
          expect(splitName(encoded)?.slug).toBe(s);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('distinct (slug, name) pairs never share an encoding', () => {
    fc.assert(
      fc.property(slug, toolName, slug, toolName, (s1, n1, s2, n2) => {
        fc.pre(s1 !== s2 || n1 !== n2);
        expect(encodeName(s1, n1)).not.toBe(encodeName(s2, n2));
      }),
      { numRuns: 500 },
    );
  });

  it('a prefixed URI splits back, whatever the URI', () => {
    fc.assert(
      fc.property(slug, fc.string({ unit: 'grapheme', maxLength: 200 }), (s, uri) => {
        expect(splitUri(encodeUri(s, uri))).toEqual({ slug: s, uri });
      }),
      { numRuns: 500 },
    );
  });
});

describe('hostile input against the running platform', () => {
  let t: TestPlatform;
  let admin: TestSession;
  let user: TestSession;
  let victim: TestSession;

  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: 'none', RATE_LIMIT_USER_PER_MINUTE: '1000000', RATE_LIMIT_IP_PER_MINUTE: '1000000', MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000' });
    admin = await adminSession(t);
    const created = await apiCall(t.url, admin.accessToken, 'POST', '/v1/admin/services', { slug: 'notes', title: 'Notes', kind: 'builtin', builtin: { server: 'notes' } });
    expect(created.status).toBe(201);
    user = await signUp(t.url);
    victim = await signUp(t.url);
  }, 120_000);
  afterAll(() => t?.close());

  const serving = async () => expect((await fetch(`${t.url}/healthz`)).status).toBe(200);

  async function mcpPost(path: string, body: string, extra: Record<string, string> = {}): Promise<{ status: number; text: string; type: string }> {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { ...bearer(user.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra },
      body,
    });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
  }

  const anyJson = fc.jsonValue({ maxDepth: 3 });
  const method = fc.oneof(
    fc.constantFrom('initialize', 'ping', 'tools/list', 'tools/call', 'resources/list', 'resources/read', 'prompts/get', 'server/discover', 'notifications/initialized', 'subscriptions/listen', 'logging/setLevel', 'completion/complete'),
    fc.string({ maxLength: 30 }),
  );
  const envelope = fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), anyJson),
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.constant(null), anyJson),
      method: fc.oneof(method, anyJson),
      params: fc.oneof(
        anyJson,
        fc.record(
          {
            name: fc.oneof(fc.constantFrom('notes__list_notes', 'list_notes', 'add_note', 'nope__x', ''), fc.string()),
            arguments: anyJson,
            uri: fc.oneof(fc.constantFrom('notes+note://x', 'note://x'), fc.string()),
            protocolVersion: fc.constantFrom(LEGACY, MODERN, 'garbage'),
            _meta: anyJson,
            capabilities: anyJson,
            clientInfo: anyJson,
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );

  it('JSON-RPC envelopes of any shape at /mcp and /mcp/{service}: never 5xx, JSON answers parse', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/mcp', '/mcp/notes', '/mcp/unknown-svc'),
        fc.oneof(envelope, fc.array(envelope, { maxLength: 3 }), anyJson),
        fc.constantFrom(undefined, LEGACY, MODERN, '2025-06-18', 'garbage'),
        async (path, body, version) => {
          const answer = await mcpPost(path, JSON.stringify(body), version ? { 'mcp-protocol-version': version } : {});
          expect(answer.status, `${path} ${JSON.stringify(body)} → ${answer.status} ${answer.text.slice(0, 200)}`).toBeLessThan(500);
          if (answer.type.startsWith('application/json') && answer.text) expect(() => JSON.parse(answer.text)).not.toThrow();
        },
      ),
      { numRuns: 150 },
    );
    await serving();
  }, 120_000);

  it('bodies that are not JSON at all at /mcp: 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        fc.pre(!isJson(text));
        const answer = await mcpPost('/mcp/notes', text);
        expect(answer.status, `${JSON.stringify(text)} → ${answer.status}`).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    await serving();
  }, 60_000);

  it('every REST route with a body or query, fed anything: never 5xx', async () => {
    const doc = (await (await fetch(`${t.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }>>;
    };
    // Not fed: logout (it would end the sessions the test uses), the MCP endpoints (above), pages and metrics.
    const skip = (path: string, m: string) => path.startsWith('/mcp') || path === '/' || path === '/metrics' || path === '/auth/v1/logout' || m === 'delete';
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m, op]) => !skip(path, m) && (op.requestBody !== undefined || (op.parameters ?? []).length > 0))
        .map(([m, op]) => ({ path, method: m.toUpperCase(), params: op.parameters ?? [], body: op.requestBody !== undefined })),
    );
    expect(routes.length).toBeGreaterThan(15);
    const field = fc.oneof(
      fc.constantFrom('slug', 'title', 'kind', 'http', 'stdio', 'builtin', 'instances', 'url', 'name', 'services', 'expires_at', 'email', 'password', 'data', 'role', 'disabled', 'enabled', 'roles', 'tool_policy', 'credentials', 'refresh_token', 'api_key', 'payload_capture', '__proto__', 'constructor'),
      fc.string({ maxLength: 12 }),
    );
    const body = fc.oneof(fc.dictionary(field, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), fc.jsonValue({ maxDepth: 2 }));
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.constantFrom('notes', '2026-01-01T00:00:00Z', '-1', '1e400', 'null', '../..'), fc.uuid());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), value, { maxKeys: 3 }), value, async (route, json, extraQuery, pathValue) => {
        let path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(pathValue));
        const query = new URLSearchParams();
        for (const p of route.params) if (p.in === 'query') query.set(p.name, pathValue);
        for (const [k, v] of Object.entries(extraQuery)) query.set(k, v);
        if ([...query].length) path += `?${query.toString()}`;
        // Admin routes as the admin; the rest as a throwaway user (PUT /auth/v1/user may change it).
        const token = route.path.startsWith('/v1/admin') ? admin.accessToken : victim.accessToken;
        const res = await fetch(`${t.url}${path}`, {
          method: route.method,
          headers: { ...bearer(token), apikey: 'test', ...(route.body ? { 'content-type': 'application/json' } : {}) },
          ...(route.body ? { body: JSON.stringify(json) } : {}),
        });
        const text = await res.text();
        expect(res.status, `${route.method} ${path} ${JSON.stringify(json)} → ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    await serving();
  }, 180_000);

  describe('sealed session IDs', () => {
    let sessionId: string;
    const call = (id: string) =>
      mcpPost('/mcp/notes', JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), { 'mcp-session-id': id, 'mcp-protocol-version': LEGACY });

    beforeAll(async () => {
      const init = await fetch(`${t.url}/mcp/notes`, {
        method: 'POST',
        headers: { ...bearer(user.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'prop', version: '1' } } }),
      });
      expect(init.status).toBe(200);
      await init.text();
      sessionId = init.headers.get('mcp-session-id')!;
      expect(sessionId).toMatch(/^v1\./);
      expect((await call(sessionId)).status).toBe(200);
    });

    const printable = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

    it('changed in any one place (replaced, inserted, removed), it is refused with a 4xx', async () => {
      const edit = fc.oneof(
        fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: printable }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: printable }),
        fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), char: fc.constant('') }),
      );
      await fc.assert(
        fc.asyncProperty(edit, async ({ kind, at, char }) => {
          const i = at % sessionId.length;
          const tampered = sessionId.slice(0, i) + (kind === 'remove' ? '' : char) + sessionId.slice(kind === 'insert' ? i : i + 1);
          fc.pre(tampered !== sessionId);
          const answer = await call(tampered);
          expect(answer.status, `${kind} at ${i} (${JSON.stringify(char)}) → ${answer.status}`).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
        }),
        { numRuns: 200 },
      );
      // The genuine ID still works: the refusals were about the changes.
      expect((await call(sessionId)).status).toBe(200);
    }, 120_000);

    it('an ended session stays ended under another spelling of the same bytes', async () => {
      const init = await fetch(`${t.url}/mcp/notes`, {
        method: 'POST',
        headers: { ...bearer(user.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'prop', version: '1' } } }),
      });
      await init.text();
      const id = init.headers.get('mcp-session-id')!;
      const ended = await fetch(`${t.url}/mcp/notes`, { method: 'DELETE', headers: { ...bearer(user.accessToken), 'mcp-session-id': id, 'mcp-protocol-version': LEGACY } });
      expect(ended.status).toBeLessThan(300);
      expect((await call(id)).status).toBe(404);
      // Node's base64 decoder reads '+' '/' like '-' '_' and skips what follows a full group.
      for (const respelled of [id.replaceAll('-', '+').replaceAll('_', '/'), `${id}==`, `${id}!`]) {
        if (respelled === id) continue;
        expect((await call(respelled)).status, respelled).toBeGreaterThanOrEqual(400);
        expect((await call(respelled)).status).toBeLessThan(500);
      }
    });
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
