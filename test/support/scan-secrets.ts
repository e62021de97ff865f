import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * `tsx test/support/scan-secrets.ts <dir>`: fails (exit 1) when any secret the tests used
 * (secrets.jsonl, see secret-scan.ts) appears in a log line or request-log/audit row they produced.
 * Prints where, with the secret masked. Many secrets (every token minted) against many lines: the
 * lines are cut into candidate tokens once and each secret is looked up; the few long-lived secrets
 * (passwords, keys, credential values) are also searched as plain substrings.
 */
const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error('usage: scan-secrets <TEST_SECRET_SCAN_DIR>');
  process.exit(2);
}
const secretsFile = path.join(dir, 'secrets.jsonl');
const secrets = new Map<string, string>();
if (existsSync(secretsFile)) {
  for (const line of readFileSync(secretsFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { kind, value } = JSON.parse(line) as { kind: string; value: string };
    secrets.set(value, kind);
  }
}
const substringKinds = new Set(['password', 'master_key', 'credential', 'admin_password']);
const files = readdirSync(dir).filter((f) => f.endsWith('.log') || f.endsWith('.rows.jsonl'));
let lines = 0;
const hits: string[] = [];
for (const file of files) {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const candidates = new Set(text.match(/[A-Za-z0-9._~+/=-]{8,}/g) ?? []);
  lines += text.split('\n').length - 1;
  for (const [value, kind] of secrets) {
    const found = candidates.has(value) || (substringKinds.has(kind) && text.includes(value));
    if (found) {
      const at = text.split('\n').findIndex((l) => l.includes(value));
      hits.push(`${file}:${at + 1}: ${kind} ${value.slice(0, 4)}…(${value.length} chars)`);
    }
  }
}
console.log(`secret scan: ${secrets.size} secrets against ${lines} log lines and rows in ${files.length} files`);
if (hits.length) {
  console.error(`secret scan FAILED: ${hits.length} hit(s)\n${hits.join('\n')}`);
  process.exit(1);
}
console.log('secret scan: no secret found');
