import { createHash } from 'node:crypto';

/**
 * The aggregate endpoint (`/mcp`) serves every usable service under one namespace. Names are
 * prefixed with the service slug so that two services can never collide, and the prefix is
 * reversible:
 *
 *   tools, prompts:        `<slug>__<name>`            e.g. `notes__search`
 *   resources, templates:  `<slug>+<uri>`              e.g. `notes+note://abc`, `notes+file:///{path}`
 *
 * A slug is `[a-z0-9][a-z0-9-]*` (no `_`, no `+`), so the first `__` (names) or the first `+`
 * (URIs) always ends the slug: distinct (slug, name) pairs give distinct strings. Tool and prompt
 * names stay within the spec's rules (1–128 chars of `A-Za-z0-9_.-`): a name that would pass 128
 * chars is shortened to `<slug>__<prefix>-h<hash>`; such a name is resolved back by listing the
 * upstream again and matching the encoded form (see `decodeName`).
 */

export const NAME_SEPARATOR = '__';
export const URI_SEPARATOR = '+';
const MAX_NAME = 128;
const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export function isValidSlug(slug: string): boolean {
  return SLUG_PATTERN.test(slug) && slug.length <= 64;
}

export function encodeName(slug: string, name: string): string {
  const full = `${slug}${NAME_SEPARATOR}${name}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  const room = MAX_NAME - slug.length - NAME_SEPARATOR.length - hash.length - 2;
  return `${slug}${NAME_SEPARATOR}${name.slice(0, Math.max(0, room))}-h${hash}`;
}

/** Whether `encoded` may stand for a shortened name (needs a lookup to reverse). */
export function isShortened(slug: string, encoded: string): boolean {
  return encoded.length === MAX_NAME && /-h[0-9a-f]{16}$/.test(encoded) && encoded.startsWith(`${slug}${NAME_SEPARATOR}`);
}

/** Splits `<slug>__<name>`; undefined when the name carries no prefix. */
export function splitName(encoded: string): { slug: string; name: string } | undefined {
  const at = encoded.indexOf(NAME_SEPARATOR);
  if (at <= 0) return undefined;
  const slug = encoded.slice(0, at);
  if (!isValidSlug(slug)) return undefined;
  return { slug, name: encoded.slice(at + NAME_SEPARATOR.length) };
}

export function encodeUri(slug: string, uri: string): string {
  return `${slug}${URI_SEPARATOR}${uri}`;
}

export function splitUri(encoded: string): { slug: string; uri: string } | undefined {
  const at = encoded.indexOf(URI_SEPARATOR);
  if (at <= 0) return undefined;
  const slug = encoded.slice(0, at);
  if (!isValidSlug(slug)) return undefined;
  return { slug, uri: encoded.slice(at + URI_SEPARATOR.length) };
}
