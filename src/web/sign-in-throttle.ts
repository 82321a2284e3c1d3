import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface SignInLimits {
  /** Failed sign-ins one client address may make per window before it is locked out. */
  failuresPerAddress: number;
  /** Failed sign-ins all addresses together may make per window (a guesser spread over many). */
  failuresOverall: number;
  windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  failuresPerAddress: 10,
  failuresOverall: 100,
  windowMs: 60_000,
};

export type SignInOutcome<T> =
  | { kind: 'signed-in'; value: T }
  | { kind: 'failed'; error: unknown }
  | { kind: 'locked'; retryAfterSeconds: number; why: string };

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Throttles guessing of approver tokens with @fastify/rate-limit counters (the plugin must be
 * registered with `continueExceeding: true`). Only failures count, so signing in and using the page
 * cost nothing. An address that reaches its limit is locked out for a window, and every attempt
 * during the lockout starts the window again: a guesser that keeps trying stays out, a person who
 * waits gets back in. The overall budget bounds guessing from many addresses; it is never spent by
 * attempts that were already refused, so one locked-out address cannot lock out everyone else.
 * Attempts run one at a time: checking the counters and counting a failure are separate store calls
 * (round trips with a shared store such as Redis), and parallel guesses must not all pass the check
 * before any of them is counted.
 */
export class SignInThrottle {
  private readonly perAddress: Limiter;
  private readonly overall: Limiter;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(app: FastifyInstance, limits: SignInLimits) {
    this.perAddress = app.createRateLimit({ max: limits.failuresPerAddress, timeWindow: limits.windowMs });
    this.overall = app.createRateLimit({
      max: limits.failuresOverall,
      timeWindow: limits.windowMs,
      keyGenerator: () => 'all-addresses',
    });
  }

  /** Runs `authenticate` (which throws on a bad token) unless the address or everyone is locked out. */
  attempt<T>(request: FastifyRequest, authenticate: () => T): Promise<SignInOutcome<T>> {
    const run = this.queue.then(() => this.exclusive(request, authenticate));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exclusive<T>(request: FastifyRequest, authenticate: () => T): Promise<SignInOutcome<T>> {
    const mine = await this.perAddress(request, { increment: false });
    if (!mine.isAllowed && mine.remaining === 0) {
      const extended = await this.perAddress(request);
      const retryAfterSeconds = extended.isAllowed ? 1 : Math.max(1, extended.ttlInSeconds);
      return { kind: 'locked', retryAfterSeconds, why: 'too many failed sign-ins from your address' };
    }
    const all = await this.overall(request, { increment: false });
    if (!all.isAllowed && all.remaining === 0) {
      return {
        kind: 'locked',
        retryAfterSeconds: Math.max(1, all.ttlInSeconds),
        why: 'too many failed sign-ins',
      };
    }
    try {
      return { kind: 'signed-in', value: authenticate() };
    } catch (error) {
      await Promise.all([this.perAddress(request), this.overall(request)]);
      return { kind: 'failed', error };
    }
  }
}
