import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETRY_STRATEGY, type RetryStrategy, sleep, validateRetryStrategy, withTimeout } from '../src/index.js';
import { backoffDelay, deadLetterEnabled } from '../src/transport.js';
import { track, validationField } from './helpers.js';

const strategy = (backoff: RetryStrategy['backoff'], maxAttempts = 5): RetryStrategy => ({ maxAttempts, backoff });

describe('backoffDelay', () => {
  it('fixed: the same delay after every failed attempt', () => {
    // Given
    const fixed = strategy({ type: 'fixed', delay: 250 });
    // When / Then
    expect([1, 2, 3, 10].map((n) => backoffDelay(fixed, n))).toEqual([250, 250, 250, 250]);
  });

  it('exponential: delay · 2^(attempt−1), 1-based', () => {
    // Given
    const exp = strategy({ type: 'exponential', delay: 100 });
    // When / Then
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(exp, n))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('exponential growth is capped by maxDelay', () => {
    // Given
    const capped = strategy({ type: 'exponential', delay: 100, maxDelay: 350 });
    // When / Then
    expect([1, 2, 3, 4, 20].map((n) => backoffDelay(capped, n))).toEqual([100, 200, 350, 350, 350]);
  });

  it('maxDelay also caps a fixed delay', () => {
    expect(backoffDelay(strategy({ type: 'fixed', delay: 500, maxDelay: 300 }), 1)).toBe(300);
  });

  it('a zero delay stays zero', () => {
    expect(backoffDelay(strategy({ type: 'exponential', delay: 0 }), 7)).toBe(0);
  });

  it('jitter true takes off between 0 and 50% of the delay, driven by the injected random', () => {
    // Given
    const jittered = strategy({ type: 'fixed', delay: 1000, jitter: true });
    // When / Then
    expect(backoffDelay(jittered, 1, () => 0)).toBe(1000);
    expect(backoffDelay(jittered, 1, () => 0.5)).toBe(750);
    expect(backoffDelay(jittered, 1, () => 0.999999)).toBe(500);
  });

  it('a jitter fraction takes off at most that share of the capped delay', () => {
    // Given
    const jittered = strategy({ type: 'exponential', delay: 100, maxDelay: 1000, jitter: 0.2 });
    // When / Then
    expect(backoffDelay(jittered, 1, () => 0)).toBe(100);
    expect(backoffDelay(jittered, 1, () => 1)).toBe(80);
    expect(backoffDelay(jittered, 10, () => 1)).toBe(800);
  });

  it('jittered delays stay within their bounds for any random value', () => {
    // Given
    const jittered = strategy({ type: 'exponential', delay: 100, maxDelay: 5000, jitter: true });
    for (let attempt = 1; attempt <= 10; attempt++) {
      const full = Math.min(100 * 2 ** (attempt - 1), 5000);
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) {
        // When
        const ms = backoffDelay(jittered, attempt, () => r);
        // Then
        expect(ms).toBeGreaterThanOrEqual(Math.floor(full / 2));
        expect(ms).toBeLessThanOrEqual(full);
        expect(Number.isInteger(ms)).toBe(true);
      }
    }
  });

  it('uses Math.random when no random is injected, within bounds', () => {
    const jittered = strategy({ type: 'fixed', delay: 1000, jitter: true });
    for (let i = 0; i < 100; i++) {
      const ms = backoffDelay(jittered, 1);
      expect(ms).toBeGreaterThanOrEqual(500);
      expect(ms).toBeLessThanOrEqual(1000);
    }
  });
});

describe('validateRetryStrategy', () => {
  const good: RetryStrategy = { maxAttempts: 3, backoff: { type: 'exponential', delay: 100, maxDelay: 1000, jitter: 0.5 } };

  function fieldOf(s: unknown, prefix?: string): string {
    return validationField(() => validateRetryStrategy(s as RetryStrategy, prefix));
  }

  it('accepts and returns a sound strategy, and the default one', () => {
    expect(validateRetryStrategy(good)).toBe(good);
    expect(validateRetryStrategy(DEFAULT_RETRY_STRATEGY)).toBe(DEFAULT_RETRY_STRATEGY);
    expect(validateRetryStrategy({ maxAttempts: 1, backoff: { type: 'fixed', delay: 0, jitter: false } })).toBeTruthy();
  });

  it('names each bad field', () => {
    expect(fieldOf(null)).toBe('retryStrategy');
    expect(fieldOf({ ...good, maxAttempts: 0 })).toBe('retryStrategy.maxAttempts');
    expect(fieldOf({ ...good, maxAttempts: 2.5 })).toBe('retryStrategy.maxAttempts');
    expect(fieldOf({ ...good, backoff: undefined })).toBe('retryStrategy.backoff');
    expect(fieldOf({ ...good, backoff: { ...good.backoff, type: 'linear' } })).toBe('retryStrategy.backoff.type');
    expect(fieldOf({ ...good, backoff: { ...good.backoff, delay: -1 } })).toBe('retryStrategy.backoff.delay');
    expect(fieldOf({ ...good, backoff: { ...good.backoff, delay: Number.NaN } })).toBe('retryStrategy.backoff.delay');
    expect(fieldOf({ ...good, backoff: { ...good.backoff, maxDelay: -5 } })).toBe('retryStrategy.backoff.maxDelay');
    expect(fieldOf({ ...good, backoff: { ...good.backoff, jitter: 0 } })).toBe('retryStrategy.backoff.jitter');
    expect(fieldOf({ ...good, backoff: { ...good.backoff, jitter: 1.5 } })).toBe('retryStrategy.backoff.jitter');
    expect(fieldOf({ ...good, backoff: { ...good.backoff, jitter: 'yes' } })).toBe('retryStrategy.backoff.jitter');
  });

  it('prefixes fields with the name given', () => {
    expect(fieldOf({ ...good, maxAttempts: 0 }, 'retry')).toBe('retry.maxAttempts');
  });

  it('the default: 3 attempts, exponential from 100 ms capped at 10 s, dead letters on', () => {
    expect(DEFAULT_RETRY_STRATEGY).toMatchObject({ maxAttempts: 3, backoff: { type: 'exponential', delay: 100, maxDelay: 10_000 } });
    expect(deadLetterEnabled(DEFAULT_RETRY_STRATEGY)).toBe(true);
    expect(deadLetterEnabled(good)).toBe(true);
    expect(deadLetterEnabled({ ...good, deadLetter: { enabled: false } })).toBe(false);
  });
});

describe('sleep and withTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sleep resolves true after the delay', async () => {
    // Given
    vi.useFakeTimers();
    const slept = track(sleep(1000));
    // When
    await vi.advanceTimersByTimeAsync(999);
    // Then
    expect(slept.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(slept).toMatchObject({ settled: true, value: true });
  });

  it('sleep resolves false as soon as its signal aborts, and clears its timer', async () => {
    // Given
    vi.useFakeTimers();
    const controller = new AbortController();
    const slept = track(sleep(60_000, controller.signal));
    // When
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    // Then
    expect(slept).toMatchObject({ settled: true, value: false });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sleep with an aborted signal or no delay resolves at once', async () => {
    const aborted = AbortSignal.abort();
    await expect(sleep(60_000, aborted)).resolves.toBe(false);
    await expect(sleep(0)).resolves.toBe(true);
    await expect(sleep(-5)).resolves.toBe(true);
  });

  it('sleep longer than the platform timer limit does not fire early', async () => {
    // Given: Node fires timers above 2^31−1 ms after 1 ms
    vi.useFakeTimers();
    const slept = track(sleep(2 ** 31 + 1000));
    // When
    await vi.advanceTimersByTimeAsync(60_000);
    // Then
    expect(slept.settled).toBe(false);
  });

  it('withTimeout passes the value through and clears its timer', async () => {
    // Given
    vi.useFakeTimers();
    // When
    const value = await withTimeout(Promise.resolve(42), 1000, () => new Error('late'));
    // Then
    expect(value).toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('withTimeout passes a rejection through', async () => {
    const boom = new Error('boom');
    await expect(withTimeout(Promise.reject(boom), 1000, () => new Error('late'))).rejects.toBe(boom);
  });

  it('withTimeout rejects with the given error when the bound passes', async () => {
    // Given
    vi.useFakeTimers();
    const late = new Error('too slow');
    const result = track(withTimeout(new Promise<never>(() => {}), 500, () => late));
    // When
    await vi.advanceTimersByTimeAsync(500);
    // Then
    expect(result).toMatchObject({ settled: true, error: late });
  });

  it('withTimeout with an infinite bound never times out', async () => {
    const p = Promise.resolve('x');
    expect(withTimeout(p, Number.POSITIVE_INFINITY, () => new Error('late'))).toBe(p);
  });

  it('withTimeout longer than the platform timer limit does not fire early', async () => {
    // Given
    vi.useFakeTimers();
    const result = track(withTimeout(new Promise<never>(() => {}), 2 ** 31 + 1000, () => new Error('late')));
    // When
    await vi.advanceTimersByTimeAsync(60_000);
    // Then
    expect(result.settled).toBe(false);
  });
});
