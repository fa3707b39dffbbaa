import { ValidationError } from '../errors.js';

/**
 * `value` when it is an integer from 1 to `max`; else a ValidationError naming
 * `field` (the option's name as the user wrote it). The one check behind every
 * count, size and millisecond option of core and the transports.
 */
export function positiveInt(value: number, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(field, max === Number.MAX_SAFE_INTEGER ? 'must be an integer ≥ 1' : `must be an integer from 1 to ${max}`);
  }
  return value;
}

/**
 * The longest delay a Node timer honours: a longer one fires after 1 ms (with a
 * TimeoutOverflowWarning), so a "wait a month" option would time out at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** positiveInt for an option that ends up in a timer: 1 to MAX_TIMER_MS (≈24.8 days). */
export function timerMs(value: number, field: string): number {
  return positiveInt(value, field, MAX_TIMER_MS);
}
