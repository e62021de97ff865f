/**
 * Redaction of captured payloads (`full` capture). Credential fields, authorization/cookie headers
 * and keys that look like secrets are replaced, values that look like tokens are masked, and the
 * result is capped in size.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|api[-_]?key|apikey|auth(orization)?|cookie|credential|private[-_]?key|client[-_]?secret|session|signature|bearer|x-api-key|access[-_]?key|refresh/i;

/** Values that look like credentials wherever they appear (bearer tokens, JWTs, key formats). */
const SECRET_VALUE = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\b(sk|pk|rk|ghp|gho|ghs|xox[abpr]|mcp|sbp)[-_][A-Za-z0-9_-]{12,}/g, // common key prefixes
  /\bAKIA[0-9A-Z]{16}\b/g,
];

export interface RedactOptions {
  /** Extra exact values to mask wherever they occur (e.g. the caller's decrypted credentials). */
  secrets?: Iterable<string>;
  /** Extra key names to redact (e.g. the service's credential field names), compared case-insensitively. */
  keys?: Iterable<string>;
  maxDepth?: number;
}

/** Secrets to mask: long enough to be meaningful, each also in its JSON-escaped form (JSON text inside a string). */
function secretForms(secrets: Iterable<string> | undefined): string[] {
  const out = new Set<string>();
  for (const s of secrets ?? []) {
    if (s.length < 4) continue;
    out.add(s);
    out.add(JSON.stringify(s).slice(1, -1));
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** What a secret-looking key is named for when its value is a number: the secret itself (`password`, `session_id`), not a count. */
const SECRET_ITSELF = /^(pass(word|wd|phrase|code)?|pin|otp|secret|token|key|apikey|cookie|credential|signature|bearer|auth(orization)?|session|id|refresh)$/;
/** A key's last word that counts or bounds something: `token_count`, `session_ttl`, `max_tokens` (a plural), `cookie_age`. */
const COUNT_OR_BOUND = /^(count|total|max|min|limit|ttl|seconds|secs|ms|minutes|hours|days|size|length|len|age|depth|version|revoked|ended|remaining)$|^[a-z]{3,}s$/;

/** The words of a key: `sessionId` → session, id; `mcp-session-id` → mcp, session, id; `api_keys` → api, keys. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a value under a secret-looking key reveals nothing: a boolean or null (`"token": false`),
 * or a number whose key's last word says it counts or bounds something (`sessions: 2`, `api_keys: 3`,
 * `max_tokens: 1000`, `session_ttl: 60`). Any other number may be the secret (`password: 123456`,
 * `session_id: 42`, `auth_code: 123456`, `password_value: 1234`): redacted.
 */
function revealsNothing(key: string, value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value !== 'number') return false;
  const last = keyWords(key).at(-1) ?? '';
  return !SECRET_ITSELF.test(last) && COUNT_OR_BOUND.test(last);
}

export function redactValue(value: unknown, opts: RedactOptions = {}): unknown {
  const secrets = secretForms(opts.secrets);
  const maxDepth = opts.maxDepth ?? 12;
  const keys = new Set([...(opts.keys ?? [])].map((k) => k.toLowerCase()));
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return maskString(v, secrets);
    if (v === null || typeof v !== 'object') return v;
    if (depth >= maxDepth) return '[TRUNCATED]';
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const secretKey = keys.has(k.toLowerCase()) || (SECRET_KEY.test(k) && !revealsNothing(k, x));
      out[k] = secretKey ? REDACTED : walk(x, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}

function maskString(s: string, secrets: string[]): string {
  let out = s;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const re of SECRET_VALUE) out = out.replace(re, REDACTED);
  return out;
}

/**
 * Redacts and caps a payload. When its JSON exceeds `maxBytes`, the stored value is
 * `{ truncated: true, bytes, preview }` with a preview cut to fit.
 */
export function capturePayload(value: unknown, maxBytes: number, opts: RedactOptions = {}): unknown {
  const redacted = redactValue(value, opts);
  const json = JSON.stringify(redacted) ?? 'null';
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return redacted;
  const preview = Buffer.from(json).subarray(0, Math.max(0, maxBytes - 64)).toString('utf8').replace(/\uFFFD+$/, '');
  return { truncated: true, bytes, preview };
}

/** Headers worth keeping in a `full` capture, with credentials removed (by name, and known secret values anywhere). */
export function redactHeaders(headers: Record<string, string | string[] | undefined>, opts: RedactOptions = {}): Record<string, string> {
  const secrets = secretForms(opts.secrets);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SECRET_KEY.test(k) ? REDACTED : maskString(Array.isArray(v) ? v.join(', ') : v, secrets);
  }
  return out;
}
