import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { createEgressGuard, EgressFailed, EgressRefused, refuseAtRegistration, type EgressGuard, type EgressPolicy, type EgressResolver } from '../src/gateway/index.js';
import { UpstreamError } from '../src/router/upstream/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { principal, service } from './support/upstream.js';
import { adminSession, apiCall, type TestSession } from './support/users.js';

/**
 * The egress (SSRF) guard: every address form under both policies, the operator allowlist,
 * redirects, DNS rebinding, and the size and time limits, against local HTTP servers.
 *
 * Names like `rebind.test` do not exist in any DNS here, so the tests give the guard a resolver of
 * their own (the guard's `resolve` option, the same seam production fills with the system
 * resolver). What is real: the URL parsing, the classification, undici's connection through the
 * guard's connector and lookup, and a server that counts what reaches it.
 */

async function refusal(guard: EgressGuard, url: string, policy: EgressPolicy): Promise<string | undefined> {
  try {
    await guard.check(url, policy);
    return undefined;
  } catch (err) {
    if (err instanceof EgressRefused) return err.reason;
    throw err;
  }
}

const plain = createEgressGuard({ allow: [] });
afterAll(() => plain.close());

describe('egress guard: address forms', () => {
  const metadata = [
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/latest/meta-data/',
    'http://0xA9FEA9FE/latest/meta-data/',
    'http://0251.0376.0251.0376/',
    'http://169.254.169.254./',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://100.100.100.200/latest/meta-data/',
    'http://[::169.254.169.254]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:a9fe:a9fe::1]/',
    'http://0.0.0.0:8080/',
    'http://0/',
    'http://[::]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
  ];

  it.each(metadata)('refuses %s under both policies, naming the address', async (url) => {
    for (const policy of ['instance', 'public'] as const) {
      const reason = await refusal(plain, url, policy);
      expect(reason, `${url} under ${policy}`).toMatch(/\d|:/);
    }
  });

  it('names the metadata address and why, whatever the spelling', async () => {
    expect(await refusal(plain, 'http://2852039166/', 'instance')).toMatch(/^169\.254\.169\.254 is link-local/);
    expect(await refusal(plain, 'http://0xA9FEA9FE/', 'instance')).toMatch(/^169\.254\.169\.254 is link-local/);
    expect(await refusal(plain, 'http://[::ffff:169.254.169.254]/', 'instance')).toMatch(/^169\.254\.169\.254 is link-local/);
    expect(await refusal(plain, 'http://[fd00:ec2::254]/', 'instance')).toMatch(/AWS IPv6 instance services/);
  });

  const internal = [
    'http://127.0.0.1:3000/mcp',
    'http://127.1/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://017700000001/',
    'http://10.0.0.7/mcp',
    'http://172.16.5.4/',
    'http://192.168.1.20/',
    'http://100.64.0.9/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fd12:3456::1]/',
    'http://LOCALHOST:3000/mcp',
    'http://localhost.:3000/mcp',
  ];

  it.each(internal)('allows %s for a registered instance, refuses it for a public URL', async (url) => {
    expect(await refusal(plain, url, 'instance')).toBeUndefined();
    expect(await refusal(plain, url, 'public')).toMatch(/only public addresses may be fetched/);
  });

  it('allows global unicast literals under both policies, without resolving anything', async () => {
    for (const url of ['https://93.184.216.34/', 'http://[2606:4700::1111]/x', 'https://8.8.8.8:8443/']) {
      expect(await refusal(plain, url, 'public')).toBeUndefined();
      expect(await refusal(plain, url, 'instance')).toBeUndefined();
    }
  });

  it('refuses user info, other schemes and non-URLs before any resolution', async () => {
    expect(await refusal(plain, 'http://93.184.216.34@169.254.169.254/', 'instance')).toMatch(/user info/);
    expect(await refusal(plain, 'http://user:pw@example.com/', 'public')).toMatch(/user info/);
    expect(await refusal(plain, 'http://169.254.169.254\\@93.184.216.34/', 'public')).toMatch(/169\.254\.169\.254 is link-local/);
    expect(await refusal(plain, 'file:///etc/passwd', 'public')).toMatch(/scheme file:/);
    expect(await refusal(plain, 'gopher://127.0.0.1:6379/_', 'instance')).toMatch(/scheme gopher:/);
    expect(await refusal(plain, 'not a url', 'public')).toMatch(/not a valid absolute URL/);
  });

  it('refuses a name when any of its addresses is forbidden, and a name that does not resolve', async () => {
    const mixed: EgressResolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    const guard = createEgressGuard({ allow: [], resolve: mixed });
    expect(await refusal(guard, 'https://Mixed.Example.TEST./', 'public')).toBe(
      'mixed.example.test resolves to 10.1.2.3 is a private (RFC 1918) address; only public addresses may be fetched',
    );
    expect(await refusal(guard, 'https://mixed.example.test/', 'instance')).toBeUndefined();
    expect(await refusal(plain, 'https://no-such-host.invalid/', 'public')).toMatch(/no-such-host\.invalid does not resolve/);
    await guard.close();
  });
});

describe('egress guard: operator allowlist', () => {
  it('widens a policy by CIDR, by bare address and by host name or suffix', async () => {
    const resolve: EgressResolver = async (name) => [{ address: name.endsWith('.corp.test') ? '10.9.8.7' : '192.168.0.1', family: 4 }];
    const guard = createEgressGuard({ allow: ['169.254.169.254', '10.0.0.0/8', '*.corp.test', 'vault.example.test'], resolve });
    expect(await refusal(guard, 'http://169.254.169.254/', 'instance')).toBeUndefined();
    expect(await refusal(guard, 'http://[::ffff:169.254.169.254]/', 'public')).toBeUndefined();
    expect(await refusal(guard, 'http://169.254.169.253/', 'instance')).toMatch(/link-local/);
    expect(await refusal(guard, 'http://10.200.0.1/', 'public')).toBeUndefined();
    expect(await refusal(guard, 'https://mcp.corp.test/', 'public')).toBeUndefined();
    expect(await refusal(guard, 'https://VAULT.example.test./', 'public')).toBeUndefined();
    expect(await refusal(guard, 'https://other.example.test/', 'public')).toMatch(/192\.168\.0\.1 is a private/);
    await guard.close();
  });

  it('EGRESS_ALLOW is validated with the rest of the configuration', () => {
    expect(loadConfig({ EGRESS_ALLOW: ' 10.0.0.0/8, *.svc.cluster.local,169.254.170.2 ,[fd00::1]' }).EGRESS_ALLOW).toEqual([
      '10.0.0.0/8',
      '*.svc.cluster.local',
      '169.254.170.2',
      '[fd00::1]',
    ]);
    expect(() => loadConfig({ EGRESS_ALLOW: '10.0.0.0/8,http://evil/' })).toThrow(/EGRESS_ALLOW: each entry must be/);
    expect(() => loadConfig({ EGRESS_ALLOW: '300.1.1.1/8' })).toThrow(ConfigError);
  });

  it('rejects an allowlist entry that is neither a host, an address nor a CIDR', () => {
    expect(() => createEgressGuard({ allow: ['10.0.0.0/33'] })).toThrow(/not a valid CIDR/);
    expect(() => createEgressGuard({ allow: ['http://x/'] })).toThrow(/neither a host name/);
  });
});

describe('egress guard: connections, redirects, rebinding and limits (local servers)', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  let written = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const path = req.url ?? '/';
      if (path === '/ok') {
        res.end('fine');
      } else if (path === '/to-loopback') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
      } else if (path === '/to-metadata') {
        res.writeHead(307, { location: 'http://[::ffff:169.254.169.254]/latest/meta-data/' }).end();
      } else if (path === '/loop') {
        res.writeHead(302, { location: '/loop' }).end();
      } else if (path === '/huge') {
        // 50 MB streamed with backpressure: how much gets written shows whether the client stopped reading.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 120);
        let left = 800;
        const pump = () => {
          while (left > 0) {
            left--;
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (left = 0));
        pump();
      } else if (path === '/declared-huge') {
        res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
        res.write('x');
      } else if (path === '/drip') {
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(timer));
      } else if (path === '/hang') {
        // never answers
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const limits = { maxBytes: 1024 * 1024, timeoutMs: 3000, maxRedirects: 3 };

  it('connects a name through the guard`s own resolution, and refuses a rebinding name at connect time', async () => {
    // `svc.test` exists only in this resolver: reaching the server proves the socket used the guard's lookup.
    let rebindCalls = 0;
    const resolve: EgressResolver = async (name) => {
      if (name === 'svc.test') return [{ address: '127.0.0.1', family: 4 }];
      if (name === 'rebind.test') return [{ address: rebindCalls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const guard = createEgressGuard({ allow: [], resolve });
    const ok = await guard.fetch(`http://svc.test:${port}/ok`, { policy: 'instance', ...limits });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('fine');

    const before = hits.length;
    // First answer public (the check passes), second loopback (the connection): refused, nothing sent.
    await expect(guard.check(`http://rebind.test:${port}/ok`, 'public')).resolves.toBeUndefined();
    const err = await guard.fetch(`http://rebind.test:${port}/ok`, { policy: 'public', ...limits }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EgressRefused);
    expect((err as EgressRefused).reason).toBe('rebind.test resolves to 127.0.0.1 is a loopback address; only public addresses may be fetched');
    expect(rebindCalls).toBe(2);
    expect(hits.length).toBe(before);
    await guard.close();
  });

  it('the dispatcher refuses an address literal at connect time (Node skips lookup for literals)', async () => {
    const err = await request(`http://127.0.0.1:${port}/ok`, { dispatcher: plain.dispatcher('public') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EgressRefused);
    const viaInstance = await request(`http://127.0.0.1:${port}/ok`, { dispatcher: plain.dispatcher('instance') });
    expect(await viaInstance.body.text()).toBe('fine');
  });

  it('re-checks every redirect target', async () => {
    const resolve: EgressResolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const guard = createEgressGuard({ allow: ['docs.partner.test'], resolve });
    const before = hits.filter((h) => h === '/secret').length;
    const toLoopback = await guard.fetch(`http://docs.partner.test:${port}/to-loopback`, { policy: 'public', ...limits }).catch((e: unknown) => e);
    expect(toLoopback).toBeInstanceOf(EgressRefused);
    expect((toLoopback as EgressRefused).reason).toMatch(/^127\.0\.0\.1 is a loopback address/);
    expect(hits.filter((h) => h === '/secret').length).toBe(before);

    const toMetadata = await guard.fetch(`http://docs.partner.test:${port}/to-metadata`, { policy: 'instance', ...limits }).catch((e: unknown) => e);
    expect((toMetadata as EgressRefused).reason).toMatch(/^169\.254\.169\.254 is link-local/);

    const loop = await guard.fetch(`http://docs.partner.test:${port}/loop`, { policy: 'public', ...limits }).catch((e: unknown) => e);
    expect(loop).toBeInstanceOf(EgressFailed);
    expect((loop as EgressFailed).code).toBe('too_many_redirects');
    await guard.close();
  });

  it('cuts a body at maxBytes without reading the rest', async () => {
    written = 0;
    const err = await plain.fetch(`http://127.0.0.1:${port}/huge`, { policy: 'instance', ...limits }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EgressFailed);
    expect((err as EgressFailed).code).toBe('too_large');
    expect((err as EgressFailed).message).toBe('the answer is larger than the limit of 1048576 bytes');
    // The server could write what the socket buffers held, not the 50 MB.
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toBeLessThan(16 * 1024 * 1024);

    const declared = await plain.fetch(`http://127.0.0.1:${port}/declared-huge`, { policy: 'instance', ...limits }).catch((e: unknown) => e);
    expect((declared as EgressFailed).message).toBe('the answer declares 52428800 bytes, more than the limit of 1048576');
  });

  it('bounds the whole exchange in time: a hung server and a dripping one', async () => {
    for (const path of ['/hang', '/drip']) {
      const err = await plain.fetch(`http://127.0.0.1:${port}${path}`, { policy: 'instance', ...limits, timeoutMs: 400 }).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(EgressFailed);
      expect((err as EgressFailed).code).toBe('timeout');
      expect((err as EgressFailed).message).toBe('no complete answer within 400 ms');
    }
  });
});

describe('egress guard: refuseAtRegistration', () => {
  const refusal = { code: 'base_url_refused', field: 'openapi.base_url', what: 'Base URL' };
  const guardThrowing = (err: unknown) => ({ check: () => Promise.reject(err) });

  it('a refused address is a 400 naming the field; a name that does not resolve yet is accepted', async () => {
    await expect(refuseAtRegistration(guardThrowing(new EgressRefused('169.254.169.254 is link-local')), 'http://169.254.169.254/', 'public', refusal)).rejects.toMatchObject({
      status: 400,
      code: 'base_url_refused',
      message: 'Base URL refused: 169.254.169.254 is link-local',
    });
    await expect(refuseAtRegistration(guardThrowing(new EgressRefused('x.invalid does not resolve', 'unresolvable')), 'http://x.invalid/', 'public', refusal)).resolves.toBeUndefined();
  });

  it('a failure that is not a refusal is not taken as an acceptance', async () => {
    const broken = new TypeError('the guard itself failed');
    await expect(refuseAtRegistration(guardThrowing(broken), 'http://example.com/', 'public', refusal)).rejects.toBe(broken);
  });
});

describe('egress guard in the platform: instance registration and connection time', () => {
  let t: TestPlatform;
  let admin: TestSession;
  let serviceId: string;
  const api = (method: string, path: string, body?: unknown) => apiCall(t.url, admin.accessToken, method, path, body);
  // The five spellings of the cloud metadata address, plus octal and a trailing dot.
  const spellings = [
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/latest/meta-data/',
    'http://0xA9FEA9FE/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://0251.0376.0251.0376/',
    'http://169.254.169.254./',
  ];

  beforeAll(async () => {
    t = await startPlatform({ CATALOG_FILE: 'none', HTTP_HEALTH_INTERVAL_MS: '3600000' });
    admin = await adminSession(t);
    const created = await api('POST', '/v1/admin/services', { slug: 'internal-mcp', title: 'Internal', kind: 'http', http: { instances: ['http://10.0.0.7:3000/mcp'] } });
    expect(created.status).toBe(201);
    serviceId = created.json.id as string;
  });
  afterAll(() => t?.close());

  it.each(spellings)('POST /v1/admin/services with instance %s → 400 naming the address, nothing created', async (url) => {
    const res = await api('POST', '/v1/admin/services', { slug: 'meta-svc', title: 'x', kind: 'http', http: { instances: ['http://127.0.0.1:9/mcp', url] } });
    expect(res.status).toBe(400);
    const error = res.json.error as { code: string; message: string; details: Array<{ path: string; message: string }> };
    expect(error.code).toBe('instance_url_refused');
    expect(error.details[0]!.path).toBe('http.instances.1');
    expect(error.message).toMatch(/^Instance URL refused: (169\.254\.169\.254 is link-local|fd00:ec2::254 is the AWS IPv6 instance services range)/);
    expect((await api('GET', '/v1/admin/services/meta-svc')).status).toBe(404);
  });

  it.each(spellings)('POST …/instances with %s → 400, the instance list unchanged', async (url) => {
    const res = await api('POST', `/v1/admin/services/${serviceId}/instances`, { url });
    expect(res.status).toBe(400);
    expect((res.json.error as { code: string }).code).toBe('instance_url_refused');
    const after = await api('GET', `/v1/admin/services/${serviceId}`);
    expect((after.json.instances as Array<{ url: string }>).map((i) => i.url)).toEqual(['http://10.0.0.7:3000/mcp']);
  });

  it('keeps private and loopback instance URLs allowed, and unresolvable names for later', async () => {
    for (const url of ['http://127.0.0.1:10/mcp', 'http://[::1]:11/mcp', 'http://192.168.10.4/mcp', 'http://not-yet-deployed.invalid/mcp']) {
      expect((await api('POST', `/v1/admin/services/${serviceId}/instances`, { url })).status, url).toBe(201);
    }
  });

  it('refuses at connection time an instance that never went through registration (catalog file, old rows)', async () => {
    const target = service({ id: 'meta-direct', config: { kind: 'http', instances: ['http://[::ffff:a9fe:a9fe]/mcp'], transport: 'streamable-http' } });
    const err = await t.platform.upstream.connect(principal('alice'), target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe('upstream_unavailable');
    const health = t.platform.upstream.http.health()['meta-direct']!;
    expect(health[0]!.lastError).toBe('EGRESS_REFUSED');
  });
});
