/**
 * Copies the values an event can hold (what validateEvent admits: JSON values
 * and Dates) so the store never shares an object with its callers. A hand-rolled
 * walk rather than structuredClone because appends copy every event and this is
 * several times faster for plain objects; anything else (a Map, a class
 * instance) falls back to structuredClone.
 */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = deepCopy(value[i]);
    return out as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    // An own "__proto__" key (e.g. from JSON.parse) must stay data, not become the copy's prototype.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: deepCopy(source[key]), enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = deepCopy(source[key]);
    }
  }
  return out as T;
}
