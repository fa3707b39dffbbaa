import { ValidationError } from '../errors.js';

/**
 * An option that was renamed and keeps its old name as a deprecated alias: the
 * value given under either name, and the name it was given under (for the
 * ValidationError of a later check). Both names with different values is a
 * ValidationError: one of them would be silently ignored.
 */
export function renamedOption<T>(
  value: T | undefined,
  deprecatedValue: T | undefined,
  names: { name: string; deprecated: string },
): { value: T | undefined; field: string } {
  if (value !== undefined && deprecatedValue !== undefined && value !== deprecatedValue) {
    throw new ValidationError(names.deprecated, `is the deprecated name of ${names.name}: give one of them`);
  }
  if (value === undefined && deprecatedValue !== undefined) return { value: deprecatedValue, field: names.deprecated };
  return { value, field: names.name };
}
