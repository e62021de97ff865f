import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { exemptReplicaTraffic } from '../src/router/index.js';
import { FORWARD_TOKEN_HEADER, openForwardToken, sealForwardToken } from '../src/router/upstream/index.js';
import { parseMasterKey, Vault } from '../src/vault/index.js';
import { TEST_MASTER_KEY } from './support/platform.js';

/**
 * The replica token of stdio forwarding (forward-token.ts) with the real Vault, and the per-IP
 * limit exemption that only a genuine token earns. The end-to-end path (two `serve` processes) is
 * test/router.forwarding.test.ts (server mode).
 */
const vault = new Vault(parseMasterKey(TEST_MASTER_KEY, 'PLATFORM_ENCRYPTION_KEY'));
const principal = { userId: 'u-1', role: 'user' as const, email: 'u@example.test', via: 'api_key' as const, apiKeyId: 'k-1', services: ['everything'] };
const seal = (audience: string, ttl = 60, v = vault) => sealForwardToken(v, { audience, issuer: 'replica-a', principal, service: { id: 's-1', slug: 'everything' } }, ttl);

describe('router: replica forwarding token', () => {
  it('opens a fresh token for its audience with the principal essentials and nothing else', () => {
    const claims = openForwardToken(vault, 'replica-b', seal('replica-b'));
    expect(claims).toMatchObject({ aud: 'replica-b', iss: 'replica-a', principal, service: { id: 's-1', slug: 'everything' } });
    expect(Object.keys(claims!.principal).sort()).toEqual(['apiKeyId', 'email', 'role', 'services', 'userId', 'via']);
  });

  it('refuses expired, foreign-audience, foreign-key, tampered and oversized tokens', () => {
    const other = new Vault(parseMasterKey(`other:${Buffer.alloc(32, 3).toString('base64')}`, 'PLATFORM_ENCRYPTION_KEY'));
    const good = seal('replica-b');
    const tampered = `${good.slice(0, -4)}${good.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    for (const token of [seal('replica-b', -1), seal('replica-c'), seal('replica-b', 60, other), tampered, 'x'.repeat(9000), '', undefined]) {
      expect(openForwardToken(vault, 'replica-b', token)).toBeUndefined();
    }
    // A session ID sealed by the same vault (another context) is not a token either.
    expect(openForwardToken(vault, 'replica-b', vault.seal(JSON.stringify({ v: 1 }), 'mcp-session'))).toBeUndefined();
  });

  it('lets only genuine replica traffic past the per-IP limit', () => {
    let limited = 0;
    let passed = 0;
    const limit: RequestHandler = (_req, _res, next) => {
      limited += 1;
      next();
    };
    const wrapped = exemptReplicaTraffic({ vault, replicaId: () => 'replica-b' }, limit);
    const run = (path: string, token?: string) =>
      wrapped({ path, headers: token ? { [FORWARD_TOKEN_HEADER]: token } : {} } as unknown as Request, {} as Response, (() => (passed += 1)) as NextFunction);
    run('/internal/router/stdio/everything', seal('replica-b'));
    expect([limited, passed]).toEqual([0, 1]);
    run('/internal/router/stdio/everything', seal('replica-c'));
    run('/internal/router/stdio/everything');
    run('/mcp/everything', seal('replica-b')); // only the internal path
    expect([limited, passed]).toEqual([3, 4]);
  });
});
