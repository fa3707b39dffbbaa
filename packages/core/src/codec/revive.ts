/**
 * What `jsonCodec.decode` does to freshly parsed JSON before it validates it: the envelope's
 * own `timestamp` (a string in `Date#toISOString()` form on the wire) becomes a Date, and
 * every `__proto__` key is dropped (JSON.parse makes it an own property, which
 * `Object.assign` or a merge would turn into a prototype change).
 *
 * Nothing inside `data` or `metadata` is revived: a string stays a string, and a Date the
 * publisher put there arrives as its ISO string. A string that merely looks like a date is
 * the publisher's string, and a handler sees the same shape on every transport.
 */

/** Revives `parsed` (the result of `JSON.parse(text)`) in place and returns it. */
export function reviveParsed(parsed: unknown, text: string): unknown {
  if (parsed === null || typeof parsed !== 'object') return parsed;
  // Without a backslash every key in the text is spelled as parsed, so no "__proto__" in the
  // text means no key to drop: the usual case, answered without a walk.
  if (text.indexOf('\\') !== -1 || text.indexOf('__proto__') !== -1) dropProtoKeys(parsed);
  if (Array.isArray(parsed)) return parsed;
  const obj = parsed as Record<string, unknown>;
  const timestamp = obj.timestamp;
  // Own key only: an inherited `timestamp` (a polluted prototype) is not the message's.
  if (typeof timestamp === 'string' && Object.hasOwn(obj, 'timestamp')) {
    const date = isoDate(timestamp);
    if (date !== undefined) obj.timestamp = date;
  }
  return obj;
}

/** Drops, in place, every own `__proto__` key at any depth of freshly parsed JSON. */
export function dropProtoKeys(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) dropProtoKeys(value[i]);
    return;
  }
  const obj = value as Record<string, unknown>;
  // biome-ignore lint/complexity/useLiteralKeys: `obj.__proto__` would name the accessor, not the own key JSON.parse made.
  if (Object.hasOwn(obj, '__proto__')) delete obj['__proto__'];
  for (const key of Object.keys(obj)) dropProtoKeys(obj[key]);
}

// Exactly what Date#toISOString produces (years 0000–9999), so only dates we wrote come back as dates.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The Date a 24-character string in `Date#toISOString()` form stands for, or
 * undefined: the same answer as `ISO_DATE.test(s) && new Date(s)` (undefined
 * for an invalid date), without the date-string parser for ordinary dates.
 */
export function isoDate(s: string): Date | undefined {
  if (s.length !== 24) return undefined;
  const year = digits4(s, 0);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  const hour = digits2(s, 11);
  const minute = digits2(s, 14);
  const second = digits2(s, 17);
  const ms = digits3(s, 20);
  if (
    year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || ms < 0 ||
    s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || // - - T
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90 // : : . Z
  ) {
    return undefined;
  }
  // Fields with one meaning everywhere are computed here; anything else (day 29–31, which
  // V8 rolls over into the next month, hour 24, years below 100, out-of-range values) goes
  // to the engine's own parser, so the answer is always exactly the engine's.
  if (year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59) {
    return new Date(daysSinceEpoch(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1_000 + ms);
  }
  if (!ISO_DATE.test(s)) return undefined;
  const date = new Date(s);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Days from 1970-01-01 to the given proleptic Gregorian date (year ≥ 1, month 1–12): the
 * civil-calendar day count, as Date.UTC computes it, in integer arithmetic.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  // Years counted from March, so the leap day is the last day of the counted year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The number the two ASCII digits at `i` spell, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function digits3(s: string, i: number): number {
  const a = digits2(s, i);
  const c = s.charCodeAt(i + 2) - 48;
  return a >= 0 && c >= 0 && c <= 9 ? a * 10 + c : -1;
}

function digits4(s: string, i: number): number {
  const a = digits2(s, i);
  const b = digits2(s, i + 2);
  return a >= 0 && b >= 0 ? a * 100 + b : -1;
}
