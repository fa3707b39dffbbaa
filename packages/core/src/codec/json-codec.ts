import { DecodeError, ValidationError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { validateEvent } from '../events/validate.js';

/** Turns events into bytes and back. Transports use it; stores may too. */
export interface EventCodec {
  readonly contentType: string;
  encode(event: BaseEvent): Buffer;
  /**
   * Optional, for text formats: the same encoding as a string, with the same
   * checks as `encode`. Transports whose client sends strings use it to skip
   * a copy; they fall back to `encode` when it is absent.
   */
  encodeText?(event: BaseEvent): string;
  /** Throws DecodeError (carrying the raw bytes) for anything that is not a sound event. */
  decode(bytes: Uint8Array | string): BaseEvent;
}

export interface JsonCodecOptions {
  /** Largest encoded event accepted on encode and on decode. Default 1 MiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

// Exactly what Date#toISOString produces, so only dates we wrote come back as dates.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * JSON with dates: `timestamp` and every string in `Date#toISOString()` form
 * are revived as Date, so an event and its data round-trip exactly.
 * `__proto__` keys are dropped while parsing, so decoded events can be spread
 * or assigned anywhere without touching a prototype.
 */
export function createJsonCodec(options: JsonCodecOptions = {}): EventCodec {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw new ValidationError('maxBytes', 'must be a positive integer');
  }
  return {
    contentType: 'application/json',
    encode(event) {
      const bytes = Buffer.from(JSON.stringify(event), 'utf8');
      if (bytes.byteLength > maxBytes) {
        throw new ValidationError(
          'event',
          `encodes to ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`,
        );
      }
      return bytes;
    },
    encodeText(event) {
      const text = JSON.stringify(event);
      // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when that bound is over the limit.
      if (text.length * 3 > maxBytes) {
        const byteLength = Buffer.byteLength(text, 'utf8');
        if (byteLength > maxBytes) {
          throw new ValidationError('event', `encodes to ${byteLength} bytes, over the ${maxBytes}-byte limit`);
        }
      }
      return text;
    },
    decode(input) {
      const raw = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
      if (raw.byteLength === 0) throw new DecodeError('empty message', raw);
      if (raw.byteLength > maxBytes) {
        throw new DecodeError(`message of ${raw.byteLength} bytes is over the ${maxBytes}-byte limit`, raw);
      }
      let parsed: unknown;
      try {
        const text = typeof input === 'string' ? input : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
        // A plain parse and one walk over the result: several times cheaper than a reviver function.
        parsed = revive(JSON.parse(text));
      } catch (cause) {
        throw new DecodeError(`not valid JSON: ${(cause as Error).message}`, raw, { cause });
      }
      try {
        return validateEvent(parsed);
      } catch (cause) {
        throw new DecodeError(`not a valid event: ${(cause as Error).message}`, raw, { cause });
      }
    },
  };
}

/**
 * Revives, in place, every string in `Date#toISOString()` form as a Date and
 * drops every `__proto__` key (JSON.parse makes it an own property, which
 * `Object.assign` or a merge would turn into a prototype change).
 */
function revive(value: unknown): unknown {
  if (typeof value === 'string') return reviveString(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') {
        if (v.length === 24) value[i] = reviveString(v);
      } else if (v !== null && typeof v === 'object') {
        revive(v);
      }
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  // biome-ignore lint/complexity/useLiteralKeys: `obj.__proto__` would name the accessor, not the own key JSON.parse made.
  if (Object.hasOwn(obj, '__proto__')) delete obj['__proto__'];
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'string') {
      if (v.length === 24) obj[key] = reviveString(v);
    } else if (v !== null && typeof v === 'object') {
      revive(v);
    }
  }
  return obj;
}

function reviveString(value: string): string | Date {
  if (value.length !== 24 || !ISO_DATE.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date;
}

/** The default codec: JSON with a 1 MiB limit. */
export const jsonCodec: EventCodec = createJsonCodec();
