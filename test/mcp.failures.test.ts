import net from 'node:net';
import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { childPids, EVERYTHING_ENTRY, freePort, startEverythingHttp, textOf, until, type EverythingHttp } from './support/upstream.js';
import { adminSession, bearer, signUp, type TestSession } from './support/users.js';

/**
 * Issue 3, "Failure behaviour", through the platform's real /mcp/{service} endpoint: real sign-up
 * and admin login, services registered over the admin REST API, the real server-everything (the
 * shipped stdio `everything` service, and Streamable HTTP children on random ports), and the real
 * SDK client. Two stand-ins for broken http upstreams, both plain local sockets: a server that
 * accepts connections and never answers (a hung upstream), and a closed port (a down upstream).
 */

const UPSTREAM_TIMEOUT_MS = 2000;

let t: TestPlatform;
let admin: TestSession;
let user: TestSession;
let healthy: EverythingHttp | undefined;
let hung: net.Server | undefined;
let hungUrl = '';
const hungSockets = new Set<net.Socket>();
const clients: Client[] = [];

beforeAll(async () => {
  t = await startPlatform({
    MCP_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    HTTP_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    HTTP_HEALTH_INTERVAL_MS: '200',
    HTTP_HEALTH_TIMEOUT_MS: '500',
    HTTP_EJECT_AFTER_FAILURES: '2',
    HTTP_EJECT_BASE_MS: '300',
    HTTP_EJECT_MAX_MS: '1000',
    STDIO_IDLE_TIMEOUT_MS: '600000',
    CATALOG_CACHE_TTL_MS: '0',
  });
  admin = await adminSession(t);
  user = await signUp(t.url);
  healthy = await startEverythingHttp('streamableHttp');
  // Stands in for a hung upstream: accepts the connection, reads, never answers.
  hung = net.createServer((socket) => {
    hungSockets.add(socket);
    socket.on('close', () => hungSockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => hung!.listen(0, '127.0.0.1', () => r()));
  hungUrl = `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}/mcp`;
}, 300_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await healthy?.stop();
  for (const s of hungSockets) s.destroy();
  await new Promise<void>((r) => (hung ? hung.close(() => r()) : r()));
  await t?.close();
  // The platform reaps its stdio children on close; kill any that survived, then check.
  const left = childPids(EVERYTHING_ENTRY);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  expect(left).toEqual([]);
}, 120_000);

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...bearer(admin.accessToken) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function registerHttpService(slug: string, instances: string[]): Promise<string> {
  const res = await api('POST', '/v1/admin/services', { slug, title: slug, kind: 'http', http: { transport: 'streamable-http', instances } });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.id as string;
}

async function addInstance(serviceId: string, url: string): Promise<void> {
  const res = await api('POST', `/v1/admin/services/${serviceId}/instances`, { url });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
}

/** A real SDK client on /mcp/{slug} with the user's access token (closed in afterAll too). */
function mcpClient(slug: string): { client: Client; transport: StreamableHTTPClientTransport } {
  const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/${slug}`), {
    requestInit: { headers: { Authorization: `Bearer ${user.accessToken}` } },
  });
  const client = new Client({ name: 'failures-test', version: '1.0.0' });
  clients.push(client);
  return { client, transport };
}

/** Connects and calls echo once; returns the result or the error thrown by connect or the call. */
async function echoOnce(slug: string, message: string): Promise<{ text?: string; error?: unknown }> {
  const { client, transport } = mcpClient(slug);
  try {
    await client.connect(transport);
    const result = await client.callTool({ name: 'echo', arguments: { message } });
    return { text: textOf(result) };
  } catch (error) {
    return { error };
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The error is a JSON-RPC error object the platform sent (not a transport failure or a crash). */
function expectCleanRpcError(error: unknown, reasons: string[]): void {
  expect(error, `expected a JSON-RPC error, got: ${String(error)}`).toBeInstanceOf(ProtocolError);
  const e = error as ProtocolError;
  expect([-32000, -32001]).toContain(e.code);
  expect(e.message.length).toBeGreaterThan(0);
  expect(reasons).toContain((e.data as { reason?: string } | undefined)?.reason);
}

describe('/mcp/{service} failure behaviour (issue 3 §5)', () => {
  it('a stdio child killed mid-call gives a clean JSON-RPC error, and the next call on the same session succeeds on a restarted child', async () => {
    const { client, transport } = mcpClient('everything');
    await client.connect(transport);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'before' } }))).toContain('before');

    const mine = () => t.platform.upstream.stdio.stats().entries.filter((e) => e.serviceSlug === 'everything' && e.userId === user.userId);
    await until(() => mine().some((e) => e.pid !== null && e.state === 'ready'));
    const pid = mine()[0]!.pid!;

    let progressed = false;
    const pending = client
      .callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 } },
        { onprogress: () => void (progressed = true), timeout: 60_000 },
      )
      .then(
        (result) => ({ result, error: undefined as unknown }),
        (error: unknown) => ({ result: undefined, error }),
      );
    // In flight: the child has started working on it (its first progress notification arrived).
    await until(() => progressed);
    process.kill(pid, 'SIGKILL');

    const outcome = await pending;
    expect(outcome.result, 'the long call must not complete after its child was killed').toBeUndefined();
    expectCleanRpcError(outcome.error, ['upstream_unavailable', 'upstream_crashed']);

    const after = await client.callTool({ name: 'echo', arguments: { message: 'after the crash' } });
    expect(textOf(after)).toContain('after the crash');
    const now = mine();
    expect(now.length).toBe(1);
    expect(now[0]!.pid).not.toBe(pid);
  }, 90_000);

  it('an http instance that hangs gives a clean JSON-RPC error within the timeout, and the next call succeeds once a healthy instance exists', async () => {
    const id = await registerHttpService('hung-svc', [hungUrl]);
    const failed = await echoOnce('hung-svc', 'into the void');
    expect(failed.text).toBeUndefined();
    expectCleanRpcError(failed.error, ['upstream_timeout']);

    await addInstance(id, healthy!.url);
    await until(() => t.platform.upstream.http.instanceHealth(hungUrl).status !== 'healthy');
    const ok = await echoOnce('hung-svc', 'healthy again');
    expect(ok.error).toBeUndefined();
    expect(ok.text).toContain('healthy again');
  }, 60_000);

  it('an http instance that is down gives a clean JSON-RPC error, and the next call succeeds once a healthy instance exists', async () => {
    const downUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    const id = await registerHttpService('down-svc', [downUrl]);
    const failed = await echoOnce('down-svc', 'nobody home');
    expect(failed.text).toBeUndefined();
    expectCleanRpcError(failed.error, ['upstream_unavailable']);

    await addInstance(id, healthy!.url);
    const ok = await echoOnce('down-svc', 'someone home');
    expect(ok.error).toBeUndefined();
    expect(ok.text).toContain('someone home');
  }, 60_000);
});
