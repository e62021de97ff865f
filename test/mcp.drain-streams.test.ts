import { describe, expect, it } from 'vitest';
import { startPlatform } from './support/platform.js';
import { bearer, signUp } from './support/users.js';

/**
 * Shutdown and 2025-era GET streams (issue 14 §2). A standalone GET stream never ends by itself;
 * before, it held a replica's drain until SHUTDOWN_TIMEOUT_MS, and the requests still in flight on
 * the replica were then cut. Now `close()` ends every open GET stream at once (the 2025 revisions
 * let the client re-open GET, on another replica through the load balancer), so the drain waits
 * only for requests. The bound is set far above the test's own timeout: a drain that waited for it
 * would fail the test.
 */
const LEGACY = '2025-11-25';

describe('drain: 2025-era GET streams end when the platform shuts down', () => {
  it('ends an open GET stream at the start of the drain; close() does not wait for the shutdown bound', { timeout: 90_000 }, async () => {
    const t = await startPlatform({ SHUTDOWN_TIMEOUT_MS: '600000', CATALOG_FILE: '' });
    const user = await signUp(t.url);
    const headers = { ...bearer(user.accessToken), 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'drain', version: '1' } } }),
    });
    await init.text();
    const sessionId = init.headers.get('mcp-session-id');
    expect(init.status).toBe(200);
    expect(sessionId).toBeTruthy();
    const sessionHeaders = { ...headers, 'mcp-session-id': sessionId!, 'mcp-protocol-version': LEGACY };
    const note = await fetch(`${t.url}/mcp`, { method: 'POST', headers: sessionHeaders, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    await note.arrayBuffer();

    const get = await fetch(`${t.url}/mcp`, { method: 'GET', headers: { ...sessionHeaders, accept: 'text/event-stream' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events: string[] = [];
    const streamEnded = (async () => {
      const reader = get.body!.getReader();
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
      events.push('stream ended');
    })();

    const closed = t.close().then(() => events.push('platform closed'));
    await Promise.all([streamEnded, closed]);
    expect(events).toEqual(['stream ended', 'platform closed']);
  });
});
