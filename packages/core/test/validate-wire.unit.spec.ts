import { describe, expect, it } from 'vitest';
import {
  isHeraldError,
  jsonCodec,
  MAX_EVENT_DEPTH,
  MAX_EVENT_TYPE_BYTES,
  validateEvent,
  validateEventType,
  ValidationError,
} from '../src/index.js';
import { domainEvent } from './helpers.js';

/** The ValidationError validateEvent throws for `data`; fails the test when it throws nothing or something else. */
function rejectionOf(data: unknown): ValidationError {
  const event = domainEvent({ data: data as Record<string, unknown> });
  try {
    validateEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** `{ a: { a: … { a: 1 } } }` with `levels` objects. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('validation rejects what the wire cannot carry', () => {
  it.each([
    ['a Map', new Map([['k', 1]]), /is a Map, which JSON carries as \{\}/],
    ['a Set', new Set([1, 2]), /is a Set, which JSON carries as \{\}/],
    ['a Uint8Array', new Uint8Array([1, 2, 3]), /is a Uint8Array/],
    ['a Float64Array', new Float64Array(2), /is a Float64Array/],
    ['a DataView', new DataView(new ArrayBuffer(4)), /is a DataView/],
    ['an ArrayBuffer', new ArrayBuffer(8), /is an ArrayBuffer/],
    ['a Buffer', Buffer.from('bytes'), /is a Buffer, which JSON does not carry as bytes/],
    ['an invalid Date', new Date('not a date'), /is an invalid Date, which JSON carries as null/],
  ])('%s in data is a ValidationError naming its path and saying why', (_what, value, reason) => {
    // Given the value deep inside data, once in an object and once in an array
    // When each is validated
    const inObject = rejectionOf({ outer: { b: value } });
    const inArray = rejectionOf({ list: [1, value] });

    // Then both name the value itself, never an inherited method (Buffer's readBigUInt64LE)
    expect(inObject.field).toBe('data.outer.b');
    expect(inObject.reason).toMatch(reason);
    expect(inArray.field).toBe('data.list[1]');
    expect(inObject.message).not.toMatch(/is a function/);
  });

  it('walks only own keys: a class instance with enumerable prototype members is checked by its own data', () => {
    // Given an instance whose prototype has an enumerable function (JSON.stringify ignores it)
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
    }
    (Money.prototype as unknown as Record<string, unknown>).format = function format() {
      return 'x';
    };
    const event = domainEvent({ data: { price: new Money(5, 'EUR') } as unknown as Record<string, unknown> });

    // When / Then it is accepted, and arrives as its own fields
    expect(() => validateEvent(event)).not.toThrow();
    expect(((jsonCodec.decode(jsonCodec.encode(event)) as unknown as { data: Record<string, unknown> }).data).price).toEqual({
      amount: 5,
      currency: 'EUR',
    });
  });

  it(`accepts data nested ${MAX_EVENT_DEPTH} levels deep and rejects one level more`, () => {
    // Given / When / Then
    expect(() => validateEvent(domainEvent({ data: nested(MAX_EVENT_DEPTH) }))).not.toThrow();
    // data is level 1, so data of MAX + 1 nested objects puts the innermost one level too deep
    const error = rejectionOf(nested(MAX_EVENT_DEPTH + 1));
    expect(error.field).toBe(`data${'.a'.repeat(MAX_EVENT_DEPTH)}`);
    expect(error.reason).toMatch(`nested more than ${MAX_EVENT_DEPTH} levels deep`);
  });

  it('rejects data nested 4,500 levels deep with a ValidationError, not a RangeError', () => {
    // Given data nested far beyond the stack-safe depth of a recursive walk
    let thrown: unknown;

    // When it is validated
    try {
      validateEvent(domainEvent({ data: nested(4_500) }));
    } catch (error) {
      thrown = error;
    }

    // Then it is Herald's ValidationError with a code
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(isHeraldError(thrown, 'VALIDATION')).toBe(true);
  });

  it('still accepts valid Dates, null, plain and prototype-less objects', () => {
    // Given
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { x: 1 });
    // When / Then
    expect(() => validateEvent(domainEvent({ data: { at: new Date(0), none: null, bare, list: [{ y: [] }] } }))).not.toThrow();
  });
});

describe(`event types: at most ${MAX_EVENT_TYPE_BYTES} bytes on every transport`, () => {
  it(`accepts a type of exactly ${MAX_EVENT_TYPE_BYTES} bytes and rejects one byte more, naming the limit`, () => {
    // Given
    const atLimit = `a${'.b'.repeat((MAX_EVENT_TYPE_BYTES - 1) / 2)}`;
    const over = `${atLimit}c`;
    expect(atLimit).toHaveLength(MAX_EVENT_TYPE_BYTES);

    // When / Then
    expect(() => validateEventType(atLimit)).not.toThrow();
    expect(() => validateEventType(over)).toThrow(ValidationError);
    expect(() => validateEventType(over)).toThrow(`over the ${MAX_EVENT_TYPE_BYTES}-byte limit`);
  });

  it('rejects a 100 KB type on publish without echoing it whole', () => {
    // Given an event whose type is 100,000 characters
    const type = 'x'.repeat(100_000);
    let thrown: unknown;

    // When it is validated
    try {
      validateEvent(domainEvent({ type }));
    } catch (error) {
      thrown = error;
    }

    // Then the error names the field and keeps its message short
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe('type');
    expect((thrown as ValidationError).message.length).toBeLessThan(300);
  });
});
