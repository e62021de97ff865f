import { ApiError } from '../errors.js';
import { EgressRefused, type EgressPolicy } from './addresses.js';
import type { EgressGuard } from './guard.js';

/**
 * The registration-time half of "checked at registration and again at connection time": a URL the
 * guard refuses under `policy` (metadata, link-local, private … in any spelling) is a 400 `code` that
 * names the field and the address, and nothing is saved. A name that does not resolve yet is
 * accepted (its DNS record may follow the registration); the connection-time check refuses it if it
 * turns out to be forbidden; with `unresolvable: 'refuse'` (a URL the platform connects to at once,
 * e.g. a marketplace listing's endpoint, inspected on submission) it is refused like any other.
 */
export async function refuseAtRegistration(
  guard: Pick<EgressGuard, 'check'>,
  url: string,
  policy: EgressPolicy,
  refusal: { code: string; field: string; what: string; unresolvable?: 'accept' | 'refuse' },
): Promise<void> {
  try {
    await guard.check(url, policy);
  } catch (err) {
    // Anything but a refusal (a bug, a guard that failed) is not an acceptance: it goes up as the error it is.
    if (!(err instanceof EgressRefused)) throw err;
    if (err.kind === 'unresolvable' && refusal.unresolvable !== 'refuse') return;
    throw new ApiError(400, refusal.code, `${refusal.what} refused: ${err.reason}`, [{ path: refusal.field, message: err.reason }]);
  }
}
