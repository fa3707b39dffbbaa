/**
 * An upper bound on the UTF-8 bytes of `JSON.stringify(event)`, counted without building
 * the string, or `Infinity` once it passes `limit` (the walk stops there). A transport that
 * never encodes (the in-memory bus) enforces the codec's size limit with it: a sound event
 * far below the limit costs one walk; only one whose bound passes the limit is encoded to
 * get the exact answer. Expects an event `validateEvent` accepted (finite depth, no cycles).
 */
export function jsonBytesBound(value: unknown, limit: number): number {
  return bound(value, 0, limit);
}

// Per UTF-16 unit a JSON string takes at most 6 bytes (`\u001f`, a lone surrogate); a number
// at most 24 characters (`-1.7976931348623157e+308`, `5e-324` and the like).
const PER_CHAR = 6;
const NUMBER = 24;
const DATE = 26; // "2024-01-01T00:00:00.000Z" with quotes

function bound(value: unknown, total: number, limit: number): number {
  if (total > limit) return Number.POSITIVE_INFINITY;
  switch (typeof value) {
    case 'string':
      return total + value.length * PER_CHAR + 2;
    case 'number':
      return total + NUMBER;
    case 'boolean':
      return total + 5;
    case 'object': {
      if (value === null) return total + 4;
      if (value instanceof Date) return total + DATE;
      // Whatever else has its own JSON form could encode to anything: only the exact answer will do.
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return Number.POSITIVE_INFINITY;
      let sum = total + 2; // [] or {}
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          sum = bound(value[i], sum + 1, limit); // the comma (or `null` for undefined, counted by its 4 below)
          if (value[i] === undefined) sum += 4;
          if (sum > limit) return Number.POSITIVE_INFINITY;
        }
        return sum;
      }
      const rec = value as Record<string, unknown>;
      // for…in may also count inherited keys, which JSON skips: the bound only grows, and nothing is allocated.
      for (const key in rec) {
        const v = rec[key];
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        sum = bound(v, sum + key.length * PER_CHAR + 4, limit); // "key": and the comma
        if (sum > limit) return Number.POSITIVE_INFINITY;
      }
      return sum;
    }
    default:
      return total + 4; // undefined at the top: nothing; anything else validation rejected
  }
}
