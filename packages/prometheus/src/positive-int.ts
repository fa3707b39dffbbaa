import { ValidationError } from '@herald/core';

/**
 * `value` when it is an integer ≥ 1, else a ValidationError naming `field`. Core writes the
 * same check for its own options without exporting it; use core's once it does.
 */
export function positiveInt(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new ValidationError(field, 'must be an integer ≥ 1');
  return value;
}
