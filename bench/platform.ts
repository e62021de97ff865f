/**
 * The platform under benchmark: `node dist/main.js serve` as a separate process (embedded PGlite in
 * a temp DATA_DIR, or DATABASE_URL when set), rate limits raised far above the offered load so
 * they are computed on every request but never trigger, no catalog file (the benchmark registers
 * its own services). Plus the few REST calls the benchmark needs: admin sign-in, user sign-up,
 * service registration, /metrics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'undici';
import { startProcess, stop, type Started } from './procs.js';

export interface Platform {
  label: string;
  url: string;
  pid: number;
  redis: boolean;
  /** The inspector's WebSocket URL when started with `inspect` (loopback only). */
  inspector?: string;
  stop(): Promise<void>;
}

const ADMIN_EMAIL = 'admin@bench.test';
const ADMIN_PASSWORD = 'bench-admin-password-1';

/**
 * The environment of a benchmarked `serve`: production mode, a fixed master key, rate limits far
 * above any offered load (computed on every request, never triggered), no catalog file; the
 * caller's DATABASE_URL in a schema of its own, and Redis under a key prefix of its own when given.
 */
export function benchPlatformEnv(dataDir: string, tag: string, redisUrl: string | undefined): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    CATALOG_FILE: 'none',
    PLATFORM_ENCRYPTION_KEY: `bench:${Buffer.alloc(32, 9).toString('base64')}`,
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    MCP_RATE_LIMIT_USER_SERVICE_PER_MINUTE: '1000000',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: `bench_${tag}` } : {}),
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `bench:${tag}:` } : {}),
    // Metering and quotas on (the default) or off, to compare their cost (docs/billing.md, "Cost").
    ...(process.env.BILLING_METERING ? { BILLING_METERING: process.env.BILLING_METERING } : {}),
    // BENCH_PLATFORM_ENV="K=V K2=V2": more of the platform's environment, to measure what one setting costs.
    ...Object.fromEntries((process.env.BENCH_PLATFORM_ENV ?? '').split(' ').filter(Boolean).map(envPair)),
  };
}

/** One `K=V` of BENCH_PLATFORM_ENV (the value may hold `=`). */
function envPair(kv: string): [string, string] {
  const at = kv.indexOf('=');
  if (at < 1) throw new Error(`BENCH_PLATFORM_ENV: "${kv}" is not NAME=value`);
  return [kv.slice(0, at), kv.slice(at + 1)];
}

/**
 * `inspect` opens the V8 inspector on 127.0.0.1 (random port), used only to force a GC before
 * reading the heap (heapAfterGc); no debugger session is attached while load runs. `env` overrides
 * the bench environment (the metering group's second platform: BILLING_METERING=false).
 */
export async function startPlatform(root: string, label: string, redisUrl: string | undefined, inspect = false, env: Record<string, string> = {}): Promise<Platform> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-bench-'));
  const tag = `${Date.now()}_${randomBytes(3).toString('hex')}`;
  let started: Started & { value: string };
  try {
    const args = [...(inspect ? ['--inspect=127.0.0.1:0'] : []), path.join(root, 'dist', 'main.js'), 'serve'];
    started = await startProcess(process.execPath, args, {
      name: `platform (${label})`,
      cwd: root,
      env: { ...benchPlatformEnv(dataDir, tag, redisUrl), ...env },
      timeoutMs: 120_000,
      ready: (out) => {
        const m = /"message":"platform listening"[^\n]*"address":"[^"]*:(\d+)"|"address":"[^"]*:(\d+)"[^\n]*"message":"platform listening"/.exec(out);
        if (!m) return undefined;
        const ws = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(out);
        if (inspect && !ws) return undefined;
        return JSON.stringify({ port: m[1] ?? m[2], ws: ws?.[1] });
      },
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const ready = JSON.parse(started.value) as { port: string; ws?: string };
  return {
    label,
    url: `http://127.0.0.1:${ready.port}`,
    pid: started.pid,
    redis: !!redisUrl,
    inspector: ready.ws,
    async stop() {
      await stop(started.child, 15_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

async function session(url: string, pathAndQuery: string, body: unknown): Promise<{ access_token: string; user: { id: string } }> {
  const res = await fetch(`${url}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey: 'bench' },
    body: JSON.stringify(body),
  });
  return json(res, pathAndQuery);
}

async function token(url: string, pathAndQuery: string, body: unknown): Promise<string> {
  return (await session(url, pathAndQuery, body)).access_token;
}

export function adminToken(p: Platform): Promise<string> {
  return token(p.url, '/auth/v1/token?grant_type=password', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
}

const signUp = (p: Platform) => session(p.url, '/auth/v1/signup', { email: `bench-${randomBytes(4).toString('hex')}@example.test`, password: 'bench-password-123' });

export async function signUpUser(p: Platform): Promise<string> {
  return (await signUp(p)).access_token;
}

/**
 * Gives a new user a plan whose quotas are checked on every call but never reached: a monthly and a
 * per-service quota of 10^12 calls and a per-minute limit of 1,000,000 (the metering group).
 */
export async function signUpUserWithPlan(p: Platform, admin: string, service: string): Promise<string> {
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  const plan = { id: 'bench-quota', name: 'Bench (checked, never reached)', monthly_calls: 1e12, per_minute: 1_000_000, service_quotas: { [service]: 1e12 } };
  await json(await fetch(`${p.url}/v1/admin/plans`, { method: 'POST', headers, body: JSON.stringify(plan) }), 'create plan');
  const user = await signUp(p);
  await json(await fetch(`${p.url}/v1/admin/users/${user.user.id}`, { method: 'PATCH', headers, body: JSON.stringify({ plan: plan.id }) }), 'assign plan');
  return user.access_token;
}

export async function registerService(p: Platform, admin: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${p.url}/v1/admin/services`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ payload_capture: 'metadata', ...body }),
  });
  await json(res, `register service ${String(body.slug)}`);
}

/** `nodejs_heap_size_used_bytes` from the platform's Prometheus endpoint (no forced GC). */
export async function heapUsedBytes(p: Platform): Promise<number> {
  const res = await fetch(`${p.url}/metrics`);
  const text = await res.text();
  const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(text);
  if (!res.ok || !m) throw new Error(`/metrics has no nodejs_heap_size_used_bytes (status ${res.status})`);
  return Number(m[1]);
}

/**
 * The platform's heap after a full GC: through the inspector, HeapProfiler.collectGarbage then
 * process.memoryUsage().heapUsed (garbage excluded, unlike /metrics).
 */
export async function heapAfterGc(p: Platform): Promise<number> {
  if (!p.inspector) throw new Error(`platform (${p.label}) was started without the inspector`);
  const inspector = await inspectorSession(p.inspector, `platform (${p.label})`);
  try {
    await inspector.call('HeapProfiler.collectGarbage');
    await inspector.call('HeapProfiler.collectGarbage');
    const r = await inspector.call<{ result?: { value?: unknown } }>('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
    const v = r.result?.value;
    if (typeof v !== 'number') throw new Error(`heapUsed not readable through the inspector: ${JSON.stringify(r).slice(0, 200)}`);
    return v;
  } finally {
    inspector.close();
  }
}

/** A DevTools-protocol session with a process's inspector (its WebSocket URL): `call` resolves with a method's result. */
export async function inspectorSession(
  url: string,
  what: string,
): Promise<{ call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>; close(): void }> {
  const ws = new WebSocket(url);
  const pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error(`inspector of ${what} did not accept a connection`)));
  });
  let nextId = 1;
  return {
    call: <T>(method: string, params?: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, (msg) => {
          pending.delete(id);
          if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
          else resolve(msg.result as T);
        });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}
