import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Platform } from '../../src/app.js';
import { createLogger, type Logger } from '../../src/logging/index.js';

/**
 * Secret hygiene of the test run (issue 14 §8). With TEST_SECRET_SCAN_DIR set (CI sets it), every
 * platform a test starts through `startPlatform` logs at debug level to a file there (through the
 * platform's own logger, redaction included), dumps its request-log and audit rows there before it
 * closes, and the helpers that mint or send secrets (passwords, tokens, API keys, service
 * credentials, the master key) write them to secrets.jsonl. `test/support/scan-secrets.ts` then
 * fails the run if any secret appears in any log line or row. Unset: nothing is written.
 */
export const SCAN_DIR = process.env.TEST_SECRET_SCAN_DIR || undefined;

export function recordSecret(kind: string, value: string | undefined): void {
  if (!SCAN_DIR || !value || value.length < 8) return;
  mkdirSync(SCAN_DIR, { recursive: true });
  appendFileSync(path.join(SCAN_DIR, 'secrets.jsonl'), `${JSON.stringify({ kind, value })}\n`);
}

/** A debug-level platform logger writing to a file of its own in the scan directory. */
export function scanLogger(): { logger: Logger; name: string; end(): Promise<void> } | undefined {
  if (!SCAN_DIR) return undefined;
  mkdirSync(SCAN_DIR, { recursive: true });
  const name = `platform-${process.pid}-${randomBytes(4).toString('hex')}`;
  const stream = createWriteStream(path.join(SCAN_DIR, `${name}.log`), { flags: 'a' });
  return {
    logger: createLogger('debug', stream),
    name,
    end: () => new Promise((resolve) => stream.end(resolve)),
  };
}

/** The platform's request-log and audit rows, as JSON lines, after the request log is flushed. */
export async function dumpRows(platform: Platform, name: string): Promise<void> {
  if (!SCAN_DIR) return;
  await platform.logging.requestLog.flush(Date.now() + 5_000).catch(() => undefined);
  const db = platform.database.db;
  const [requests, audit] = await Promise.all([
    db.selectFrom('request_log').selectAll().execute().catch(() => []),
    db.selectFrom('audit_log').selectAll().execute().catch(() => []),
  ]);
  const lines = [...requests.map((r) => JSON.stringify({ table: 'request_log', row: r })), ...audit.map((r) => JSON.stringify({ table: 'audit_log', row: r }))];
  if (lines.length) appendFileSync(path.join(SCAN_DIR, `${name}.rows.jsonl`), `${lines.join('\n')}\n`);
}
