import { isDeepStrictEqual } from 'node:util';

/**
 * Structural equality as test assertions mean it (and as vitest's `toEqual`
 * does): node's deep strict equality, except that a property whose value is
 * undefined counts as absent and a plain object equals a null-prototype one.
 * Dates compare by time, NaN equals NaN, Sets and Maps by content; instances
 * of other classes keep their prototype check.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(comparable(a), comparable(b));
}

/** Whether `value` is a plain object: made by a literal, JSON.parse or Object.create(null). */
export function plainForm(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `value` with plain objects rebuilt on Object.prototype, without their undefined properties. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value instanceof Set) return new Set([...value].map(comparable));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, comparable(v)]));
  if (!plainForm(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) Object.defineProperty(out, key, { value: comparable(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
