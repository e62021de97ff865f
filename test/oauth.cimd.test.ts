import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, browserGet, consentInBrowser, CookieJar, freePort, pkcePair, TestOAuthClient } from './support/oauth.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { signUp, type TestSession } from './support/users.js';

/**
 * Client ID Metadata Documents (issue 13): an https URL as client_id, fetched through the egress
 * guard. The client's document server is a local https server on loopback with a certificate made
 * for this run (trusted by this test process only, tls.setDefaultCACertificates). The 'public'
 * policy refuses loopback, so THE TEST PUTS 127.0.0.1 IN THE GUARD'S OPERATOR ALLOWLIST
 * (EGRESS_ALLOW); [::1], private and link-local addresses stay refused, which the hostile cases show.
 */

const REDIRECT = 'http://127.0.0.1:40002/callback';
let t: TestPlatform;
let user: TestSession;
let docs: Server;
let docsBase: string;
let certDir: string;
const hits = new Map<string, number>();
const documents = new Map<string, { status?: number; headers?: Record<string, string>; body?: unknown }>();

beforeAll(async () => {
  certDir = mkdtempSync(path.join(tmpdir(), 'oauth-cimd-'));
  const key = path.join(certDir, 'key.pem');
  const cert = path.join(certDir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  // Node >= 22.19 (the tests run on the Node 22 devDependency); @types/node here is 20's.
  const trust = tls as unknown as { setDefaultCACertificates(certs: string[]): void; getCACertificates(kind: 'default'): string[] };
  trust.setDefaultCACertificates([...trust.getCACertificates('default'), readFileSync(cert, 'utf8')]);
  docs = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const p = req.url ?? '/';
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const doc = documents.get(p);
    if (!doc) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(doc.status ?? 200, { 'content-type': 'application/json', ...doc.headers });
    res.end(doc.body === undefined ? '' : JSON.stringify(doc.body));
  });
  const docsPort = await new Promise<number>((resolve) => docs.listen(0, '::', () => resolve((docs.address() as { port: number }).port)));
  docsBase = `https://127.0.0.1:${docsPort}`;

  const port = await freePort();
  t = await startPlatform({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, EGRESS_ALLOW: '127.0.0.1' });
  user = await signUp(t.url);
}, 180_000);
afterAll(async () => {
  await t?.close();
  docs?.close();
  rmSync(certDir, { recursive: true, force: true });
}, 60_000);

const metadataDocument = (clientId: string, over: Record<string, unknown> = {}) => ({
  client_id: clientId,
  client_name: 'CIMD test client',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...over,
});

describe('the SDK client registers by a Client ID Metadata Document', { timeout: 120_000 }, () => {
  it('uses its URL as client_id: the platform fetches it, caches it, and the client lists and calls tools', async () => {
    const docPath = '/clients/sdk.json';
    const clientId = `${docsBase}${docPath}`;
    documents.set(docPath, { headers: { 'cache-control': 'max-age=300' }, body: metadataDocument(clientId) });
    const meta = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta.client_id_metadata_document_supported).toBe(true);

    const mcpUrl = new URL(`${t.url}/mcp/everything`);
    const oauth = new TestOAuthClient(REDIRECT, clientId);
    const first = new Client({ name: 'cimd-test', version: '1.0.0' });
    const firstTransport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth });
    const err = await first.connect(firstTransport).then(() => undefined, (e: unknown) => e);
    expect(err, String(err)).toBeInstanceOf(UnauthorizedError);
    expect(oauth.authorizationUrl!.searchParams.get('client_id')).toBe(clientId);

    const { callback, details } = await consentInBrowser(t.url, oauth.authorizationUrl!.href, user.accessToken);
    // The consent page names the client from its document and says where the answer goes.
    expect(details.client).toMatchObject({ client_id: clientId, client_name: 'CIMD test client', metadata_document: true });
    expect(details.redirect_host).toBe('127.0.0.1:40002');
    await firstTransport.finishAuth(callback.searchParams);
    await first.close().catch(() => undefined);

    const client = new Client({ name: 'cimd-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth }));
    try {
      expect(oauth.registeredClientId ?? clientId).toBe(clientId); // no registration happened
      const result = await client.callTool({ name: 'echo', arguments: { message: 'cimd works' } });
      expect(JSON.stringify(result.content)).toContain('cimd works');
    } finally {
      await client.close();
    }
    // Fetched once for authorize, consent and token exchange: Cache-Control max-age=300 is honoured.
    expect(hits.get(docPath)).toBe(1);
  });
});

describe('hostile metadata documents', { timeout: 60_000 }, () => {
  /** An authorization request with this client_id: refused on the spot (no redirect), nothing issued. */
  async function refused(clientId: string): Promise<void> {
    const url = authorizeUrl(t.url, {
      response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256', resource: `${t.platform.config.PUBLIC_URL}/mcp/everything`, state: 's',
    });
    const res = await browserGet(new CookieJar(), url);
    expect(res.status, clientId).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('invalid_client');
  }

  it('refuses documents at private, loopback (not allowlisted) and link-local addresses without connecting', async () => {
    documents.set('/v6.json', { body: metadataDocument(`https://[::1]${docsBase.slice(docsBase.lastIndexOf(':'))}/v6.json`) });
    const v6 = `https://[::1]${docsBase.slice(docsBase.lastIndexOf(':'))}/v6.json`;
    for (const clientId of [v6, 'https://10.1.2.3/client.json', 'https://169.254.169.254/latest/meta-data.json', 'https://[fd00::1]/c.json', 'https://localhost/c.json']) {
      await refused(clientId);
    }
    expect(hits.get('/v6.json')).toBeUndefined(); // the guard refused before any connection
  });

  it('refuses a document that redirects (to a private address or anywhere)', async () => {
    documents.set('/redirect.json', { status: 302, headers: { location: 'https://10.0.0.1/client.json' } });
    await refused(`${docsBase}/redirect.json`);
    expect(hits.get('/redirect.json')).toBeGreaterThanOrEqual(1);
    // Even to a reachable, valid document: redirects are not followed at all.
    documents.set('/moved.json', { status: 301, headers: { location: `${docsBase}/target.json` } });
    documents.set('/target.json', { body: metadataDocument(`${docsBase}/moved.json`) });
    await refused(`${docsBase}/moved.json`);
    expect(hits.get('/target.json')).toBeUndefined();
  });

  it('refuses a document whose client_id is not its own URL', async () => {
    documents.set('/mismatch.json', { body: metadataDocument(`${docsBase}/someone-else.json`) });
    await refused(`${docsBase}/mismatch.json`);
  });

  it('refuses a document whose redirect URIs break the rules (plain http off loopback)', async () => {
    documents.set('/bad-redirect.json', { body: metadataDocument(`${docsBase}/bad-redirect.json`, { redirect_uris: ['http://evil.example/cb'] }) });
    const url = authorizeUrl(t.url, {
      response_type: 'code', client_id: `${docsBase}/bad-redirect.json`, redirect_uri: 'http://evil.example/cb', code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256', resource: `${t.platform.config.PUBLIC_URL}/mcp/everything`,
    });
    const res = await browserGet(new CookieJar(), url);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses an oversized document', async () => {
    documents.set('/huge.json', { body: metadataDocument(`${docsBase}/huge.json`, { client_name: 'x'.repeat(20_000) }) });
    await refused(`${docsBase}/huge.json`);
  });
});
