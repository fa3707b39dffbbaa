/**
 * Copies `source`'s own enumerable string-keyed fields onto `into` as plain data
 * properties and returns `into`; later copies win, as with spread.
 *
 * Use it instead of object spread where the copy gains keys (`{ ...a, ...b }`,
 * `{ ...a, extra: 1 }`): on Node 20 (V8 11.3) such a spread gives each copy a fresh
 * hidden class and costs 1–2 µs, a key-by-key copy about 0.1 µs (Node 22 has no such
 * cliff). An own `__proto__` key stays plain data, as with spread; plain assignment
 * would set the copy's prototype instead.
 */
export function copyFields<T extends object>(into: T, source: object | undefined): T {
  if (source === undefined) return into;
  const from = source as Record<string, unknown>;
  const to = into as Record<string, unknown>;
  for (const key of Object.keys(from)) {
    if (key === '__proto__') {
      Object.defineProperty(to, key, { value: from[key], enumerable: true, writable: true, configurable: true });
    } else {
      to[key] = from[key];
    }
  }
  return into;
}
