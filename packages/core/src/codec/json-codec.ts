import { DecodeError, ValidationError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { validateEvent } from '../events/validate.js';
import { reviveParsed } from './revive.js';

/** Turns events into bytes and back. Transports use it; stores may too. */
export interface EventCodec {
  readonly contentType: string;
  /**
   * The largest encoded event, in bytes, when the codec has a limit: `encode` rejects
   * anything larger with a ValidationError. The in-memory bus, which never encodes,
   * enforces the same limit with it, so an event is too large on every transport or none.
   */
  readonly maxBytes?: number;
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
    maxBytes,
    encode(event) {
      const bytes = Buffer.from(stringify(event), 'utf8');
      if (bytes.byteLength > maxBytes) {
        throw new ValidationError(
          'event',
          `encodes to ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`,
        );
      }
      return bytes;
    },
    encodeText(event) {
      const text = stringify(event);
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
      if (typeof input === 'string') {
        if (input.length === 0) throw new DecodeError('empty message', bytesOf(input));
        // UTF-8 takes 1 to 3 bytes per UTF-16 unit: count bytes only when that bound is over the limit.
        if (input.length * 3 > maxBytes) {
          const byteLength = Buffer.byteLength(input, 'utf8');
          if (byteLength > maxBytes) {
            throw new DecodeError(`message of ${byteLength} bytes is over the ${maxBytes}-byte limit`, bytesOf(input));
          }
        }
      } else {
        if (input.byteLength === 0) throw new DecodeError('empty message', input);
        if (input.byteLength > maxBytes) {
          throw new DecodeError(`message of ${input.byteLength} bytes is over the ${maxBytes}-byte limit`, input);
        }
      }
      let parsed: unknown;
      try {
        const text =
          typeof input === 'string'
            ? input
            : Buffer.isBuffer(input)
              ? input.toString()
              : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
        // A plain parse, then dates and `__proto__` keys (see revive.ts): several times cheaper than a reviver function.
        parsed = reviveParsed(JSON.parse(text), text);
      } catch (cause) {
        throw new DecodeError(`not valid JSON: ${(cause as Error).message}`, bytesOf(input), { cause });
      }
      try {
        return validateEvent(parsed);
      } catch (cause) {
        throw new DecodeError(`not a valid event: ${(cause as Error).message}`, bytesOf(input), { cause });
      }
    },
  };
}

/**
 * JSON.stringify, with what it throws (a cycle, a bigint, a stack overflow on deep nesting, a
 * toJSON that throws) as a ValidationError: transports validate before they encode, but a
 * caller may encode any object, and every failure from core is a HeraldError.
 */
function stringify(event: BaseEvent): string {
  try {
    return JSON.stringify(event);
  } catch (cause) {
    throw new ValidationError('event', `cannot be encoded as JSON: ${(cause as Error).message}`, { cause });
  }
}

/** The bytes a DecodeError carries: the input itself, or a string's UTF-8. */
function bytesOf(input: Uint8Array | string): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

/** The default codec: JSON with a 1 MiB limit. */
export const jsonCodec: EventCodec = createJsonCodec();
