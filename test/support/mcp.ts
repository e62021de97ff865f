import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpServer } from '@modelcontextprotocol/server';
import type { Request as ExpressRequest } from 'express';
import { createPlatform, type Platform } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { Principal } from '../../src/gateway/index.js';
import type {
  ResolvedService,
  ServiceCatalog,
  ServiceDefinition,
  UpstreamConnector,
  UpstreamLease,
} from '../../src/router/index.js';
import { testEnv } from './platform.js';

/**
 * TEST-ONLY stand-ins for the catalog, the upstream connector and authentication, used until the
 * real ones (mcp-catalog, mcp-upstream, auth) are merged. They implement the real contracts from
 * src/router/contracts.ts; the endpoint under test is the real one.
 *  - catalog: a fixed list of service definitions, filtered by role like the real one;
 *  - connector: builtin fixtures over the SDK's InMemoryTransport, stdio services as real child processes;
 *  - authentication: static bearer tokens mapped to principals.
 */

export function service(slug: string, overrides: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return {
    id: `svc-${slug}`,
    slug,
    title: slug,
    description: `Fixture service ${slug}`,
    kind: 'builtin',
    enabled: true,
    roles: ['user', 'admin'],
    toolPolicy: {},
    credentialSchema: [],
    config: { kind: 'builtin', server: slug },
    ...overrides,
  } as ServiceDefinition;
}

export function fixtureCatalog(definitions: ServiceDefinition[]): ServiceCatalog {
  const usable = (p: Principal) =>
    definitions
      .filter((d) => d.enabled && d.roles.includes(p.role) && (!p.services || p.services.includes(d.slug)))
      .map((definition): ResolvedService => ({ definition, credentials: {} }));
  return {
    async listUsable(principal) {
      return usable(principal);
    },
    async resolve(principal, slug) {
      return usable(principal).find((s) => s.definition.slug === slug);
    },
  };
}

export interface FixtureConnector extends UpstreamConnector {
  /** Connections currently leased (for leak checks). */
  readonly open: number;
}

export function fixtureConnector(builtins: Record<string, () => McpServer>): FixtureConnector {
  let open = 0;
  return {
    get open() {
      return open;
    },
    async connect(_principal, svc, options): Promise<UpstreamLease> {
      const client = new Client({ name: 'mcp-platform-relay', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      options?.configureClient?.(client);
      const def = svc.definition;
      let instance: string;
      if (def.config.kind === 'stdio') {
        const transport = new StdioClientTransport({ command: def.config.command, args: def.config.args, env: def.config.env, stderr: 'ignore' });
        await client.connect(transport);
        instance = `stdio:${transport.pid ?? '?'}`;
      } else {
        const factory = builtins[def.slug];
        if (!factory) throw new Error(`no fixture for ${def.slug}`);
        const server = factory();
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await server.connect(serverSide);
        await client.connect(clientSide);
        instance = `builtin:${def.slug}`;
      }
      open++;
      let released = false;
      return {
        client,
        instance,
        async release() {
          if (released) return;
          released = true;
          open--;
          await client.close().catch(() => undefined);
        },
      };
    },
  };
}

export interface TestUser {
  token: string;
  principal: Principal;
}

export function user(id: string, role: 'user' | 'admin' = 'user', extra: Partial<Principal> = {}): TestUser {
  return { token: `test-token-${id}`, principal: { userId: id, role, email: `${id}@example.test`, via: 'jwt', ...extra } };
}

export function tokenAuth(users: TestUser[]) {
  return async (req: ExpressRequest): Promise<Principal | undefined> => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m ? users.find((u) => u.token === m[1])?.principal : undefined;
  };
}

export interface McpTestPlatform {
  platform: Platform;
  url: string;
  close(): Promise<void>;
}

export async function startMcpPlatform(
  mcp: NonNullable<Parameters<typeof createPlatform>[1]>['mcp'],
  overrides: Record<string, string | undefined> = {},
): Promise<McpTestPlatform> {
  const dataDir = overrides.DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), 'mcp-edge-test-')));
  const config = loadConfig(testEnv({ DATA_DIR: dataDir, ...overrides }));
  const platform = await createPlatform(config, { mcp });
  const address = await platform.listen(0);
  return {
    platform,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await platform.close();
      if (!overrides.DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * TEST-ONLY header-adding proxy for MCP clients that send no auth (the conformance suite, the
 * Inspector CLI of this version): forwards `/mcp...` to `<platform><targetPath>...` with a bearer
 * token, streaming both ways. The Host header is passed through unchanged.
 */
export async function startAuthProxy(platformUrl: string, token: string, targetPath: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(platformUrl);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: (req.url ?? '/').replace(/^\/mcp/, targetPath), headers },
      (pres) => {
        res.writeHead(pres.statusCode ?? 502, pres.headers);
        pres.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
    res.on('close', () => out.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/mcp`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
