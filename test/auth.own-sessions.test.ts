import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';
import { apiCall, createApiKey, signIn, signUp, type TestSession } from './support/users.js';

/**
 * `GET /v1/me/sessions` and `DELETE /v1/me/sessions/{id}` (the Account page's session list): the
 * caller's own active sessions with their user agent, the current one marked; ending one stops its
 * tokens at once; another user's session is a 404; API keys are refused (403).
 */
let t: TestPlatform;

beforeAll(async () => {
  t = await startPlatform({});
}, 120_000);
afterAll(async () => t?.close());

interface OwnSession {
  id: string;
  user_agent: string | null;
  created_at: string;
  refreshed_at: string | null;
  expires_at: string;
  current: boolean;
}

async function signInWithAgent(email: string, userAgent: string): Promise<TestSession> {
  const res = await fetch(`${t.url}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey: 'test', 'user-agent': userAgent },
    body: JSON.stringify({ email, password: 'correct-horse-battery-9' }),
  });
  const json = (await res.json()) as { access_token: string; refresh_token: string; user: { id: string; email: string } };
  expect(res.status).toBe(200);
  return { accessToken: json.access_token, refreshToken: json.refresh_token, userId: json.user.id, email: json.user.email };
}

describe('/v1/me/sessions', () => {
  it('lists the caller’s active sessions, marks the current one, and ends one by ID', async () => {
    const first = await signUp(t.url);
    const phone = await signInWithAgent(first.email, 'Mozilla/5.0 (iPhone) test-phone');
    const other = await signUp(t.url);

    const listed = await apiCall(t.url, phone.accessToken, 'GET', '/v1/me/sessions');
    expect(listed.status).toBe(200);
    const sessions = listed.json.sessions as OwnSession[];
    expect(sessions).toHaveLength(2);
    const current = sessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]!.user_agent).toBe('Mozilla/5.0 (iPhone) test-phone');
    for (const s of sessions) {
      expect(Date.parse(s.created_at)).not.toBeNaN();
      expect(Date.parse(s.expires_at)).toBeGreaterThan(Date.now());
    }
    // Nothing of the other user's.
    const otherIds = ((await apiCall(t.url, other.accessToken, 'GET', '/v1/me/sessions')).json.sessions as OwnSession[]).map((s) => s.id);
    expect(otherIds).toHaveLength(1);
    expect(sessions.map((s) => s.id)).not.toContain(otherIds[0]);

    // Another user's session, a made-up ID and a non-UUID: 404, nothing ended.
    expect((await apiCall(t.url, phone.accessToken, 'DELETE', `/v1/me/sessions/${otherIds[0]}`)).status).toBe(404);
    expect((await apiCall(t.url, phone.accessToken, 'DELETE', '/v1/me/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await apiCall(t.url, phone.accessToken, 'DELETE', '/v1/me/sessions/nope')).status).toBe(404);
    expect((await apiCall(t.url, other.accessToken, 'GET', '/v1/me/sessions')).status).toBe(200);

    // The phone ends the first browser's session: its access token and refresh token stop working.
    const firstId = sessions.find((s) => !s.current)!.id;
    expect((await apiCall(t.url, phone.accessToken, 'DELETE', `/v1/me/sessions/${firstId}`)).status).toBe(204);
    expect((await apiCall(t.url, first.accessToken, 'GET', '/v1/me/sessions')).status).toBe(401);
    const refresh = await fetch(`${t.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: 'test' },
      body: JSON.stringify({ refresh_token: first.refreshToken }),
    });
    expect(refresh.status).toBe(400);
    expect((await apiCall(t.url, phone.accessToken, 'DELETE', `/v1/me/sessions/${firstId}`)).status).toBe(404);
    const after = (await apiCall(t.url, phone.accessToken, 'GET', '/v1/me/sessions')).json.sessions as OwnSession[];
    expect(after.map((s) => s.id)).toEqual([current[0]!.id]);

    // Audited as a logout of one session.
    const again = await signIn(t.url, first.email);
    expect(again.userId).toBe(first.userId);
    const audit = await t.platform.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target_id', '=', first.userId)
      .where('action', '=', 'auth.logout')
      .execute();
    expect(audit.map((a) => a.details)).toContainEqual(expect.objectContaining({ scope: 'one', ended: firstId }));
  });

  it('refuses API keys and unknown query parameters', async () => {
    const user = await signUp(t.url);
    const { key } = await createApiKey(t.url, user.accessToken);
    const byKey = await apiCall(t.url, key, 'GET', '/v1/me/sessions');
    expect(byKey.status).toBe(403);
    expect(JSON.stringify(byKey.json)).toMatch(/signed in to the portal/);
    expect((await apiCall(t.url, key, 'DELETE', '/v1/me/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(403);
    expect((await apiCall(t.url, user.accessToken, 'GET', '/v1/me/sessions?all=1')).status).toBe(400);
    expect((await fetch(`${t.url}/v1/me/sessions`)).status).toBe(401);
  });
});
