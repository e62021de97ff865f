import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on loopback (smtp-server) that keeps every message it accepts, for tests of
 * the platform's mail (nodemailer talks real SMTP to it). No TLS, no auth: loopback only.
 */
export interface ReceivedMail {
  to: string[];
  from: string;
  raw: string;
  /** The body with quoted-printable soft breaks and escapes undone. */
  text: string;
}

export interface TestSmtpServer {
  port: number;
  mails: ReceivedMail[];
  /** Resolves with the first mail to `address` (waits up to `timeoutMs`). */
  waitForMail(address: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

const decodeQuotedPrintable = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw,
          text: decodeQuotedPrintable(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    mails,
    async waitForMail(address, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const mail = mails.find((m) => m.to.includes(address));
        if (mail) return mail;
        if (Date.now() > until) throw new Error(`no mail to ${address} within ${timeoutMs} ms (got ${mails.length} for others)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port that was free a moment ago, so that PUBLIC_URL can name the port the platform will listen on. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return port;
}

/** The one-time link in a platform mail, and its token and type (from the fragment). */
export function linkIn(mail: ReceivedMail): { link: string; token: string; type: string } {
  const link = /https?:\/\/[^\s"<>]+#token_hash=[A-Za-z0-9_-]+&type=[a-z]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no link in the mail:\n${mail.text}`);
  const fragment = new URLSearchParams(new URL(link).hash.slice(1));
  return { link, token: fragment.get('token_hash') ?? '', type: fragment.get('type') ?? '' };
}
