import type { Logger } from 'pino';
import type { Config } from '../config/index.js';

/** A mail the auth service sends: a one-time link and what it is for. */
export interface AuthMail {
  to: string;
  kind: 'recovery' | 'signup';
  link: string;
  ttlMinutes: number;
}

export interface AuthMailer {
  /** Sends the mail; rejects when the SMTP server refuses it. */
  send(mail: AuthMail): Promise<void>;
  close(): void;
}

const TEXT: Record<AuthMail['kind'], { subject: string; lead: string; action: string; ignore: string }> = {
  recovery: {
    subject: 'Reset your password',
    lead: 'Someone (hopefully you) asked to reset the password of your MCP Online Platform account.',
    action: 'Choose a new password',
    ignore: 'If you did not ask for this, ignore this mail: your password stays as it is.',
  },
  signup: {
    subject: 'Confirm your email address',
    lead: 'Welcome to the MCP Online Platform. Confirm that this address is yours to finish creating your account.',
    action: 'Confirm my email address',
    ignore: 'If you did not create an account, ignore this mail.',
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function composeAuthMail(mail: AuthMail): { subject: string; text: string; html: string } {
  const t = TEXT[mail.kind];
  const expiry = `The link works once, for ${mail.ttlMinutes} minutes.`;
  return {
    subject: t.subject,
    text: `${t.lead}\n\n${t.action}:\n${mail.link}\n\n${expiry}\n${t.ignore}\n`,
    html: `<p>${escapeHtml(t.lead)}</p><p><a href="${escapeHtml(mail.link)}">${escapeHtml(t.action)}</a></p><p>${escapeHtml(expiry)}<br>${escapeHtml(t.ignore)}</p>`,
  };
}

/**
 * Mail through SMTP (nodemailer, loaded only when SMTP_HOST is set). Without SMTP the link is
 * written to the log in development (so a developer can follow it) and dropped otherwise: a
 * production log must not hold working sign-in links.
 */
export async function createAuthMailer(config: Config, logger: Logger): Promise<AuthMailer> {
  const log = logger.child({ 'service.component': 'auth.mail' });
  if (!config.SMTP_HOST) {
    return {
      async send(mail) {
        if (config.NODE_ENV === 'development') {
          log.info({ mail: { kind: mail.kind, to: mail.to } }, `SMTP is not configured; the ${mail.kind} link (development only): ${mail.link}`);
        } else {
          log.warn({ mail: { kind: mail.kind } }, `SMTP is not configured (SMTP_HOST); a ${mail.kind} mail was not sent`);
        }
      },
      close() {},
    };
  }
  const { createTransport } = await import('nodemailer');
  const from = config.SMTP_FROM ?? `MCP Online Platform <no-reply@${new URL(config.PUBLIC_URL).hostname}>`;
  const transport = createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, ...composeAuthMail(mail) });
      log.info({ mail: { kind: mail.kind } }, `${mail.kind} mail sent`);
    },
    close: () => transport.close(),
  };
}
