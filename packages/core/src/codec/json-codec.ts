import { DecodeError, ValidationError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { validateEvent } from '../events/validate.js';

/** Turns events into bytes and back. Transports use it; stores may too. */
export interface EventCodec {
  readonly contentType: string;
  encode(event: BaseEvent): Buffer;
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
    decode(input) {
      const raw = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
      if (raw.byteLength === 0) throw new DecodeError('empty message', raw);
      if (raw.byteLength > maxBytes) {
        throw new DecodeError(`message of ${raw.byteLength} bytes is over the ${maxBytes}-byte limit`, raw);
      }
      let parsed: unknown;
      try {
        const text = typeof input === 'string' ? input : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
        parsed = JSON.parse(text, revive);
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

function revive(key: string, value: unknown): unknown {
  if (key === '__proto__') return undefined;
  if (typeof value === 'string' && value.length === 24 && ISO_DATE.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date;
  }
  return value;
}

/** The default codec: JSON with a 1 MiB limit. */
export const jsonCodec: EventCodec = createJsonCodec();
