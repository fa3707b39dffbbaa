import { ValidationError } from '../errors.js';
import { exponentialBackoff } from './backoff.js';

export interface RetryStrategy {
  /** Total attempts, counting the first try. 1 = no retry. */
  maxAttempts: number;
  backoff: {
    type: 'fixed' | 'exponential';
    /** Milliseconds before the second attempt (and the base of the exponential curve). */
    delay: number;
    /** Cap for exponential growth, in milliseconds. */
    maxDelay?: number;
    /**
     * Spread retries of many consumers apart: `true` takes off up to 50% of the
     * computed delay at random, a fraction in (0, 1] up to that share.
     */
    jitter?: boolean | number;
  };
  deadLetter?: {
    enabled: boolean;
    /**
     * @deprecated A RabbitMQ exchange means nothing to the other transports, which ignore it: give
     * `@herald/rabbitmq`'s bus option `deadLetterRoute: { exchange, routingKey }` instead. The
     * RabbitMQ bus still honours it (a handler's strategy naming a route keeps it).
     */
    exchange?: string;
    /** @deprecated With `exchange`: `@herald/rabbitmq`'s `deadLetterRoute.routingKey`. */
    routingKey?: string;
  };
}

export const DEFAULT_RETRY_STRATEGY: RetryStrategy = Object.freeze({
  maxAttempts: 3,
  backoff: Object.freeze({ type: 'exponential', delay: 100, maxDelay: 10_000 }),
  deadLetter: Object.freeze({ enabled: true }),
}) as RetryStrategy;

/** Throws ValidationError naming the bad field. */
export function validateRetryStrategy(strategy: RetryStrategy, field = 'retryStrategy'): RetryStrategy {
  if (strategy === null || typeof strategy !== 'object') {
    throw new ValidationError(field, 'must be an object');
  }
  const { maxAttempts, backoff } = strategy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new ValidationError(`${field}.maxAttempts`, 'must be an integer ≥ 1');
  }
  if (backoff === null || typeof backoff !== 'object') {
    throw new ValidationError(`${field}.backoff`, 'must be an object');
  }
  if (backoff.type !== 'fixed' && backoff.type !== 'exponential') {
    throw new ValidationError(`${field}.backoff.type`, 'must be "fixed" or "exponential"');
  }
  if (!Number.isFinite(backoff.delay) || backoff.delay < 0) {
    throw new ValidationError(`${field}.backoff.delay`, 'must be a number of milliseconds ≥ 0');
  }
  if (backoff.maxDelay !== undefined && (!Number.isFinite(backoff.maxDelay) || backoff.maxDelay < 0)) {
    throw new ValidationError(`${field}.backoff.maxDelay`, 'must be a number of milliseconds ≥ 0');
  }
  const j = backoff.jitter;
  if (j !== undefined && typeof j !== 'boolean' && !(typeof j === 'number' && j > 0 && j <= 1)) {
    throw new ValidationError(`${field}.backoff.jitter`, 'must be a boolean or a fraction in (0, 1]');
  }
  return strategy;
}

/**
 * Milliseconds to wait after `failedAttempt` (1-based) before the next one:
 * fixed → delay; exponential → delay · 2^(failedAttempt−1), capped by maxDelay;
 * jitter then removes a random share so consumers spread out.
 */
export function backoffDelay(
  strategy: RetryStrategy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const { type, delay, maxDelay, jitter } = strategy.backoff;
  // Fixed: the curve's first step every time.
  return exponentialBackoff({ initialMs: delay, maxMs: maxDelay, jitter }, type === 'fixed' ? 1 : failedAttempt, random);
}

export function deadLetterEnabled(strategy: RetryStrategy): boolean {
  return strategy.deadLetter?.enabled ?? true;
}
