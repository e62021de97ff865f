import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { bearer, signUp } from './support/users.js';

/** A real MCP tools/call through the gateway (shipped catalog, builtin `notes`) leaves a request-log row and moves the MCP metrics. */
describe('logging: MCP requests', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ LOG_FLUSH_INTERVAL_MS: '50' });
  }, 180_000);
  afterAll(async () => t?.close());

  it('records tools/call with user, service, tool, protocol version and status', async () => {
    const session = await signUp(t.url);
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/notes`), {
      requestInit: { headers: { Authorization: `Bearer ${session.accessToken}`, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    });
    const client = new Client({ name: 'logging-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'create_note', arguments: { title: 'log me', body: 'secret-body-text' } });
      expect(result.isError).not.toBe(true);
    } finally {
      await client.close();
    }
    await t.platform.logging.requestLog.flush();
    const rows = await t.platform.database.db
      .selectFrom('request_log')
      .selectAll()
      .where('kind', '=', 'mcp')
      .where('user_id', '=', session.userId)
      .orderBy('time')
      .execute();
    const call = rows.find((r) => r.method === 'tools/call');
    expect(call).toMatchObject({
      service: 'notes',
      target: 'create_note',
      status: 'ok',
      http_status: 200,
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      payload: null,
    });
    expect(call!.protocol_version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(call!.latency_ms).toBeGreaterThan(0);
    expect(rows.map((r) => r.method)).toContain('initialize');
    expect(JSON.stringify(rows)).not.toContain(session.accessToken);

    const own = (await (await fetch(`${t.url}/v1/logs?kind=mcp&tool=create_note`, { headers: bearer(session.accessToken) })).json()) as { data: Array<{ request_id: string }> };
    expect(own.data.map((r) => r.request_id)).toContain(call!.request_id);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^mcp_requests_total\{service="notes",method="tools\/call",outcome="ok"\} [1-9]/m);
    expect(metrics).toMatch(/^mcp_request_duration_seconds_count\{service="notes",method="tools\/call"\} [1-9]/m);
  });
});
