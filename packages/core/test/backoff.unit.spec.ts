import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index.js';
import { exponentialBackoff, positiveInt } from '../src/transport.js';

describe('exponentialBackoff', () => {
  it('initialMs after the first failure, doubling after each further one, 1-based', () => {
    // Given
    const curve = { initialMs: 100 };
    // When / Then
    expect([1, 2, 3, 4, 5].map((n) => exponentialBackoff(curve, n))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('stops doubling at maxMs, also after a very long outage', () => {
    // Given
    const curve = { initialMs: 200, maxMs: 5_000 };
    // When / Then
    expect([5, 6, 7, 1_000, 100_000].map((n) => exponentialBackoff(curve, n))).toEqual([3_200, 5_000, 5_000, 5_000, 5_000]);
  });

  it('a count below 1 is the first step', () => {
    expect(exponentialBackoff({ initialMs: 50 }, 0)).toBe(50);
  });

  it('jitter true takes off up to half, driven by the injected random', () => {
    // Given
    const curve = { initialMs: 1_000, jitter: true };
    // When / Then
    expect(exponentialBackoff(curve, 1, () => 0)).toBe(1_000);
    expect(exponentialBackoff(curve, 1, () => 0.5)).toBe(750);
    expect(exponentialBackoff(curve, 1, () => 0.999_999)).toBe(500);
  });

  it('a jitter fraction takes off at most that share of the capped delay', () => {
    expect(exponentialBackoff({ initialMs: 1_000, maxMs: 1_500, jitter: 0.2 }, 3, () => 1)).toBe(1_200);
  });
});

describe('positiveInt', () => {
  it('returns an integer from 1 to max', () => {
    expect(positiveInt(1, 'n')).toBe(1);
    expect(positiveInt(65_535, 'port', 65_535)).toBe(65_535);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number])('rejects %s with a ValidationError naming the option', (bad) => {
    const thrown = (() => {
      try {
        positiveInt(bad, 'closeTimeoutMs');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(thrown).toMatchObject({ code: 'VALIDATION', field: 'closeTimeoutMs', reason: 'must be an integer ≥ 1' });
  });

  it('names the range when there is a maximum', () => {
    expect(() => positiveInt(65_536, 'url.port', 65_535)).toThrow('url.port: must be an integer from 1 to 65535');
  });
});
