import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/billing/index.js';
import { WebhookOutbox } from '../src/billing/webhooks.js';
import { billingDb } from '../src/billing/tables.js';
import { loadConfig } from '../src/config/index.js';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { adminSession, apiCall as api, bearer, signUp, type TestSession } from './support/users.js';

/**
 * The billing webhook outbox, finalised statements and payout reports (docs/billing.md; issue 16
 * acceptance 4). No payment processor is reachable here: the receiver is a real HTTP server in this
 * test that speaks the documented wire format (a signed JSON POST) and does what a processor's
 * endpoint would: it checks the signature, fails the first three tries of every event (500), then
 * accepts and dedupes by the Idempotency-Key. A second delivery worker on the same database (a
 * second replica's) runs beside the platform's own, so claims are contended.
 */

const SECRET = randomBytes(32).toString('hex');
const ROOT = path.resolve(import.meta.dirname, '..');

interface Received {
  eventId: string;
  idempotencyKey: string | undefined;
  signatureOk: boolean;
  status: number;
}

class Receiver {
  readonly requests: Received[] = [];
  /** The receiver's dedupe: event ids it has accepted (processed once). */
  readonly processed = new Map<string, { type: string; data: Record<string, unknown> }>();
  duplicatesIgnored = 0;
  /** Users whose events the receiver refuses, always (to drive an event to the dead state). */
  readonly refuseUsers = new Set<string>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(body) as { id: string; type: string; data: Record<string, unknown> };
        const key = req.headers['idempotency-key'] as string | undefined;
        const signatureOk = verifyWebhook(SECRET, String(req.headers['mcp-platform-signature'] ?? ''), body);
        const tries = this.requests.filter((r) => r.eventId === event.id).length;
        let status = 200;
        if (!signatureOk) status = 400;
        else if (tries < 3 || this.refuseUsers.has(String(event.data.user_id))) status = 500;
        this.requests.push({ eventId: event.id, idempotencyKey: key, signatureOk, status });
        if (status === 200) {
          if (this.processed.has(key!)) this.duplicatesIgnored++;
          else this.processed.set(key!, { type: event.type, data: event.data });
        }
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status === 200 }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/billing`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface EventView {
  id: string;
  type: string;
  state: string;
  attempts: number;
  payload: Record<string, unknown>;
}

describe('billing webhook outbox, finalised statements, payouts', () => {
  const receiver = new Receiver();
  let t: TestPlatform;
  let admin: TestSession;
  let secondReplica: WebhookOutbox;
  let now = new Date('2026-07-01T00:00:00.000Z');

  const events = async (query = ''): Promise<EventView[]> => {
    const res = await api(t.url, admin.accessToken, 'GET', `/v1/admin/billing/events?limit=500${query}`);
    expect(res.status).toBe(200);
    return res.json.events as EventView[];
  };
  /** Waits (bounded) until no event is pending. */
  const settled = async (): Promise<EventView[]> => {
    for (let i = 0; i < 300; i++) {
      const all = await events();
      if (all.length && all.every((e) => e.state !== 'pending')) return all;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`events still pending: ${JSON.stringify((await events('&state=pending')).map((e) => [e.id, e.attempts]))}`);
  };

  beforeAll(async () => {
    await receiver.start();
    t = await startPlatform(
      {
        CATALOG_FILE: 'none',
        BILLING_WEBHOOK_URL: receiver.url,
        BILLING_WEBHOOK_SECRET: SECRET,
        BILLING_WEBHOOK_BACKOFF_MS: '20',
        BILLING_WEBHOOK_POLL_MS: '25',
        BILLING_WEBHOOK_MAX_ATTEMPTS: '5',
      },
      { clock: () => now },
    );
    admin = await adminSession(t);
    // A second replica's delivery worker: same database, same endpoint, its own claims.
    secondReplica = new WebhookOutbox({
      db: billingDb(t.platform.database),
      schema: t.platform.database.schema,
      logger: t.platform.logger,
      egress: t.platform.egress,
      config: { url: receiver.url, secret: SECRET, maxAttempts: 5, backoffMs: 20, pollMs: 25, timeoutMs: 5_000 },
    });
    secondReplica.start();
  }, 120_000);
  afterAll(async () => {
    await secondReplica?.close();
    await t?.close();
    await receiver.close();
  });

  it('a month of usage: every event delivered once to a receiver that fails the first three tries, one idempotency key per event, signed; statements final and immutable; payouts', async () => {
    const metering = t.platform.billing!.metering;
    const prefix = `wh-${randomBytes(3).toString('hex')}`;
    const [alpha, beta, gratis] = ['a', 'b', 'c'].map((x) => `${prefix}-${x}`) as [string, string, string];
    // The provider owns alpha and gratis: services created by the admin API, their owner set as the
    // builder sets it for a user's own service (services.owner_id), the ownership payouts read.
    const provider = await signUp(t.url);
    for (const slug of [alpha, beta, gratis]) {
      const created = await api(t.url, admin.accessToken, 'POST', '/v1/admin/services', { slug, title: slug, kind: 'http', http: { transport: 'streamable-http', instances: ['http://127.0.0.1:9/mcp'] } });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
    }
    await t.platform.database.db.updateTable('services').set({ owner_id: provider.userId }).where('slug', 'in', [alpha, gratis]).execute();

    expect((await api(t.url, admin.accessToken, 'PUT', `/v1/admin/prices/${alpha}`, { price_per_call: '0.0025' })).status).toBe(200);
    expect((await api(t.url, admin.accessToken, 'PUT', `/v1/admin/prices/${beta}`, { price_per_call: '0.75', currency: 'EUR' })).status).toBe(200);

    // July 2026: two users, three services, over the month; calls are metered as the router meters them.
    const ada = await signUp(t.url);
    const bob = await signUp(t.url);
    const usage: Array<[TestSession, string, number, number]> = [
      [ada, alpha, 1, 40], [ada, alpha, 15, 25], [ada, beta, 3, 7], [ada, gratis, 20, 9],
      [bob, alpha, 2, 13], [bob, beta, 31, 4],
    ];
    for (const [user, service, day, n] of usage) {
      now = new Date(Date.UTC(2026, 6, day, 10));
      await Promise.all(Array.from({ length: n }, () => metering.record({ key: `call:${randomUUID()}`, userId: user.userId, service, listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 2 })));
    }
    const expected = (user: TestSession) => {
      const lines = new Map<string, number>();
      for (const [u, s, , n] of usage) if (u === user) lines.set(s, (lines.get(s) ?? 0) + n);
      return lines;
    };

    // Not yet: July has not ended on the platform's clock.
    const early = await api(t.url, admin.accessToken, 'POST', '/v1/admin/statements/finalize', { month: '2026-07' });
    expect(early.status).toBe(409);
    expect(JSON.stringify(early.json)).toContain('month_not_ended');

    now = new Date('2026-08-02T09:00:00.000Z');
    const finalised = await api(t.url, admin.accessToken, 'POST', '/v1/admin/statements/finalize', { month: '2026-07' });
    expect(finalised.status, JSON.stringify(finalised.json)).toBe(200);
    expect(finalised.json).toEqual({ month: '2026-07', finalized: 2, already_final: 0 });
    // Finalising again changes nothing.
    expect((await api(t.url, admin.accessToken, 'POST', '/v1/admin/statements/finalize', { month: '2026-07' })).json).toEqual({ month: '2026-07', finalized: 0, already_final: 2 });

    const statementOf = async (user: TestSession) => (await api(t.url, user.accessToken, 'GET', '/v1/usage/statement?month=2026-07')).json;
    const adaFinal = await statementOf(ada);
    expect(adaFinal).toMatchObject({
      status: 'final',
      line_items: [
        { service: alpha, calls: 65, unit_price: '0.002500', amount: '0.162500', currency: 'USD' },
        { service: beta, calls: 7, unit_price: '0.750000', amount: '5.250000', currency: 'EUR' },
        { service: gratis, calls: 9, unit_price: null, amount: null, currency: null },
      ],
      totals: [{ currency: 'EUR', amount: '5.250000' }, { currency: 'USD', amount: '0.162500' }],
    });
    // The line items sum to the priced usage: calls × price per service, per currency, exactly.
    const micros = (d: string) => BigInt(d.replace('.', ''));
    const prices: Record<string, [bigint, string]> = { [alpha]: [2500n, 'USD'], [beta]: [750_000n, 'EUR'] };
    for (const [user, statement] of [[ada, adaFinal], [bob, await statementOf(bob)]] as const) {
      const lines = statement.line_items as Array<{ service: string; calls: number; amount: string | null; currency: string | null }>;
      expect(new Map(lines.map((l) => [l.service, l.calls]))).toEqual(expected(user));
      const priced = new Map<string, bigint>();
      for (const [service, calls] of expected(user)) {
        const price = prices[service];
        if (price) priced.set(price[1], (priced.get(price[1]) ?? 0n) + BigInt(calls) * price[0]);
      }
      const summed = new Map<string, bigint>();
      for (const l of lines) if (l.amount) summed.set(l.currency!, (summed.get(l.currency!) ?? 0n) + micros(l.amount));
      expect(summed).toEqual(priced);
      expect(new Map((statement.totals as Array<{ currency: string; amount: string }>).map((x) => [x.currency, micros(x.amount)]))).toEqual(priced);
    }

    // A later price change does not rewrite the finalised month; the price history keeps both.
    expect((await api(t.url, admin.accessToken, 'PUT', `/v1/admin/prices/${alpha}`, { price_per_call: '0.01' })).status).toBe(200);
    expect((await api(t.url, admin.accessToken, 'DELETE', `/v1/admin/prices/${beta}`)).status).toBe(204);
    expect(await statementOf(ada)).toEqual(adaFinal);
    const history = await api(t.url, admin.accessToken, 'GET', `/v1/admin/prices/${alpha}/history`);
    expect((history.json.history as Array<{ price_per_call: string }>).map((h) => h.price_per_call)).toEqual(['0.010000', '0.002500']);
    // An unfinalised month is priced at today's prices (August: one call at the new price).
    await metering.record({ key: `call:${randomUUID()}`, userId: ada.userId, service: alpha, listingVersion: null, tool: 'echo', units: 1, status: 'ok', latencyMs: 2 });
    expect((await statementOf(ada)).status).toBe('final');
    expect((await api(t.url, ada.accessToken, 'GET', '/v1/usage/statement?month=2026-08')).json).toMatchObject({ status: 'open', line_items: [{ service: alpha, calls: 1, amount: '0.010000' }] });

    // Payouts: the provider's services' July revenue, from the finalised lines (the July prices).
    const payouts = await api(t.url, provider.accessToken, 'GET', '/v1/provider/payouts?month=2026-07');
    expect(payouts.status).toBe(200);
    expect(payouts.json).toEqual({
      period: { start: '2026-07-01T00:00:00.000Z', end: '2026-08-01T00:00:00.000Z' },
      providers: [
        {
          provider_id: provider.userId,
          lines: [
            { service: alpha, calls: 78, currency: 'USD', revenue: '0.195000' },
            { service: gratis, calls: 9, currency: null, revenue: null },
          ],
          totals: [{ currency: 'USD', revenue: '0.195000' }],
        },
      ],
    });
    const csv = await fetch(`${t.url}/v1/admin/payouts?month=2026-07&format=csv`, { headers: bearer(admin.accessToken) });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const csvLines = (await csv.text()).split('\r\n');
    expect(csvLines[0]).toBe('provider_id,service,calls,revenue,currency');
    expect(csvLines).toEqual(expect.arrayContaining([`${provider.userId},${alpha},78,0.195000,USD`, `${provider.userId},${gratis},9,,`, `${provider.userId},TOTAL,,0.195000,USD`]));
    expect((await api(t.url, ada.accessToken, 'GET', '/v1/admin/payouts?month=2026-07')).status).toBe(403);
    expect((await api(t.url, ada.accessToken, 'GET', '/v1/provider/payouts?month=2026-07')).json.providers).toEqual([]);

    // The outbox: every event delivered, after exactly four attempts (three refused, one accepted).
    const all = await settled();
    const usageEvents = all.filter((e) => e.type === 'usage.recorded');
    const statementEvents = all.filter((e) => e.type === 'statement.finalized');
    expect(statementEvents).toHaveLength(2);
    // The usage events announce every metered call: per user and service, their calls add up to the usage.
    const announced = new Map<string, number>();
    for (const e of usageEvents) {
      const key = `${String(e.payload.user_id)}/${String(e.payload.service)}`;
      if (e.payload.user_id === ada.userId || e.payload.user_id === bob.userId) announced.set(key, (announced.get(key) ?? 0) + Number(e.payload.calls));
    }
    const metered = new Map<string, number>();
    for (const [u, s, , n] of usage) metered.set(`${u.userId}/${s}`, (metered.get(`${u.userId}/${s}`) ?? 0) + n);
    metered.set(`${ada.userId}/${alpha}`, metered.get(`${ada.userId}/${alpha}`)! + 1); // the August call
    expect(announced).toEqual(metered);
    expect(all.map((e) => [e.state, e.attempts])).toEqual(all.map(() => ['delivered', 4]));

    // The receiver: four requests per event, every one signed correctly and carrying the event id as
    // its Idempotency-Key; the dedupe processed each event once, and nothing twice.
    const ids = all.map((e) => e.id).sort();
    expect([...receiver.processed.keys()].sort()).toEqual(ids);
    expect(receiver.duplicatesIgnored).toBe(0);
    for (const id of ids) {
      const tries = receiver.requests.filter((r) => r.eventId === id);
      expect(tries.map((r) => [r.idempotencyKey, r.signatureOk, r.status])).toEqual([
        [id, true, 500],
        [id, true, 500],
        [id, true, 500],
        [id, true, 200],
      ]);
    }
    const adaStatementEvent = receiver.processed.get(statementEvents.find((e) => e.payload.user_id === ada.userId)!.id)!;
    expect(adaStatementEvent).toEqual({ type: 'statement.finalized', data: { ...adaFinal } });
  });

  it('an event the endpoint keeps refusing goes dead after its attempts; an admin redelivers it with the same key', async () => {
    const doomed = await signUp(t.url);
    receiver.refuseUsers.add(doomed.userId);
    now = new Date('2026-09-03T10:00:00.000Z');
    await t.platform.billing!.metering.record({ key: `call:${randomUUID()}`, userId: doomed.userId, service: 'svc-dead', listingVersion: null, tool: 'x', units: 1, status: 'error', latencyMs: 1 });
    await t.platform.billing!.rollUp(); // usage.recorded is written by the rollup, behind the answer
    const all = await settled();
    const dead = all.find((e) => e.payload.user_id === doomed.userId)!;
    expect(dead).toMatchObject({ type: 'usage.recorded', state: 'dead', attempts: 5, payload: { calls: 1, errors: 1, service: 'svc-dead' } });
    expect((await events('&state=dead')).map((e) => e.id)).toEqual([dead.id]);
    expect(receiver.requests.filter((r) => r.eventId === dead.id)).toHaveLength(5);
    expect(receiver.processed.has(dead.id)).toBe(false);

    receiver.refuseUsers.delete(doomed.userId);
    expect((await api(t.url, doomed.accessToken, 'POST', `/v1/admin/billing/events/${dead.id}/redeliver`)).status).toBe(403);
    expect((await api(t.url, admin.accessToken, 'POST', `/v1/admin/billing/events/${randomUUID()}/redeliver`)).status).toBe(404);
    expect((await api(t.url, admin.accessToken, 'POST', '/v1/admin/billing/events/not-a-uuid/redeliver')).status).toBe(400);
    const redelivered = await api(t.url, admin.accessToken, 'POST', `/v1/admin/billing/events/${dead.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    expect(redelivered.json).toMatchObject({ id: dead.id, state: 'pending', attempts: 0 });
    await settled();
    expect((await api(t.url, admin.accessToken, 'GET', `/v1/admin/billing/events/${dead.id}`)).json).toMatchObject({ state: 'delivered', attempts: 1, last_status: 200 });
    expect(receiver.processed.get(dead.id)).toMatchObject({ type: 'usage.recorded' });
    expect(new Set(receiver.requests.filter((r) => r.eventId === dead.id).map((r) => r.idempotencyKey))).toEqual(new Set([dead.id]));

    // Redelivering a delivered event posts it again with the same key: the receiver's dedupe drops it.
    expect((await api(t.url, admin.accessToken, 'POST', `/v1/admin/billing/events/${dead.id}/redeliver`)).status).toBe(202);
    await settled();
    expect(receiver.duplicatesIgnored).toBe(1);
    const audit = await t.platform.database.db.selectFrom('audit_log').select('action').where('target_id', '=', dead.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['billing.event_redelivered', 'billing.event_redelivered']);
  });

  it('refuses a bad signing secret at startup', () => {
    const base = { BILLING_WEBHOOK_URL: 'https://billing.example.test/hooks' };
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(refusal(base)).toContain('BILLING_WEBHOOK_SECRET: required when BILLING_WEBHOOK_URL is set');
    expect(refusal({ ...base, BILLING_WEBHOOK_SECRET: 'short-secret' })).toContain('BILLING_WEBHOOK_SECRET: at least 32 characters');
    expect(refusal({ ...base, BILLING_WEBHOOK_SECRET: 'a'.repeat(40) })).toContain('BILLING_WEBHOOK_SECRET: too few distinct characters');
    expect(refusal({ BILLING_WEBHOOK_SECRET: SECRET })).toContain('BILLING_WEBHOOK_URL: BILLING_WEBHOOK_SECRET is set but no URL');
    expect(refusal({ ...base, BILLING_WEBHOOK_URL: 'ftp://x.test/', BILLING_WEBHOOK_SECRET: SECRET })).toContain('BILLING_WEBHOOK_URL');
    expect(() => loadConfig({ ...base, BILLING_WEBHOOK_SECRET: SECRET })).not.toThrow();

    // The real CLI: `serve` exits 78 naming the variable, without printing the secret.
    const bad = 'too-short-' + randomBytes(4).toString('hex');
    const run = spawnSync(process.execPath, ['--import', path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs'), path.join(ROOT, 'src', 'main.ts'), 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...base, BILLING_WEBHOOK_SECRET: bad },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('BILLING_WEBHOOK_SECRET');
    expect(run.stderr + run.stdout).not.toContain(bad);
  }, 90_000);
});
