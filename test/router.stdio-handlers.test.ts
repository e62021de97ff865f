import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { everythingStdio, principal, textOf } from './support/upstream.js';

/**
 * Several leases share one pooled stdio child (real server-everything). A server→client request
 * (sampling) of the child must reach the lease whose relay has a request in flight, even when a
 * later lease (an idle relay: a GET stream's, a forwarded session's warm-up) registered its handler
 * afterwards. The idle handler answers like the relay does when nothing is in flight.
 */
describe('router upstream: server→client handlers of a shared stdio child', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform();
  });
  afterAll(async () => t?.close());

  const notInFlight = () => {
    throw new ProtocolError(ProtocolErrorCode.InternalError, 'No client request is in flight to relay this request to');
  };
  const withSampling = (answer: () => unknown) => (client: Client) => {
    client.registerCapabilities({ sampling: {} });
    client.setRequestHandler('sampling/createMessage', async () => answer() as never);
  };

  it('asks every live lease newest first, skipping the idle ones, and forgets released leases', async () => {
    const svc = everythingStdio('shared-handlers');
    const busy = await t.platform.upstream.connect(principal('handler-user'), svc, {
      configureClient: withSampling(() => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'from the busy lease' } })),
    });
    const idle = await t.platform.upstream.connect(principal('handler-user'), svc, { configureClient: withSampling(notInFlight) });
    try {
      expect(idle.client).toBe(busy.client); // one child, one client
      const result = await busy.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'p' } });
      expect(textOf(result)).toContain('from the busy lease');

      await busy.release();
      // Only the idle lease is left: the request fails cleanly instead of reaching a released relay.
      const failed = await idle.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'p' } }).then(
        (r) => textOf(r),
        (e: Error) => e.message,
      );
      expect(failed).toContain('No client request is in flight');
    } finally {
      await busy.release();
      await idle.release();
    }
  });
});
