/** An exponential backoff curve: `initialMs` after the first failure, doubling after each further one. */
export interface ExponentialBackoff {
  /** Milliseconds after the first failure. */
  initialMs: number;
  /** Cap on the doubling, in milliseconds. */
  maxMs?: number | undefined;
  /**
   * Spread many waiters apart: `true` takes off up to 50% of the delay at
   * random, a fraction in (0, 1] up to that share.
   */
  jitter?: boolean | number | undefined;
}

/**
 * Milliseconds to wait after `failures` failures in a row (1-based):
 * initialMs · 2^(failures−1), capped by maxMs, less a random share when
 * `jitter` is set. The one curve behind retries, reconnects and restarts.
 */
export function exponentialBackoff(curve: ExponentialBackoff, failures: number, random: () => number = Math.random): number {
  const { initialMs, maxMs, jitter } = curve;
  // The exponent is bounded so a long outage cannot overflow the curve to Infinity before the cap applies.
  let ms = initialMs * 2 ** Math.min(Math.max(0, failures - 1), 52);
  if (maxMs !== undefined) ms = Math.min(ms, maxMs);
  if (jitter) {
    const share = jitter === true ? 0.5 : jitter;
    ms -= ms * share * random();
  }
  return Math.max(0, Math.round(ms));
}
