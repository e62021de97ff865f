import { McpServer, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialField } from '../src/catalog/index.js';
import type { BuiltinContext, BuiltinServerFactory } from '../src/router/contracts.js';
import { BUILTIN_CONTEXT_HEADER, sealBuiltinContext, serveBuiltin, UpstreamError, type BuiltinHttpServer } from '../src/router/upstream/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { principal, service, textOf } from './support/upstream.js';

/**
 * Builtin services: a tiny `whoami` builtin of this test's own (an SDK server reporting the context
 * it was built with), reached in-process and out of process (served over Streamable HTTP by the
 * same code `mcp-platform serve-builtin` runs, registered through BUILTIN_REMOTE_INSTANCES).
 */

/** Serves both eras: the stateless 2026-07-28 revision (opt-in in the SDK) and the 2025 ones. */
const VERSIONS = ['2026-07-28', ...SUPPORTED_PROTOCOL_VERSIONS];

const whoami: BuiltinServerFactory = (context: BuiltinContext) => {
  const server = new McpServer({ name: 'whoami', version: '1.0.0' }, { supportedProtocolVersions: VERSIONS });
  server.registerTool('whoami', { description: 'Who is calling, and with which credentials' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify(context) }],
  }));
  return server;
};

const keyField: CredentialField[] = [{ name: 'key', title: 'Key', secret: true, required: true, inject: { context: 'apiKey' } }];
const SECRET = 'test-builtin-shared-secret-0123456789abcdef';

function whoamiService(key: string) {
  return service({ id: 'whoami', credentialSchema: keyField, config: { kind: 'builtin', server: 'whoami' } }, { key });
}

describe('router upstream: builtin in process', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({}, { builtins: { whoami } });
  });
  afterAll(async () => t?.close());

  it("builds the server with the caller's identity and credentials only", async () => {
    const a = await t.platform.upstream.connect(principal('alice'), whoamiService('alice-key'));
    const b = await t.platform.upstream.connect(principal('bob', 'admin'), whoamiService('bob-key'));
    try {
      expect(a.instance).toBe('builtin:whoami');
      const seenA = JSON.parse(textOf(await a.client.callTool({ name: 'whoami', arguments: {} }))) as BuiltinContext;
      const seenB = JSON.parse(textOf(await b.client.callTool({ name: 'whoami', arguments: {} }))) as BuiltinContext;
      expect(seenA).toEqual({ user: { id: 'alice', email: 'alice@example.test', role: 'user' }, credentials: { apiKey: 'alice-key' } });
      expect(seenB).toEqual({ user: { id: 'bob', email: 'bob@example.test', role: 'admin' }, credentials: { apiKey: 'bob-key' } });
      // Over the in-memory pair the SDK server answers the 2025 handshake only (it serves
      // 2026-07-28 through its HTTP handler): the client falls back to the newest 2025 revision.
      expect(a.client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('answers builtin_not_found for an unknown builtin', async () => {
    const err = await t.platform.upstream
      .connect(principal('alice'), service({ id: 'nope', config: { kind: 'builtin', server: 'does-not-exist' } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe('builtin_not_found');
  });
});

describe('router upstream: builtin out of process', () => {
  let remote: BuiltinHttpServer;
  let t: TestPlatform;
  beforeAll(async () => {
    remote = await serveBuiltin({ name: 'whoami', factory: whoami, sharedSecret: SECRET, host: '127.0.0.1', port: 0 });
    // No local factory: the only way to reach whoami is the remote instance.
    t = await startPlatform({ BUILTIN_REMOTE_INSTANCES: `whoami=${remote.url}`, BUILTIN_SHARED_SECRET: SECRET }, { builtins: {} });
  });
  afterAll(async () => {
    await t?.close();
    await remote?.close();
  });

  it('reaches the remote builtin with the sealed context of each caller', async () => {
    const a = await t.platform.upstream.connect(principal('alice'), whoamiService('alice-key'));
    const b = await t.platform.upstream.connect(principal('carol'), whoamiService('carol-key'));
    try {
      expect(a.instance).toBe(remote.url);
      // Over HTTP the same builtin offers 2026-07-28 through server/discover, and the platform speaks it.
      expect(a.client.getProtocolEra()).toBe('modern');
      expect(a.client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const seenA = JSON.parse(textOf(await a.client.callTool({ name: 'whoami', arguments: {} }))) as BuiltinContext;
      const seenB = JSON.parse(textOf(await b.client.callTool({ name: 'whoami', arguments: {} }))) as BuiltinContext;
      expect(seenA.user.id).toBe('alice');
      expect(seenA.credentials).toEqual({ apiKey: 'alice-key' });
      expect(seenB.user.id).toBe('carol');
      expect(seenB.credentials).toEqual({ apiKey: 'carol-key' });
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('refuses requests without a genuine, fresh context for this builtin', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'intruder', version: '1' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(remote.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });
    const ctx: BuiltinContext = { user: { id: 'mallory', email: null, role: 'admin' }, credentials: {} };
    expect((await post({})).status).toBe(401);
    expect((await post({ [BUILTIN_CONTEXT_HEADER]: sealBuiltinContext('another-secret-of-enough-length-000000', 'whoami', ctx) })).status).toBe(401);
    expect((await post({ [BUILTIN_CONTEXT_HEADER]: sealBuiltinContext(SECRET, 'other-builtin', ctx) })).status).toBe(401);
    expect((await post({ [BUILTIN_CONTEXT_HEADER]: sealBuiltinContext(SECRET, 'whoami', ctx, -5) })).status).toBe(401);
    const tampered = sealBuiltinContext(SECRET, 'whoami', ctx);
    expect((await post({ [BUILTIN_CONTEXT_HEADER]: `${tampered.slice(0, -4)}AAAA` })).status).toBe(401);
    // The genuine header is accepted.
    const ok = await post({ [BUILTIN_CONTEXT_HEADER]: sealBuiltinContext(SECRET, 'whoami', ctx) });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });
});
