import { randomBytes } from 'node:crypto';
import type { TestPlatform } from './platform.js';
import { recordSecret } from './secret-scan.js';

/**
 * Accounts for tests, made through the real /auth/v1 endpoints (no shortcuts into the database).
 * Keep this API stable: other components' tests build on it.
 */
export interface TestSession {
  accessToken: string;
  refreshToken: string;
  userId: string;
  email: string;
}

export const DEFAULT_TEST_PASSWORD = 'correct-horse-battery-9';

/** A fresh unique email, e.g. `user-1a2b3c4d@example.test`. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
}

async function tokenCall(url: string, path: string, body: unknown): Promise<TestSession> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey: 'test' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as {
    access_token?: string;
    refresh_token?: string;
    user?: { id: string; email: string };
    msg?: string;
  };
  if (!res.ok || !json.access_token || !json.refresh_token || !json.user) {
    throw new Error(`${path} failed: ${res.status} ${json.msg ?? JSON.stringify(json)}`);
  }
  recordSecret('password', (body as { password?: string }).password);
  recordSecret('access_token', json.access_token);
  recordSecret('refresh_token', json.refresh_token);
  return { accessToken: json.access_token, refreshToken: json.refresh_token, userId: json.user.id, email: json.user.email };
}

/** Signs up a new user (unique email unless given) and returns its first session. */
export function signUp(url: string, email = uniqueEmail(), password = DEFAULT_TEST_PASSWORD, data: Record<string, unknown> = {}): Promise<TestSession> {
  return tokenCall(url, '/auth/v1/signup', { email, password, data });
}

/** Password sign-in of an existing user. */
export function signIn(url: string, email: string, password = DEFAULT_TEST_PASSWORD): Promise<TestSession> {
  return tokenCall(url, '/auth/v1/token?grant_type=password', { email, password });
}

/** Signs in as the ADMIN_EMAIL / ADMIN_PASSWORD admin that `startPlatform` configures. */
export async function adminSession(t: TestPlatform): Promise<TestSession> {
  const email = t.env.ADMIN_EMAIL;
  const password = t.env.ADMIN_PASSWORD;
  if (!email || !password) throw new Error('this platform was started without ADMIN_EMAIL/ADMIN_PASSWORD');
  return signIn(t.url, email, password);
}

/** `Authorization` header for an access token or API key. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a personal API key for the session's user; returns the key (shown once) and its ID. */
export async function createApiKey(
  url: string,
  accessToken: string,
  body: { name?: string; services?: string[]; expires_at?: string } = {},
): Promise<{ id: string; key: string }> {
  const res = await fetch(`${url}/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(accessToken) },
    body: JSON.stringify({ name: 'test key', ...body }),
  });
  const json = (await res.json()) as { id?: string; key?: string };
  if (res.status !== 201 || !json.id || !json.key) throw new Error(`create api key failed: ${res.status} ${JSON.stringify(json)}`);
  recordSecret('api_key', json.key);
  return { id: json.id, key: json.key };
}

/** One REST call with a bearer token; the JSON body (empty object when none) and the status. */
export async function apiCall(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  if (method === 'PUT' && path.endsWith('/credentials') && body && typeof body === 'object') {
    for (const value of Object.values(body)) if (typeof value === 'string') recordSecret('credential', value);
  }
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
