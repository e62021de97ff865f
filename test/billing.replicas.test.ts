import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startCountingUpstream, type CountingUpstream } from './fixtures/counting-upstream.js';
import { startServe, type ServeProcess } from './support/cli.js';
import { TEST_MASTER_KEY } from './support/platform.js';
import { apiCall as api, bearer, signIn, signUp } from './support/users.js';

/**
 * Exactly-once metering (issue 16 acceptance 2; docs/billing.md, "Why exactly once"): N
 * `tools/call`s spread over two `serve` PROCESSES on one PostgreSQL (and Redis), one of which is
 * SIGKILLed mid-run, give usage counters equal to the answered calls, exactly.
 *
 * The client is a careful one: each call carries an `Idempotency-Key`, and a call that got no
 * answer (the connection died with the killed replica) is sent again, with the same key, to the
 * replica that lives, until it is answered. So every call ends answered once, and:
 * - an answer the killed replica sent was metered before it was sent (write-before-answer), so the
 *   counters miss none;
 * - a call the killed replica metered but whose answer never left is counted by that write, and its
 *   retry's write inserts nothing (the key exists), so the counters count none twice.
 *
 * METER_TEST_CALLS sets N (default 1,000 keeps the file near a minute here; the 10,000 is
 * `METER_TEST_CALLS=10000`). Server mode only: embedded PGlite is one process's database.
 */
const DATABASE_URL = process.env.DATABASE_URL;
const CALLS = Number(process.env.METER_TEST_CALLS ?? 1_000);
const CONCURRENCY = 8;
const MODERN = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'meter-replicas', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

describe.skipIf(!DATABASE_URL)('exactly-once metering across two replicas, one SIGKILLed (server mode)', { timeout: 120_000 + CALLS * 150 }, () => {
  const schema = `t_meter_${randomBytes(4).toString('hex')}`;
  const replicas: ServeProcess[] = [];
  const dirs: string[] = [];
  let upstream: CountingUpstream | undefined;
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    await upstream?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it(`${CALLS} calls: usage counters equal the answered calls`, async () => {
    upstream = await startCountingUpstream('modern');
    const prefix = `test:meter:${randomBytes(4).toString('hex')}:`;
    const env = async (): Promise<Record<string, string>> => {
      const dir = await mkdtemp(path.join(tmpdir(), 'mcp-meter-'));
      dirs.push(dir);
      return {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATA_DIR: dir,
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: schema,
        PLATFORM_ENCRYPTION_KEY: TEST_MASTER_KEY,
        CATALOG_FILE: 'none',
        ADMIN_EMAIL: 'admin@example.test',
        ADMIN_PASSWORD: 'admin-password-123',
        AUTH_SIGNUPS_PER_IP_PER_HOUR: '1000000',
        // The run is one user from one address: the gateway's own limits are not what is tested here.
        RATE_LIMIT_IP_PER_MINUTE: '1000000',
        RATE_LIMIT_USER_PER_MINUTE: '1000000',
        MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000',
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}),
      };
    };
    const a = await startServe(await env());
    replicas.push(a);
    const admin = await signIn(a.url, 'admin@example.test', 'admin-password-123');
    const slug = `meter-${randomBytes(3).toString('hex')}`;
    const created = await api(a.url, admin.accessToken, 'POST', '/v1/admin/services', {
      slug,
      title: slug,
      kind: 'http',
      http: { transport: 'streamable-http', instances: [upstream.url] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const user = await signUp(a.url);
    const b = await startServe(await env());
    replicas.push(b);

    let aAlive = true;
    let answered = 0;
    let resent = 0;
    const answeredBy = { a: 0, b: 0 };
    const send = async (base: string, i: number): Promise<boolean> => {
      try {
        const res = await fetch(`${base}/mcp/${slug}`, {
          method: 'POST',
          headers: {
            ...bearer(user.accessToken),
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': MODERN,
            'mcp-method': 'tools/call',
            'mcp-name': 'echo',
            'idempotency-key': `call-${i}`,
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { text: `c${i}` }, _meta: ENVELOPE } }),
        });
        const text = await res.text();
        if (res.status !== 200) return false;
        const body = (text.startsWith('{') ? text : text.split('\n').filter((l) => l.startsWith('data: ')).at(-1)?.slice(6) ?? '') as string;
        const json = JSON.parse(body) as { id?: number; result?: { content?: Array<{ text?: string }> } };
        return json.id === i && json.result?.content?.[0]?.text === `echo:c${i}`;
      } catch {
        return false; // the connection died with the replica: no answer
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        // Spread over both replicas while A lives; a call A did not answer goes again to B, with the same key.
        let onA = aAlive && i % 2 === 0;
        for (let attempt = 0; ; attempt++) {
          if (await send(onA ? a.url : b.url, i)) {
            answered++;
            answeredBy[onA ? 'a' : 'b']++;
            break;
          }
          if (attempt >= 20) throw new Error(`call ${i} was never answered`);
          resent++;
          onA = false;
        }
        if (aAlive && answered >= CALLS / 3) {
          aAlive = false;
          a.child.kill('SIGKILL'); // mid-run: the other workers' calls on A are in flight
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect((await a.exited).signal).toBe('SIGKILL');
    // A client that lost answers in transit sends those calls again, with their keys: answered, not counted again.
    const again = Array.from({ length: Math.min(50, CALLS) }, (_, i) => i);
    for (const i of again) expect(await send(b.url, i), `call ${i} again`).toBe(true);

    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      // The counters are raised behind the writes (docs/billing.md, "rolled up behind"): B's rollup counts
      // what is queued, A's leftovers (SIGKILLed between its writes and its rollup) included.
      const pendingOf = async () => Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${schema}.usage_pending WHERE user_id = $1`, [user.userId])).rows[0]!.n);
      const queuedAtEnd = await pendingOf();
      for (const until = Date.now() + 30_000; (await pendingOf()) > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
      expect(await pendingOf(), 'usage events still queued 30 s after the last answer').toBe(0);
      console.log(`metering: ${queuedAtEnd} events were queued for the rollup when the last call was answered`);
      const counters = await client.query<{ calls: string; errors: string }>(
        `SELECT coalesce(sum(calls), 0)::text AS calls, coalesce(sum(errors), 0)::text AS errors FROM ${schema}.usage_daily WHERE user_id = $1 AND service = $2`,
        [user.userId, slug],
      );
      const events = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${schema}.usage_events WHERE user_id = $1`, [user.userId]);
      // The monthly counters (quota checks and quota pressure read them), raised in the same rollup statement.
      const monthly = await client.query<{ service: string; user: string }>(
        `SELECT (SELECT coalesce(sum(calls), 0) FROM ${schema}.usage_monthly WHERE user_id = $1 AND service = $2)::text AS service,
                (SELECT coalesce(sum(calls), 0) FROM ${schema}.usage_monthly_user WHERE user_id = $1)::text AS user`,
        [user.userId, slug],
      );
      const upstreamCalls = upstream.count('tools/call');
      console.log(
        `metering: ${CALLS} calls, answered ${answered} (A ${answeredBy.a}, B ${answeredBy.b}), resent unanswered ${resent}, resent answered ${again.length}, upstream tools/call ${upstreamCalls}, ` +
          `usage_daily calls ${counters.rows[0]!.calls}, usage_monthly calls ${monthly.rows[0]!.service} (per user ${monthly.rows[0]!.user}), usage_events ${events.rows[0]!.n}`,
      );
      expect(answered).toBe(CALLS);
      expect(answeredBy.a).toBeGreaterThan(0);
      expect(Number(counters.rows[0]!.calls)).toBe(answered);
      expect(Number(counters.rows[0]!.errors)).toBe(0);
      expect(Number(events.rows[0]!.n)).toBe(answered);
      expect(Number(monthly.rows[0]!.service)).toBe(answered);
      expect(Number(monthly.rows[0]!.user)).toBe(answered);
      // Every answered call reached the upstream at least once (a resent one more often).
      expect(upstreamCalls).toBeGreaterThanOrEqual(answered + again.length);
    } finally {
      await client.end();
    }
    // The quota API reads the same counters.
    const quota = await api(b.url, user.accessToken, 'GET', '/v1/usage/quota');
    expect((quota.json.calls as { used: number }).used).toBe(answered);
    expect((await b.stop('SIGTERM')).code).toBe(0);
  });
});
