import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from '../db/index.js';
import { gotrue } from './gotrue-errors.js';

export interface LoginGuardSettings {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  lockoutSeconds: number;
  /** Sign-ups accepted from one IP per hour (account creation is cheap for an attacker, argon2 is not for us). */
  maxSignupsPerIpPerHour: number;
  /** One mail per address per this many seconds, and this many per IP per hour (recovery, confirmation). */
  emailIntervalSeconds: number;
  maxEmailsPerIpPerHour: number;
}

/**
 * Brute-force protection for password sign-in. Failures are counted per account (the email)
 * and per client IP within a window of `lockoutSeconds`; once either budget is spent, sign-in
 * for that account / from that IP is refused with 429 for `lockoutSeconds`, even with the right
 * password. A successful sign-in clears the account's counter. With Redis the counters are
 * shared by every replica; if Redis is unreachable they fall back to this process's memory.
 */
export class LoginGuard {
  private readonly account: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;
  private readonly signups: RateLimiterAbstract;
  private readonly emailAddress: RateLimiterAbstract;
  private readonly emailIp: RateLimiterAbstract;

  constructor(
    private readonly settings: LoginGuardSettings,
    redis: Redis | undefined,
  ) {
    const make = (name: string, points: number, duration = settings.lockoutSeconds) => {
      const opts = { keyPrefix: `auth:login:${name}`, points, duration, blockDuration: duration };
      const memory = new RateLimiterMemory(opts);
      return redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: memory }) : memory;
    };
    this.account = make('account', settings.maxFailuresPerAccount);
    this.ip = make('ip', settings.maxFailuresPerIp);
    this.signups = make('signup-ip', settings.maxSignupsPerIpPerHour, 3600);
    this.emailAddress = make('email-address', 1, settings.emailIntervalSeconds);
    this.emailIp = make('email-ip', settings.maxEmailsPerIpPerHour, 3600);
  }

  /**
   * Spends one mail from `ip`'s hourly budget and the address's interval; throws GoTrue's 429
   * `over_email_send_rate_limit`. Counted for every address, registered or not, so the answer
   * says nothing about whether an account exists.
   */
  async consumeEmail(address: string, ip: string): Promise<void> {
    for (const [limiter, key] of [[this.emailIp, ip], [this.emailAddress, address]] as const) {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw gotrue.overEmailSendRateLimit(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
        throw err;
      }
    }
  }

  /** Spends one sign-up from `ip`'s hourly budget; throws GoTrue's 429 `over_request_rate_limit` when it is spent. */
  async consumeSignup(ip: string): Promise<void> {
    try {
      await this.signups.consume(ip);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw gotrue.rateLimited(Math.max(1, Math.ceil(err.msBeforeNext / 1000)), 'sign-ups from this address');
      throw err;
    }
  }

  /** Throws GoTrue's 429 `over_request_rate_limit` when the account or IP is locked out. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [a, i] = await Promise.all([this.account.get(email), this.ip.get(ip)]);
    const waits: number[] = [];
    if (a && a.consumedPoints >= this.settings.maxFailuresPerAccount) waits.push(a.msBeforeNext);
    if (i && i.consumedPoints >= this.settings.maxFailuresPerIp) waits.push(i.msBeforeNext);
    if (waits.length) throw gotrue.rateLimited(Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
  }

  /** Counts a failure. Returns which budgets this failure used up (to audit a lockout once). */
  async recordFailure(email: string, ip: string): Promise<{ accountLocked: boolean; ipLocked: boolean }> {
    const spend = async (limiter: RateLimiterAbstract, key: string, max: number) => {
      try {
        const res = await limiter.consume(key);
        return res.consumedPoints >= max;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false; // already locked; counted before
        throw err;
      }
    };
    const [accountLocked, ipLocked] = await Promise.all([
      spend(this.account, email, this.settings.maxFailuresPerAccount),
      spend(this.ip, ip, this.settings.maxFailuresPerIp),
    ]);
    return { accountLocked, ipLocked };
  }

  async recordSuccess(email: string): Promise<void> {
    await this.account.delete(email).catch(() => undefined);
  }
}
