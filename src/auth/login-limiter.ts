// Login attempts are limited per account and per address, in Redis so every API process shares the
// same counters. Repeated failures lock the account for a while; a success clears its failures.
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError, UnavailableError } from '../common/errors.js';
import { AppConfig } from '../config/app-config.js';
import { FieldCrypto } from '../common/crypto/field-crypto.js';
import { REDIS, REDIS_PREFIX } from '../core/tokens.js';

@Injectable()
export class LoginLimiter {
  private readonly perAccount: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(REDIS_PREFIX) prefix: string,
    config: AppConfig,
    private readonly crypto: FieldCrypto,
  ) {
    this.perAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:login-fail`,
      points: config.env.LOGIN_MAX_FAILURES,
      duration: config.env.LOGIN_LOCKOUT_SECONDS,
      blockDuration: config.env.LOGIN_LOCKOUT_SECONDS,
    });
    this.perAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:login-ip`,
      points: config.env.LOGIN_MAX_PER_ADDRESS,
      duration: 15 * 60,
    });
  }

  private accountKey(email: string): string {
    // Keyed hash: email addresses never appear in Redis keys.
    return this.crypto.hash(email.trim().toLowerCase(), 'login');
  }

  /** Called before checking a password; throws 429 when either limit is exhausted. */
  async beforeAttempt(email: string, address: string): Promise<void> {
    try {
      await this.perAddress.consume(address);
    } catch (res) {
      throw this.tooMany(res);
    }
    const state = await this.perAccount.get(this.accountKey(email)).catch((err: unknown) => {
      throw this.tooMany(err);
    });
    if (state && state.remainingPoints <= 0 && state.msBeforeNext > 0) throw this.tooMany(state);
  }

  async failed(email: string): Promise<void> {
    await this.perAccount.consume(this.accountKey(email)).catch(() => undefined);
  }

  async succeeded(email: string): Promise<void> {
    await this.perAccount.delete(this.accountKey(email)).catch(() => undefined);
  }

  private tooMany(res: unknown): Error {
    if (res instanceof RateLimiterRes) {
      return new TooManyRequestsError(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
    }
    // Redis unreachable: refuse sign-in rather than sign in without the brute-force limits.
    return new UnavailableError('Sign-in is unavailable for a moment: try again shortly.');
  }
}
