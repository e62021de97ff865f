import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pino from 'pino';
import { listPartitions, maintainPartitions, PlatformMetrics, RequestLog } from '../src/logging/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';

/** Request log pipeline, partitions/retention, metrics and error groups, through the real app. */
describe('logging: request log', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startPlatform({ LOG_FLUSH_INTERVAL_MS: '50' });
  }, 180_000); // PGlite start-up is slow on a loaded machine
  afterAll(async () => t?.close());

  const rowsFor = (requestId: string) =>
    t.platform.database.db.selectFrom('request_log').selectAll().where('request_id', '=', requestId).execute();

  it('writes one lean row per REST request, with request id, trace id, route template and status', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${t.url}/no-such-route?token=abc`, {
      headers: { 'x-request-id': 'rest-row-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(404);
    await t.platform.logging.requestLog.flush();
    const rows = await rowsFor('rest-row-1');
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      kind: 'rest',
      method: 'GET',
      route: 'unmatched',
      status: 'error',
      http_status: 404,
      trace_id: traceId,
      user_id: null,
      rate_limited: false,
      payload: null,
    });
    expect(row.latency_ms).toBeGreaterThan(0);
    expect(row.bytes_out).toBeGreaterThan(0);
    // probes are not logged
    await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    await t.platform.logging.requestLog.flush();
    expect(await rowsFor('probe-1')).toHaveLength(0);
  });

  it('keeps no secret in a full-capture row, and caps its size', async () => {
    const secret = 'sk-live-0123456789abcdefghij';
    const userCredential = 'my-github-pat-value-42';
    t.platform.logging.requestLog.record(
      {
        kind: 'mcp',
        requestId: 'full-capture-1',
        method: 'tools/call',
        service: 'github',
        target: 'create_issue',
        status: 'ok',
        latencyMs: 12.5,
        upstreamLatencyMs: 10,
        protocolVersion: '2025-06-18',
        payload: {
          headers: { authorization: `Bearer ${secret}`, cookie: 'sid=abc123456', 'content-type': 'application/json' },
          request: {
            jsonrpc: '2.0',
            method: 'tools/call',
            params: { name: 'create_issue', arguments: { title: 'hello', api_key: secret, note: `uses ${userCredential} inline`, nested: { password: 'hunter2hunter2' } } },
          },
          response: { content: [{ type: 'text', text: `token is Bearer ${secret}` }], big: 'x'.repeat(50_000) },
        },
        secrets: [userCredential],
      },
      'full',
    );
    await t.platform.logging.requestLog.flush();
    const [row] = await rowsFor('full-capture-1');
    expect(row).toBeDefined();
    const stored = JSON.stringify(row);
    for (const s of [secret, userCredential, 'hunter2hunter2', 'sid=abc123456']) expect(stored).not.toContain(s);
    const payload = row!.payload as { headers: Record<string, string>; request: { params: { arguments: Record<string, unknown> } }; response: { truncated: boolean } };
    expect(payload.headers['content-type']).toBe('application/json');
    expect(payload.request.params.arguments.title).toBe('hello');
    expect(payload.response.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(payload.response))).toBeLessThan(9000);
    expect(row).toMatchObject({ service: 'github', target: 'create_issue', protocol_version: '2025-06-18', upstream_latency_ms: 10 });

    // 'metadata' keeps the row without bodies; 'off' keeps nothing
    t.platform.logging.requestLog.record({ kind: 'mcp', requestId: 'meta-1', method: 'tools/call', status: 'ok', latencyMs: 1, payload: { request: { a: 1 } } }, 'metadata');
    t.platform.logging.requestLog.record({ kind: 'mcp', requestId: 'off-1', method: 'tools/call', status: 'ok', latencyMs: 1 }, 'off');
    await t.platform.logging.requestLog.flush();
    expect((await rowsFor('meta-1'))[0]?.payload).toBeNull();
    expect(await rowsFor('off-1')).toHaveLength(0);
  });

  it("masks the service's credential field names, JSON-escaped credential values and credential values in headers", async () => {
    const quoted = 'pw"with\\quote-77';
    t.platform.logging.requestLog.record(
      {
        kind: 'mcp',
        requestId: 'full-capture-2',
        method: 'tools/call',
        status: 'ok',
        latencyMs: 1,
        payload: {
          headers: { 'x-upstream-echo': `v=${quoted}` },
          request: { arguments: { team_id: 'T0123456', other: 'kept' } },
          // JSON text inside a string escapes the quote and the backslash.
          response: { content: [{ type: 'text', text: JSON.stringify({ PASS: quoted }) }] },
        },
        secrets: [quoted],
        secretKeys: ['team_id'],
      },
      'full',
    );
    await t.platform.logging.requestLog.flush();
    const [row] = await rowsFor('full-capture-2');
    const stored = JSON.stringify(row!.payload);
    expect(stored).not.toContain('T0123456');
    expect(stored).not.toContain('quote-77');
    const payload = row!.payload as { request: { arguments: Record<string, string> }; headers: Record<string, string> };
    expect(payload.request.arguments).toEqual({ team_id: '[REDACTED]', other: 'kept' });
    expect(payload.headers['x-upstream-echo']).toBe('v=[REDACTED]');
  });

  it('partitions by day, creates missing partitions on demand and drops expired ones', async () => {
    const { database } = t.platform;
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(await listPartitions(database)).toContain(`request_log_p${today}`);
    const old = new Date(Date.now() - 40 * 86_400_000);
    t.platform.logging.requestLog.record({ time: old, kind: 'rest', requestId: 'old-row', method: 'GET', status: 'ok', latencyMs: 1 });
    await t.platform.logging.requestLog.flush();
    expect(await rowsFor('old-row')).toHaveLength(1); // the writer created the 40-days-ago partition
    const { dropped } = await maintainPartitions(database, { retentionDays: 30, daysAhead: 3 });
    expect(dropped).toContain(`request_log_p${old.toISOString().slice(0, 10).replaceAll('-', '')}`);
    expect(await rowsFor('old-row')).toHaveLength(0);
    expect(await rowsFor('rest-row-1')).toHaveLength(1);
    const { rows } = await sql<{ partitioned: boolean }>`
      select c.relkind = 'p' as partitioned from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${database.schema} and c.relname = 'request_log'`.execute(database.db.withoutPlugins());
    expect(rows[0]?.partitioned).toBe(true);
  });

  it('moves the metrics counters and serves them at /metrics', async () => {
    const scrape = async () => (await fetch(`${t.url}/metrics`)).text();
    const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    const notFound = /^http_requests_total\{method="GET",route="unmatched",status="404"\} (\d+)/m;
    const before = await scrape();
    await fetch(`${t.url}/nothing-here`);
    await fetch(`${t.url}/nothing-here/either`);
    await t.platform.logging.requestLog.flush();
    const after = await scrape();
    expect(count(after, notFound) - count(before, notFound)).toBe(2);
    expect(count(after, /^log_records_written_total (\d+)/m)).toBeGreaterThan(count(before, /^log_records_written_total (\d+)/m));
    expect(after).toMatch(/^http_request_duration_seconds_bucket\{.*route="unmatched"/m);
    expect(after).toContain('log_queue_depth');
    expect(after).toContain('process_cpu_user_seconds_total');
    // no raw URL ever becomes a label
    expect(after).not.toContain('nothing-here');

    const m = t.platform.logging.metrics;
    m.observeMcp('notes', 'tools/call', 'ok', 0.02, 0.01);
    m.observeMcp('notes', 'made/up-method-123', 'error', 0.02);
    m.rateLimited('user');
    m.authFailed('bad_password');
    m.setCircuitState('notes', 'http://up-1', 'open');
    const text = await scrape();
    expect(text).toMatch(/^mcp_requests_total\{service="notes",method="tools\/call",outcome="ok"\} 1/m);
    expect(text).toMatch(/^mcp_requests_total\{service="notes",method="other",outcome="error"\} 1/m);
    expect(text).toMatch(/^rate_limit_rejections_total\{scope="user"\} 1/m);
    expect(text).toMatch(/^auth_failures_total\{reason="bad_password"\} 1/m);
    expect(text).toMatch(/^mcp_upstream_circuit_state\{service="notes",instance="http:\/\/up-1"\} 2/m);
  });

  it('groups unexpected errors by fingerprint', async () => {
    const boom = (id: number) => new TypeError(`cannot read property of user ${id} at 0x${(1234 + id).toString(16)}ffffffffffffffff`);
    for (let i = 0; i < 3; i++) t.platform.logging.errors.capture(boom(i), { source: 'upstream', requestId: `err-${i}` });
    t.platform.logging.errors.capture(new RangeError('something else'), { source: 'http' });
    await t.platform.logging.errors.flush();
    t.platform.logging.errors.capture(boom(9), { source: 'upstream' });
    await t.platform.logging.errors.flush();
    const groups = await t.platform.database.db.selectFrom('error_groups').selectAll().orderBy('type').execute();
    expect(groups).toHaveLength(2);
    const range = groups.find((g) => g.type === 'RangeError')!;
    const type = groups.find((g) => g.type === 'TypeError')!;
    expect(Number(type.count)).toBe(4);
    expect(type.sample_request_id).toBe('err-0');
    expect(type.message).toBe('cannot read property of user <n> at <hex>');
    expect(type.last_seen.getTime()).toBeGreaterThanOrEqual(type.first_seen.getTime());
    expect(Number(range.count)).toBe(1);
  });

  it('refuses the query APIs without a signed-in caller', async () => {
    for (const p of ['/v1/logs', '/v1/usage', '/v1/admin/logs', '/v1/admin/audit', '/v1/admin/audit/verify', '/v1/admin/errors', '/v1/admin/usage']) {
      const res = await fetch(`${t.url}${p}`);
      expect(res.status, p).toBe(401);
    }
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(Number(/^auth_failures_total\{reason="unauthenticated"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(7);
  });
  it('under steady traffic writes one batch per interval, not a statement per round trip of the last one', async () => {
    // Each statement costs a fixed ~8 ms on PGlite: writing the queue down to empty while rows kept
    // coming made batches of a few rows, back to back (issue 11: 0.3 ms of PGlite per call).
    // Statements counted as the writer's own metric does: one log_flush_duration_seconds observation each.
    const metrics = new PlatformMetrics();
    const log = new RequestLog({ database: t.platform.database, logger: pino({ level: 'silent' }), metrics, queueMax: 100_000, batchSize: 500, flushIntervalMs: 250, payloadMaxBytes: 8192 });
    log.start();
    const started = performance.now();
    const rows = 600;
    for (let i = 0; i < rows; i++) {
      log.record({ kind: 'mcp', requestId: `steady-${i}`, method: 'tools/call', service: 'steady', target: 'echo', status: 'ok', latencyMs: 1 });
      await new Promise((r) => setTimeout(r, 2));
    }
    const intervals = Math.ceil((performance.now() - started) / 250);
    await log.close();
    const written = await t.platform.database.db.selectFrom('request_log').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', 'like', 'steady-%').executeTakeFirstOrThrow();
    expect(Number(written.n)).toBe(rows);
    const statements = (await metrics.logFlushDuration.get()).values.find((v) => v.metricName === 'log_flush_duration_seconds_count')?.value ?? 0;
    // One statement per interval that had rows, plus the close's (before: one per ~10 ms, ~150 here).
    expect(statements, `${statements} statements for ${rows} rows in ${intervals} intervals`).toBeGreaterThan(0);
    expect(statements, `${statements} statements for ${rows} rows in ${intervals} intervals`).toBeLessThanOrEqual(intervals + 2);
  });
});
