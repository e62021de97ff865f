import { hash, verify } from '@node-rs/argon2';
import { gotrue } from './gotrue-errors.js';

/**
 * argon2id at the OWASP Password Storage Cheat Sheet's first recommendation (m=19 MiB, t=2,
 * p=1). The parameters are stored inside each hash, so raising them later keeps old hashes valid.
 */
const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, which isolatedModules cannot import)
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MAX_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hashed: string | null, password: string): Promise<boolean> {
  if (!hashed) {
    // Same work as a real check, so that a missing account does not answer faster.
    await hash(password, ARGON2_OPTIONS);
    return false;
  }
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

const COMMON = new Set([
  'password',
  'password1',
  'password12',
  'password123',
  'password1234',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'qwerty12345',
  'letmein123',
  'iloveyou123',
  'administrator',
  'changeme123',
  'welcome123',
  'abcdefghij',
  'passw0rd123',
]);

/** Throws GoTrue's `weak_password` (422) unless the password meets the policy. */
export function assertPasswordPolicy(password: string, email: string | null, minLength: number): void {
  const reasons: string[] = [];
  const messages: string[] = [];
  if ([...password].length < minLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${minLength} characters.`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    reasons.push('length');
    messages.push(`Password should be at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  const lower = password.toLowerCase();
  if (email && (lower === email.toLowerCase() || lower === email.toLowerCase().split('@')[0])) {
    reasons.push('characters');
    messages.push('Password should not be the email address.');
  }
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) {
    reasons.push('pwned');
    messages.push('Password is too common; choose another.');
  }
  if (reasons.length) throw gotrue.weakPassword(messages.join(' '), [...new Set(reasons)]);
}
