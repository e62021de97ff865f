import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthMailer } from '../src/auth/mailer.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/logging/index.js';
import { startPlatform, testEnv, type TestPlatform } from './support/platform.js';
import { freePort, linkIn, startSmtpServer, type TestSmtpServer } from './support/smtp.js';
import { bearer, DEFAULT_TEST_PASSWORD, signIn, signUp, uniqueEmail } from './support/users.js';

/**
 * Password recovery and email confirmation by mail (POST /auth/v1/recover, /auth/v1/verify in
 * GoTrue's shapes), against the real platform and a real SMTP server on loopback: nodemailer
 * sends, smtp-server receives, and the test follows the link in the mail.
 */
let smtp: TestSmtpServer;
let t: TestPlatform;
const logLines: string[] = [];
const capture = () => createLogger('debug', new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) }));

async function auth(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${t.url}/auth/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  const port = await freePort();
  t = await startPlatform(
    { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'Platform <no-reply@example.test>' },
    { logger: capture() },
  );
}, 120_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('password recovery by mail', () => {
  it('mails a one-time link to a registered address; the link signs in once, and the new password replaces the old', async () => {
    const user = await signUp(t.url);
    const other = await signIn(t.url, user.email); // a second session, signed out by the reset
    const res = await auth('/recover', { email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});

    const mail = await smtp.waitForMail(user.email);
    expect(mail.from).toBe('no-reply@example.test');
    expect(mail.raw).toMatch(/^Subject: Reset your password/m);
    const { link, token, type } = linkIn(mail);
    expect(link.startsWith(`${t.url}/reset-password#token_hash=`)).toBe(true);
    expect(type).toBe('recovery');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Only the hash is stored.
    const rows = await t.platform.database.db.selectFrom('auth_email_tokens').selectAll().where('user_id', '=', user.userId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    const ttl = (new Date(rows[0]!.expires_at).getTime() - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);

    const wrong = await auth('/verify', { type: 'recovery', token_hash: `${token.slice(0, -2)}xx` });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error_code).toBe('otp_expired');
    // A recovery token is not a sign-up confirmation.
    expect((await auth('/verify', { type: 'signup', token_hash: token })).status).toBe(403);

    const verified = await auth('/verify', { type: 'recovery', token_hash: token });
    expect(verified.status).toBe(200);
    expect(verified.json.token_type).toBe('bearer');
    expect((verified.json.user as { id: string }).id).toBe(user.userId);
    // Single use.
    const again = await auth('/verify', { type: 'recovery', token_hash: token });
    expect(again.status).toBe(403);
    expect(again.json.msg).toBe('Email link is invalid or has expired');

    const newPassword = `${DEFAULT_TEST_PASSWORD}-reset`;
    const put = await fetch(`${t.url}/auth/v1/user`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bearer(String(verified.json.access_token)) },
      body: JSON.stringify({ password: newPassword }),
    });
    expect(put.status).toBe(200);
    await expect(signIn(t.url, user.email)).rejects.toThrow(/400/);
    await expect(signIn(t.url, user.email, newPassword)).resolves.toMatchObject({ userId: user.userId });
    // The other sessions ended with the new password.
    expect((await auth('/token?grant_type=refresh_token', { refresh_token: other.refreshToken })).status).toBe(400);

    const audit = await t.platform.database.db.selectFrom('audit_log').select(['action', 'outcome']).where('target_id', '=', user.userId).execute();
    expect(audit).toEqual(expect.arrayContaining([
      { action: 'auth.recovery_requested', outcome: 'success' },
      { action: 'auth.email_verified', outcome: 'success' },
    ]));
  });

  it('answers an unknown address exactly as a known one, and sends nothing', async () => {
    const unknown = uniqueEmail('nobody');
    const before = smtp.mails.length;
    const res = await auth('/recover', { email: unknown });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
    // A known address asked after it gets its mail; by then nothing went to the unknown one.
    const known = await signUp(t.url);
    await auth('/recover', { email: known.email });
    await smtp.waitForMail(known.email);
    expect(smtp.mails.slice(before).flatMap((m) => m.to)).toEqual([known.email]);
  });

  it('limits mails per address, registered or not, with GoTrue\'s 429', async () => {
    const known = await signUp(t.url);
    for (const email of [known.email, uniqueEmail('nobody')]) {
      expect((await auth('/recover', { email })).status).toBe(200);
      const second = await auth('/recover', { email });
      expect(second.status, email).toBe(429);
      expect(second.json.error_code).toBe('over_email_send_rate_limit');
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(50);
    }
  });

  it('keeps a same-origin redirect_to and ignores another origin', async () => {
    const a = await signUp(t.url);
    const b = await signUp(t.url);
    await fetch(`${t.url}/auth/v1/recover?redirect_to=${encodeURIComponent(`${t.url}/reset-password?from=app#old`)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: a.email }),
    });
    await fetch(`${t.url}/auth/v1/recover?redirect_to=${encodeURIComponent('https://evil.example/steal')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: b.email }),
    });
    expect(linkIn(await smtp.waitForMail(a.email)).link).toMatch(new RegExp(`^${t.url}/reset-password\\?from=app#token_hash=`));
    expect(linkIn(await smtp.waitForMail(b.email)).link).toMatch(new RegExp(`^${t.url}/reset-password#token_hash=`));
  });

  it('refuses an expired link', async () => {
    const user = await signUp(t.url);
    await auth('/recover', { email: user.email });
    const { token } = linkIn(await smtp.waitForMail(user.email));
    await t.platform.database.db.updateTable('auth_email_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', user.userId).execute();
    expect((await auth('/verify', { type: 'recovery', token_hash: token })).json.error_code).toBe('otp_expired');
  });

  it('rejects malformed requests with GoTrue\'s validation_failed, changing nothing', async () => {
    const cases: Array<[string, unknown]> = [
      ['/recover', { email: 'not-an-email' }],
      ['/recover', {}],
      ['/recover', { email: 'a@example.test', role: 'admin' }],
      ['/verify', { type: 'recovery' }],
      ['/verify', { type: 'invite', token_hash: 'x' }],
      ['/verify', { type: 'recovery', token: '123456', email: 'a@example.test' }],
      ['/verify', { type: 'recovery', token_hash: 'x'.repeat(300) }],
    ];
    for (const [path, body] of cases) {
      const res = await auth(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error_code, JSON.stringify(body)).toBe('validation_failed');
    }
    const malformed = await fetch(`${t.url}/auth/v1/recover`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(malformed.status).toBe(400);
  });

  it('never writes a link or token to the log', async () => {
    await t.platform.logging.requestLog.flush();
    const tokens = smtp.mails.map((m) => linkIn(m).token);
    expect(tokens.length).toBeGreaterThan(3);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => tokens.some((tok) => l.includes(tok)))).toEqual([]);
  });
});

describe('email confirmation on sign-up (AUTH_EMAIL_CONFIRM)', () => {
  let c: TestPlatform;
  beforeAll(async () => {
    const port = await freePort();
    c = await startPlatform({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      AUTH_EMAIL_CONFIRM: 'true',
    });
  }, 120_000);
  afterAll(async () => c?.close());

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${c.url}/auth/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('signs up without a session, refuses sign-in until the mailed link is followed, then signs in', async () => {
    const email = uniqueEmail('confirm');
    const res = await post('/signup', { email, password: DEFAULT_TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBeUndefined();
    expect(res.json.email).toBe(email);
    expect(res.json.confirmation_sent_at).toEqual(expect.any(String));

    const refused = await post('/token?grant_type=password', { email, password: DEFAULT_TEST_PASSWORD });
    expect(refused.status).toBe(400);
    expect(refused.json.error_code).toBe('email_not_confirmed');

    const mail = await smtp.waitForMail(email);
    expect(mail.raw).toMatch(/^Subject: Confirm your email address/m);
    const { link, token, type } = linkIn(mail);
    expect(link.startsWith(`${c.url}/confirm-email#`)).toBe(true);
    expect(type).toBe('signup');
    const verified = await post('/verify', { type: 'signup', token_hash: token });
    expect(verified.status).toBe(200);
    expect((verified.json.user as { email_confirmed_at: string | null }).email_confirmed_at).toEqual(expect.any(String));
    await expect(signIn(c.url, email)).resolves.toMatchObject({ email });

    // Signing up again with the address: the same kind of answer (no session, a user that does not
    // exist), nothing that says the account exists, and no mail (it is confirmed).
    const again = await post('/signup', { email, password: DEFAULT_TEST_PASSWORD });
    expect(again.status).toBe(200);
    expect(again.json.access_token).toBeUndefined();
    expect(Object.keys(again.json).sort()).toEqual(Object.keys(res.json).sort());
    expect(again.json.id).not.toBe((verified.json.user as { id: string }).id);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(1);
  });
});

describe('without SMTP', () => {
  const mail = { to: 'ada@example.test', kind: 'recovery' as const, link: 'http://127.0.0.1:8080/reset-password#token_hash=abc&type=recovery', ttlMinutes: 60 };
  for (const [env, shows] of [['development', true], ['production', false], ['test', false]] as const) {
    it(`${shows ? 'writes' : 'does not write'} the link to the log with NODE_ENV=${env}`, async () => {
      const lines: string[] = [];
      const logger = createLogger('debug', new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
      const mailer = await createAuthMailer(loadConfig(testEnv({ NODE_ENV: env, PLATFORM_ENCRYPTION_KEY: 'x'.repeat(44) })), logger);
      await mailer.send(mail);
      expect(lines.length).toBe(1);
      expect(lines[0]!.includes(mail.link)).toBe(shows);
      if (!shows) expect(lines[0]).toContain('SMTP is not configured');
    });
  }
});

describe('SMTP configuration', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ SMTP_HOST: 'smtp.example.test', SMTP_USER: 'mailer' }, /SMTP_USER, SMTP_PASSWORD: set both or neither/],
    [{ SMTP_FROM: 'no-reply@example.test' }, /SMTP_HOST: required/],
    [{ SMTP_HOST: 'smtp.example.test', SMTP_FROM: 'not an address' }, /SMTP_FROM: must be an address/],
    [{ SMTP_HOST: 'smtp.example.test', SMTP_PORT: '70000' }, /SMTP_PORT/],
    [{ NODE_ENV: 'production', AUTH_EMAIL_CONFIRM: 'true' }, /AUTH_EMAIL_CONFIRM: needs SMTP_HOST in production/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      expect(() => loadConfig(testEnv(env))).toThrow(message);
    });
  }
  it('accepts a full SMTP setting and masks the password', async () => {
    const config = loadConfig(testEnv({ SMTP_HOST: 'smtp.example.test', SMTP_USER: 'mailer', SMTP_PASSWORD: 'smtp-secret-1', SMTP_FROM: 'Platform <no-reply@example.test>' }));
    const { maskedConfig } = await import('../src/config/index.js');
    expect(JSON.stringify(maskedConfig(config))).not.toContain('smtp-secret-1');
  });
});
